"""Public and author pages of Idées: visibility per role (cross-organization isolation),
submission and its bad input, similar ideas, edits and versions, supports, comments,
reports, photos, and fixed query counts on the list and idea pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from cocon.core.models import AbuseFlag, Notification
from cocon.ideas import selectors, services
from cocon.ideas.models import Comment, Idea, IdeaVersion, State, Support, Visibility

from .conftest import IDEA


@pytest.fixture(autouse=True)
def _fresh_similar_index():
    selectors.reset_similar_indexes()
    yield
    selectors.reset_similar_indexes()


def fr(msgid: str) -> str:
    """The message as the French page shows it (escaped like the templates do)."""
    with translation.override("fr"):
        return escape(translation.gettext(msgid))


def shown(msgid: str, page: str) -> bool:
    """The French message is on the page (escaped or not: {% translate %} does not escape)."""
    with translation.override("fr"):
        text = translation.gettext(msgid)
    return text in page or escape(text) in page


def form_data(**fields):
    data = dict(IDEA)
    data.update(fields)
    return data


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


# --- visibility ----------------------------------------------------------------------------
@pytest.mark.parametrize("role", [None, "usager", "agent", "agent_b"])
def test_home_and_list_pages_for_everyone(client, client_for, world, public_call, make_idea, role):
    make_idea(public_call, public=True, title="Des cendriers de poche au marché")
    c = client_for(role) if role else client
    for name, args in (
        ("ideas:home", []),
        ("ideas:list", []),
        ("ideas:campaign", [public_call.pk]),
    ):
        response = c.get(reverse(name, args=args))
        assert response.status_code == 200, name
        assert "Des cendriers de poche au marché" in response.content.decode()


def test_org_only_idea_is_isolated(client, client_for, world, box, make_idea):
    idea = make_idea(box, title="Un nouveau planning des astreintes")
    assert idea.visibility == Visibility.ORGANIZATION
    url = reverse("ideas:detail", args=[idea.pk])
    assert client_for("agent").get(url).status_code == 200
    assert client_for("manager").get(url).status_code == 200
    for role in ("agent_b", "usager"):
        assert client_for(role).get(url).status_code == 404, role
        listing = client_for(role).get(reverse("ideas:list")).content.decode()
        assert "planning des astreintes" not in listing
    client.logout()
    assert client.get(url).status_code == 404
    # the permanent box of A is for A's agents only
    assert client.get(reverse("ideas:campaign", args=[box.pk])).status_code == 404
    assert client_for("agent_b").get(reverse("ideas:campaign", args=[box.pk])).status_code == 404
    assert client_for("agent").get(reverse("ideas:campaign", args=[box.pk])).status_code == 200


def test_idea_page_shows_author_label_never_a_name(client, client_for, world, public_call):
    idea = services.idea_submit(
        author=world["usager"], campaign=public_call, services=[world.water], **IDEA
    )
    page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert "Ulysse" not in page
    assert fr("User (usager)") in page
    agent_idea = services.idea_submit(
        author=world["agent"],
        campaign=public_call,
        public=True,
        **{**IDEA, "title": "Une autre idée de cendriers"},
    )
    page = client.get(reverse("ideas:detail", args=[agent_idea.pk])).content.decode()
    assert "data-author>" + fr("Agent, %(org)s") % {"org": "Agglo de Test"} + "</dd>" in page
    mine = client_for("agent").get(reverse("ideas:detail", args=[agent_idea.pk]))
    assert fr("You") in mine.content.decode()


def test_campaign_filters_search_sort_and_pagination(client, world, public_call, make_idea):
    for n in range(23):
        make_idea(public_call, public=True, title=f"Idée numéro {n} pour la propreté")
    special = make_idea(public_call, public=True, title="Des bacs à compost partagés")
    services.idea_support(special, user=world["usager"])
    url = reverse("ideas:campaign", args=[public_call.pk])
    page1 = client.get(url).content.decode()
    assert "Des bacs à compost partagés" in page1  # most supported first
    assert 'rel="next"' in page1
    page2 = client.get(url + "?page=2").content.decode()
    assert page2.count('class="idea-item"') == 4
    found = client.get(url + "?q=compost").content.decode()
    assert "Des bacs à compost partagés" in found and "Idée numéro 3 " not in found
    assert client.get(url + "?author_category=usager").content.decode().count("idea-item") == 0
    assert "Idée numéro 22" in client.get(url + "?sort=recent").content.decode()
    assert client.get(url + "?state=rejected&sort=nonsense").status_code == 200
    # the author category is a filter, never shown per idea
    assert fr("Agent, category C") not in page1.split("data-idea-list")[1]


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_page_query_count_is_constant(client_for, world, public_call, make_idea):
    c = client_for("usager")
    url = reverse("ideas:campaign", args=[public_call.pk])
    for n in range(5):
        make_idea(public_call, public=True, title=f"Première série d'idées {n}")
    few = _count_queries(c, url)
    for n in range(20):
        make_idea(public_call, public=True, title=f"Deuxième série d'idées {n}")
    assert _count_queries(c, url) == few
    all_url = reverse("ideas:list")
    many = _count_queries(c, all_url)
    for n in range(5):
        make_idea(public_call, public=True, title=f"Troisième série d'idées {n}")
    assert _count_queries(c, all_url) == many


def test_idea_page_query_count_is_constant(client_for, world, public_call, make_idea):
    idea = make_idea(public_call, public=True)
    c = client_for("usager")
    url = reverse("ideas:detail", args=[idea.pk])
    services.comment_add(idea, author=world["agent"], text="Premier commentaire")
    few = _count_queries(c, url)
    first = Comment.objects.get()
    for n in range(10):
        services.comment_add(idea, author=world["manager"], text=f"Réponse {n}", parent=first)
        services.comment_add(idea, author=world["usager"], text=f"Avis {n}")
    for role in ("manager", "direction", "expert", "animateur", "admin", "agent_b"):
        services.idea_support(idea, user=world[role])
    assert _count_queries(c, url) == few


# --- submission ----------------------------------------------------------------------------
def test_submit_success_with_photo_and_redirect(client_for, world, public_call):
    c = client_for("agent")
    url = reverse("ideas:submit", args=[public_call.pk])
    page = c.get(url).content.decode()
    assert 'hx-get="' + reverse("ideas:similar", args=[public_call.pk]) in page
    assert 'aria-live="polite"' in page
    assert fr("Make it public") in page and fr("On behalf of a user") in page
    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    response = c.post(
        url, form_data(services=[world.waste.pk], public="on", photos=[photo]), follow=False
    )
    idea = Idea.objects.get()
    assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
    assert idea.visibility == Visibility.PUBLIC
    assert [s.pk for s in idea.services.all()] == [world.waste.pk]
    page = c.get(idea.get_absolute_url()).content.decode()
    assert reverse("ideas:photo", args=[idea.pk, selectors.attachments_of(idea).get().pk]) in page


def test_agent_idea_defaults_to_organization(client_for, world, box):
    client_for("agent").post(reverse("ideas:submit", args=[box.pk]), form_data())
    assert Idea.objects.get().visibility == Visibility.ORGANIZATION


def test_submit_on_behalf_of_a_user(client_for, world, public_call):
    c = client_for("agent")
    c.post(reverse("ideas:submit", args=[public_call.pk]), form_data(on_behalf="on"))
    idea = Idea.objects.get()
    assert idea.on_behalf_of_user and idea.author is None and idea.submitted_by == world["agent"]
    assert idea.author_category == "usager"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("problem", ""),
        ("title", "x" * 151),
        ("proposal", "y" * 5001),
        ("title", "Court"),
        ("decision_level", "mayor"),
    ],
)
def test_submit_bad_input_writes_nothing(client_for, world, public_call, field, value):
    response = client_for("usager").post(
        reverse("ideas:submit", args=[public_call.pk]), form_data(**{field: value})
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page
    assert 'aria-invalid="true"' in page or field == "decision_level"
    assert not Idea.objects.exists()


def test_submit_messages_are_french(client_for, world, public_call):
    page = (
        client_for("usager")
        .post(reverse("ideas:submit", args=[public_call.pk]), form_data(title="Court"))
        .content.decode()
    )
    assert fr("Give a title of at least 8 characters that says what you propose.") in page
    page = (
        client_for("usager")
        .post(reverse("ideas:submit", args=[public_call.pk]), form_data(problem=""))
        .content.decode()
    )
    with translation.override("fr"):
        assert "Ce champ est obligatoire." in page


def test_submit_service_outside_the_call(client_for, world, public_call):
    response = client_for("usager").post(
        reverse("ideas:submit", args=[public_call.pk]), form_data(services=[world.hr.pk])
    )
    assert response.status_code == 400
    assert not Idea.objects.exists()


def test_submit_closed_call_and_permissions(client, client_for, world, box, closed_call):
    url = reverse("ideas:submit", args=[closed_call.pk])
    response = client_for("usager").post(url, form_data())
    assert response.status_code == 403
    assert shown(
        "This call for ideas is closed: it no longer accepts ideas.", response.content.decode()
    )
    # the box of A is for A's agents: a user does not even see it, agent_b neither
    assert (
        client_for("usager").post(reverse("ideas:submit", args=[box.pk]), form_data()).status_code
        == 404
    )
    assert client_for("agent_b").get(reverse("ideas:submit", args=[box.pk])).status_code == 404
    client.logout()
    anonymous = client.get(reverse("ideas:submit", args=[box.pk]))
    assert anonymous.status_code == 302 and "/compte/connexion/" in anonymous["Location"]
    assert not Idea.objects.exists()


def test_submit_forbidden_when_call_excludes_users(client_for, world, public_call):
    public_call.scope = "agents"
    public_call.save()
    response = client_for("usager").get(reverse("ideas:campaign", args=[public_call.pk]))
    assert response.status_code == 404
    # an agent of A may propose; agent_b (not taking part) may not see it
    assert (
        client_for("agent").get(reverse("ideas:submit", args=[public_call.pk])).status_code == 200
    )
    assert (
        client_for("agent_b").get(reverse("ideas:submit", args=[public_call.pk])).status_code == 404
    )


def test_submit_without_js_shows_similar_ideas_after_errors(
    client_for, world, public_call, make_idea
):
    make_idea(public_call, public=True)
    page = (
        client_for("usager")
        .post(
            reverse("ideas:submit", args=[public_call.pk]),
            form_data(title="Cendriers de poche au marché", problem=""),
        )
        .content.decode()
    )
    assert "Des cendriers de poche distribués au marché" in page
    assert fr("Support this one instead") in page


# --- similar ideas -------------------------------------------------------------------------
def test_similar_returns_close_idea_not_invisible_one(
    client_for, world, public_call, box, make_idea
):
    visible = make_idea(public_call, public=True)
    hidden = make_idea(box, title="Des cendriers de poche pour les agents du marché")
    url = reverse("ideas:similar", args=[public_call.pk])
    response = client_for("usager").get(
        url, {"title": "cendriers de poche marché"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert visible.title in body and reverse("ideas:detail", args=[visible.pk]) in body
    assert hidden.title not in body
    assert "<html" not in body  # a fragment for htmx
    assert (
        "cendriers de poche pour les agents"
        in client_for("agent")
        .get(url, {"title": "cendriers de poche marché"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "data-similar" not in client_for("usager").get(url, {"title": "ab"}).content.decode()
    # without htmx: a whole page
    assert "<html" in client_for("usager").get(url, {"title": "cendriers"}).content.decode()


# --- edit and versions ---------------------------------------------------------------------
def test_edit_before_review_replaces_the_text(client_for, world, public_call, make_idea):
    idea = make_idea(public_call)
    url = reverse("ideas:edit", args=[idea.pk])
    assert client_for("usager").get(url).status_code in (403, 404)
    c = client_for("agent")
    assert c.get(url).status_code == 200
    response = c.post(url, form_data(title="Des cendriers de poche gratuits au marché"))
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.version == 1 and idea.title.endswith("gratuits au marché")
    assert IdeaVersion.objects.filter(idea=idea).count() == 1
    bad = c.post(url, form_data(title=""))
    assert bad.status_code == 400


def test_edit_after_review_makes_version_2_and_diff(client_for, world, public_call, make_idea):
    idea = make_idea(public_call, public=True)
    services.reviews_assign(
        idea,
        actor=world["animateur"],
        experts=[world["expert"]],
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    c = client_for("agent")
    url = reverse("ideas:edit", args=[idea.pk])
    assert fr("What changed") in c.get(url).content.decode()
    response = c.post(
        url,
        form_data(
            proposal="Distribuer des cendriers de poche au stand de l'agglo et à la mairie.",
            note="Ajout de la mairie",
        ),
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.version == 2
    page = client_for("usager").get(idea.get_absolute_url()).content.decode()
    assert reverse("ideas:versions", args=[idea.pk]) in page
    diff = client_for("usager").get(reverse("ideas:versions", args=[idea.pk])).content.decode()
    assert "<ins>" in diff and "mairie." in diff
    assert "Ajout de la mairie" in diff
    explicit = client_for("usager").get(reverse("ideas:versions", args=[idea.pk]) + "?from=1&to=2")
    assert explicit.status_code == 200
    assert (
        client_for("usager")
        .get(reverse("ideas:versions", args=[idea.pk]) + "?from=x&to=9")
        .status_code
        == 200
    )


# --- participation -------------------------------------------------------------------------
def test_support_toggle_and_twice_message(client, client_for, world, public_call, make_idea):
    idea = make_idea(public_call, public=True)
    url = reverse("ideas:support", args=[idea.pk])
    client.logout()
    anonymous = client.post(url, {"action": "add"})
    assert anonymous.status_code == 302 and "/compte/connexion/" in anonymous["Location"]
    c = client_for("usager")
    assert c.post(url, {"action": "add"}).status_code == 302
    assert Support.objects.filter(idea=idea).count() == 1
    again = c.post(url, {"action": "add"}, follow=True)
    assert fr("You already support this idea.") in again.content.decode()
    assert Support.objects.filter(idea=idea).count() == 1
    fragment = c.post(url, {"action": "add"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 400
    assert fr("You already support this idea.") in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    removed = c.post(url, {"action": "remove"}, HTTP_HX_REQUEST="true")
    assert removed.status_code == 200 and 'data-support-count="0"' in removed.content.decode()
    assert c.get(url).status_code == 405


def test_support_in_closed_call(client_for, world, closed_call):
    idea = Idea.objects.create(
        campaign=closed_call,
        organization=world.org_a,
        author=world["usager"],
        author_category="usager",
        visibility=Visibility.PUBLIC,
        **IDEA,
    )
    response = client_for("agent").post(
        reverse("ideas:support", args=[idea.pk]), {"action": "add"}, follow=True
    )
    assert fr("This call for ideas is closed: supports and comments are no longer accepted.") in (
        response.content.decode()
    )
    comment = client_for("agent").post(
        reverse("ideas:comment", args=[idea.pk]), {"comment-text": "Trop tard ?"}
    )
    assert comment.status_code == 400
    assert fr("This call for ideas is closed: supports and comments are no longer accepted.") in (
        comment.content.decode()
    )
    assert not Comment.objects.exists() and not Support.objects.exists()


def test_follow_unfollow(client_for, world, public_call, make_idea):
    idea = make_idea(public_call, public=True)
    c = client_for("usager")
    url = reverse("ideas:follow", args=[idea.pk])
    c.post(url, {"action": "add"})
    assert idea.follows.filter(user=world["usager"]).exists()
    fragment = c.post(url, {"action": "remove"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert not idea.follows.filter(user=world["usager"]).exists()


def test_threaded_comments_and_reply(client_for, world, public_call, make_idea):
    idea = make_idea(public_call, public=True)
    url = reverse("ideas:comment", args=[idea.pk])
    c = client_for("usager")
    assert c.post(url, {"comment-text": "Très bonne idée"}).status_code == 302
    first = Comment.objects.get()
    reply = client_for("agent").post(
        url, {"comment-text": "Merci, on en parle au service", "comment-parent": first.pk}
    )
    assert reply.status_code == 302
    answer = Comment.objects.exclude(pk=first.pk).get()
    assert answer.parent == first and answer.depth == 1
    page = client_for("usager").get(idea.get_absolute_url()).content.decode()
    assert "comment--depth-1" in page and f'id="commentaire-{answer.pk}"' in page
    empty = c.post(url, {"comment-text": ""})
    assert empty.status_code == 400
    fragment = c.post(url, {"comment-text": "Et avec htmx"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "Et avec htmx" in fragment.content.decode()
    assert Comment.objects.count() == 3


def test_hidden_comment_shows_reason_to_author_placeholder_to_others(
    client_for, world, public_call, make_idea
):
    idea = make_idea(public_call, public=True)
    row = services.comment_add(idea, author=world["usager"], text="Texte insultant")
    services.moderate(row, actor=world["animateur"], action="hide", reason="Propos injurieux")
    mine = client_for("usager").get(idea.get_absolute_url()).content.decode()
    assert "Propos injurieux" in mine
    other = client_for("agent_b").get(idea.get_absolute_url()).content.decode()
    assert "Texte insultant" not in other and "Propos injurieux" not in other
    assert fr("This comment was hidden by the moderators.") in other
    moderator = client_for("animateur").get(idea.get_absolute_url()).content.decode()
    assert "Texte insultant" in moderator


def test_flag_idea_and_comment_twice(client, client_for, world, public_call, make_idea):
    idea = make_idea(public_call, public=True)
    row = services.comment_add(idea, author=world["agent"], text="Un commentaire")
    c = client_for("usager")
    url = reverse("ideas:comment_flag", args=[row.pk])
    page = c.get(url).content.decode()
    assert "<fieldset" in page and fr("Spam or advertising") in page
    assert c.post(url, {"reason": "spam"}).status_code == 302
    twice = c.post(url, {"reason": "spam"})
    assert twice.status_code == 400
    assert fr("You have already reported this content; moderators will look at it.") in (
        twice.content.decode()
    )
    assert AbuseFlag.objects.count() == 1
    assert c.post(url, {"reason": ""}).status_code == 400
    idea_url = reverse("ideas:flag", args=[idea.pk])
    assert c.post(idea_url, {"reason": "off_topic", "text": "Hors sujet"}).status_code == 302
    assert AbuseFlag.objects.count() == 2
    client.logout()
    assert client.get(idea_url).status_code == 302
    # an idea of A kept inside A cannot be reported (nor seen) from B
    internal = make_idea(public_call, title="Une idée interne à l'agglo")
    assert client_for("agent_b").get(reverse("ideas:flag", args=[internal.pk])).status_code == 404


def test_make_public(client_for, world, box, make_idea):
    idea = make_idea(box)
    page = client_for("agent").get(idea.get_absolute_url()).content.decode()
    assert reverse("ideas:make_public", args=[idea.pk]) in page
    assert client_for("manager").post(reverse("ideas:make_public", args=[idea.pk])).status_code in (
        302,
        403,
    )
    idea.refresh_from_db()
    assert idea.visibility == Visibility.ORGANIZATION
    client_for("agent").post(reverse("ideas:make_public", args=[idea.pk]))
    idea.refresh_from_db()
    assert idea.visibility == Visibility.PUBLIC


def test_photo_permission(client, client_for, world, box):
    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    idea = services.idea_submit(author=world["agent"], campaign=box, photos=[photo], **IDEA)
    attachment = selectors.attachments_of(idea).get()
    url = reverse("ideas:photo", args=[idea.pk, attachment.pk])
    assert client_for("agent").get(url).status_code == 200
    assert client_for("agent_b").get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404
    assert (
        client_for("agent").get(reverse("ideas:photo", args=[idea.pk, 999999])).status_code == 404
    )


def test_decision_reviews_and_history_on_the_page(
    client, client_for, world, public_call, make_idea
):
    idea = make_idea(public_call, public=True)
    services.reviews_assign(
        idea,
        actor=world["animateur"],
        experts=[world["expert"]],
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    review = idea.reviews.get()
    services.review_submit(
        review,
        actor=world["expert"],
        feasibility="easy",
        cost_band="low",
        impact="high",
        recommendation="reject",
        text="Déjà testé dans une autre ville",
    )
    author_page = client_for("agent").get(idea.get_absolute_url()).content.decode()
    assert "Déjà testé dans une autre ville" in author_page
    assert shown("Not published yet: visible to the author only", author_page)
    client.logout()
    assert "Déjà testé" not in client.get(idea.get_absolute_url()).content.decode()
    services.review_publish(review, actor=world["animateur"])
    services.idea_to_decision(idea, actor=world["animateur"])
    idea = Idea.objects.get(pk=idea.pk)
    services.idea_decide(
        idea, actor=world["elu"], state=State.REJECTED, text="Pas de budget cette année"
    )
    client.logout()
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Déjà testé dans une autre ville" in page
    assert "Pas de budget cette année" in page and "Vice-présidente" in page
    assert world["elu"].full_name not in page
    # the author's notification about the decision is marked read on opening the page
    assert Notification.objects.filter(recipient=world["agent"], read_at__isnull=True).exists()
    client_for("agent").get(idea.get_absolute_url())
    assert not Notification.objects.filter(
        recipient=world["agent"], read_at__isnull=True, object_id=idea.pk
    ).exists()


def test_staff_flags_in_context(client_for, world, public_call, make_idea):
    idea = make_idea(public_call, public=True)
    response = client_for("animateur").get(idea.get_absolute_url())
    assert response.context["staff_actions"] and response.context["can_animate"]
    response = client_for("usager").get(idea.get_absolute_url())
    assert not response.context["staff_actions"]


def test_hidden_idea_banner_for_the_author(client_for, world, public_call, make_idea):
    idea = make_idea(public_call, public=True)
    services.moderate(idea, actor=world["animateur"], action="hide", reason="Données personnelles")
    page = client_for("agent").get(idea.get_absolute_url()).content.decode()
    assert "data-idea-hidden" in page and "Données personnelles" in page
    assert client_for("usager").get(idea.get_absolute_url()).status_code == 404


def test_mine(client, client_for, world, public_call, make_idea):
    idea = make_idea(public_call, public=True)
    other = make_idea(public_call, author=world["usager"], title="Une idée venue d un usager")
    services.idea_follow(other, user=world["agent"])
    page = client_for("agent").get(reverse("ideas:mine")).content.decode()
    assert idea.title in page and other.title in page
    client.logout()
    assert client.get(reverse("ideas:mine")).status_code == 302


def test_pre_moderated_idea_waits(client_for, world, public_call):
    public_call.moderation = "pre"
    public_call.save()
    client_for("usager").post(reverse("ideas:submit", args=[public_call.pk]), form_data())
    idea = Idea.objects.get()
    assert idea.awaiting_moderation
    assert client_for("usager").get(idea.get_absolute_url()).status_code == 200
    assert client_for("agent_b").get(idea.get_absolute_url()).status_code == 404


def test_author_category_filter_never_lists_fewer_than_five_ideas(
    client, world, public_call, make_idea
):
    """The author category is shown only in aggregate: a filter that would list 1 to 4
    ideas of a category (and so point at their authors) lists none."""
    for n in range(3):
        make_idea(public_call, public=True, title=f"Idée d'agent de catégorie C {n}")
    url = f"/idees/appels/{public_call.pk}/"
    page = client.get(url, {"author_category": "C"}).content.decode()
    assert "data-category-suppressed" in page
    assert "Idée d&#x27;agent de catégorie C 0" not in page
    for n in range(3, 5):
        make_idea(public_call, public=True, title=f"Idée d'agent de catégorie C {n}")
    page = client.get(url, {"author_category": "C"}).content.decode()
    assert "data-category-suppressed" not in page
    assert page.count("Idée d&#x27;agent de catégorie C") == 5
    # without the category filter, small lists are shown as usual
    page = client.get(url, {"q": "catégorie"}).content.decode()
    assert "data-category-suppressed" not in page


def test_comments_are_paged_by_thread_and_links_find_their_page(
    client, world, public_call, make_idea
):
    idea = make_idea(public_call, public=True)
    roots = [
        services.comment_add(idea, author=world["usager"], text=f"Fil numéro {n:02d}")
        for n in range(45)
    ]
    reply = services.comment_add(
        idea, author=world["agent"], text="Réponse au fil 30", parent=roots[30]
    )
    url = idea.get_absolute_url()
    page = client.get(url).content.decode()
    assert "Fil numéro 00" in page and "Fil numéro 19" in page
    assert "Fil numéro 20" not in page
    assert "46 commentaires" in page
    page3 = client.get(url, {"commentaires": 3}).content.decode()
    assert "Fil numéro 40" in page3 and "Fil numéro 39" not in page3
    # a notification's link (?commentaire=<id>) opens the page holding the comment's thread
    assert reply.moderation_url().startswith(url + f"?commentaire={reply.pk}")
    focused = client.get(url, {"commentaire": reply.pk}).content.decode()
    assert "Réponse au fil 30" in focused and "Fil numéro 30" in focused
    assert "Fil numéro 00" not in focused
    for junk in ("abc", "-1", "99999999999999"):
        assert client.get(url, {"commentaires": junk, "commentaire": junk}).status_code == 200


def test_reply_link_fills_the_single_comment_form(client_for, world, public_call, make_idea):
    idea = make_idea(public_call, public=True)
    first = services.comment_add(idea, author=world["usager"], text="Et le dimanche ?")
    client = client_for("agent")
    page = client.get(idea.get_absolute_url(), {"repondre": first.pk}).content.decode()
    assert f'data-replying="{first.pk}"' in page
    assert f'name="comment-parent" value="{first.pk}"' in page
    response = client.post(
        f"/idees/{idea.pk}/commenter/",
        {"comment-text": "Aussi le dimanche.", "comment-parent": str(first.pk)},
    )
    assert response.status_code == 302
    assert Comment.objects.get(text="Aussi le dimanche.").parent == first


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_pdf_documents_are_attached_and_downloaded(client_for, client, world, public_call):
    c = client_for("agent")
    url = reverse("ideas:submit", args=[public_call.pk])
    plan = SimpleUploadedFile("Plan de la place.pdf", PDF, content_type="application/pdf")
    c.post(url, form_data(public="on", documents=[plan]))
    idea = Idea.objects.get()
    [document] = selectors.attachments_of(idea)
    assert document.mime_type == "application/pdf" and document.alt == "Plan de la place.pdf"
    page = client.get(idea.get_absolute_url()).content.decode()
    link = reverse("ideas:photo", args=[idea.pk, document.pk])
    assert link in page and "Plan de la place.pdf" in page
    response = client.get(link)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF
    document.file.delete(save=False)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("faux.pdf", b"<html><script>alert(1)</script></html>"),
        ("tronque.pdf", b"%PDF-1.4\n1 0 obj"),
        ("image.pdf", None),
    ],
)
def test_not_a_pdf_is_refused_and_nothing_written(client_for, public_call, name, content):
    c = client_for("agent")
    fake = SimpleUploadedFile(name, content or png_bytes(), content_type="application/pdf")
    response = c.post(reverse("ideas:submit", args=[public_call.pk]), form_data(documents=[fake]))
    assert response.status_code == 400
    assert shown("This file is not a PDF document.", response.content.decode())
    assert not Idea.objects.exists()


def test_idea_submissions_are_rate_limited_per_account(client_for, world, public_call, monkeypatch):
    from cocon.ideas import views_public

    monkeypatch.setattr(views_public, "IDEAS_PER_HOUR", 2)
    c = client_for("usager")
    url = reverse("ideas:submit", args=[public_call.pk])
    for n in range(2):
        assert c.post(url, form_data(title=f"Une idée de plus, la numéro {n}")).status_code == 302
    response = c.post(url, form_data(title="Une idée de trop dans l'heure"))
    assert response.status_code == 429
    page = response.content.decode()
    assert shown("You have proposed many ideas in the last hour: please try again later.", page)
    assert "Une idée de trop dans l&#x27;heure" in page  # what was typed is kept
    assert Idea.objects.count() == 2
