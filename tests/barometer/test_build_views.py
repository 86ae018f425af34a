"""Construction pages of the Baromètre: permissions for every role and another
organization's staff, bad input kept and explained, query counts of the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cocon.barometer.models import (
    Action,
    Barometer,
    Criterion,
    FirstRoundAnswer,
    IndicatorValue,
    TechnicalCriterion,
)
from cocon.barometer.views_build import FIRST_ROUND_LIMIT_PER_DEVICE
from cocon.core.history import history_of
from tests.barometer.conftest import MANAGING_ROLES, OUTSIDE_ROLES, VIEWING_ROLES

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["construction", "topics", "technical", "criteria", "indicators", "actions"]


def url(name, *args):
    return reverse(f"barometer:{name}", args=args)


# --- list and creation ---------------------------------------------------------------------
def test_list_needs_an_account_and_a_back_office(client, client_for, bworld):
    response = client.get(url("staff_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client_for("usager").get(url("staff_list")).status_code == 403


@pytest.mark.parametrize(
    ("role", "sees_a", "sees_b", "may_create"),
    [
        ("agent", True, False, False),
        ("expert", True, False, False),
        ("elu", True, False, False),
        ("manager", True, False, True),
        ("direction", True, False, True),
        ("animateur", True, False, True),
        ("admin", True, False, True),
        ("platform", True, True, True),
        ("agent_b", False, True, False),
        ("admin_b", False, True, True),
    ],
)
def test_list_shows_the_barometers_of_the_persons_organizations(
    client_for, bworld, role, sees_a, sees_b, may_create
):
    html = client_for(role).get(url("staff_list")).content.decode()
    assert (f'data-barometer="{bworld.barometer.pk}"' in html) is sees_a
    assert (f'data-barometer="{bworld.other.pk}"' in html) is sees_b
    assert ("data-create" in html) is may_create
    if sees_a:
        assert url("construction", bworld.barometer.pk) in html
        assert url("dashboard", bworld.barometer.pk) in html  # the staff home of a barometer


def test_list_query_count(client_for, world, bworld, django_assert_max_num_queries):
    for i in range(8):
        Barometer.objects.create(service=world.waste, title=f"B{i}", slug=f"b{i}")
    client = client_for("admin")
    with django_assert_max_num_queries(14):
        response = client.get(url("staff_list"))
    assert response.content.decode().count("data-barometer=") == 9


def test_create(client_for, world):
    client = client_for("manager")
    form = client.get(url("create")).content.decode()
    assert f'value="{world.water.pk}"' in form and f'value="{world.waste.pk}"' not in form
    response = client.post(
        url("create"),
        {"service": world.water.pk, "title": "Baromètre de l'eau", "threshold": 7, "min_cell": 10},
    )
    b = Barometer.objects.get()
    assert response.status_code == 302 and response["Location"] == url("construction", b.pk)
    assert (b.slug, b.service, b.trim) == ("barometre-de-leau", world.water, None)


def test_create_bad_input_is_kept_and_explained(client_for, world):
    client = client_for("manager")
    response = client.post(
        url("create"),
        {"service": world.waste.pk, "title": "Mon titre à garder", "threshold": 12, "min_cell": 0},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mon titre à garder" in html and 'aria-invalid="true"' in html
    assert "id_threshold_error" in html and "id_service_error" in html
    assert not Barometer.objects.exists()


@pytest.mark.parametrize("role", ["agent", "expert", "elu", "usager"])
def test_create_refused(client_for, world, role):
    response = client_for(role).post(url("create"), {"service": world.water.pk, "title": "X"})
    assert response.status_code == 403
    assert not Barometer.objects.exists()


# --- pages of one barometer ----------------------------------------------------------------
@pytest.mark.parametrize("role", MANAGING_ROLES + VIEWING_ROLES)
def test_staff_pages_open_to_the_organization(client_for, bworld, criteria, role):
    client = client_for(role)
    for page in STAFF_PAGES:
        response = client.get(url(page, bworld.barometer.pk))
        assert response.status_code == 200, page


@pytest.mark.parametrize("role", OUTSIDE_ROLES)
def test_staff_pages_hidden_from_others(client_for, bworld, criteria, role):
    client = client_for(role)
    for page in [*STAFF_PAGES, "edit"]:
        assert client.get(url(page, bworld.barometer.pk)).status_code == 404, page
    assert client.get(url("criterion_edit", bworld.barometer.pk, criteria[0].pk)).status_code == 404


def test_staff_pages_need_an_account(client, bworld):
    response = client.get(url("construction", bworld.barometer.pk))
    assert response.status_code == 302


@pytest.mark.parametrize("role", VIEWING_ROLES)
def test_settings_refused_to_viewers(client_for, bworld, role):
    client = client_for(role)
    assert client.get(url("edit", bworld.barometer.pk)).status_code == 403
    html = client.get(url("construction", bworld.barometer.pk)).content.decode()
    assert url("edit", bworld.barometer.pk) not in html


def test_settings_edit(client_for, bworld):
    b = bworld.barometer
    client = client_for("manager")
    data = {
        "title": "Eau",
        "intro": "",
        "explanation": "L'eau a le goût du chlore mais elle est saine.",
        "first_round_question": "",
        "threshold": 8,
        "min_cell": 15,
        "trim": "5",
        "is_published": "on",
    }
    response = client.post(url("edit", b.pk), data)
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.explanation.startswith("L'eau a le goût") and b.is_published
    assert (b.threshold, b.min_cell, b.trim, b.first_round_open) == (8, 15, 5.0, False)
    bad = client.post(url("edit", b.pk), {**data, "title": "Nouveau titre", "trim": "0,5"})
    assert bad.status_code == 200 and "Nouveau titre" in bad.content.decode()
    b.refresh_from_db()
    assert b.title == "Eau"


def test_construction_links_the_first_round_and_warns(client_for, bworld, criteria):
    html = client_for("agent").get(url("construction", bworld.barometer.pk)).content.decode()
    assert url("first_round", bworld.barometer.pk) in html
    assert "data-warning" in html  # 3 criteria: fewer than 5


# --- first round (public) ------------------------------------------------------------------
def test_first_round_anonymous(client, world, bworld):
    b = bworld.barometer
    page = client.get(url("first_round", b.pk)).content.decode()
    assert 'name="item_5"' in page and 'aria-hidden="true"><label for="id_website"' in page
    assert "email" not in page.split("<main")[1].split("</main>")[0]  # no contact data
    response = client.post(
        url("first_round", b.pk),
        {"item_1": "Le goût de l'eau", "item_2": "", "item_3": "Le prix", "commune": ""},
    )
    assert response.status_code == 200 and "data-thanks" in response.content.decode()
    answer = FirstRoundAnswer.objects.get()
    assert answer.items == ["Le goût de l'eau", "Le prix"] and answer.commune is None
    client.post(
        url("first_round", b.pk), {"item_1": "La pression", "commune": world.communes[0].pk}
    )
    assert FirstRoundAnswer.objects.get(items=["La pression"]).commune == world.communes[0]


def test_first_round_bad_input(client, world, bworld):
    b = bworld.barometer
    response = client.post(url("first_round", b.pk), {"item_1": "", "item_2": "Le prix"})
    html = response.content.decode()
    assert response.status_code == 200 and "id_item_1_error" in html and "Le prix" in html
    response = client.post(url("first_round", b.pk), {"item_1": "x" * 201})
    assert "id_item_1_error" in response.content.decode()
    response = client.post(url("first_round", b.pk), {"item_1": "ok", "commune": "999999"})
    assert "id_commune_error" in response.content.decode()
    assert (
        client.post(url("first_round", b.pk), {"item_1": "a", "website": "spam"}).status_code == 403
    )
    assert not FirstRoundAnswer.objects.exists()


def test_first_round_closed_is_404(client, bworld):
    assert client.get(url("first_round", bworld.other.pk)).status_code == 404
    assert client.post(url("first_round", bworld.other.pk), {"item_1": "x"}).status_code == 404


def test_first_round_rate_limited_keeps_input(client, bworld):
    b = bworld.barometer
    client.get(url("first_round", b.pk))  # receives the device cookie
    for i in range(FIRST_ROUND_LIMIT_PER_DEVICE):
        assert client.post(url("first_round", b.pk), {"item_1": f"Sujet {i}"}).status_code == 200
    response = client.post(url("first_round", b.pk), {"item_1": "Encore un sujet"})
    assert response.status_code == 429 and "Encore un sujet" in response.content.decode()
    assert FirstRoundAnswer.objects.count() == FIRST_ROUND_LIMIT_PER_DEVICE


def test_topics_page_groups_and_shows_verbatims(client_for, bworld):
    for items in (["Le goût de l'eau", "Le prix"], ["le prix", "Goût eau"]):
        FirstRoundAnswer.objects.create(barometer=bworld.barometer, items=items)
    html = client_for("agent").get(url("topics", bworld.barometer.pk)).content.decode()
    assert html.count("data-topic=") == 2
    assert "Goût eau" in html and "le prix" in html


# --- technical criteria --------------------------------------------------------------------
TECH = {
    "name": "Conformité sanitaire",
    "description": "",
    "indicator_name": "Taux de conformité",
    "indicator_unit": "%",
    "direction": "higher",
    "floor": "95",
    "target": "100",
}


@pytest.mark.parametrize("role", ["agent", "expert", "manager", "admin"])
def test_technical_add_by_contributors(client_for, world, bworld, role):
    response = client_for(role).post(url("technical", bworld.barometer.pk), TECH)
    assert response.status_code == 302
    tc = TechnicalCriterion.objects.get()
    assert tc.proposed_by == world[role] and tc.floor == 95


@pytest.mark.parametrize("role", ["elu"])
def test_technical_add_refused(client_for, bworld, role):
    assert client_for(role).post(url("technical", bworld.barometer.pk), TECH).status_code == 403
    assert not TechnicalCriterion.objects.exists()


def test_technical_other_organization(client_for, bworld):
    assert (
        client_for("agent_b").post(url("technical", bworld.barometer.pk), TECH).status_code == 404
    )
    assert not TechnicalCriterion.objects.exists()


def test_technical_bad_input_and_edit(client_for, bworld):
    client = client_for("agent")
    bad = client.post(url("technical", bworld.barometer.pk), {**TECH, "target": "95"})
    assert bad.status_code == 200 and "id_target_error" in bad.content.decode()
    assert "Conformité sanitaire" in bad.content.decode()
    client.post(url("technical", bworld.barometer.pk), TECH)
    tc = TechnicalCriterion.objects.get()
    response = client.post(url("technical_edit", bworld.barometer.pk, tc.pk), {**TECH, "floor": 90})
    assert response.status_code == 302
    tc.refresh_from_db()
    assert tc.floor == 90
    other = TechnicalCriterion.objects.create(barometer=bworld.other, name="x", indicator_name="y")
    assert client.get(url("technical_edit", bworld.barometer.pk, other.pk)).status_code == 404


def test_technical_delete_keeps_the_crossed_criterion_indicator(client_for, bworld, criteria):
    from cocon.core.models import StatusEvent

    b = bworld.barometer
    tc = TechnicalCriterion.objects.create(
        barometer=b, name="Conformité", indicator_name="Taux", floor=95, target=100
    )
    gout = criteria[0]
    gout.technical_source = tc
    gout.save()
    delete = url("technical_delete", b.pk, tc.pk)
    assert client_for("elu").post(delete).status_code == 403  # sees, may not contribute
    assert client_for("agent_b").post(delete).status_code == 404  # other organization
    assert client_for("agent").get(delete).status_code == 405  # POST only
    assert TechnicalCriterion.objects.filter(pk=tc.pk).exists()
    page = client_for("agent").get(url("technical_edit", b.pk, tc.pk)).content.decode()
    assert "data-delete-technical" in page
    response = client_for("agent").post(delete)
    assert response.status_code == 302
    assert not TechnicalCriterion.objects.filter(pk=tc.pk).exists()
    gout.refresh_from_db()
    assert gout.technical_source is None and gout.indicator_name == "Conformité"
    assert StatusEvent.objects.filter(action="technical_criterion_deleted").count() == 1


def test_reordering_is_recorded(client_for, bworld, criteria):
    from cocon.core.models import StatusEvent

    b = bworld.barometer
    response = client_for("manager").post(url("criterion_move", b.pk, criteria[2].pk), {"op": "up"})
    assert response.status_code == 302
    event = StatusEvent.objects.get(action="moved")
    assert event.data["order"] == ["gout", "accueil", "prix"]


# --- crossing ------------------------------------------------------------------------------
def test_criteria_crossing(client_for, bworld):
    b = bworld.barometer
    FirstRoundAnswer.objects.create(barometer=b, items=["Le goût de l'eau", "Le prix"])
    FirstRoundAnswer.objects.create(barometer=b, items=["le goût de l'eau"])
    tc = TechnicalCriterion.objects.create(
        barometer=b, name="Conformité", indicator_name="Taux", floor=95, target=100
    )
    client = client_for("manager")
    page = client.get(url("criteria", b.pk)).content.decode()
    assert "Le goût de l&#x27;eau (2)" in page
    response = client.post(
        url("criteria", b.pk),
        {
            "topic": "eau gout",
            "technical": tc.pk,
            "code": "gout",
            "wording": "",
            "theme": "Qualité",
        },
    )
    assert response.status_code == 302
    c = Criterion.objects.get()
    assert (c.provenance, c.user_mentions, c.technical_source, c.theme) == (
        "both",
        2,
        tc,
        "Qualité",
    )
    html = client.get(url("criteria", b.pk)).content.decode()
    assert 'data-provenance="both"' in html and "data-used" in html


def test_criteria_reserved_code_message_and_input_kept(client_for, bworld):
    tc = TechnicalCriterion.objects.create(barometer=bworld.barometer, name="C", indicator_name="I")
    response = client_for("manager").post(
        url("criteria", bworld.barometer.pk),
        {"technical": tc.pk, "code": "commune", "wording": "Ma formulation"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "id_code_error" in html
    assert "« commune »" in html
    assert "Ma formulation" in html
    assert not Criterion.objects.exists()


def test_criteria_needs_a_source(client_for, bworld):
    response = client_for("manager").post(
        url("criteria", bworld.barometer.pk), {"code": "x", "wording": "y"}
    )
    assert response.status_code == 200 and "id_topic_error" in response.content.decode()


def test_criteria_warn_above_twelve(client_for, bworld):
    for i in range(13):
        Criterion.objects.create(barometer=bworld.barometer, code=f"c{i}", wording=f"C{i}")
    html = client_for("manager").get(url("criteria", bworld.barometer.pk)).content.decode()
    assert "data-warning" in html and "13" in html


@pytest.mark.parametrize("role", VIEWING_ROLES)
def test_criteria_changes_refused_to_viewers(client_for, bworld, criteria, role):
    client = client_for(role)
    b = bworld.barometer
    tc = TechnicalCriterion.objects.create(barometer=b, name="C", indicator_name="I")
    assert client.post(url("criteria", b.pk), {"technical": tc.pk, "code": "z"}).status_code == 403
    move = url("criterion_move", b.pk, criteria[1].pk)
    assert client.post(move, {"op": "up"}).status_code == 403
    assert client.get(url("criterion_edit", b.pk, criteria[1].pk)).status_code == 403
    assert Criterion.objects.count() == 3 and Criterion.objects.get(code="prix").position == 2


def test_criteria_move_deactivate_and_edit(client_for, bworld, criteria):
    b = bworld.barometer
    client = client_for("manager")
    client.post(url("criterion_move", b.pk, criteria[2].pk), {"op": "up"})
    codes = list(Criterion.objects.filter(barometer=b).values_list("code", flat=True))
    assert codes == ["gout", "accueil", "prix"]
    client.post(url("criterion_move", b.pk, criteria[1].pk), {"op": "deactivate"})
    assert not Criterion.objects.get(code="prix").is_active
    assert client.get(url("criterion_move", b.pk, criteria[1].pk)).status_code == 405
    response = client.post(url("criterion_move", b.pk, criteria[1].pk), {"op": "explode"})
    assert response.status_code == 302 and Criterion.objects.get(code="prix").position == 3
    edit = url("criterion_edit", b.pk, criteria[1].pk)
    data = {
        "code": "prix",
        "wording": "Le prix de l'eau",
        "theme": "Prix",
        "technical_source": "",
        "indicator_name": "",
        "indicator_unit": "",
        "direction": "higher",
        "floor": "",
        "target": "",
        "is_active": "on",
    }
    assert client.post(edit, data).status_code == 302
    prix = Criterion.objects.get(code="prix")
    assert prix.wording == "Le prix de l'eau" and prix.is_active
    bad = client.post(edit, {**data, "code": "gout", "wording": "Autre formulation"})
    assert bad.status_code == 200 and "id_code_error" in bad.content.decode()
    assert "Autre formulation" in bad.content.decode()
    assert Criterion.objects.get(pk=prix.pk).code == "prix"
    other = Criterion.objects.create(barometer=bworld.other, code="o", wording="o")
    assert client.get(url("criterion_edit", b.pk, other.pk)).status_code == 404


def test_criteria_list_query_count(client_for, bworld, django_assert_max_num_queries):
    b = bworld.barometer
    for i in range(12):
        tc = TechnicalCriterion.objects.create(barometer=b, name=f"T{i}", indicator_name="I")
        Criterion.objects.create(barometer=b, code=f"c{i}", wording=f"C{i}", technical_source=tc)
        FirstRoundAnswer.objects.create(barometer=b, items=[f"sujet{i}", "prix"])
    client = client_for("manager")
    with django_assert_max_num_queries(16):
        response = client.get(url("criteria", b.pk))
    assert response.content.decode().count("data-criterion=") == 12


# --- indicators ----------------------------------------------------------------------------
def test_indicator_entry_by_an_agent(client_for, bworld, criteria):
    b, gout = bworld.barometer, criteria[0]
    client = client_for("agent")
    data = {"form": "value", "criterion": gout.pk, "period": "2025-T2", "value": "97,5"}
    response = client.post(url("indicators", b.pk), data, follow=True)
    v = IndicatorValue.objects.get()
    assert (v.value, v.period, v.period_start) == (97.5, "2025-T2", dt.date(2025, 4, 1))
    client.post(url("indicators", b.pk), {**data, "value": "98"}, follow=True)
    assert IndicatorValue.objects.get().value == 98
    response = client.get(url("indicators", b.pk))
    assert 'data-values="gout"' in response.content.decode()


def test_indicator_entry_bad_input(client_for, bworld, criteria):
    client = client_for("agent")
    data = {"form": "value", "criterion": criteria[0].pk, "period": "2025-T7", "value": "abc"}
    html = client.post(url("indicators", bworld.barometer.pk), data).content.decode()
    assert "id_value_error" in html and "2025-T7" in html
    data["value"] = "12"
    html = client.post(url("indicators", bworld.barometer.pk), data).content.decode()
    assert "id_period_error" in html
    # a criterion without indicator is not offered
    data.update(criterion=criteria[1].pk, period="2025")
    html = client.post(url("indicators", bworld.barometer.pk), data).content.decode()
    assert "id_criterion_error" in html
    assert not IndicatorValue.objects.exists()


def test_indicator_import(client_for, bworld, criteria):
    client = client_for("manager")
    csv = b"criterion;period;value\ngout;2024;96,5\ngout;2025-06;97\n"
    upload = SimpleUploadedFile("valeurs.csv", csv, content_type="text/csv")
    response = client.post(
        url("indicators", bworld.barometer.pk), {"form": "import", "file": upload}
    )
    assert response.status_code == 302
    assert IndicatorValue.objects.count() == 2
    upload = SimpleUploadedFile("valeurs.csv", csv, content_type="text/csv")
    response = client.post(
        url("indicators", bworld.barometer.pk), {"form": "import", "file": upload}, follow=True
    )
    html = response.content.decode()
    assert "gout 2024" in html and "gout 2025-06" in html  # said which were replaced


def test_indicator_import_errors_with_line_numbers(client_for, bworld, criteria):
    csv = b"criterion;period;value\ngout;2024;96,5\nprix;2025;1\ngout;hier;2\n"
    upload = SimpleUploadedFile("valeurs.csv", csv, content_type="text/csv")
    response = client_for("agent").post(
        url("indicators", bworld.barometer.pk), {"form": "import", "file": upload}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "id_file_error" in html
    assert ("Line 3" in html or "Ligne 3" in html) and ("Line 4" in html or "Ligne 4" in html)
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize("role", ["elu"])
def test_indicator_entry_refused(client_for, bworld, criteria, role):
    data = {"form": "value", "criterion": criteria[0].pk, "period": "2025", "value": "1"}
    assert client_for(role).post(url("indicators", bworld.barometer.pk), data).status_code == 403
    assert (
        client_for("agent_b").post(url("indicators", bworld.barometer.pk), data).status_code == 404
    )
    assert not IndicatorValue.objects.exists()


def test_indicators_query_count(client_for, bworld, django_assert_max_num_queries):
    for i in range(10):
        c = Criterion.objects.create(
            barometer=bworld.barometer, code=f"c{i}", wording=f"C{i}", indicator_name="I"
        )
        for year in (2023, 2024, 2025):
            IndicatorValue.objects.create(
                criterion=c, period=str(year), period_start=dt.date(year, 1, 1), value=year
            )
    client = client_for("agent")
    with django_assert_max_num_queries(14):
        response = client.get(url("indicators", bworld.barometer.pk))
    assert response.content.decode().count("data-values=") == 10


# --- action plan ---------------------------------------------------------------------------
def action_data(criterion, **kw):
    data = {
        "criterion": criterion.pk,
        "title": "Purger le réseau",
        "description": "",
        "owner": "Régie des eaux",
        "due_on": "2020-01-31",
        "status": "planned",
        "from_wave": "",
        "is_public": "on",
    }
    data.update(kw)
    return data


def test_action_plan(client_for, world, bworld, criteria, django_assert_max_num_queries):
    b = bworld.barometer
    client = client_for("manager")
    assert client.post(url("actions", b.pk), action_data(criteria[0])).status_code == 302
    action = Action.objects.get()
    assert action.owner == "Régie des eaux" and action.is_public
    for i in range(10):
        Action.objects.create(
            barometer=b,
            criterion=criteria[i % 3],
            title=f"A{i}",
            owner="x",
            status="done",
            due_on=dt.date(2020, 1, 1),
        )
    with django_assert_max_num_queries(14):
        html = client.get(url("actions", b.pk)).content.decode()
    assert html.count("data-action=") == 11
    assert html.count("data-overdue") == 1  # done actions are never overdue
    edit = url("action_edit", b.pk, action.pk)
    response = client.post(edit, action_data(criteria[0], status="in_progress"))
    assert response.status_code == 302
    event = history_of(action).get(action="status")
    assert (event.from_status, event.to_status, event.actor) == (
        "planned",
        "in_progress",
        world["manager"],
    )
    page = client.get(edit).content.decode()
    assert "data-history" in page and event.actor.full_name in page


def test_action_bad_input(client_for, bworld, criteria):
    client = client_for("manager")
    other = Criterion.objects.create(barometer=bworld.other, code="o", wording="o")
    response = client.post(
        url("actions", bworld.barometer.pk),
        action_data(criteria[0], owner="", title="Titre gardé", due_on="31/02/2025"),
    )
    html = response.content.decode()
    assert "id_owner_error" in html and "id_due_on_error" in html and "Titre gardé" in html
    response = client.post(url("actions", bworld.barometer.pk), action_data(other))
    assert "id_criterion_error" in response.content.decode()
    assert not Action.objects.exists()


@pytest.mark.parametrize("role", VIEWING_ROLES)
def test_action_changes_refused_to_viewers(client_for, bworld, criteria, role):
    b = bworld.barometer
    action = Action.objects.create(barometer=b, criterion=criteria[0], title="A", owner="x")
    client = client_for(role)
    assert client.get(url("actions", b.pk)).status_code == 200
    assert client.post(url("actions", b.pk), action_data(criteria[0])).status_code == 403
    edit = url("action_edit", b.pk, action.pk)
    assert client.get(edit).status_code == 200
    assert client.post(edit, action_data(criteria[0], status="done")).status_code == 403
    assert Action.objects.get().status == "planned"


def test_action_other_organization(client_for, bworld, criteria):
    action = Action.objects.create(
        barometer=bworld.barometer, criterion=criteria[0], title="A", owner="x"
    )
    client = client_for("admin_b")
    assert client.get(url("action_edit", bworld.barometer.pk, action.pk)).status_code == 404
    assert client.get(url("action_edit", bworld.other.pk, action.pk)).status_code == 404
