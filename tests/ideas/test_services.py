"""Services of Idées: validation (French messages, nothing written), counters, versions,
déminage, decisions (single, bulk, merge), follow-up, notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cocon.core.models import Notification, StatusEvent
from cocon.ideas import services
from cocon.ideas.models import (
    Comment,
    Follow,
    Idea,
    IdeaVersion,
    Review,
    State,
    Support,
    Visibility,
)
from tests.ideas.conftest import IDEA
from tests.ideas.conftest import fr_raw as fr

TODAY = timezone.localdate


def _messages(exc: ValidationError) -> dict:
    return exc.message_dict


# --- submission ----------------------------------------------------------------------------
def test_agent_idea_is_inside_the_organization_by_default(world, box, make_idea):
    idea = make_idea(box)
    assert idea.visibility == Visibility.ORGANIZATION
    assert idea.author_category == "C"
    assert idea.author_organization == world.org_a
    assert idea.author_service == world.water
    assert idea.versions.count() == 1
    assert Follow.objects.filter(idea=idea, user=world["agent"]).exists()
    assert idea.follower_count == 1
    event = StatusEvent.objects.get(object_id=idea.pk, action="submitted")
    assert event.to_status == State.SUBMITTED
    # the animateur of the organization is told
    assert Notification.objects.filter(recipient=world["animateur"], kind="ideas.new").count() == 1


def test_usager_idea_is_public_and_counted_as_usager(world, public_call, make_idea):
    idea = make_idea(public_call, author=world["usager"])
    assert idea.visibility == Visibility.PUBLIC
    assert idea.author_category == "usager"
    assert idea.organization == world.org_a
    assert idea.author_organization is None


def test_agent_on_behalf_of_a_user(world, public_call, make_idea):
    idea = make_idea(public_call, on_behalf=True)
    assert idea.author is None
    assert idea.submitted_by == world["agent"]
    assert idea.on_behalf_of_user
    assert idea.author_category == "usager"
    assert Follow.objects.filter(idea=idea, user=world["agent"]).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "This field is required."),
        ("title", "x" * 151, "The text is too long (%(max)s characters at most, %(n)s given)."),
        ("title", "Bof", "Give a title of at least 8 characters that says what you propose."),
        ("problem", "  ", "This field is required."),
        ("proposal", "y" * 5001, "The text is too long (%(max)s characters at most, %(n)s given)."),
        ("benefit", "", "This field is required."),
        ("decision_level", "maire", "Choose who should decide."),
    ],
)
def test_bad_input_is_refused_and_nothing_written(
    world, public_call, make_idea, field, value, message
):
    with pytest.raises(ValidationError) as caught:
        make_idea(public_call, **{field: value})
    text = " ".join(_messages(caught.value)[field])
    expected = fr(message)
    assert expected.split("%(")[0] in text
    assert Idea.objects.count() == 0
    assert IdeaVersion.objects.count() == 0
    assert StatusEvent.objects.count() == 0


def test_service_outside_the_call_is_refused(world, public_call, make_idea):
    with pytest.raises(ValidationError) as caught:
        make_idea(public_call, services=[world.hr])
    assert "services" in _messages(caught.value)
    assert Idea.objects.count() == 0


def test_closed_call_refuses_ideas(world, closed_call, make_idea):
    with pytest.raises(ValidationError) as caught:
        make_idea(closed_call, author=world["usager"], services=[])
    assert fr("This call for ideas is closed: it no longer accepts ideas.") in str(caught.value)
    assert Idea.objects.count() == 0


@pytest.mark.parametrize("role", ["usager", "agent_b", "elu"])
def test_agents_box_is_for_agents_of_the_organization(world, box, make_idea, role):
    with pytest.raises(PermissionDenied):
        make_idea(box, author=world[role])


def test_premoderated_call_hides_ideas_until_approved(world, public_call, make_idea):
    public_call.moderation = "pre"
    public_call.save()
    idea = make_idea(public_call, author=world["usager"])
    assert idea.awaiting_moderation
    from cocon.ideas.selectors import visible_ideas

    assert not visible_ideas(world["agent_b"]).filter(pk=idea.pk).exists()
    assert visible_ideas(world["usager"]).filter(pk=idea.pk).exists()  # the author
    with pytest.raises(PermissionDenied):
        services.idea_approve(idea, actor=world["agent"])
    services.idea_approve(idea, actor=world["animateur"])
    assert visible_ideas(world["agent_b"]).filter(pk=idea.pk).exists()


# --- versions ------------------------------------------------------------------------------
def _edit(idea, actor, **changes):
    data = {k: getattr(idea, k) for k in ("title", "problem", "proposal", "benefit")}
    data.update(changes)
    return services.idea_edit(idea, actor=actor, **data)


def test_edit_before_review_replaces_the_first_version(world, box, make_idea):
    idea = make_idea(box)
    _edit(idea, world["agent"], proposal="Distribuer des cendriers de poche recyclés.")
    assert idea.version == 1
    assert list(idea.versions.values_list("number", "proposal")) == [
        (1, "Distribuer des cendriers de poche recyclés.")
    ]


def test_edit_after_review_started_creates_a_version_and_tells_the_demineurs(world, box, make_idea):
    idea = make_idea(box)
    services.reviews_assign(
        idea, actor=world["animateur"], experts=[world["expert"]], due_on=TODAY()
    )
    Notification.objects.all().delete()
    _edit(
        idea, world["agent"], proposal="Une autre proposition, chiffrée.", note="Chiffrage ajouté"
    )
    idea.refresh_from_db()
    assert idea.version == 2
    v1, v2 = idea.versions.order_by("number")
    assert v1.proposal == IDEA["proposal"]
    assert v2.proposal == "Une autre proposition, chiffrée."
    assert v2.note == "Chiffrage ajouté"
    assert Notification.objects.filter(recipient=world["expert"], kind="ideas.version").exists()
    from cocon.ideas.selectors import version_diff

    diff = version_diff(v1, v2)
    assert [d["field"] for d in diff] == ["proposal"]
    kinds = {kind for kind, _text in diff[0]["parts"]}
    assert {"added", "removed"} <= kinds


def test_only_the_author_edits_and_not_after_the_decision(world, box, make_idea):
    idea = make_idea(box)
    with pytest.raises(PermissionDenied):
        _edit(idea, world["manager"], title="Une autre idée pour la place")
    services.idea_decide(idea, actor=world["manager"], state=State.RETAINED, text="Oui")
    with pytest.raises(PermissionDenied):
        _edit(idea, world["agent"], title="Une autre idée pour la place")


def test_make_public(world, box, make_idea):
    idea = make_idea(box)
    with pytest.raises(PermissionDenied):
        services.idea_make_public(idea, actor=world["manager"])
    services.idea_make_public(idea, actor=world["agent"])
    assert Idea.objects.get(pk=idea.pk).visibility == Visibility.PUBLIC
    with pytest.raises(ValidationError):
        services.idea_make_public(idea, actor=world["agent"])


# --- participation ------------------------------------------------------------------------
def test_one_support_per_person(world, public_call, make_idea):
    idea = make_idea(public_call, public=True)
    services.idea_support(idea, user=world["usager"])
    with pytest.raises(ValidationError) as caught:
        services.idea_support(idea, user=world["usager"])
    assert fr("You already support this idea.") in str(caught.value)
    assert Support.objects.filter(idea=idea).count() == 1
    assert Idea.objects.get(pk=idea.pk).support_count == 1
    services.idea_unsupport(idea, user=world["usager"])
    assert Idea.objects.get(pk=idea.pk).support_count == 0
    with pytest.raises(ValidationError):
        services.idea_unsupport(idea, user=world["usager"])


def test_an_invisible_idea_cannot_be_supported(world, box, make_idea):
    idea = make_idea(box)
    with pytest.raises(PermissionDenied):
        services.idea_support(idea, user=world["agent_b"])
    services.idea_support(idea, user=world["manager"])  # same organization


def test_comment_on_a_closed_call_is_refused(world, public_call, make_idea):
    idea = make_idea(public_call, public=True)
    public_call.closes_on = TODAY() - dt.timedelta(days=1)
    public_call.save()
    idea.campaign = public_call
    with pytest.raises(ValidationError) as caught:
        services.comment_add(idea, author=world["usager"], text="Trop tard ?")
    assert fr(
        "This call for ideas is closed: supports and comments are no longer accepted."
    ) in str(caught.value)
    with pytest.raises(ValidationError):
        services.idea_support(idea, user=world["usager"])
    assert Comment.objects.count() == 0 and Support.objects.count() == 0


def test_threaded_comments_and_notifications(world, public_call, make_idea):
    idea = make_idea(public_call, public=True)
    services.idea_follow(idea, user=world["manager"])
    first = services.comment_add(idea, author=world["usager"], text="Et au parc ?")
    reply = services.comment_add(idea, author=world["agent"], text="Aussi !", parent=first)
    assert (first.depth, reply.depth) == (0, 1)
    assert reply.parent == first
    assert reply.author_label.startswith("Agent")
    assert Idea.objects.get(pk=idea.pk).comment_count == 2
    # author and followers are told of the first comment, the parent's author of the reply
    assert Notification.objects.filter(recipient=world["agent"], kind="ideas.comment").count() == 1
    assert (
        Notification.objects.filter(recipient=world["manager"], kind="ideas.comment").count() == 2
    )
    assert Notification.objects.filter(recipient=world["usager"], kind="ideas.comment").count() == 1
    with pytest.raises(ValidationError):
        services.comment_add(idea, author=world["usager"], text="")
    with pytest.raises(ValidationError):
        services.comment_add(idea, author=world["usager"], text="z" * 3001)


def test_deep_threads_stay_readable(world, public_call, make_idea):
    idea = make_idea(public_call, public=True)
    parent = None
    for level in range(6):
        parent = services.comment_add(
            idea, author=world["usager"], text=f"niveau {level}", parent=parent
        )
    depths = list(Comment.objects.order_by("id").values_list("depth", flat=True))
    assert depths == [0, 1, 2, 3, 3, 3]


def test_follow_and_unfollow(world, public_call, make_idea):
    idea = make_idea(public_call, public=True)
    assert services.idea_follow(idea, user=world["usager"])
    assert not services.idea_follow(idea, user=world["usager"])
    assert Idea.objects.get(pk=idea.pk).follower_count == 2
    assert services.idea_unfollow(idea, user=world["usager"])
    assert Idea.objects.get(pk=idea.pk).follower_count == 1


# --- déminage -----------------------------------------------------------------------------
def test_assign_review_and_publish(world, box, make_idea):
    idea = make_idea(box)
    with pytest.raises(PermissionDenied):
        services.reviews_assign(
            idea, actor=world["agent"], experts=[world["expert"]], due_on=TODAY()
        )
    with pytest.raises(ValidationError) as caught:
        services.reviews_assign(
            idea, actor=world["animateur"], experts=[], due_on=TODAY() - dt.timedelta(days=1)
        )
    assert set(caught.value.message_dict) == {"experts", "due_on"}
    assert Review.objects.count() == 0
    [review] = services.reviews_assign(
        idea, actor=world["animateur"], experts=[world["expert"]], due_on=TODAY()
    )
    idea.refresh_from_db()
    assert idea.state == State.UNDER_REVIEW and idea.review_started_at
    assert Notification.objects.filter(
        recipient=world["expert"], kind="ideas.review_assigned"
    ).exists()
    with pytest.raises(ValidationError):  # twice the same démineur
        services.reviews_assign(
            idea, actor=world["animateur"], experts=[world["expert"]], due_on=TODAY()
        )
    with pytest.raises(ValidationError) as caught:
        services.review_submit(review, actor=world["expert"], feasibility="easy", text="")
    assert {"cost_band", "impact", "recommendation", "text"} <= set(caught.value.message_dict)
    assert not Review.objects.get(pk=review.pk).is_given
    with pytest.raises(PermissionDenied):
        services.review_submit(review, actor=world["manager"])
    opinion = {
        "feasibility": "moderate",
        "cost_band": "low",
        "constraints": "Marché public en cours.",
        "impact": "high",
        "recommendation": "experiment",
        "text": "À tester sur un marché d'abord.",
    }
    services.review_submit(review, actor=world["expert"], **opinion)
    review.refresh_from_db()
    assert review.is_given and review.recommendation == "experiment"
    assert Notification.objects.filter(recipient=world["agent"], kind="ideas.review").exists()
    with pytest.raises(ValidationError):
        services.review_publish(
            services.reviews_assign(
                idea, actor=world["animateur"], experts=[world["manager"]], due_on=TODAY()
            )[0],
            actor=world["animateur"],
        )  # not given yet
    services.review_publish(review, actor=world["animateur"])
    with pytest.raises(ValidationError):
        services.review_submit(review, actor=world["expert"], **opinion)  # published: frozen


def test_author_cannot_review_own_idea(world, box, make_idea):
    idea = make_idea(box, author=world["expert"])
    with pytest.raises(ValidationError):
        services.reviews_assign(
            idea, actor=world["animateur"], experts=[world["expert"]], due_on=TODAY()
        )


# --- decisions ------------------------------------------------------------------------------
def test_reject_needs_a_reason_and_nothing_is_written(world, box, make_idea):
    idea = make_idea(box, decision_level="elus")
    with pytest.raises(ValidationError) as caught:
        services.idea_decide(idea, actor=world["elu"], state=State.REJECTED, text="  ")
    assert fr("A rejection needs a reason: the author and the public will read it.") in str(
        caught.value
    )
    idea.refresh_from_db()
    assert idea.state == State.SUBMITTED and not idea.decided_at
    assert not StatusEvent.objects.filter(action="decided").exists()


def test_decision_is_public_dated_signed_and_notified(world, box, make_idea):
    idea = make_idea(box, decision_level="elus")
    services.idea_follow(idea, user=world["manager"])
    services.idea_decide(idea, actor=world["elu"], state=State.REJECTED, text="Budget 2027 bouclé.")
    idea.refresh_from_db()
    assert idea.state == State.REJECTED
    assert idea.decision_text == "Budget 2027 bouclé."
    assert idea.decision_signature == "Vice-présidente à l'eau, Agglo de Test"
    assert idea.decided_at is not None
    event = StatusEvent.objects.get(action="decided", object_id=idea.pk)
    assert (
        event.public_text == "Budget 2027 bouclé." and event.actor_label == idea.decision_signature
    )
    for person in ("agent", "manager"):
        note = Notification.objects.get(recipient=world[person], kind="ideas.decision")
        assert note.body == "Budget 2027 bouclé."
    assert not Notification.objects.filter(recipient=world["elu"], kind="ideas.decision").exists()


def test_elu_decides_only_within_delegation(world, box, make_idea):
    water = make_idea(box, decision_level="elus", services=[world.water])
    waste = make_idea(box, decision_level="elus", services=[world.waste])
    services.idea_decide(water, actor=world["elu"], state=State.RETAINED, text="Oui")
    with pytest.raises(PermissionDenied):
        services.idea_decide(waste, actor=world["elu"], state=State.RETAINED, text="Oui")


@pytest.mark.parametrize(
    ("role", "level", "allowed"),
    [
        ("manager", "team", True),
        ("manager", "service", True),
        ("manager", "direction", False),
        ("manager", "elus", False),
        ("direction", "direction", True),
        ("direction", "elus", False),
        ("elu", "service", True),
        ("animateur", "team", False),
        ("expert", "team", False),
        ("agent", "team", False),
        ("admin_b", "team", False),
        ("platform", "service", False),
    ],
)
def test_decision_levels(world, box, make_idea, role, level, allowed):
    idea = make_idea(box, decision_level=level)
    if allowed:
        services.idea_decide(idea, actor=world[role], state=State.RETAINED, text="Oui")
        assert Idea.objects.get(pk=idea.pk).state == State.RETAINED
    else:
        with pytest.raises(PermissionDenied):
            services.idea_decide(idea, actor=world[role], state=State.RETAINED, text="Oui")


def test_merge_keeps_authors_followers_and_supports(world, public_call, make_idea):
    target = make_idea(public_call, public=True, title="Des cendriers sur les bancs publics")
    dup = make_idea(public_call, author=world["usager"], title="Cendriers sur tous les bancs")
    services.idea_support(dup, user=world["manager"])
    services.idea_support(target, user=world["manager"])
    services.idea_support(dup, user=world["expert"])
    with pytest.raises(ValidationError):
        services.idea_decide(dup, actor=world["manager"], state=State.MERGED, text="Doublon")
    with pytest.raises(ValidationError):
        services.idea_decide(dup, actor=world["manager"], state=State.MERGED, merge_into=dup)
    services.idea_decide(
        dup, actor=world["manager"], state=State.MERGED, merge_into=target, text="Doublon"
    )
    dup.refresh_from_db()
    target.refresh_from_db()
    assert dup.merged_into == target
    assert world["usager"] in target.coauthors.all()
    assert target.support_count == 2  # manager counted once, expert carried over
    assert target.follows.filter(user=world["usager"]).exists()
    assert target.follower_count == target.follows.count()
    with pytest.raises(ValidationError):
        services.idea_support(dup, user=world["agent_b"])  # merged: support the target


def test_bulk_decision_is_all_or_nothing(world, box, make_idea):
    ideas = [make_idea(box, title=f"Idée numéro {n} pour le service") for n in range(3)]
    waste = make_idea(box, title="Idée pour les déchets", services=[world.waste])
    with pytest.raises(ValidationError) as caught:
        services.ideas_decide_bulk(
            [*ideas, waste], actor=world["manager"], state=State.RETAINED, shared_text="Oui"
        )
    assert "Idée pour les déchets" in str(caught.value)
    assert not Idea.objects.filter(state=State.RETAINED).exists()
    with pytest.raises(ValidationError):
        services.ideas_decide_bulk(
            ideas, actor=world["manager"], state=State.REJECTED, shared_text=""
        )
    assert not Idea.objects.exclude(state=State.SUBMITTED).exists()
    services.ideas_decide_bulk(
        ideas,
        actor=world["manager"],
        state=State.REJECTED,
        shared_text="Le comité a choisi d'autres priorités.",
        texts={ideas[0].pk: "Reprise dans le plan 2027."},
    )
    texts = dict(
        Idea.objects.filter(pk__in=[i.pk for i in ideas]).values_list("pk", "decision_text")
    )
    assert (
        texts[ideas[0].pk] == "Le comité a choisi d'autres priorités.\n\nReprise dans le plan 2027."
    )
    assert texts[ideas[1].pk] == "Le comité a choisi d'autres priorités."
    assert Notification.objects.filter(recipient=world["agent"], kind="ideas.decision").count() == 3


def test_follow_up_states(world, box, make_idea):
    idea = make_idea(box)
    services.idea_decide(idea, actor=world["manager"], state=State.RETAINED, text="Oui")
    with pytest.raises(ValidationError):
        services.idea_advance(idea, actor=world["manager"], state=State.EVALUATED, text="?")
    services.idea_advance(
        idea, actor=world["manager"], state=State.IMPLEMENTING, text="Commande passée"
    )
    services.idea_advance(idea, actor=world["animateur"], state=State.IMPLEMENTED)
    with pytest.raises(ValidationError):  # an evaluation says what was found
        services.idea_advance(idea, actor=world["manager"], state=State.EVALUATED, text="")
    services.idea_advance(
        idea, actor=world["manager"], state=State.EVALUATED, text="-30 % de mégots"
    )
    assert Idea.objects.get(pk=idea.pk).state == State.EVALUATED
    with pytest.raises(PermissionDenied):
        services.idea_advance(idea, actor=world["agent"], state=State.EVALUATED)


def test_quick_win(world, box, make_idea):
    idea = make_idea(box)
    with pytest.raises(PermissionDenied):
        services.idea_set_quick_win(idea, actor=world["agent"], value=True)
    services.idea_set_quick_win(idea, actor=world["animateur"], value=True)
    assert Idea.objects.get(pk=idea.pk).is_quick_win


# --- campaigns ------------------------------------------------------------------------------
def test_campaign_validation(world):
    with pytest.raises(ValidationError) as caught:
        services.campaign_save(
            actor=world["animateur"],
            organization=world.org_a,
            title="",
            question="?",
            scope="everyone",
            opens_on=TODAY(),
            closes_on=TODAY() - dt.timedelta(days=1),
        )
    assert {"title", "scope", "closes_on"} <= set(caught.value.message_dict)
    from cocon.ideas.models import Campaign

    assert not Campaign.objects.exists()


def test_permanent_box_is_unique(world):
    assert services.permanent_box(world.org_a) == services.permanent_box(world.org_a)
    assert services.permanent_box(world.org_a).is_open(TODAY() + dt.timedelta(days=3650))


def test_reviewers_are_reminded_once_then_told_when_late(world, box, make_idea):
    idea = make_idea(box)
    today = TODAY()
    services.reviews_assign(
        idea,
        actor=world["animateur"],
        experts=[world["expert"]],
        due_on=today + dt.timedelta(days=2),
    )
    assert services.remind_reviewers(today - dt.timedelta(days=1)) == (0, 0)  # 3 days before
    assert services.remind_reviewers(today) == (1, 0)
    assert services.remind_reviewers(today + dt.timedelta(days=1)) == (0, 0)  # once
    assert (
        Notification.objects.filter(recipient=world["expert"], kind="ideas.review_due").count() == 1
    )
    assert services.remind_reviewers(today + dt.timedelta(days=3)) == (0, 1)
    assert services.remind_reviewers(today + dt.timedelta(days=4)) == (0, 0)
    late = Notification.objects.filter(kind="ideas.review_late")
    assert set(late.values_list("recipient", flat=True)) == {
        world["expert"].pk,
        world["animateur"].pk,
    }


def test_given_opinions_are_not_reminded(world, box, make_idea):
    idea = make_idea(box)
    [review] = services.reviews_assign(
        idea, actor=world["animateur"], experts=[world["expert"]], due_on=TODAY()
    )
    services.review_submit(
        review,
        actor=world["expert"],
        feasibility="easy",
        cost_band="none",
        impact="low",
        recommendation="retain",
        text="Oui",
    )
    assert services.remind_reviewers(TODAY() + dt.timedelta(days=5)) == (0, 0)


def test_remind_command(world, box, make_idea):
    from io import StringIO

    from django.core.management import call_command

    idea = make_idea(box)
    services.reviews_assign(
        idea, actor=world["animateur"], experts=[world["expert"]], due_on=TODAY()
    )
    out = StringIO()
    call_command("ideas", "remind-reviewers", stdout=out)
    assert out.getvalue().strip() == "1 reminders sent, 0 late opinions reported"
