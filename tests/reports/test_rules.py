"""Permission rules of Signalements: the staff list's queryset and the one-object rule
`reports.view_staff` agree for every role; team members see and act on their team's
reports only; territory categories are for the host organization's admins."""

from __future__ import annotations

import pytest

from cocon.core.permissions import can, grants_of
from cocon.reports import selectors, services
from cocon.reports.rules import team_ids
from cocon.voices.rules import scope_of

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
    "team_member",
]


@pytest.fixture
def reports(world, rworld, submit):
    water = submit(category=rworld.water, attributes={"where": "road"}).report
    roads = submit().report
    rough = submit(category=rworld.rough_sleeper, description="Sous le pont.").report
    services.report_assign(water, actor=world["platform"], team=rworld.team)
    return [water, roads, rough]


@pytest.mark.parametrize("role", ROLES)
def test_list_queryset_agrees_with_view_staff(world, reports, role):
    user = world[role]
    grants = grants_of(user)
    listed = set(
        selectors.staff_reports(
            scope_of(grants).q(), territory=world.territory, team_ids=team_ids(grants)
        ).values_list("pk", flat=True)
    )
    allowed = {r.pk for r in reports if can(user, "reports.view_staff", r)}
    assert listed == allowed
    for r in reports:  # acting implies seeing
        assert not can(user, "reports.act", r) or can(user, "reports.view_staff", r)


def test_team_member_sees_and_acts_on_the_team_report_only(world, reports):
    water = reports[0]
    member = world["team_member"]
    assert can(member, "reports.list")
    assert [can(member, "reports.view_staff", r) for r in reports] == [True, False, False]
    assert [can(member, "reports.act", r) for r in reports] == [True, False, False]
    assert can(member, "reports.comment", water)
    assert not can(world["usager"], "reports.list")


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("platform", True), ("admin", True), ("admin_b", False), ("manager", False)],
)
def test_territory_categories_are_for_the_host_admins(world, role, allowed):
    assert can(world[role], "reports.configure_categories", world.territory) is allowed
