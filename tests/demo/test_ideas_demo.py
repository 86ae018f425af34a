"""The demo Idées: the permanent box, the mégots call and a closed call, a few hundred
ideas in every state whose rows are those the services would have written (history,
counters, signatures at the right level, merged ideas, versions, moderation queue)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db.models import Count, F, Q

from cocon.accounts.models import Role, User
from cocon.core import history
from cocon.core.models import AbuseFlag, ModerationEvent, Notification, OutboxEmail
from cocon.core.permissions import can
from cocon.demo import data
from cocon.demo import ideas_loader as il
from cocon.demo.loader import load_demo
from cocon.ideas import rules, selectors
from cocon.ideas.models import (
    DECIDED_STATES,
    AuthorCategory,
    Campaign,
    Comment,
    Follow,
    Idea,
    IdeaVersion,
    Review,
    Scope,
    State,
    Support,
    Visibility,
)

D = data.EMAIL_DOMAIN


@pytest.fixture
def demo(db):
    return load_demo(voices=0, reports=0, barometer_respondents=0)


def user(local: str) -> User:
    return User.objects.get(email=f"{local}@{D}")


def loader_ideas():
    """The ideas of the Idées demo (the Démarches demo adds its processes' proposals)."""
    return Idea.objects.filter(campaign__process__isnull=True)


@pytest.mark.django_db
def test_campaigns(demo):
    assert demo["ideas"] == loader_ideas().count() >= 300
    box = Campaign.objects.get(is_permanent=True)
    assert box.organization.slug == data.AGGLO and box.scope == Scope.AGENTS
    assert [o.slug for o in box.organizations.all()] == [data.AGGLO]
    megots = Campaign.objects.get(title=il.MEGOTS_TITLE)
    assert megots.scope == Scope.BOTH and megots.is_open()
    assert megots.decision_calendar and megots.moderation_rules and megots.decisions_by
    assert {t.slug for t in megots.themes.all()} == {"proprete", "dechets"}
    assert megots.services.count() == 3
    assert {o.slug for o in megots.organizations.all()} == {data.AGGLO, data.VILLE}
    closed = Campaign.objects.get(title=il.GUICHETS_TITLE)
    assert closed.scope == Scope.AGENTS and not closed.is_open()
    decided = closed.ideas.filter(state__in=DECIDED_STATES).count()
    assert decided >= 0.9 * closed.ideas.count() > 30


@pytest.mark.django_db
def test_every_state_in_the_box_and_the_open_call(demo):
    for campaign in Campaign.objects.filter(process__isnull=True).exclude(title=il.GUICHETS_TITLE):
        states = set(campaign.ideas.values_list("state", flat=True))
        assert states == set(State.values), campaign
    by_state = Counter(loader_ideas().values_list("state", flat=True))
    assert min(by_state.values()) >= 5, by_state
    categories = set(loader_ideas().values_list("author_category", flat=True))
    assert {AuthorCategory.USAGER, "A", "B", "C"} <= categories
    assert loader_ideas().filter(on_behalf_of_user=True, author=None).count() >= 3
    visibility = Counter(loader_ideas().values_list("visibility", flat=True))
    assert visibility[Visibility.PUBLIC] >= 50 and visibility[Visibility.ORGANIZATION] >= 50
    assert loader_ideas().filter(is_quick_win=True).count() >= 5
    # agents' ideas belong to their organization; users' to the campaign's
    for idea in loader_ideas().select_related("author__agent_profile", "campaign"):
        if idea.author_category == AuthorCategory.USAGER:
            assert idea.organization_id == idea.campaign.organization_id
            assert idea.author_organization_id is None
        else:
            profile = idea.author.agent_profile
            assert idea.author_category == profile.category
            assert idea.organization_id == profile.organization_id


@pytest.mark.django_db
def test_decisions_rejections_and_merges(demo):
    for idea in loader_ideas().filter(state__in=DECIDED_STATES).select_related("campaign"):
        assert idea.decided_at and idea.decided_by_id and idea.decision_text.strip(), idea
        assert idea.decision_signature.endswith(idea.campaign.organization.display_name)
        assert idea.created_at < idea.decided_at
    assert not Idea.objects.filter(state=State.REJECTED, decision_text="").exists()
    merged = Idea.objects.filter(state=State.MERGED).select_related("merged_into")
    assert merged.count() >= 5
    for idea in merged:
        target = idea.merged_into
        assert target is not None and target.state != State.MERGED
        assert target.campaign_id == idea.campaign_id
        # authors kept: the merged idea's author is a co-author of the target
        if idea.author_id and idea.author_id != target.author_id:
            assert target.coauthors.filter(pk=idea.author_id).exists()
        # supporters carried over (but the target's author)
        mine = set(Support.objects.filter(idea=idea).values_list("user_id", flat=True))
        mine -= {target.author_id, target.submitted_by_id}
        assert mine <= set(Support.objects.filter(idea=target).values_list("user_id", flat=True))
    assert not Idea.objects.filter(~Q(state=State.MERGED), merged_into__isnull=False).exists()
    # median time to decision on the dashboard
    stats = selectors.campaign_stats(Campaign.objects.get(is_permanent=True))
    assert stats["median_days_to_decision"] > 7 and stats["implemented"] > 0


@pytest.mark.django_db
def test_decided_by_someone_whose_delegation_covers_it(demo):
    """Each decision was taken by a person who may decide the idea at its level."""
    ideas = (
        loader_ideas()
        .filter(state__in=DECIDED_STATES)
        .select_related("campaign", "author_service", "decided_by")
        .prefetch_related("services")
    )
    deciders = {}
    for idea in ideas:
        grants = deciders.setdefault(idea.decided_by_id, idea.decided_by.grants)
        level = {"team": 1, "service": 2, "direction": 3, "elus": 4}[idea.decision_level]
        assert rules.decision_rank(grants, idea) >= level, idea
    levels = Counter(
        Role.objects.filter(user_id__in=deciders, kind__in=["manager", "direction", "elu"])
        .values_list("kind", flat=True)
        .distinct()
    )
    assert set(levels) == {"manager", "direction", "elu"}


@pytest.mark.django_db
def test_counters_equal_the_rows(demo):
    ideas = Idea.objects.annotate(
        s=Count("supports", distinct=True),
        c=Count("comments", distinct=True),
        f=Count("follows", distinct=True),
    )
    for idea in ideas:
        assert (idea.support_count, idea.comment_count, idea.follower_count) == (
            idea.s,
            idea.c,
            idea.f,
        ), idea
    assert Support.objects.count() >= 1000
    assert Comment.objects.filter(parent__isnull=False).count() >= 30
    for reply in Comment.objects.filter(parent__isnull=False).select_related("parent"):
        assert reply.parent.idea_id == reply.idea_id
        assert reply.parent.created_at <= reply.created_at
        assert reply.depth == min(reply.parent.depth + 1, 3)
    # nobody supports their own idea; an author follows it
    assert not Support.objects.filter(idea__author=F("user")).exists()
    assert Follow.objects.filter(idea__author__isnull=False).count() >= 200


@pytest.mark.django_db
def test_reviews_history_and_versions(demo):
    for idea in loader_ideas().exclude(state=State.SUBMITTED).prefetch_related("reviews"):
        reviews = list(idea.reviews.all())
        assert reviews, idea
        assert all(r.expert_id not in (idea.author_id, idea.submitted_by_id) for r in reviews)
        if idea.state != State.UNDER_REVIEW:
            assert all(r.is_given for r in reviews), idea
    expert = user("expert")
    waiting, given = selectors.expert_queue_split(expert)
    assert waiting and given
    assert Review.objects.filter(published_at__isnull=False).count() >= 100
    assert Review.objects.exclude(expert=expert).values("expert").distinct().count() >= 5
    # history: submitted first, the decision with its signature and public text
    idea = Idea.objects.filter(state=State.EVALUATED).first()
    events = history.history_of(idea).order_by("created_at", "id")
    actions = [e.action for e in events if e.action != "merged_in"]
    assert actions[0] == "submitted"
    assert actions[-3:] == ["progress", "progress", "progress"] and "decided" in actions
    decided = history.history_of(idea).get(action="decided")
    assert decided.actor_label == idea.decision_signature
    # every idea has its first version; a few were edited once the review had started
    assert IdeaVersion.objects.filter(number=1).count() == Idea.objects.count()
    edited = Idea.objects.filter(version=2)
    assert edited.count() >= 5
    for idea in edited:
        v1, v2 = IdeaVersion.objects.filter(idea=idea).order_by("number")
        assert v2.proposal == idea.proposal != v1.proposal and v2.note
        assert v2.created_at > idea.review_started_at
        assert selectors.version_diff(v1, v2)


@pytest.mark.django_db
def test_every_role_finds_something_to_do(demo):
    """The demo accounts printed by `cocon demo accounts` let one try every role."""
    for local in ("manager", "direction", "elu"):
        person = user(local)
        queue = selectors.decision_queue(person)
        assert any(i.state == State.AWAITING_DECISION for i in queue), local
    elu = user("elu")
    assert any(
        i.decided_by_id == elu.pk and i.decision_level == "elus"
        for i in Idea.objects.filter(state__in=DECIDED_STATES)
    )
    animateur = user("animateur")
    agglo = Campaign.objects.get(is_permanent=True).organization
    flagged, _pending = selectors.moderation_queue([agglo.pk])
    assert len(flagged) >= 3 and all(item["model"] == "comment" for item in flagged)
    hidden = Comment.objects.get(hidden_at__isnull=False)
    assert hidden.hidden_reason == il.HIDDEN_REASON
    assert ModerationEvent.objects.filter(action="hide", moderator=animateur).count() == 1
    assert AbuseFlag.objects.filter(resolved_at__isnull=True).count() >= 6
    # notifications waiting for the people concerned, no email queued to the demo domain
    assert Notification.objects.filter(recipient=user("usager"), kind="ideas.decision").exists()
    assert Notification.objects.filter(
        recipient=user("expert"), kind="ideas.review_assigned"
    ).exists()
    assert not OutboxEmail.objects.filter(status="pending").exists()
    # the user can act on her ideas; the démineur on her queue
    usager = user("usager")
    mine = Idea.objects.filter(author=usager)
    assert mine.count() >= 3 and mine.filter(state=State.SUBMITTED).exists()
    waiting, _given = selectors.expert_queue_split(user("expert"))
    assert any(can(user("expert"), "ideas.review", r) for r in waiting)
    assert can(animateur, "ideas.animate", mine.first())
