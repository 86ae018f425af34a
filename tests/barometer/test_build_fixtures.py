"""The shared barometer fixtures are consistent (other test modules rely on them)."""

from cocon.core.permissions import can
from tests.barometer.conftest import MANAGING_ROLES, OUTSIDE_ROLES, VIEWING_ROLES


def test_fixture_roles_match_rules(world, bworld):
    for role in MANAGING_ROLES:
        assert can(world[role], "barometer.manage", bworld.barometer), role
    for role in VIEWING_ROLES:
        assert can(world[role], "barometer.view_staff", bworld.barometer), role
        assert not can(world[role], "barometer.manage", bworld.barometer), role
    for role in OUTSIDE_ROLES:
        assert not can(world[role], "barometer.view_staff", bworld.barometer), role
        assert not can(world[role], "barometer.manage", bworld.barometer), role
    assert can(world["agent"], "barometer.contribute", bworld.barometer)
    assert not can(world["elu"], "barometer.contribute", bworld.barometer)
    assert can(world["admin_b"], "barometer.manage", bworld.other)
