import pytest

from cocon.backoffice.panels import panels_for

pytestmark = pytest.mark.django_db


def roles_of(user):
    return {panel.role for panel in panels_for(user)}


def test_usager_home_has_only_usager_panel(world):
    assert roles_of(world["usager"]) == {"usager"}


def test_manager_sees_todos_of_the_services_managed(world):
    panels = {p.key: p for p in panels_for(world["manager"])}
    labels = [item.label for item in panels["manager"].items if item.todo]
    # the water service has a mission, a public email and opening hours: nothing to do
    assert labels == []
    world.water.opening_hours.all().delete()
    world["manager"].forget_grants()
    panels = {p.key: p for p in panels_for(world["manager"])}
    assert any("Eau" in item.label for item in panels["manager"].items if item.todo)


def test_direction_is_told_which_services_lack_a_manager(world):
    panel = next(p for p in panels_for(world["direction"]) if p.key == "direction")
    todo = " ".join(item.label for item in panel.items if item.todo)
    assert "Déchets" in todo and "Eau" not in todo


def test_elu_sees_delegation(world):
    panel = next(p for p in panels_for(world["elu"]) if p.key == "elu")
    assert [item.label for item in panel.items][:2] == ["Vice-présidente à l'eau", "Eau"]


def test_platform_admin_panel(world):
    assert "platform" in roles_of(world["platform"])
    assert "platform" not in roles_of(world["admin"])


def test_home_query_count_is_bounded(world, client_for, django_assert_max_num_queries):
    client = client_for("admin")
    with django_assert_max_num_queries(25):
        assert client.get("/espace/").status_code == 200
