"""The permission matrix: every rule, every role, and cross-organization isolation."""

import pytest

from cocon.core.permissions import can, registered_rules, require
from cocon.territory.models import Share, ShareScope
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db


def test_unknown_rule_is_a_programming_error(world):
    with pytest.raises(LookupError):
        can(world["agent"], "territory.does_not_exist", world.org_a)


def test_rules_are_registered():
    assert {
        "territory.view_internal",
        "territory.edit_organization",
        "accounts.use_backoffice",
        "territory.import_margins",
    } <= set(registered_rules())


# role -> expected answer, for organization A (where every fixture role lives)
MATRIX = {
    "territory.view_internal": {
        "usager": False,
        "agent": True,
        "manager": True,
        "direction": True,
        "elu": True,
        "expert": True,
        "animateur": True,
        "admin": True,
        "platform": True,
        "agent_b": False,
        "admin_b": False,
    },
    "territory.edit_organization": {
        "usager": False,
        "agent": False,
        "manager": False,
        "direction": False,
        "elu": False,
        "expert": False,
        "animateur": False,
        "admin": True,
        "platform": True,
        "agent_b": False,
        "admin_b": False,
    },
    "accounts.manage_roles": {
        "usager": False,
        "agent": False,
        "manager": False,
        "direction": False,
        "elu": False,
        "expert": False,
        "animateur": False,
        "admin": True,
        "platform": True,
        "agent_b": False,
        "admin_b": False,
    },
    "territory.view_organization": dict.fromkeys([*ROLES, "platform", "agent_b", "admin_b"], True),
}


@pytest.mark.parametrize("action", sorted(MATRIX))
def test_matrix_on_organization_a(world, action):
    got = {role: can(world[role], action, world.org_a) for role in MATRIX[action]}
    assert got == MATRIX[action]


def test_anonymous_sees_public_only(world):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert can(anonymous, "territory.view_organization", world.org_a)
    assert can(anonymous, "territory.view_service", world.water)
    assert not can(anonymous, "territory.view_service", world.hr)
    assert not can(anonymous, "territory.view_internal", world.org_a)
    assert not can(anonymous, "accounts.use_backoffice")


@pytest.mark.parametrize(
    "role,expected",
    [
        ("usager", False),
        ("agent", False),
        ("manager", True),
        ("direction", True),
        ("elu", False),
        ("expert", False),
        ("animateur", False),
        ("admin", True),
        ("agent_b", False),
        ("admin_b", False),
    ],
)
def test_edit_water_service(world, role, expected):
    assert can(world[role], "territory.edit_service", world.water) is expected


def test_manager_edits_only_the_services_managed(world):
    assert can(world["manager"], "territory.edit_service", world.water)
    assert not can(world["manager"], "territory.edit_service", world.waste)


@pytest.mark.parametrize(
    "role,expected",
    [
        ("usager", False),
        ("agent", True),
        ("manager", True),
        ("direction", True),
        ("elu", True),
        ("expert", True),
        ("animateur", True),
        ("admin", True),
    ],
)
def test_backoffice_access(world, role, expected):
    assert can(world[role], "accounts.use_backoffice") is expected


@pytest.mark.parametrize(
    "role,expected",
    [
        ("admin", True),
        ("platform", True),
        ("animateur", False),
        ("direction", False),
        ("admin_b", False),
    ],
)
def test_import_margins_is_for_host_admins(world, role, expected):
    assert can(world[role], "territory.import_margins", world.territory) is expected


def test_inactive_user_may_do_nothing(world):
    user = world["admin"]
    user.is_active = False
    user.save()
    assert not can(user, "territory.edit_organization", world.org_a)
    assert not can(user, "territory.view_internal", world.org_a)


class TestCrossOrganizationIsolation:
    def test_agent_of_b_does_not_see_a_internals(self, world):
        agent_b = world["agent_b"]
        assert not can(agent_b, "territory.view_internal", world.org_a)
        assert not can(agent_b, "territory.view_service_internal", world.water)
        assert not can(agent_b, "territory.view_service", world.hr)
        assert not can(agent_b, "accounts.view_person", world["agent"])

    def test_agent_of_a_does_not_see_b_internals(self, world):
        assert not can(world["agent"], "territory.view_internal", world.org_b)
        assert not can(world["admin"], "territory.edit_organization", world.org_b)

    def test_directory_share_opens_directory_only_one_way(self, world):
        Share.objects.create(owner=world.org_a, partner=world.org_b, scope=ShareScope.DIRECTORY)
        agent_b = world["agent_b"]
        agent_b.forget_grants()
        assert can(agent_b, "territory.view_internal", world.org_a)
        assert can(agent_b, "accounts.view_person", world["agent"])
        assert not can(agent_b, "territory.edit_organization", world.org_a)
        world["agent"].forget_grants()
        assert not can(world["agent"], "territory.view_internal", world.org_b)

    def test_services_share_opens_service_internals_not_directory(self, world):
        Share.objects.create(owner=world.org_a, partner=world.org_b, scope=ShareScope.SERVICES)
        agent_b = world["agent_b"]
        assert can(agent_b, "territory.view_service_internal", world.water)
        assert not can(agent_b, "territory.view_internal", world.org_a)

    def test_data_share_implies_directory(self, world):
        Share.objects.create(owner=world.org_a, partner=world.org_b, scope=ShareScope.DATA)
        assert can(world["agent_b"], "territory.view_internal", world.org_a)

    def test_require_raises_403(self, world):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            require(world["agent_b"], "territory.view_internal", world.org_a)


def test_grants_are_loaded_in_few_queries(world, django_assert_max_num_queries):
    user = world["manager"]
    user.forget_grants()
    with django_assert_max_num_queries(4):
        for _ in range(50):
            can(user, "territory.edit_service", world.water)
            can(user, "territory.view_internal", world.org_a)
