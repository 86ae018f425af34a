"""Staff pages of Signalements: the list (filters, counts, bulk change), one report and
its actions (state, team, duplicate, note), the organization settings. One test per
role for each page and action: who sees what (404 otherwise), who may act (403
otherwise), isolation between organizations; bad input shows its message next to the
field and changes nothing; the list's query count does not grow with its rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from cocon.accounts.models import AgentProfile
from cocon.core.history import history_of, notes_of
from cocon.core.models import StatusEvent
from cocon.reports import services
from cocon.reports.models import Category, Coverage, Report, Team
from cocon.voices.models import Status
from tests.conftest import make_user
from tests.reports.conftest import SAINT_ESSAI, VILLEBOURG

LIST = reverse("reports:staff_list")


def msg(msgid: str, **params) -> str:
    """A message as the (French) page shows it: translated once the catalogue has it,
    the English msgid until then — escaped as in the HTML."""
    with translation.override("fr"):
        text = translation.gettext(msgid)
    return escape(text % params if params else text)


@pytest.fixture
def people(world, rworld):
    """The shared roles plus an agent of another service of the same organization."""
    other = make_user("dechets@test.fr", "Dora Déchets")
    AgentProfile.objects.create(
        user=other, organization=world.org_a, service=world.waste, job_title="Agent"
    )
    world.users["agent_other"] = other
    return world


@pytest.fixture
def water(world, rworld, submit):
    """A water leak in Saint-Essai: handled by the water service of organization A, with
    a contact and an answer to the category's extra question."""
    return submit(
        category=rworld.water,
        description="Fuite d'eau sur la chaussée, rue des Lilas.",
        attributes={"where": "road", "depth": "12"},
        address="12 rue des Lilas",
        contact_email="lea@example.org",
        contact_consent=True,
    ).report


def detail_url(report: Report) -> str:
    return reverse("reports:staff_detail", args=[report.voice.reference])


def action_url(report: Report) -> str:
    return reverse("reports:staff_action", args=[report.voice.reference])


def reload(report: Report) -> Report:
    return Report.objects.select_related("voice").get(pk=report.pk)


def as_role(client, world, role):
    client.force_login(world[role])
    return client


# who sees the water report, who acts on it (a team member only once it is assigned)
SEES = {"agent", "manager", "direction", "elu", "animateur", "admin", "platform"}
ACTS = {"agent", "manager", "direction", "platform"}
ROLES = [
    "usager",
    "agent",
    "agent_other",
    "manager",
    "direction",
    "elu",
    "animateur",
    "admin",
    "platform",
    "agent_b",
    "admin_b",
    "team_member",
]


# --- list ------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_list_per_role(client, people, rworld, water, submit, role):
    in_b = submit(category=rworld.rough_sleeper, description="Personne allongée sous le pont.")
    response = as_role(client, people, role).get(LIST)
    if role == "usager":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert (water.voice.reference in html) == (role in SEES)
    # organization B's report: its own people (and the platform) only
    assert (in_b.voice.reference in html) == (role in {"agent_b", "admin_b", "platform"})
    if role in ACTS:
        assert f'value="{water.voice.reference}"' in html  # a checkbox to select it
    elif role in SEES:
        assert f'value="{water.voice.reference}"' not in html  # seen, not selectable


def test_team_members_see_and_act_on_their_teams_reports(client, people, rworld, water):
    member = as_role(client, people, "team_member")
    assert water.voice.reference not in member.get(LIST).content.decode()
    assert member.get(detail_url(water)).status_code == 404
    services.report_assign(water, actor=people["manager"], team=rworld.team)
    html = member.get(LIST).content.decode()
    assert water.voice.reference in html and f'value="{water.voice.reference}"' in html
    assert member.get(LIST + "?my_team=on").content.decode().count('data-reference="') == 1
    page = member.get(detail_url(water))
    assert page.status_code == 200
    assert b"lea@example.org" in page.content  # acts on it: the contact is shown
    response = member.post(
        action_url(water),
        {"action": "state", "state-status": "in_progress", "state-text": "L'équipe est partie."},
    )
    assert response.status_code == 302
    assert reload(water).status == Status.IN_PROGRESS


def test_list_filters_and_counts(client, people, rworld, water, submit):
    roads = submit().report  # Saint-Essai roads: the agglomeration's Voirie (same direction)
    services.report_set_state(roads, actor=people["platform"], status="fixed", text="Réparé.")
    direction = as_role(client, people, "direction")
    html = direction.get(LIST).content.decode()
    assert 'data-count="total">2<' in html
    assert 'data-count="fixed">1<' in html and 'data-count="received">1<' in html
    only_water = direction.get(f"{LIST}?category={rworld.water.pk}").content.decode()
    assert water.voice.reference in only_water and roads.voice.reference not in only_water
    open_only = direction.get(LIST + "?status=open").content.decode()
    assert water.voice.reference in open_only and roads.voice.reference not in open_only
    closed = direction.get(LIST + "?status=closed").content.decode()
    assert roads.voice.reference in closed and water.voice.reference not in closed
    by_service = direction.get(f"{LIST}?service={rworld.roads_a.pk}").content.decode()
    assert roads.voice.reference in by_service and water.voice.reference not in by_service
    by_commune = direction.get(f"{LIST}?commune={people.communes[0].pk}").content.decode()
    assert water.voice.reference not in by_commune  # both are in Saint-Essai
    services.report_assign(water, actor=people["manager"], team=rworld.team)
    by_team = direction.get(f"{LIST}?team={rworld.team.pk}").content.decode()
    assert water.voice.reference in by_team and roads.voice.reference not in by_team
    # nothing is overdue yet; everything open is once the commitments have passed
    assert water.voice.reference not in direction.get(LIST + "?overdue=on").content.decode()
    from django.utils import timezone

    water.voice.__class__.objects.filter(pk=water.pk).update(
        acknowledge_due=timezone.now() - timezone.timedelta(days=3),
        answer_due=timezone.now() - timezone.timedelta(days=1),
    )
    late = direction.get(LIST + "?overdue=on").content.decode()
    assert water.voice.reference in late and 'data-count="overdue" class="is-overdue">1<' in late
    # unknown filter values are ignored, never a 500
    assert direction.get(LIST + "?category=abc&status=nope&team=x").status_code == 200


def test_list_query_count_does_not_grow_with_rows(client, people, rworld, submit):
    def count() -> int:
        as_role(client, people, "manager")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    for _i in range(5):
        submit(category=rworld.water, attributes={"where": "road"})
    few = count()
    for _i in range(35):
        submit(category=rworld.water, attributes={"where": "meter"})
    many = count()
    assert many == few, f"{few} queries with 5 reports, {many} with 40"


def test_list_pages_by_fifty(client, people, rworld, submit):
    for _i in range(51):
        submit(category=rworld.water, attributes={"where": "road"})
    manager = as_role(client, people, "manager")
    first = manager.get(LIST).content.decode()
    assert first.count('data-reference="') == 50 and 'rel="next"' in first
    second = manager.get(LIST + "?page=2").content.decode()
    assert second.count('data-reference="') == 1


# --- detail ----------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_detail_per_role(client, people, water, role):
    response = as_role(client, people, role).get(detail_url(water))
    if role not in SEES:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fuite d&#x27;eau sur la chaussée" in html
    assert "12 rue des Lilas" in html
    assert f"{SAINT_ESSAI[0] + 0.001:.6f}".rstrip("0") in html  # the exact point
    assert "Où est la fuite ?" in html and "Sur la chaussée" in html  # answer with its label
    assert ("lea@example.org" in html) == (role in ACTS)  # the contact: those who act
    assert ('name="action" value="state"' in html) == (role in ACTS)
    assert 'name="action" value="note"' in html  # every staff member who sees it
    assert people[role].full_name in html  # read receipt of this visit


def test_detail_shows_history_notes_readers_and_photos(client, people, rworld, submit):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "PNG")
    photo = SimpleUploadedFile("trou.png", buffer.getvalue(), content_type="image/png")
    report = submit(photos=[photo]).report
    services.report_set_state(
        report, actor=people["platform"], status="acknowledged", text="Bien reçu."
    )
    admin = as_role(client, people, "platform")
    response = admin.post(action_url(report), {"action": "note", "note-text": "Voir avec ERDF."})
    assert response.status_code == 302
    assert notes_of(report.voice).get().text == "Voir avec ERDF."
    html = admin.get(detail_url(report)).content.decode()
    assert "Bien reçu." in html and "Voir avec ERDF." in html
    photo_url = reverse("voices:photo", args=[report.voice.reference, 1]).rsplit("/", 2)[0]
    assert photo_url in html
    # a team member who does not see the voice gets the photo through the report's page
    services.report_assign(
        report, actor=people["platform"], team=Team.objects.create(service=rworld.roads_a, name="V")
    )
    team = Team.objects.get(name="V")
    team.members.add(people["team_member"])
    member = as_role(client, people, "team_member")
    html = member.get(detail_url(report)).content.decode()
    staff_photo = reverse("reports:staff_photo", args=[report.voice.reference, 1]).rsplit("/", 2)[0]
    assert staff_photo in html
    pk = (
        report.voice
        and __import__("cocon.core.attachments", fromlist=["x"])
        .attachments_of(report.voice)
        .get()
        .pk
    )
    assert (
        member.get(reverse("reports:staff_photo", args=[report.voice.reference, pk])).status_code
        == 200
    )
    assert (
        as_role(client, people, "agent_b")
        .get(reverse("reports:staff_photo", args=[report.voice.reference, pk]))
        .status_code
        == 404
    )


def test_duplicate_suggestions_are_nearby_open_reports(client, people, rworld, water, submit):
    near = submit(
        category=rworld.water, attributes={"where": "meter"}, description="Encore la fuite."
    ).report
    html = as_role(client, people, "manager").get(detail_url(water)).content.decode()
    assert "data-nearby" in html and f'value="{near.voice.reference}"' in html


# --- state change ----------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_state_change_per_role(client, people, water, role):
    response = as_role(client, people, role).post(
        action_url(water),
        {"action": "state", "state-status": "acknowledged", "state-text": "Nous arrivons."},
    )
    after = reload(water)
    if role in ACTS:
        assert response.status_code == 302
        assert after.status == Status.ACKNOWLEDGED and after.status_notes == "Nous arrivons."
        event = history_of(water.voice).filter(action="status").get()
        assert event.public_text == "Nous arrivons." and event.actor == people[role]
    else:
        assert response.status_code == (403 if role in SEES else 404)
        assert after.status == Status.RECEIVED


def test_state_change_needs_a_text(client, people, water):
    events = StatusEvent.objects.count()
    response = as_role(client, people, "manager").post(
        action_url(water), {"action": "state", "state-status": "acknowledged", "state-text": " "}
    )
    assert response.status_code == 400
    assert msg("Write the public update shown with the report.") in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert reload(water).status == Status.RECEIVED and StatusEvent.objects.count() == events


def test_state_change_refuses_a_forbidden_move(client, people, water):
    manager = as_role(client, people, "manager")
    manager.post(
        action_url(water), {"action": "state", "state-status": "fixed", "state-text": "Ok"}
    )
    assert reload(water).status == Status.FIXED
    response = manager.post(  # fixed → scheduled is not a move
        action_url(water), {"action": "state", "state-status": "scheduled", "state-text": "Hop"}
    )
    assert response.status_code == 400
    assert reload(water).status == Status.FIXED
    assert 'id="id_state-status_error"' in response.content.decode()


def test_state_form_is_prefilled_with_a_suggestion(client, people, water):
    html = as_role(client, people, "manager").get(detail_url(water)).content.decode()
    assert 'id="state-suggestions"' in html
    suggestion = msg(
        "Thank you for your report. The service in charge has received it and will look into it."
    )
    assert suggestion in html


# --- bulk ------------------------------------------------------------------------------------
def three(submit, rworld):
    return [
        submit(category=rworld.water, attributes={"where": "road"}, description=f"Fuite {i}").report
        for i in range(3)
    ]


@pytest.mark.parametrize("role", ROLES)
def test_bulk_per_role(client, people, rworld, submit, role):
    reports = three(submit, rworld)
    response = as_role(client, people, role).post(
        LIST,
        {
            "bulk-reports": [r.voice.reference for r in reports],
            "bulk-status": "scheduled",
            "bulk-text": "Intervention prévue lundi.",
        },
    )
    statuses = {reload(r).status for r in reports}
    if role == "usager":
        assert response.status_code == 403
    elif role in ACTS:
        assert response.status_code == 302
        assert statuses == {Status.SCHEDULED}
        assert {reload(r).status_notes for r in reports} == {"Intervention prévue lundi."}
        return
    else:
        assert response.status_code == 400
        refs = ", ".join(sorted(r.voice.reference for r in reports))
        assert msg(
            "You may not change these reports: %(refs)s. Nothing was changed.", refs=refs
        ) in (response.content.decode())
    assert statuses == {Status.RECEIVED}


def test_bulk_is_all_or_none_and_keeps_the_selection(client, people, rworld, submit):
    reports = three(submit, rworld)
    services.report_set_state(reports[2], actor=people["manager"], status="closed", text="Fin.")
    manager = as_role(client, people, "manager")
    data = {
        "bulk-reports": [r.voice.reference for r in reports],
        "bulk-status": "scheduled",
        "bulk-text": "Intervention prévue lundi.",
    }
    response = manager.post(LIST, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert reports[2].voice.reference in html.split("error-summary", 1)[1].split("</div>", 1)[0]
    assert [reload(r).status for r in reports] == [Status.RECEIVED, Status.RECEIVED, Status.CLOSED]
    for r in reports[:2]:  # the selection and the text are kept
        assert f'value="{r.voice.reference}" id="select-{r.voice.reference}" checked' in html
    assert "Intervention prévue lundi." in html
    # a report of another organization in the selection: refused by name, nothing moves
    other = submit(category=rworld.rough_sleeper, description="Sous le pont.").report
    data["bulk-reports"] = [reports[0].voice.reference, other.voice.reference]
    response = manager.post(LIST, data)
    assert response.status_code == 400
    assert other.voice.reference in response.content.decode()
    assert reload(reports[0]).status == Status.RECEIVED and reload(other).status == Status.RECEIVED
    # unknown reference, no text, nothing selected
    data["bulk-reports"] = ["ZZZZ-9999"]
    assert "ZZZZ-9999" in manager.post(LIST, data).content.decode()
    response = manager.post(
        LIST, {"bulk-reports": [reports[0].voice.reference], "bulk-status": "fixed"}
    )
    assert response.status_code == 400
    assert msg("Write the public update shown with the reports.") in response.content.decode()
    response = manager.post(LIST, {"bulk-status": "fixed", "bulk-text": "Fait."})
    assert msg("Select at least one report.") in response.content.decode()
    assert reload(reports[0]).status == Status.RECEIVED


def test_bulk_assigns_a_team_or_nothing(client, people, rworld, submit):
    reports = three(submit, rworld)
    roads = submit().report  # another service: the water team cannot take it
    manager = as_role(client, people, "platform")
    data = {
        "bulk-reports": [r.voice.reference for r in [*reports, roads]],
        "bulk-status": "acknowledged",
        "bulk-text": "Bien reçu.",
        "bulk-team": str(rworld.team.pk),
    }
    response = manager.post(LIST, data)
    assert response.status_code == 400
    assert msg("This team does not belong to the report's service.") in response.content.decode()
    assert {reload(r).status for r in [*reports, roads]} == {Status.RECEIVED}
    assert {reload(r).team_id for r in reports} == {None}
    data["bulk-reports"] = [r.voice.reference for r in reports]
    assert manager.post(LIST, data).status_code == 302
    assert {(reload(r).status, reload(r).team_id) for r in reports} == {
        (Status.ACKNOWLEDGED, rworld.team.pk)
    }


# --- assign ----------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_assign_per_role(client, people, rworld, water, role):
    response = as_role(client, people, role).post(
        action_url(water), {"action": "assign", "assign-team": str(rworld.team.pk)}
    )
    if role in ACTS:
        assert response.status_code == 302
        assert reload(water).team == rworld.team
        assert history_of(water.voice).filter(action="assigned").exists()
    else:
        assert response.status_code == (403 if role in SEES else 404)
        assert reload(water).team is None


def test_assign_refuses_a_team_of_another_service(client, people, rworld, water):
    roads_team = Team.objects.create(service=rworld.roads_a, name="Voirie nord")
    manager = as_role(client, people, "manager")
    response = manager.post(
        action_url(water), {"action": "assign", "assign-team": str(roads_team.pk)}
    )
    assert response.status_code == 400
    assert msg("This team does not belong to the report's service.") in response.content.decode()
    response = manager.post(action_url(water), {"action": "assign", "assign-team": "999999"})
    assert response.status_code == 400
    assert msg("Choose a team in the list.") in response.content.decode()
    assert reload(water).team is None
    assert not history_of(water.voice).filter(action="assigned").exists()


# --- duplicate -------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_duplicate_per_role(client, people, rworld, water, submit, role):
    original = submit(category=rworld.water, attributes={"where": "road"}).report
    response = as_role(client, people, role).post(
        action_url(water),
        {"action": "duplicate", "duplicate-duplicate_of": original.voice.reference},
    )
    after = reload(water)
    if role in ACTS:
        assert response.status_code == 302
        assert after.status == Status.MERGED and after.voice.merged_into_id == original.pk
    else:
        assert response.status_code == (403 if role in SEES else 404)
        assert after.status == Status.RECEIVED


def test_duplicate_bad_input(client, people, rworld, water, submit):
    manager = as_role(client, people, "manager")

    def post(reference):
        return manager.post(
            action_url(water), {"action": "duplicate", "duplicate-duplicate_of": reference}
        )

    response = post(water.voice.reference.lower())
    assert response.status_code == 400
    assert msg("A report cannot duplicate itself.") in response.content.decode()
    closed = submit(category=rworld.water, attributes={"where": "road"}).report
    services.report_set_state(closed, actor=people["manager"], status="closed", text="Fini.")
    response = post(closed.voice.reference)
    assert msg("The original report is already closed.") in response.content.decode()
    response = post("ZZZZ-9999")
    assert msg("No report %(ref)s among those you can see.", ref="ZZZZ-9999") in (
        response.content.decode()
    )
    hidden = submit(category=rworld.rough_sleeper, description="Sous le pont.").report
    assert post(hidden.voice.reference).status_code == 400  # organization B's: unknown here
    response = post("")
    assert msg("Give the reference of the original report.") in response.content.decode()
    assert reload(water).status == Status.RECEIVED
    assert not history_of(water.voice).filter(action="merged").exists()


def test_duplicate_through_a_suggestion_button(client, people, rworld, water, submit):
    near = submit(category=rworld.water, attributes={"where": "road"}).report
    response = as_role(client, people, "manager").post(
        action_url(water),
        {
            "action": "duplicate",
            "duplicate-duplicate_of": "",
            "duplicate-pick": near.voice.reference,
        },
    )
    assert response.status_code == 302
    assert reload(water).voice.merged_into_id == near.pk


def test_unknown_action_is_404_and_elu_note_is_allowed(client, people, water):
    elu = as_role(client, people, "elu")
    assert elu.post(action_url(water), {"action": "explode"}).status_code == 404
    assert elu.post(action_url(water), {"action": "note", "note-text": ""}).status_code == 400
    assert (
        elu.post(action_url(water), {"action": "note", "note-text": "À suivre."}).status_code == 302
    )
    assert notes_of(water.voice).get().author == people["elu"]


# --- settings --------------------------------------------------------------------------------
SETTINGS_OK = {"admin", "platform"}  # of organization A


@pytest.mark.parametrize("role", ROLES)
def test_settings_per_role(client, people, rworld, role):
    url = reverse("reports:settings", args=[people.org_a.slug])
    client_ = as_role(client, people, role)
    response = client_.get(url)
    if role not in SETTINGS_OK:
        assert response.status_code == 404
        posted = client_.post(
            url,
            {
                "action": "coverage",
                "coverage-category": str(rworld.lighting.pk),
                "coverage-service": str(people.water.pk),
            },
        )
        assert posted.status_code == 404
        assert not Coverage.objects.filter(category=rworld.lighting).exists()
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-coverage="eau"' in html and 'data-team="Équipe réseau nord"' in html
    assert 'name="action" value="category"' in html  # org A hosts the territory
    response = client_.post(
        url,
        {
            "action": "coverage",
            "coverage-category": str(rworld.lighting.pk),
            "coverage-service": str(people.water.pk),
            "coverage-communes": [str(people.communes[1].pk)],
        },
    )
    assert response.status_code == 302
    coverage = Coverage.objects.get(category=rworld.lighting)
    assert coverage.service == people.water
    assert list(coverage.communes.all()) == [people.communes[1]]


def test_settings_of_another_organization_without_territory_categories(client, people, rworld):
    admin_b = as_role(client, people, "admin_b")
    url = reverse("reports:settings", args=[people.org_b.slug])
    html = admin_b.get(url).content.decode()
    assert 'data-coverage="personne-a-la-rue"' in html
    assert 'data-coverage="eau"' not in html  # organization A's declarations are not here
    assert 'name="action" value="category"' not in html  # not the host organization
    response = admin_b.post(url, {"action": "category", "category-name": "X", "category-code": "x"})
    assert response.status_code == 404
    assert not Category.objects.filter(code="x").exists()
    # a service of organization A is not one of B's
    response = admin_b.post(
        url,
        {
            "action": "coverage",
            "coverage-category": str(rworld.lighting.pk),
            "coverage-service": str(people.water.pk),
        },
    )
    assert response.status_code == 400
    assert not Coverage.objects.filter(category=rworld.lighting).exists()


def test_settings_creates_a_category_with_extra_questions(client, people, rworld):
    admin = as_role(client, people, "admin")
    url = reverse("reports:settings", args=[people.org_a.slug])
    data = {
        "action": "category",
        "category-name": "Dépôt sauvage",
        "category-code": "depot-sauvage",
        "category-group": "Propreté",
        "category-is_active": "on",
        "attr-TOTAL_FORMS": "3",
        "attr-INITIAL_FORMS": "0",
        "attr-0-code": "volume",
        "attr-0-question": "Quel volume ?",
        "attr-0-datatype": "singlevaluelist",
        "attr-0-required": "on",
        "attr-0-choices": "small|Un sac\nbig|Une camionnette",
        "attr-1-code": "",
        "attr-1-question": "",
        "attr-1-datatype": "string",
    }
    bad = {**data, "attr-0-choices": "sans séparateur"}
    response = admin.post(url, bad)
    assert response.status_code == 400
    assert (
        msg("Write each choice as key|label, e.g. road|On the road.") in response.content.decode()
    )
    assert not Category.objects.filter(code="depot-sauvage").exists()
    taken = {**data, "category-code": "eau"}
    response = admin.post(url, taken)
    assert response.status_code == 400
    assert msg("Another category already uses this code.") in response.content.decode()
    assert admin.post(url, data).status_code == 302
    category = Category.objects.get(code="depot-sauvage")
    assert category.group == "Propreté" and category.is_active and not category.sensitive
    assert category.attributes == [
        {
            "code": "volume",
            "description": "Quel volume ?",
            "datatype": "singlevaluelist",
            "required": True,
            "order": 1,
            "values": [
                {"key": "small", "name": "Un sac"},
                {"key": "big", "name": "Une camionnette"},
            ],
        }
    ]
    # the editor shows it again for editing
    html = admin.get(f"{url}?categorie={category.pk}").content.decode()
    assert "small|Un sac" in html


def test_settings_teams_and_members(client, people, rworld):
    admin = as_role(client, people, "admin")
    url = reverse("reports:settings", args=[people.org_a.slug])
    response = admin.post(
        url,
        {
            "action": "team",
            "team-service": str(rworld.roads_a.pk),
            "team-name": "Voirie sud",
            "team-members": [str(people["agent"].pk)],
        },
    )
    assert response.status_code == 302
    team = Team.objects.get(name="Voirie sud")
    assert list(team.members.all()) == [people["agent"]]
    # an agent of organization B cannot be a member (not in the choices)
    response = admin.post(
        url,
        {
            "action": "members",
            "team": str(team.pk),
            f"members-{team.pk}-members": [str(people["agent_b"].pk)],
        },
    )
    assert response.status_code == 400
    assert list(team.members.all()) == [people["agent"]]
    response = admin.post(
        url,
        {
            "action": "members",
            "team": str(team.pk),
            f"members-{team.pk}-members": [str(people["manager"].pk)],
        },
    )
    assert response.status_code == 302
    assert list(team.members.all()) == [people["manager"]]
    # no name: error next to the field, nothing created
    response = admin.post(
        url, {"action": "team", "team-service": str(rworld.roads_a.pk), "team-name": ""}
    )
    assert response.status_code == 400 and Team.objects.count() == 2
    assert admin.post(url, {"action": "team_delete", "team": str(team.pk)}).status_code == 302
    assert not Team.objects.filter(pk=team.pk).exists()


def test_villebourg_reports_go_to_the_town_hall_not_to_org_a_staff(client, people, submit):
    mine = submit(latitude=VILLEBOURG[0], longitude=VILLEBOURG[1] + 0.002).report
    assert mine.voice.service.organization.slug == "mairie-villebourg"
    html = as_role(client, people, "direction").get(LIST).content.decode()
    assert mine.voice.reference not in html
    assert as_role(client, people, "direction").get(detail_url(mine)).status_code == 404
