"""Reads of Idées: one definition of visibility (object rule == queryset filter), French
full-text search on both databases, similar ideas, campaign statistics."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cocon.core import moderation
from cocon.core.permissions import can
from cocon.ideas import selectors, services
from cocon.ideas.models import Idea, State
from cocon.ideas.selectors import IdeaFilters

ROLES = [
    "usager",
    "agent",
    "manager",
    "direction",
    "elu",
    "expert",
    "animateur",
    "admin",
    "platform",
    "agent_b",
    "admin_b",
]


@pytest.fixture
def variety(world, box, public_call, make_idea):
    """Ideas of every visibility: org-only, public, hidden, pre-moderated, reviewed."""
    ideas = {
        "org_only": make_idea(box),
        "public": make_idea(public_call, public=True, title="Une idée publique pour tous"),
        "usager": make_idea(public_call, author=world["usager"], title="Idée d'une usagère"),
        "hidden": make_idea(public_call, public=True, title="Idée bientôt masquée"),
        "reviewed": make_idea(box, author=world["manager"], title="Idée relue par un démineur"),
    }
    moderation.hide(ideas["hidden"], moderator=world["animateur"], reason="Propos injurieux")
    services.reviews_assign(
        ideas["reviewed"],
        actor=world["animateur"],
        experts=[world["agent_b"]],
        due_on=timezone.localdate(),
    )
    public_call.moderation = "pre"
    public_call.save()
    ideas["premod"] = make_idea(
        public_call, author=world["usager"], title="Idée en attente de modération"
    )
    return ideas


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_queryset_and_object_rule_agree(world, variety, role):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if role == "anonymous" else world[role]
    listed = set(selectors.visible_ideas(user).values_list("pk", flat=True))
    for name, idea in variety.items():
        page = selectors.idea_for_page(idea.pk)
        assert can(user, "ideas.view", page) == (idea.pk in listed), (role, name)


def test_visibility_matrix(world, variety):
    def sees(role):
        return {
            n
            for n, i in variety.items()
            if can(world[role], "ideas.view", selectors.idea_for_page(i.pk))
        }

    assert sees("agent_b") == {"public", "usager", "reviewed"}  # reviewed: assigned démineur
    assert sees("usager") == {"public", "usager", "premod"}  # premod: own idea
    # hidden: own idea; reviewed: an organization-only idea of a colleague
    assert sees("agent") == {"org_only", "public", "usager", "hidden", "reviewed"}
    assert sees("animateur") == set(variety)  # moderator of organization A
    assert sees("admin_b") == {"public", "usager"}


def test_filters_and_sorts(world, public_call, make_idea):
    a = make_idea(public_call, public=True, title="Des poubelles de tri au marché")
    b = make_idea(
        public_call, public=True, title="Des cendriers sur les bancs", services=[world.waste]
    )
    c = make_idea(public_call, author=world["usager"], title="Des bornes de propreté")
    for person in ("usager", "manager"):
        services.idea_support(b, user=world[person])
    services.idea_support(c, user=world["manager"])
    services.comment_add(a, author=world["usager"], text="Oui")
    user = world["usager"]

    def ids(**kw):
        return list(selectors.idea_list(user, IdeaFilters(**kw)).values_list("pk", flat=True))

    assert ids(campaign=public_call) == [b.pk, c.pk, a.pk]
    assert ids(sort="recent") == [c.pk, b.pk, a.pk]
    assert ids(sort="comments")[0] == a.pk
    assert ids(service_id=world.waste.pk) == [b.pk]
    assert ids(author_category="usager") == [c.pk]
    assert ids(author_category="C") == [b.pk, a.pk]
    assert ids(state="submitted") == [b.pk, c.pk, a.pk]
    assert ids(state=State.RETAINED) == []
    assert ids(mine=True) == [c.pk]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mégots", ["megots"]),
        ("megot", ["megots"]),  # accents ignored; a word matches its plural
        ("CENDRIER", ["megots"]),  # case ignored (in the proposal)
        ("banc piétons", ["bancs"]),
        ("rien à voir", []),
    ],
)
def test_french_full_text_search(world, public_call, make_idea, query, expected):
    ideas = {
        "megots": make_idea(
            public_call,
            public=True,
            title="Moins de mégots sur la place",
            proposal="Installer des cendriers de rue.",
        ),
        "bancs": make_idea(
            public_call,
            public=True,
            title="Des bancs pour les piétons",
            problem="Les personnes âgées n'ont pas où s'asseoir.",
            proposal="Poser des bancs.",
        ),
    }
    found = set(
        selectors.idea_list(world["usager"], IdeaFilters(q=query)).values_list("pk", flat=True)
    )
    assert found == {ideas[k].pk for k in expected}


def test_search_survives_odd_input(world, public_call, make_idea):
    make_idea(public_call, public=True)
    for query in ['"', "AND OR NOT", "*", "')--", "é" * 300, "((("]:
        list(selectors.idea_list(world["usager"], IdeaFilters(q=query)))


def test_search_sees_edits(world, box, make_idea):
    idea = make_idea(box)
    services.idea_edit(
        idea,
        actor=world["agent"],
        title="Des composteurs partagés",
        problem=idea.problem,
        proposal="Un composteur par quartier.",
        benefit=idea.benefit,
    )
    found = selectors.idea_list(world["agent"], IdeaFilters(q="composteur"))
    assert list(found) == [idea]
    assert not selectors.idea_list(world["agent"], IdeaFilters(q="cendriers")).exists()


def test_similar_ideas_respect_visibility_and_see_new_ideas(
    world, box, public_call, make_idea, django_capture_on_commit_callbacks
):
    selectors.reset_similar_indexes()
    hidden_from_b = make_idea(box, title="Cendriers de poche pour les agents")
    assert selectors.similar_ideas(world["agent_b"], world.territory.pk, "cendriers de poche") == []
    found = selectors.similar_ideas(world["manager"], world.territory.pk, "cendrier de poche")
    assert [i for i, _s in found] == [hidden_from_b]
    with django_capture_on_commit_callbacks(execute=True):
        public = make_idea(public_call, public=True, title="Des cendriers de poche au marché")
    found = selectors.similar_ideas(world["agent_b"], world.territory.pk, "cendriers poche")
    assert [i for i, _s in found] == [public]
    assert (
        selectors.similar_ideas(
            world["manager"], world.territory.pk, "cendriers de poche", exclude=public.pk
        )[0][0]
        == hidden_from_b
    )
    assert selectors.similar_ideas(world["manager"], world.territory.pk, "de") == []


def test_campaign_stats(world, public_call, make_idea):
    now = timezone.now()
    ideas = [make_idea(public_call, title=f"Idée d'agent numéro {n}") for n in range(6)]
    ideas += [
        make_idea(public_call, author=world["usager"], title=f"Idée d'usager {n}") for n in range(2)
    ]
    for idea, days in zip(ideas[:3], (2, 4, 10), strict=True):
        services.idea_decide(idea, actor=world["manager"], state=State.RETAINED, text="Oui")
        Idea.objects.filter(pk=idea.pk).update(
            created_at=now - dt.timedelta(days=days), decided_at=now
        )
    services.idea_advance(ideas[0], actor=world["manager"], state=State.IMPLEMENTING)
    services.idea_advance(ideas[0], actor=world["manager"], state=State.IMPLEMENTED)
    stats = selectors.campaign_stats(public_call, min_cell=5)
    assert stats["total"] == 8
    assert stats["decided"] == 3
    assert stats["share_decided"] == pytest.approx(3 / 8)
    assert stats["median_days_to_decision"] == pytest.approx(4, abs=0.01)
    assert stats["implemented"] == 1
    cats = {c["key"]: c["n"] for c in stats["by_category"]}
    assert cats["C"] == 6
    assert cats["usager"] is None  # 2 < 5: hidden
    assert cats["A"] == 0
    assert {c["label"]: c["n"] for c in stats["by_organization"]} == {"Agglo de Test": 6}
    states = {c["key"]: c["n"] for c in stats["by_state"]}
    assert states["retained"] == 2 and states["implemented"] == 1 and states["submitted"] == 5


def test_moderation_queue(world, public_call, make_idea):
    idea = make_idea(public_call, public=True)
    comment = services.comment_add(idea, author=world["usager"], text="Commentaire douteux")
    moderation.flag(comment, reporter=world["agent"], reason="insult")
    moderation.flag(comment, reporter=world["manager"], reason="spam", text="pub")
    moderation.flag(idea, reporter=world["usager"], reason="off_topic")
    items, pending = selectors.moderation_queue({world.org_a.pk})
    by_model = {item["model"]: item for item in items}
    assert len(by_model["comment"]["flags"]) == 2
    assert by_model["idea"]["obj"] == idea
    assert pending == []
    assert selectors.moderation_queue({world.org_b.pk}) == ([], [])


def test_decision_queue(world, box, make_idea):
    water = make_idea(box, decision_level="elus", title="Idée pour l'eau potable")
    make_idea(box, decision_level="elus", title="Idée pour les déchets", services=[world.waste])
    direction = make_idea(box, decision_level="direction", title="Idée pour la direction")
    # the élu: within the delegation (water), at the élus' level or below
    assert selectors.decision_queue(world["elu"]) == [water, direction]
    # the DGS: the whole organization, up to the direction's level
    assert selectors.decision_queue(world["direction"]) == [direction]
    assert selectors.decision_queue(world["manager"]) == []
    assert selectors.decision_queue(world["agent"]) == []
