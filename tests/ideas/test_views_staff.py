"""Staff pages of Idées: the animateurs' space, calls for ideas, déminage, decisions
(one idea and in bulk), follow-up, moderation and dashboards — permissions per role
(with organization B's people for isolation), French messages next to the fields,
nothing written on bad input, constant query counts on the list pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from cocon.core import moderation
from cocon.core.models import AbuseFlag, ModerationEvent, Notification
from cocon.ideas import selectors, services
from cocon.ideas.models import Campaign, Idea, Review, Scope, State
from cocon.voices.models import Theme

pytestmark = pytest.mark.django_db


def fr(msgid: str) -> str:
    """What the page shows for a message (French when the catalogue has it)."""
    with translation.override("fr"):
        return escape(translation.gettext(msgid))


def fr_n(singular: str, plural: str, n: int) -> str:
    with translation.override("fr"):
        return escape(translation.ngettext(singular, plural, n) % {"n": n})


def today():
    return timezone.localdate()


@pytest.fixture
def idea(world, public_call, make_idea):
    """A public idea of an agent of A, concerning the water service, for the élus."""
    return make_idea(public_call, public=True, decision_level="elus")


def assign_and_review(world, idea, recommendation="reject"):
    services.reviews_assign(
        idea, actor=world["animateur"], experts=[world["expert"]], due_on=today()
    )
    review = idea.reviews.get()
    services.review_submit(
        review,
        actor=world["expert"],
        feasibility="easy",
        cost_band="low",
        impact="high",
        recommendation=recommendation,
        text="Déjà essayé à Lille : peu de cendriers rendus.",
    )
    return review


# --- permissions -----------------------------------------------------------------------------
STAFF_PAGES = ["ideas:manage", "ideas:campaign_new", "ideas:moderation", "ideas:decisions"]


@pytest.mark.parametrize("role", ["usager", "agent", "expert", "agent_b"])
@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_are_refused_to_people_without_a_staff_role(client_for, role, name):
    assert client_for(role).get(reverse(name)).status_code == 403


def test_anonymous_people_are_sent_to_the_login(client, world):
    response = client.get(reverse("ideas:manage"))
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]


@pytest.mark.parametrize("role", ["animateur", "admin", "platform"])
def test_manage_page_for_the_participation_team(client_for, role, public_call, idea):
    response = client_for(role).get(reverse("ideas:manage"))
    assert response.status_code == 200
    html = response.content.decode()
    assert public_call.title in html and idea.title in html
    assert reverse("ideas:campaign_new") in html


def test_manage_page_of_org_b_shows_nothing_of_org_a(client_for, public_call, idea):
    response = client_for("admin_b").get(reverse("ideas:manage"))
    assert response.status_code == 200
    html = response.content.decode()
    assert public_call.title not in html and idea.title not in html


def test_org_b_cannot_act_on_org_a(client_for, world, box, public_call, idea, make_idea):
    inside = make_idea(box)  # kept inside organization A
    client = client_for("admin_b")
    # a public campaign: seen, not managed (403); an agents' box of A: not even seen (404)
    assert client.get(reverse("ideas:campaign_edit", args=[public_call.pk])).status_code == 403
    assert client.get(reverse("ideas:campaign_edit", args=[box.pk])).status_code == 404
    assert client.get(reverse("ideas:dashboard", args=[public_call.pk])).status_code == 403
    assert client.get(reverse("ideas:dashboard_csv", args=[box.pk])).status_code == 404
    assert client.get(reverse("ideas:assign", args=[idea.pk])).status_code == 403
    assert client.get(reverse("ideas:assign", args=[inside.pk])).status_code == 404
    assert client.get(reverse("ideas:decide", args=[idea.pk])).status_code == 403
    assert client.post(reverse("ideas:to_decision", args=[idea.pk])).status_code == 403
    assert client.post(reverse("ideas:quick_win", args=[idea.pk])).status_code == 403
    response = client.post(
        reverse("ideas:moderate", args=["idea", idea.pk]), {"action": "hide", "reason": "x"}
    )
    assert response.status_code == 403
    assert client.post(reverse("ideas:moderate", args=["idea", inside.pk])).status_code == 404
    idea.refresh_from_db()
    assert idea.state == State.SUBMITTED and not idea.hidden_at and not idea.is_quick_win
    agent_b = client_for("agent_b")
    assert agent_b.get(reverse("ideas:decide", args=[inside.pk])).status_code == 404


# --- calls for ideas -----------------------------------------------------------------------
def campaign_post(world, **overrides):
    data = {
        "organization": world.org_a.pk,
        "title": "Moins de papier à l'accueil",
        "question": "Comment réduire les impressions ?",
        "scope": Scope.AGENTS,
        "organizations": [world.org_a.pk],
        "opens_on": today().isoformat(),
        "closes_on": (today() + dt.timedelta(days=30)).isoformat(),
        "decisions_by": (today() + dt.timedelta(days=60)).isoformat(),
        "moderation": "post",
        "services": [world.water.pk],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_campaign_create(client_for, world):
    theme = Theme.objects.create(territory=world.territory, name="Propreté", slug="proprete")
    client = client_for("animateur")
    page = client.get(reverse("ideas:campaign_new"))
    assert page.status_code == 200
    assert 'type="hidden" name="organization"' in page.content.decode()  # one organization
    response = client.post(
        reverse("ideas:campaign_new"),
        campaign_post(world, themes=[theme.pk], organizations=[world.org_a.pk, world.org_b.pk]),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get(title="Moins de papier à l'accueil")
    assert campaign.organization == world.org_a and campaign.created_by == world["animateur"]
    assert list(campaign.services.all()) == [world.water]
    assert list(campaign.themes.all()) == [theme]
    assert set(campaign.organizations.all()) == {world.org_a, world.org_b}


@pytest.mark.parametrize(
    ("overrides", "field", "msgid"),
    [
        ({"opens_on": None}, "opens_on", "Give the opening date."),
        ({"closes_on": None}, "closes_on", "Give the closing date."),
        (
            {"closes_on": (dt.date.today() - dt.timedelta(days=3)).isoformat()},
            "closes_on",
            "The closing date is before the opening date.",
        ),
        ({"title": ""}, "title", "This field is required."),
    ],
)
def test_campaign_create_bad_input(client_for, world, overrides, field, msgid):
    before = Campaign.objects.count()
    response = client_for("animateur").post(
        reverse("ideas:campaign_new"), campaign_post(world, **overrides)
    )
    assert response.status_code == 400
    html = response.content.decode()
    error = f'id="id_{field}_error"'
    assert error in html
    assert fr(msgid) in html.split(error, 1)[1][:400]  # next to the field
    assert f'aria-describedby="id_{field}_error' in html
    assert Campaign.objects.count() == before


def test_campaign_create_with_another_organization_is_refused(client_for, world):
    response = client_for("animateur").post(
        reverse("ideas:campaign_new"), campaign_post(world, organization=world.org_b.pk)
    )
    assert response.status_code == 400  # not among the choices
    assert not Campaign.objects.filter(organization=world.org_b).exists()


def test_campaign_edit(client_for, world, public_call):
    client = client_for("admin")
    page = client.get(reverse("ideas:campaign_edit", args=[public_call.pk]))
    assert page.status_code == 200 and public_call.question in page.content.decode()
    data = campaign_post(world, title="Rues sans mégots", scope=Scope.BOTH)
    response = client.post(reverse("ideas:campaign_edit", args=[public_call.pk]), data)
    assert response.status_code == 302
    public_call.refresh_from_db()
    assert public_call.title == "Rues sans mégots"
    assert client_for("agent").get(
        reverse("ideas:campaign_edit", args=[public_call.pk])
    ).status_code in (403,)


# --- déminage ---------------------------------------------------------------------------------
def test_assign_queue_review_publish(client_for, world, idea):
    animateur = client_for("animateur")
    page = animateur.get(reverse("ideas:assign", args=[idea.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert world["expert"].full_name in html and "marchés publics" in html  # topics shown
    # bad input: nobody, no date → French messages, nothing written
    response = animateur.post(reverse("ideas:assign", args=[idea.pk]), {})
    assert response.status_code == 400
    assert fr("Choose at least one démineur.") in response.content.decode()
    assert not Review.objects.exists()
    due = today() + dt.timedelta(days=7)
    response = animateur.post(
        reverse("ideas:assign", args=[idea.pk]),
        {"experts": [world["expert"].pk], "due_on": due.isoformat()},
    )
    assert response.status_code == 302
    review = Review.objects.get(idea=idea)
    assert review.expert == world["expert"] and review.due_on == due
    idea.refresh_from_db()
    assert idea.state == State.UNDER_REVIEW

    expert = client_for("expert")
    queue = expert.get(reverse("ideas:expert_queue"))
    assert queue.status_code == 200
    assert reverse("ideas:review", args=[review.pk]) in queue.content.decode()
    form = expert.get(reverse("ideas:review", args=[review.pk]))
    assert form.status_code == 200
    html = form.content.decode()
    assert escape(idea.proposal) in html and "<legend>" in html
    # an incomplete opinion: refused, nothing written
    response = expert.post(reverse("ideas:review", args=[review.pk]), {"feasibility": "easy"})
    assert response.status_code == 400
    assert 'id="id_text_error"' in response.content.decode()
    review.refresh_from_db()
    assert review.submitted_at is None
    response = expert.post(
        reverse("ideas:review", args=[review.pk]),
        {
            "feasibility": "moderate",
            "cost_band": "medium",
            "constraints": "Marché public à passer.",
            "impact": "high",
            "recommendation": "experiment",
            "text": "À tester sur un marché d'abord.",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.is_given and review.recommendation == "experiment"
    given = expert.get(reverse("ideas:expert_queue")).content.decode()
    assert "data-given" in given

    # somebody else's review: not found; publish is for the animateurs only
    assert client_for("manager").get(reverse("ideas:review", args=[review.pk])).status_code == 404
    expert = client_for("expert")
    assert expert.post(reverse("ideas:review_publish", args=[review.pk])).status_code == 403
    animateur = client_for("animateur")
    manage = animateur.get(reverse("ideas:manage")).content.decode()
    assert reverse("ideas:review_publish", args=[review.pk]) in manage
    assert f'data-idea="{idea.pk}"' in manage.split("data-ready", 1)[1]  # ready to decide
    response = animateur.post(reverse("ideas:review_publish", args=[review.pk]))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.published_at is not None
    expert = client_for("expert")
    # published: the démineur can no longer change it
    response = expert.post(
        reverse("ideas:review", args=[review.pk]),
        {"feasibility": "hard", "cost_band": "low", "impact": "low"},
        follow=True,
    )
    review.refresh_from_db()
    assert review.feasibility == "moderate"


def test_expert_queue_says_how_late_in_words(client_for, world, idea, make_idea, public_call):
    services.reviews_assign(
        idea, actor=world["animateur"], experts=[world["expert"]], due_on=today()
    )
    other = make_idea(public_call, title="Des poubelles de tri au marché", public=True)
    services.reviews_assign(
        other,
        actor=world["animateur"],
        experts=[world["expert"]],
        due_on=today() + dt.timedelta(days=5),
    )
    Review.objects.filter(idea=idea).update(due_on=today() - dt.timedelta(days=3))
    html = client_for("expert").get(reverse("ideas:expert_queue")).content.decode()
    assert fr_n("Late by %(n)s day", "Late by %(n)s days", 3) in html
    assert fr_n("Due in %(n)s day", "Due in %(n)s days", 5) in html
    assert html.index(idea.title) < html.index(other.title)  # by deadline


# --- moving along ---------------------------------------------------------------------------
def test_to_decision_and_quick_win(client_for, world, idea):
    assert client_for("agent").post(reverse("ideas:to_decision", args=[idea.pk])).status_code == 403
    animateur = client_for("animateur")
    response = animateur.post(reverse("ideas:quick_win", args=[idea.pk]))
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.is_quick_win
    animateur.post(reverse("ideas:quick_win", args=[idea.pk]))
    idea.refresh_from_db()
    assert not idea.is_quick_win
    response = animateur.post(reverse("ideas:to_decision", args=[idea.pk]))
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.state == State.AWAITING_DECISION
    assert (
        client_for("animateur").get(reverse("ideas:to_decision", args=[idea.pk])).status_code == 405
    )


def test_approve_pre_moderated_idea(client_for, world, make_idea, public_call):
    public_call.moderation = "pre"
    public_call.save()
    idea = make_idea(public_call, public=True)
    assert idea.awaiting_moderation
    page = client_for("animateur").get(reverse("ideas:moderation")).content.decode()
    assert reverse("ideas:approve", args=[idea.pk]) in page
    assert client_for("agent").post(reverse("ideas:approve", args=[idea.pk])).status_code == 403
    response = client_for("animateur").post(reverse("ideas:approve", args=[idea.pk]))
    assert response.status_code == 302
    idea.refresh_from_db()
    assert not idea.awaiting_moderation


# --- decisions --------------------------------------------------------------------------------
def test_elu_decides_within_delegation(client_for, world, idea, make_idea, public_call):
    review = assign_and_review(world, idea)
    waste_only = make_idea(
        public_call,
        title="Un bac à mégots par abribus",
        public=True,
        decision_level="elus",
        services=[world.waste],
    )
    elu = client_for("elu")
    page = elu.get(reverse("ideas:decide", args=[idea.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert review.text.replace("'", "&#x27;") in html  # the démineurs' opinions are shown
    assert "Vice-présidente à l&#x27;eau" in html  # signature prefilled with the function
    assert "<legend>" in html
    # an élu decides only within delegation
    assert elu.get(reverse("ideas:decide", args=[waste_only.pk])).status_code == 403
    assert (
        elu.post(
            reverse("ideas:decide", args=[waste_only.pk]), {"state": "retained", "text": "Oui"}
        ).status_code
        == 403
    )
    waste_only.refresh_from_db()
    assert waste_only.state == State.SUBMITTED
    assert waste_only.pk not in [i.pk for i in selectors.decision_queue(world["elu"])]


def test_reject_without_reason_shows_the_error_and_writes_nothing(client_for, world, idea):
    elu = client_for("elu")
    response = elu.post(reverse("ideas:decide", args=[idea.pk]), {"state": "rejected", "text": ""})
    assert response.status_code == 400
    html = response.content.decode()
    message = fr("A rejection needs a reason: the author and the public will read it.")
    assert message in html.split('id="id_text_error"', 1)[1][:500]
    assert 'aria-describedby="id_text_error id_text_helptext"' in html
    idea.refresh_from_db()
    assert idea.state == State.SUBMITTED and idea.decided_at is None
    assert not Notification.objects.filter(kind="ideas.decision").exists()

    response = elu.post(
        reverse("ideas:decide", args=[idea.pk]),
        {"state": "rejected", "text": "Le budget propreté est engagé pour 2026.", "signature": ""},
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.state == State.REJECTED
    assert idea.decision_text == "Le budget propreté est engagé pour 2026."
    assert "Vice-présidente" in idea.decision_signature
    assert Notification.objects.filter(recipient=world["agent"], kind="ideas.decision").exists()
    # decided: no second decision
    assert elu.get(reverse("ideas:decide", args=[idea.pk])).status_code == 403


def test_manager_decides_service_level_not_direction_level(
    client_for, world, make_idea, public_call
):
    service_level = make_idea(public_call, public=True, decision_level="service")
    direction_level = make_idea(
        public_call,
        title="Une brigade propreté mutualisée",
        public=True,
        decision_level="direction",
    )
    manager = client_for("manager")
    assert manager.get(reverse("ideas:decide", args=[service_level.pk])).status_code == 200
    assert manager.get(reverse("ideas:decide", args=[direction_level.pk])).status_code == 403
    response = manager.post(
        reverse("ideas:decide", args=[service_level.pk]),
        {"state": "experiment", "text": "Essai au marché de juin.", "quick_win": "on"},
    )
    assert response.status_code == 302
    service_level.refresh_from_db()
    assert service_level.state == State.EXPERIMENT and service_level.is_quick_win
    assert (
        client_for("direction").get(reverse("ideas:decide", args=[direction_level.pk])).status_code
        == 200
    )
    for role in ("usager", "agent", "expert", "animateur", "agent_b", "admin_b"):
        assert (
            client_for(role).get(reverse("ideas:decide", args=[direction_level.pk])).status_code
            == 403
        ), role


def test_merge(client_for, world, make_idea, public_call):
    kept = make_idea(public_call, title="Des cendriers géants sur la place", public=True)
    other = make_idea(
        public_call, author=world["manager"], title="Cendriers sur la place du marché", public=True
    )
    manager = client_for("direction")
    response = manager.post(reverse("ideas:decide", args=[other.pk]), {"state": "merged"})
    assert response.status_code == 400
    assert fr("Choose the idea it is merged into.") in response.content.decode()
    response = manager.post(
        reverse("ideas:decide", args=[other.pk]),
        {"state": "merged", "merge_into": kept.pk, "text": "Même idée."},
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.state == State.MERGED and other.merged_into == kept
    assert world["manager"] in kept.coauthors.all()


def test_advance(client_for, world, make_idea, public_call):
    idea = make_idea(public_call, public=True, decision_level="service")
    services.idea_decide(idea, actor=world["manager"], state=State.RETAINED, text="Oui.")
    assert client_for("agent").get(reverse("ideas:advance", args=[idea.pk])).status_code == 403
    manager = client_for("manager")
    assert manager.get(reverse("ideas:advance", args=[idea.pk])).status_code == 200
    response = manager.post(reverse("ideas:advance", args=[idea.pk]), {"state": "evaluated"})
    assert response.status_code == 400
    assert 'id="id_state_error"' in response.content.decode()  # not a choice here
    for step in ("implementing", "implemented"):
        assert (
            manager.post(reverse("ideas:advance", args=[idea.pk]), {"state": step}).status_code
            == 302
        )
    response = manager.post(reverse("ideas:advance", args=[idea.pk]), {"state": "evaluated"})
    assert response.status_code == 400  # an evaluation needs its public text
    idea.refresh_from_db()
    assert idea.state == State.IMPLEMENTED
    response = manager.post(
        reverse("ideas:advance", args=[idea.pk]),
        {"state": "evaluated", "text": "Deux fois moins de mégots au marché."},
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.state == State.EVALUATED


# --- bulk decision -----------------------------------------------------------------------------
def three_ideas(world, make_idea, public_call):
    titles = ["Cendriers au marché", "Affiches dans les bus", "Bacs près des écoles"]
    return [make_idea(public_call, title=t, public=True, decision_level="service") for t in titles]


def test_bulk_decision(client_for, world, make_idea, public_call):
    ideas = three_ideas(world, make_idea, public_call)
    manager = client_for("manager")
    page = manager.get(reverse("ideas:decisions"))
    assert page.status_code == 200
    html = page.content.decode()
    for idea in ideas:
        assert (
            f'<label for="idea-{idea.pk}" class="visually-hidden">{escape(idea.title)}</label>'
            in html
        )
    data = {
        "ideas": [i.pk for i in ideas],
        "state": "retained",
        "shared_text": "Retenues pour le plan propreté 2026.",
        f"text_{ideas[0].pk}": "Au marché du samedi d'abord.",
    }
    response = manager.post(reverse("ideas:decisions"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    for idea in ideas:
        idea.refresh_from_db()
        assert idea.state == State.RETAINED
        assert idea.decision_text.startswith("Retenues pour le plan propreté 2026.")
    assert ideas[0].decision_text.endswith("Au marché du samedi d'abord.")
    notified = Notification.objects.filter(recipient=world["agent"], kind="ideas.decision")
    assert notified.count() == 3


def test_bulk_decision_is_all_or_nothing(client_for, world, make_idea, public_call):
    ideas = three_ideas(world, make_idea, public_call)
    manager = client_for("manager")
    data = {
        "ideas": [i.pk for i in ideas],
        "state": "rejected",
        "shared_text": "",
        f"text_{ideas[0].pk}": "Déjà fait.",
    }
    response = manager.post(reverse("ideas:decisions"), data)
    assert response.status_code == 400
    html = response.content.decode()
    summary = html.split("data-error-summary", 1)[1].split("</div>", 1)[0]
    assert escape(ideas[1].title) in summary and escape(ideas[2].title) in summary
    assert escape(ideas[0].title) not in summary
    pk = ideas[1].pk
    assert f'value="{pk}" id="idea-{pk}" checked' in html  # the selection is kept
    for idea in ideas:
        idea.refresh_from_db()
        assert idea.state == State.SUBMITTED
    assert not Notification.objects.filter(kind="ideas.decision").exists()
    # an idea outside the person's queue: refused, nothing written
    out_of_reach = make_idea(
        public_call, title="Un parc sans tabac", public=True, decision_level="elus"
    )
    response = manager.post(
        reverse("ideas:decisions"),
        {"ideas": [ideas[0].pk, out_of_reach.pk], "state": "retained", "shared_text": "Oui."},
    )
    assert response.status_code == 400
    ideas[0].refresh_from_db()
    assert ideas[0].state == State.SUBMITTED
    # nothing selected
    response = manager.post(reverse("ideas:decisions"), {"state": "retained"})
    assert response.status_code == 400
    assert fr("Select at least one idea.") in response.content.decode()


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_decisions_and_manage_pages_have_a_constant_query_count(
    client_for, world, make_idea, public_call, box
):
    def batch(n, start):
        made = []
        for k in range(n):
            idea = make_idea(
                public_call, title=f"Idée numéro {start + k} pour le marché", public=True
            )
            made.append(idea)
        return made

    first = batch(2, 0)
    assign_and_review(world, first[0])
    manager, url = client_for("manager"), reverse("ideas:decisions")
    small = _count_queries(manager, url)
    animateur = client_for("animateur")
    manage_small = _count_queries(animateur, reverse("ideas:manage"))
    more = batch(6, 10)
    for idea in more[:3]:
        assign_and_review(world, idea)
    services.campaign_save(
        actor=world["animateur"],
        organization=world.org_a,
        title="Un autre appel",
        question="?",
        scope=Scope.AGENTS,
        is_permanent=False,
        opens_on=today(),
        closes_on=today(),
    )
    client = client_for("manager")
    assert _count_queries(client, url) == small
    client = client_for("animateur")
    assert _count_queries(client, reverse("ideas:manage")) == manage_small


# --- moderation ---------------------------------------------------------------------------------
def test_moderation_hide_dismiss_and_log(client_for, world, idea):
    comment = services.comment_add(idea, author=world["usager"], text="Un commentaire insultant")
    other = services.comment_add(idea, author=world["manager"], text="Un avis tout à fait normal")
    moderation.flag(comment, reporter=world["agent"], reason="insult", text="Propos blessants")
    moderation.flag(other, reporter=world["agent"], reason="spam")
    animateur = client_for("animateur")
    page = animateur.get(reverse("ideas:moderation"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Un commentaire insultant" in html and "Propos blessants" in html
    assert world["agent"].full_name not in html  # the reporter is not shown
    url = reverse("ideas:moderate", args=["comment", comment.pk])
    # a reason is mandatory
    response = animateur.post(url, {"action": "hide", "reason": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    message = fr("Give the reason: the author will see it.")
    assert message in html.split(f'id="reason-comment-{comment.pk}_error"', 1)[1][:400]
    comment.refresh_from_db()
    assert comment.hidden_at is None
    # hide with a reason: hidden, the author is told, logged
    response = animateur.post(url, {"action": "hide", "reason": "Propos insultants."})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.hidden_at and comment.hidden_reason == "Propos insultants."
    assert Notification.objects.filter(recipient=world["usager"], kind="moderation.hidden").exists()
    # dismiss the other report
    response = animateur.post(
        reverse("ideas:moderate", args=["comment", other.pk]), {"action": "dismiss"}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.hidden_at is None
    assert not AbuseFlag.objects.filter(resolved_at__isnull=True).exists()
    assert ModerationEvent.objects.count() == 2
    html = animateur.get(reverse("ideas:moderation")).content.decode()
    log = html.split("data-log", 1)[1]
    assert "Propos insultants." in log and "Un avis tout à fait normal" in log
    # restore
    response = animateur.post(url, {"action": "restore"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.hidden_at is None
    # unknown model, other organization, plain agent
    assert animateur.post(reverse("ideas:moderate", args=["voice", 1])).status_code == 404
    assert client_for("admin_b").post(url, {"action": "hide", "reason": "x"}).status_code == 403
    assert client_for("agent").post(url, {"action": "hide", "reason": "x"}).status_code == 403
    assert client_for("admin_b").get(reverse("ideas:moderation")).status_code == 200
    assert (
        "Un commentaire"
        not in client_for("admin_b").get(reverse("ideas:moderation")).content.decode()
    )


# --- dashboard ----------------------------------------------------------------------------------
def test_dashboard_and_csv(client_for, world, make_idea, public_call):
    for k in range(6):
        make_idea(public_call, author=world["usager"], title=f"Idée d'usager numéro {k}")
    agent_idea = make_idea(public_call, title="Idée d'agent au marché")
    services.idea_decide(agent_idea, actor=world["manager"], state=State.RETAINED, text="Oui")
    for role in ("usager", "agent", "manager", "agent_b", "admin_b"):
        assert (
            client_for(role).get(reverse("ideas:dashboard", args=[public_call.pk])).status_code
            == 403
        ), role
    for role in ("animateur", "direction", "elu", "platform"):
        response = client_for(role).get(reverse("ideas:dashboard", args=[public_call.pk]))
        assert response.status_code == 200, role
    html = response.content.decode()
    assert '<th scope="col">' in html and "<caption" in html
    assert 'data-stat="total">7<' in html and 'data-stat="decided">1<' in html
    category = html.split("data-by-category", 1)[1].split("</table>", 1)[0]
    assert '<tr data-category="usager">' in category
    usager_row = category.split('data-category="usager">', 1)[1].split("</tr>", 1)[0]
    assert ">6<" in usager_row
    agent_row = category.split('data-category="C">', 1)[1].split("</tr>", 1)[0]
    assert "&lt; 5" in agent_row and ">1<" not in agent_row

    response = client_for("animateur").get(reverse("ideas:dashboard_csv", args=[public_call.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body.lstrip("\ufeff").splitlines()
    assert all(";" in line for line in lines)
    rows = [line.split(";") for line in lines]
    assert [str(public_call.title) in r for r in rows].count(True) == 1
    values = {r[1]: r[2] for r in rows if len(r) == 3}
    from cocon.ideas.models import AuthorCategory

    with translation.override("fr"):
        assert values[str(AuthorCategory.USAGER.label)] == "6"
        assert values[str(AuthorCategory.C.label)] == "< 5"
        assert values[str(State.RETAINED.label)] == "1"


# --- the block on the idea page -----------------------------------------------------------------
def test_staff_actions_block(rf, world, idea):
    review = assign_and_review(world, idea)
    idea = selectors.idea_for_page(idea.pk)
    request = rf.get("/")
    request.user = world["animateur"]
    html = render_to_string(
        "ideas/_staff_actions.html",
        {
            "idea": idea,
            "staff_actions": True,
            "can_animate": True,
            "can_decide": False,
            "can_follow_up": True,
            "can_moderate": True,
            "user": world["animateur"],
        },
        request=request,
    )
    assert reverse("ideas:assign", args=[idea.pk]) in html
    assert reverse("ideas:to_decision", args=[idea.pk]) in html
    assert reverse("ideas:review_publish", args=[review.pk]) in html
    assert reverse("ideas:quick_win", args=[idea.pk]) in html
    assert reverse("ideas:moderate", args=["idea", idea.pk]) in html
    assert reverse("ideas:decide", args=[idea.pk]) not in html
    nothing = render_to_string(
        "ideas/_staff_actions.html",
        {
            "idea": idea,
            "can_animate": False,
            "can_decide": False,
            "can_follow_up": False,
            "can_moderate": False,
        },
        request=request,
    )
    assert nothing.strip() == ""
    elu = render_to_string(
        "ideas/_staff_actions.html",
        {
            "idea": idea,
            "can_animate": False,
            "can_decide": True,
            "can_follow_up": True,
            "can_moderate": False,
        },
        request=request,
    )
    assert reverse("ideas:decide", args=[idea.pk]) in elu
    assert reverse("ideas:assign", args=[idea.pk]) not in elu


def test_idea_hidden_from_the_idea_page_form(client_for, world, idea):
    response = client_for("animateur").post(
        reverse("ideas:moderate", args=["idea", idea.pk]),
        {"action": "hide", "reason": "Hors sujet.", "next": idea.get_absolute_url()},
    )
    assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
    assert Idea.objects.get(pk=idea.pk).hidden_reason == "Hors sujet."


def test_animateur_reads_an_opinion_and_publishes_it_from_its_page(client_for, world, idea):
    review = assign_and_review(world, idea)
    animateur = client_for("animateur")
    page = animateur.get(reverse("ideas:review", args=[review.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Déjà essayé à Lille" in html and 'name="feasibility"' not in html  # read only
    assert reverse("ideas:review_publish", args=[review.pk]) in html
    assert animateur.post(reverse("ideas:review", args=[review.pk]), {}).status_code == 403


def test_platform_admin_chooses_the_organization_of_a_new_call(client_for, world):
    html = client_for("platform").get(reverse("ideas:campaign_new")).content.decode()
    assert '<select name="organization"' in html
    assert world.org_a.display_name in html and world.org_b.display_name in html
