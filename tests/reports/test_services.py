"""Signalements services: capture as a voice, routing by category and place, location
checks, public point, extra questions, supports, staff workflow and bulk changes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cocon.core.history import history_of
from cocon.core.models import Notification
from cocon.lib import geo
from cocon.reports import services
from cocon.reports.models import LocationPrecision, Report
from cocon.voices.models import Kind, Status, Voice
from tests.reports.conftest import SAINT_ESSAI, VILLEBOURG


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def test_a_report_is_a_voice_routed_by_category_and_place(world, rworld, submit):
    in_saint_essai = submit()
    in_villebourg = submit(latitude=VILLEBOURG[0], longitude=VILLEBOURG[1] + 0.002)
    assert in_saint_essai.voice.kind == Kind.REPORT
    assert in_saint_essai.voice.service == rworld.roads_a  # the agglomeration there
    assert in_villebourg.voice.service == rworld.roads_m  # the town hall handles its own
    assert in_villebourg.voice.commune == world.communes[0]  # nearest commune centre
    assert in_saint_essai.voice.commune == world.communes[1]
    assert history_of(in_saint_essai.voice).get().to_status == Status.RECEIVED
    # the service's staff are told, as for any voice
    assert Notification.objects.filter(
        kind="voices.new", object_id=in_saint_essai.voice.pk
    ).exists()
    assert len(in_saint_essai.tracking_code) == 8


def test_commune_only_location_shows_at_the_commune_centre(world, rworld, submit):
    done = submit(latitude=None, longitude=None, commune=world.communes[1], address="rue Haute")
    r = done.report
    assert r.precision == LocationPrecision.COMMUNE
    assert (r.latitude, r.longitude) == SAINT_ESSAI
    assert done.voice.latitude is None and done.voice.address == "rue Haute"


def test_sensitive_category_is_rounded_on_the_public_point(world, rworld, submit):
    lat, lon = SAINT_ESSAI[0] + 0.00123, SAINT_ESSAI[1] + 0.00234
    done = submit(category=rworld.rough_sleeper, latitude=lat, longitude=lon)
    r = done.report
    assert (r.latitude, r.longitude) != (lat, lon)
    assert geo.distance_m(lat, lon, r.latitude, r.longitude) <= 75  # half a 100 m cell's diagonal
    assert (done.voice.latitude, done.voice.longitude) == (lat, lon)  # staff keep the exact one


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"latitude": 48.85, "longitude": 2.35}, "latitude"),  # Paris: outside
        ({"latitude": 45.2, "longitude": None}, "latitude"),
        ({"latitude": None, "longitude": None}, "location"),
        ({"category": "inconnue"}, "category"),
        ({"description": "   "}, "description"),
        ({"contact_email": "pas-un-email"}, "contact_email"),
        ({"contact_email": "a@b.fr", "contact_consent": False}, "contact_consent"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(world, rworld, submit, fields, field):
    with pytest.raises(ValidationError) as excinfo:
        submit(**fields)
    assert field in errors_of(excinfo)
    assert not Voice.objects.exists() and not Report.objects.exists()


def test_inactive_or_uncovered_category_is_refused(world, rworld, submit):
    with pytest.raises(ValidationError) as excinfo:
        submit(category=rworld.retired)
    assert "category" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        submit(category=rworld.lighting)
    assert (
        "Aucune organisation" in errors_of(excinfo)["category"][0]
        or "No organization" in errors_of(excinfo)["category"][0]
    )


def test_extra_questions_are_checked(world, rworld, submit):
    with pytest.raises(ValidationError) as excinfo:
        submit(category=rworld.water)
    assert "attribute[where]" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        submit(category=rworld.water, attributes={"where": "sky", "depth": "x"})
    assert set(errors_of(excinfo)) == {"attribute[where]", "attribute[depth]"}
    done = submit(category=rworld.water, attributes={"where": "road", "depth": "12,5"})
    assert done.report.attributes == {"where": "road", "depth": 12.5}
    assert done.voice.service == world.water


def test_support_once_per_person(world, rworld, submit):
    r = submit().report
    assert services.report_support(r, user=world["usager"]) is True
    assert services.report_support(r, user=world["usager"]) is False
    assert services.report_support(r, session_key="abc") is True
    assert services.report_support(r, session_key="abc") is False
    r.refresh_from_db()
    assert r.support_count == 2


def test_state_changes_need_a_public_update_and_keep_the_copy_in_step(world, rworld, submit):
    r = submit(contact_email="riverain@exemple.fr", contact_consent=True).report
    services.report_support(r, user=world["usager"])
    with pytest.raises(ValidationError) as excinfo:
        services.report_set_state(r, actor=world["manager"], status=Status.SCHEDULED, text="")
    assert "text" in errors_of(excinfo)
    services.report_set_state(
        r, actor=world["manager"], status=Status.SCHEDULED, text="Intervention prévue mardi."
    )
    r.refresh_from_db()
    assert (r.status, r.is_open, r.status_notes) == (
        Status.SCHEDULED,
        True,
        "Intervention prévue mardi.",
    )
    services.report_set_state(r, actor=world["manager"], status=Status.FIXED, text="Rebouché.")
    r.refresh_from_db()
    assert (r.status, r.is_open) == (Status.FIXED, False)
    assert r.voice.answer == "Rebouché."
    # the supporter with an account is told of each update
    assert (
        Notification.objects.filter(recipient=world["usager"], kind="reports.update").count() == 2
    )
    with pytest.raises(ValidationError):
        services.report_set_state(r, actor=world["manager"], status=Status.SCHEDULED, text="x")


def test_bulk_change_moves_all_or_none(world, rworld, submit):
    a, b, c = (submit().report for _ in range(3))
    services.report_set_state(c, actor=None, status=Status.FIXED, text="Fait.")
    with pytest.raises(ValidationError) as excinfo:
        services.reports_bulk_set_state(
            [a, b, c], actor=None, status=Status.ACKNOWLEDGED, text="Vu."
        )
    assert c.voice.reference in errors_of(excinfo)["status"][0]
    assert set(Report.objects.values_list("status", flat=True)) == {Status.RECEIVED, Status.FIXED}
    services.reports_bulk_set_state([a, b], actor=None, status=Status.ACKNOWLEDGED, text="Vu.")
    assert Report.objects.filter(status=Status.ACKNOWLEDGED, status_notes="Vu.").count() == 2


def test_duplicate_closes_and_follows_the_original(world, rworld, submit):
    first, second = submit().report, submit().report
    services.report_mark_duplicate(second, actor=None, of=first)
    second.refresh_from_db()
    assert (second.status, second.is_open) == (Status.MERGED, False)
    assert second.voice.merged_into_id == first.voice.pk


def test_assign_to_a_team_of_the_service_only(world, rworld, submit):
    r = submit(category=rworld.water, attributes={"where": "road"}).report
    services.report_assign(r, actor=world["manager"], team=rworld.team)
    assert Notification.objects.filter(
        recipient=world["team_member"], kind="reports.assigned"
    ).exists()
    other = submit().report  # roads, another service
    with pytest.raises(ValidationError):
        services.report_assign(other, actor=world["manager"], team=rworld.team)
