"""The "Mon espace" panel of the Baromètre: the barometers of the person's organizations,
with the overdue actions of the plan as things to do for those who manage them."""

import datetime as dt

import pytest

from cocon.backoffice.panels import panels_for
from cocon.barometer.models import Action

pytestmark = pytest.mark.django_db


def panel_of(user):
    return next((p for p in panels_for(user) if p.key == "barometers"), None)


def test_managers_see_overdue_actions_as_things_to_do(world, bworld, criteria):
    Action.objects.create(
        barometer=bworld.barometer,
        criterion=criteria[0],
        title="Campagne goût",
        owner="Service de l'eau",
        due_on=dt.date.today() - dt.timedelta(days=3),
    )
    Action.objects.create(  # done: not overdue
        barometer=bworld.barometer,
        criterion=criteria[1],
        title="Tarif social",
        owner="Service de l'eau",
        due_on=dt.date.today() - dt.timedelta(days=3),
        status="done",
    )
    panel = panel_of(world["manager"])
    assert panel.role == "manager"
    assert [(i.label, i.todo) for i in panel.items] == [("Baromètre de l'eau", True)]
    assert panel.todo_count == 1
    # an agent of the service sees the barometer, with nothing to do
    agent_panel = panel_of(world["agent"])
    assert agent_panel.role == "agent"
    assert [(i.label, i.todo) for i in agent_panel.items] == [("Baromètre de l'eau", False)]


def test_other_organizations_and_usagers_do_not_see_it(world, bworld):
    assert panel_of(world["usager"]) is None
    labels = [i.label for i in panel_of(world["admin_b"]).items]
    assert labels == ["Baromètre social"]


def test_panel_queries_do_not_grow_with_barometers(world, bworld):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cocon.barometer.models import Barometer

    def count() -> int:
        world["manager"].forget_grants()
        with CaptureQueriesContext(connection) as ctx:
            panels_for(world["manager"])
        return len(ctx.captured_queries)

    before = count()
    for i in range(4):
        Barometer.objects.create(service=world.water, title=f"B{i}", slug=f"b{i}")
    assert count() == before
    assert len(panel_of(world["manager"]).items) == 5
