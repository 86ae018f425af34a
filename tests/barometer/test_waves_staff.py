"""Staff pages of the waves: list with counts, create/edit, status, invitation codes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cocon.barometer import services_waves
from cocon.barometer.models import (
    Criterion,
    Invitation,
    Response,
    ResponseSource,
    Wave,
    WaveStatus,
    hash_code,
)
from cocon.core.models import StatusEvent
from tests.barometer.conftest import MANAGING_ROLES, OUTSIDE_ROLES, VIEWING_ROLES
from tests.barometer.conftest_waves import *  # noqa: F403
from tests.barometer.conftest_waves import tr

CODE_RE = re.compile(
    r"^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{5}-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{5}$"
)


def _response(wave, world, source, **fields):
    return Response.objects.create(
        wave=wave, source=source, age_band="30-44", sex="F", commune=world.communes[0], **fields
    )


def wave_data(**overrides):
    today = timezone.localdate()
    data = {
        "label": "Vague 2027",
        "code": "2027",
        "opens_on": today.isoformat(),
        "closes_on": (today + dt.timedelta(days=20)).isoformat(),
    }
    data.update(overrides)
    return data


# --- list ----------------------------------------------------------------------------------
def test_list_counts_responses_by_source(world, bworld, open_wave, client_for):
    for source, n in ((ResponseSource.INVITATION, 3), (ResponseSource.OPEN_LINK, 2)):
        for _ in range(n):
            _response(open_wave, world, source)
    _response(open_wave, world, ResponseSource.IMPORT)
    response = client_for("manager").get(f"/espace/barometres/{bworld.barometer.pk}/vagues/")
    assert response.status_code == 200
    wave = response.context["waves"][0]
    assert (wave.n_invitation, wave.n_open_link, wave.n_import, wave.n_total) == (3, 2, 1, 6)
    html = response.content.decode()
    assert 'data-count="invitation">3<' in html and 'data-count="total">6<' in html
    assert f"/espace/barometres/{bworld.barometer.pk}/vagues/nouvelle/" in html


def test_list_query_count_does_not_grow_with_waves(
    world, bworld, criteria, client_for, django_assert_max_num_queries
):
    today = timezone.localdate()
    for i in range(8):
        wave = Wave.objects.create(
            barometer=bworld.barometer, label=f"V{i}", code=f"v{i}", opens_on=today, closes_on=today
        )
        _response(wave, world, ResponseSource.IMPORT)
    client = client_for("manager")
    with django_assert_max_num_queries(12):
        response = client.get(f"/espace/barometres/{bworld.barometer.pk}/vagues/")
    assert len(response.context["waves"]) == 8


@pytest.mark.parametrize("role", VIEWING_ROLES)
def test_viewers_see_the_list_but_cannot_create(role, bworld, open_wave, client_for):
    client = client_for(role)
    response = client.get(f"/espace/barometres/{bworld.barometer.pk}/vagues/")
    assert response.status_code == 200
    assert "/vagues/nouvelle/" not in response.content.decode()
    assert (
        client.get(f"/espace/barometres/{bworld.barometer.pk}/vagues/nouvelle/").status_code == 403
    )
    assert (
        client.post(
            f"/espace/barometres/{bworld.barometer.pk}/vagues/nouvelle/", wave_data()
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/espace/barometres/vagues/{open_wave.pk}/statut/", {"status": "closed"}
        ).status_code
        == 403
    )
    assert (
        client.post(f"/espace/barometres/vagues/{open_wave.pk}/codes/", {"count": 5}).status_code
        == 403
    )
    assert client.get(f"/espace/barometres/vagues/{open_wave.pk}/modifier/").status_code == 403
    assert client.get(f"/espace/barometres/vagues/{open_wave.pk}/import/").status_code == 403
    assert Invitation.objects.count() == 0
    assert Wave.objects.count() == 1


@pytest.mark.parametrize("role", OUTSIDE_ROLES)
def test_outsiders_get_404(role, bworld, open_wave, client_for):
    client = client_for(role)
    assert client.get(f"/espace/barometres/{bworld.barometer.pk}/vagues/").status_code == 404
    assert client.get(f"/espace/barometres/vagues/{open_wave.pk}/").status_code == 404
    assert (
        client.post(f"/espace/barometres/vagues/{open_wave.pk}/codes/", {"count": 5}).status_code
        == 404
    )
    assert (
        client.post(
            f"/espace/barometres/vagues/{open_wave.pk}/statut/", {"status": "closed"}
        ).status_code
        == 404
    )
    assert Invitation.objects.count() == 0
    open_wave.refresh_from_db()
    assert open_wave.status == WaveStatus.OPEN


def test_admin_of_b_manages_only_its_own_barometer(world, bworld, client_for):
    client = client_for("admin_b")
    assert client.get(f"/espace/barometres/{bworld.other.pk}/vagues/nouvelle/").status_code == 200
    assert (
        client.get(f"/espace/barometres/{bworld.barometer.pk}/vagues/nouvelle/").status_code == 404
    )


def test_anonymous_is_sent_to_login(bworld, open_wave, client):
    response = client.get(f"/espace/barometres/{bworld.barometer.pk}/vagues/")
    assert response.status_code == 302
    assert response.url.startswith(reverse(settings.LOGIN_URL))


# --- create and edit ----------------------------------------------------------------------------
@pytest.mark.parametrize("role", MANAGING_ROLES)
def test_managers_create_a_wave_with_the_active_criteria(role, world, bworld, criteria, client_for):
    criteria[2].is_active = False
    criteria[2].save()
    client = client_for(role)
    form = client.get(f"/espace/barometres/{bworld.barometer.pk}/vagues/nouvelle/").context["form"]
    assert set(form.initial["criteria"]) == {criteria[0].pk, criteria[1].pk}
    data = wave_data(criteria=[str(criteria[0].pk), str(criteria[1].pk)], open_link="on")
    response = client.post(f"/espace/barometres/{bworld.barometer.pk}/vagues/nouvelle/", data)
    wave = Wave.objects.get(code="2027")
    assert response.status_code == 302 and response.url == f"/espace/barometres/vagues/{wave.pk}/"
    assert wave.status == WaveStatus.DRAFT and wave.open_link
    assert set(wave.criteria.values_list("code", flat=True)) == {"gout", "prix"}
    assert StatusEvent.objects.filter(action="barometer.wave_created", object_id=wave.pk).exists()


def test_service_defaults_to_active_criteria(world, bworld, criteria):
    criteria[1].is_active = False
    criteria[1].save()
    today = timezone.localdate()
    wave = services_waves.wave_create(
        bworld.barometer,
        actor=world["manager"],
        label="V",
        code="v",
        opens_on=today,
        closes_on=today,
    )
    assert set(wave.criteria.values_list("code", flat=True)) == {"gout", "accueil"}


def test_create_errors_are_next_to_the_field_and_input_kept(bworld, open_wave, client_for):
    today = timezone.localdate()
    data = wave_data(
        label="Ma vague", code="2026", closes_on=(today - dt.timedelta(days=5)).isoformat()
    )
    response = client_for("manager").post(
        f"/espace/barometres/{bworld.barometer.pk}/vagues/nouvelle/", data
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "code" in form.errors and "closes_on" in form.errors
    assert 'value="Ma vague"' in response.content.decode()
    assert Wave.objects.count() == 1


def test_bad_code_and_missing_fields(bworld, criteria, client_for):
    response = client_for("manager").post(
        f"/espace/barometres/{bworld.barometer.pk}/vagues/nouvelle/",
        wave_data(code="pas bon!", opens_on=""),
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"code", "opens_on"}


def test_edit_keeps_criteria_once_answered(world, bworld, open_wave, criteria, client_for):
    client = client_for("manager")
    data = wave_data(label="Renommée", code="2026", criteria=[str(criteria[0].pk)])
    response = client.post(f"/espace/barometres/vagues/{open_wave.pk}/modifier/", data)
    assert response.status_code == 302
    open_wave.refresh_from_db()
    assert open_wave.label == "Renommée"
    assert list(open_wave.criteria.values_list("code", flat=True)) == ["gout"]
    _response(open_wave, world, ResponseSource.OPEN_LINK)
    data = wave_data(label="Encore", code="2026", criteria=[str(c.pk) for c in criteria])
    response = client.post(f"/espace/barometres/vagues/{open_wave.pk}/modifier/", data)
    assert response.status_code == 400
    assert "criteria" in response.context["form"].errors
    open_wave.refresh_from_db()
    assert open_wave.label == "Renommée"  # nothing half-written
    assert open_wave.criteria.count() == 1


def test_criteria_of_another_barometer_are_refused(world, bworld, open_wave, client_for):
    foreign = Criterion.objects.create(barometer=bworld.other, code="x", wording="X")
    data = wave_data(code="2026", criteria=[str(foreign.pk)])
    response = client_for("manager").post(
        f"/espace/barometres/vagues/{open_wave.pk}/modifier/", data
    )
    assert response.status_code == 400 and "criteria" in response.context["form"].errors


# --- status -------------------------------------------------------------------------------------
def test_status_goes_draft_open_closed_published(bworld, criteria, client_for, world):
    today = timezone.localdate()
    wave = services_waves.wave_create(
        bworld.barometer,
        actor=world["manager"],
        label="V",
        code="v",
        opens_on=today,
        closes_on=today,
    )
    client = client_for("manager")
    url = f"/espace/barometres/vagues/{wave.pk}/statut/"
    for status in ("open", "closed", "published"):
        assert client.post(url, {"status": status}).status_code == 302
        wave.refresh_from_db()
        assert wave.status == status
    assert wave.published_at is not None
    client.post(url, {"status": "closed"})
    wave.refresh_from_db()
    assert wave.status == "closed" and wave.published_at is None
    events = StatusEvent.objects.filter(action="barometer.wave_status", object_id=wave.pk)
    assert [e.to_status for e in events.order_by("pk")] == ["open", "closed", "published", "closed"]


@pytest.mark.parametrize("status", ["published", "draft", "nonsense", ""])
def test_forbidden_transitions_change_nothing(status, open_wave, client_for):
    client = client_for("manager")
    response = client.post(
        f"/espace/barometres/vagues/{open_wave.pk}/statut/", {"status": status}, follow=True
    )
    assert response.status_code == 200
    open_wave.refresh_from_db()
    assert open_wave.status == WaveStatus.OPEN and open_wave.published_at is None
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_detail_shows_counts_and_actions(world, open_wave, client_for):
    _response(open_wave, world, ResponseSource.INVITATION)
    response = client_for("manager").get(f"/espace/barometres/vagues/{open_wave.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-count="invitation">1<' in html
    assert f"/barometres/repondre/{open_wave.link_token}/" in html
    assert 'value="closed"' in html
    viewer = client_for("elu").get(f"/espace/barometres/vagues/{open_wave.pk}/")
    assert viewer.status_code == 200 and 'value="closed"' not in viewer.content.decode()


# --- invitation codes ---------------------------------------------------------------------------
def test_generate_codes_shows_them_once_and_stores_only_hashes(open_wave, client_for):
    client = client_for("manager")
    response = client.post(
        f"/espace/barometres/vagues/{open_wave.pk}/codes/", {"count": "25", "batch": "Tirage A"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    codes = response.context["codes"]
    assert len(codes) == len(set(codes)) == 25
    assert all(CODE_RE.match(c) for c in codes)
    stored = set(Invitation.objects.filter(wave=open_wave).values_list("code_hash", flat=True))
    assert stored == {hash_code(c) for c in codes}
    assert all(len(h) == 64 for h in stored)
    assert all(c.replace("-", "") not in h for c in codes for h in stored)
    assert set(Invitation.objects.values_list("batch", flat=True)) == {"Tirage A"}
    html = response.content.decode()
    once = tr(
        "Download or print them now: they will not be shown again and cannot be retrieved "
        "later (Cocon keeps only a fingerprint of each code)."
    )  # written by {% translate %}: not escaped
    assert codes[0] in html and once in html
    # the CSV download echoes the codes the page sends back
    download = client.post(
        f"/espace/barometres/vagues/{open_wave.pk}/codes.csv",
        {"codes": response.context["codes_text"] + "\n<script>\nnot-a-code"},
    )
    assert download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == ["code"] and [r[0] for r in rows[1:]] == codes
    # later, the page only shows the counts: the codes are nowhere to be found
    later = client.get(f"/espace/barometres/vagues/{open_wave.pk}/codes/")
    assert codes[0] not in later.content.decode()
    assert later.context["batches"] == [{"batch": "Tirage A", "total": 25, "used": 0, "unused": 25}]


def test_codes_csv_needs_manage_and_real_codes(open_wave, client_for):
    assert (
        client_for("manager")
        .post(f"/espace/barometres/vagues/{open_wave.pk}/codes.csv", {"codes": "hello"})
        .status_code
        == 404
    )
    assert (
        client_for("elu")
        .post(f"/espace/barometres/vagues/{open_wave.pk}/codes.csv", {"codes": "ABCDE-23456"})
        .status_code
        == 403
    )


@pytest.mark.parametrize("count", ["0", "20001", "abc", ""])
def test_code_count_is_bounded(count, open_wave, client_for):
    response = client_for("manager").post(
        f"/espace/barometres/vagues/{open_wave.pk}/codes/", {"count": count}
    )
    assert response.status_code == 400
    assert "count" in response.context["form"].errors
    assert Invitation.objects.count() == 0


def test_closed_wave_gets_no_more_codes(open_wave, client_for):
    open_wave.status = WaveStatus.CLOSED
    open_wave.save()
    response = client_for("manager").post(
        f"/espace/barometres/vagues/{open_wave.pk}/codes/", {"count": "3"}
    )
    assert response.status_code == 400
    assert Invitation.objects.count() == 0


def test_batches_count_used_codes(world, open_wave):
    _label, codes = services_waves.generate_codes(open_wave, 4, actor=world["manager"], batch="B1")
    services_waves.generate_codes(open_wave, 2, actor=world["manager"], batch="B2")
    Invitation.objects.filter(code_hash=hash_code(codes[0])).update(used_on=timezone.localdate())
    assert services_waves.invitation_batches(open_wave) == [
        {"batch": "B1", "total": 4, "used": 1, "unused": 3},
        {"batch": "B2", "total": 2, "used": 0, "unused": 2},
    ]


def test_twenty_thousand_codes_in_one_request(world, open_wave):
    _label, codes = services_waves.generate_codes(open_wave, 20_000, actor=world["manager"])
    assert len(set(codes)) == 20_000
    assert Invitation.objects.filter(wave=open_wave).count() == 20_000


def test_every_staff_page_renders_for_a_manager(world, bworld, open_wave, client_for):
    client = client_for("manager")
    for url in (
        f"/espace/barometres/{bworld.barometer.pk}/vagues/",
        f"/espace/barometres/{bworld.barometer.pk}/vagues/nouvelle/",
        f"/espace/barometres/vagues/{open_wave.pk}/",
        f"/espace/barometres/vagues/{open_wave.pk}/modifier/",
        f"/espace/barometres/vagues/{open_wave.pk}/codes/",
        f"/espace/barometres/vagues/{open_wave.pk}/import/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert html.count("<h1") == 1, url
        assert "/espace/barometres/" in html  # breadcrumb back to the barometers


def test_a_wave_without_criteria_cannot_open(world, bworld, client_for):
    today = timezone.localdate()
    wave = services_waves.wave_create(
        bworld.barometer,
        actor=world["manager"],
        label="V",
        code="v",
        opens_on=today,
        closes_on=today,
    )
    assert wave.criteria.count() == 0  # the barometer has no criterion yet
    client_for("manager").post(f"/espace/barometres/vagues/{wave.pk}/statut/", {"status": "open"})
    wave.refresh_from_db()
    assert wave.status == WaveStatus.DRAFT
