"""Who sees and acts on which voice: every role, and across organizations. The object
rule and the queryset filter are one definition and must agree."""

from __future__ import annotations

import pytest

from cocon.core.permissions import can
from cocon.voices.selectors import visible_voices
from cocon.voices.services import voice_share

pytestmark = pytest.mark.django_db

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

# role -> (services whose voices they see, services whose voices they act on)
EXPECTED = {
    "usager": (set(), set()),
    "agent": ({"eau"}, {"eau"}),
    "manager": ({"eau"}, {"eau"}),
    "direction": ({"eau", "dechets", "rh"}, {"eau", "dechets", "rh"}),
    "elu": ({"eau"}, set()),
    "expert": ({"eau"}, {"eau"}),
    "animateur": ({"eau", "dechets", "rh"}, set()),
    "admin": ({"eau", "dechets", "rh"}, set()),
    "platform": ({"eau", "dechets", "rh", "social"}, {"eau", "dechets", "rh", "social"}),
    "agent_b": ({"social"}, {"social"}),
    "admin_b": ({"social"}, set()),
}


@pytest.fixture
def voices(world, capture):
    made = {}
    for service in (world.water, world.waste, world.hr, world.social_b):
        made[service.slug] = capture(
            service=service,
            relay=world["expert"] if service == world.hr else None,
            capture_mode="relayed" if service == world.hr else "self",
            channel="counter" if service == world.hr else "web",
        ).voice
    return made


@pytest.mark.parametrize("role", ROLES)
def test_view_and_act_matrix(world, voices, role):
    user = world[role]
    see, act = EXPECTED[role]
    for slug, voice in voices.items():
        # the expert relayed the HR voice: a relay always sees what they captured
        expected_view = slug in see or (role == "expert" and slug == "rh")
        assert can(user, "voices.view", voice) is expected_view, (role, slug, "view")
        assert can(user, "voices.act", voice) is (slug in act), (role, slug, "act")


@pytest.mark.parametrize("role", ROLES)
def test_queryset_agrees_with_the_rule(world, voices, role):
    user = world[role]
    listed = set(visible_voices(user).values_list("reference", flat=True))
    allowed = {v.reference for v in voices.values() if can(user, "voices.view", v)}
    assert listed == allowed


def test_author_sees_own_voice_only(world, capture):
    mine = capture(author=world["usager"]).voice
    other = capture().voice
    assert can(world["usager"], "voices.view", mine)
    assert not can(world["usager"], "voices.view", other)
    assert not can(world["usager"], "voices.act", mine)
    assert not can(world["usager"], "voices.comment", mine)
    assert set(visible_voices(world["usager"], include_own=True)) == {mine}


def test_capture_is_open_to_every_agent_whatever_the_category(world):
    for role in ("agent", "manager", "expert", "animateur", "agent_b"):
        assert can(world[role], "voices.capture")
    for role in ("usager", "elu"):
        assert not can(world[role], "voices.capture")


def test_sharing_opens_the_voice_to_the_other_organization_only_for_that_service(world, voices):
    voice = voices["eau"]
    voice_share(voice, actor=world["manager"], service=world.social_b)
    for role in ("agent_b", "admin_b"):
        world[role].forget_grants()
        assert voice.reference in set(
            visible_voices(world[role]).values_list("reference", flat=True)
        )
        assert not can(world[role], "voices.act", voice)


def test_sign_rule(world, voices):
    assert can(world["elu"], "voices.sign", voices["eau"])
    assert not can(world["elu"], "voices.sign", voices["dechets"])
    assert not can(world["manager"], "voices.sign", voices["eau"])


def test_configure_rule(world):
    assert can(world["admin"], "voices.configure", world.org_a)
    assert not can(world["admin"], "voices.configure", world.org_b)
    assert not can(world["manager"], "voices.configure", world.org_a)
