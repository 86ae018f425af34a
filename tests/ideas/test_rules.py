"""Permission rules of Idées for every role, including cross-organization isolation."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from cocon.core.permissions import can
from cocon.ideas import selectors

ALL = [
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


def _who(world, action, obj, roles=ALL):
    return {role for role in roles if can(world[role], action, obj)}


def test_agents_box(world, box):
    assert _who(world, "ideas.campaign_view", box) == set(ALL) - {
        "usager",
        "agent_b",
        "admin_b",
    }
    # élus hold a role but no agent profile: they decide, they do not propose in the agents' box
    assert _who(world, "ideas.submit", box) == {
        "agent",
        "manager",
        "direction",
        "expert",
        "animateur",
        "admin",
    }
    assert not can(AnonymousUser(), "ideas.campaign_view", box)


def test_public_call(world, public_call, closed_call):
    assert _who(world, "ideas.campaign_view", public_call) == set(ALL)
    assert _who(world, "ideas.submit", public_call) == set(ALL)
    assert can(AnonymousUser(), "ideas.campaign_view", public_call)
    assert not can(AnonymousUser(), "ideas.submit", public_call)
    assert _who(world, "ideas.submit", closed_call) == set()
    assert _who(world, "ideas.submit_on_behalf", public_call) == {
        "agent",
        "manager",
        "direction",
        "expert",
        "animateur",
        "admin",
        "agent_b",
        "admin_b",
    }


def test_campaign_management_and_dashboard(world, public_call):
    assert _who(world, "ideas.campaign_manage", world.org_a) == {"animateur", "admin", "platform"}
    assert _who(world, "ideas.campaign_manage", world.org_b) == {"admin_b", "platform"}
    assert _who(world, "ideas.dashboard", public_call) == {
        "animateur",
        "admin",
        "platform",
        "direction",
        "elu",
    }


def test_idea_actions(world, box, make_idea):
    idea = selectors.idea_for_page(make_idea(box).pk)
    assert _who(world, "ideas.animate", idea) == {"animateur", "admin", "platform"}
    assert _who(world, "ideas.moderate", idea) == {"animateur", "admin", "platform"}
    assert _who(world, "ideas.edit", idea) == {"agent"}
    assert _who(world, "ideas.participate", idea) == set(ALL) - {"usager", "agent_b", "admin_b"}
    # service level, water: the water manager, the DGS (whole organization), the élue
    # whose delegation covers water
    assert _who(world, "ideas.decide", idea) == {"manager", "direction", "elu"}
    assert _who(world, "ideas.follow_up", idea) == {
        "manager",
        "direction",
        "elu",
        "animateur",
        "admin",
        "platform",
    }


def test_review_rule(world, box, make_idea):
    from django.utils import timezone

    from cocon.ideas import services

    idea = make_idea(box)
    [review] = services.reviews_assign(
        idea, actor=world["animateur"], experts=[world["agent_b"]], due_on=timezone.localdate()
    )
    assert _who(world, "ideas.review", review) == {"agent_b"}
    # the démineur of another organization sees the organization-only idea assigned to them
    assert can(world["agent_b"], "ideas.view", selectors.idea_for_page(idea.pk))
    assert not can(world["admin_b"], "ideas.view", selectors.idea_for_page(idea.pk))
