"""Offline field capture: the installable page, its manifest and service worker, the
reference data it keeps, and the sync endpoint (idempotent, 422 with French messages by
field, JSON 401/403, never a 500). The browser side (network off and on) is in
tests/browser/test_field_offline.py."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from PIL import Image

from cocon.api.models import IdempotencyKey
from cocon.core.models import Attachment
from cocon.reports.models import Category, Coverage, Report
from cocon.territory.models import Service
from cocon.voices.models import CaptureMode, Channel, Kind, Voice

from .conftest import SAINT_ESSAI

PAGE = "/espace/terrain/"
SEND = "/espace/terrain/envoyer/"
REFERENCE = "/espace/terrain/reference.json"


@pytest.fixture(autouse=True)
def _remove_photos(db):
    """Photos are files on disk, outside the database the tests roll back."""
    yield
    for attachment in Attachment.objects.all():
        attachment.file.delete(save=False)


def french(msgid: str, **params) -> str:
    """What the page shows in French (the catalogue is filled by the lead; until then
    gettext gives the English msgid back, which is what the view answers too)."""
    with translation.override("fr"):
        text = translation.gettext(msgid)
    return text % params if params else text


def png(size=(40, 30), color="red", fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def photo(name="trou.png", content: bytes | None = None, kind="image/png"):
    return SimpleUploadedFile(name, content if content is not None else png(), content_type=kind)


def report_fields(**extra) -> dict:
    fields = {
        "type": "report",
        "category": "voirie",
        "description": "Nid-de-poule profond devant l'école.",
        "latitude": str(SAINT_ESSAI[0] + 0.001),
        "longitude": str(SAINT_ESSAI[1] + 0.001),
        "channel": "field_walk",
    }
    fields.update(extra)
    return {k: v for k, v in fields.items() if v is not None}


def voice_fields(world, **extra) -> dict:
    fields = {
        "type": "voice",
        "capture_mode": "relayed",
        "kind": "complaint",
        "channel": "bus",
        "service": str(world.water.pk),
        "text": "L'eau du robinet a un goût de chlore depuis une semaine.",
    }
    fields.update(extra)
    return {k: v for k, v in fields.items() if v is not None}


def send(client, fields: dict, key: str = "k-1", **headers):
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(SEND, fields, **headers)


def errors_of(response) -> dict:
    assert response.status_code == 422, response.content
    return response.json()["errors"]


# --- the page, manifest, service worker ---------------------------------------------------
def test_page_for_an_agent(client_for, rworld):
    response = client_for("agent").get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'rel="manifest" href="/espace/terrain/manifest.webmanifest"' in html
    assert "/static/cocon/js/reports-field.js" in html
    assert "/static/cocon/js/reports-field-store.js" in html
    assert 'data-sw="/espace/terrain/sw.js"' in html
    assert 'accept="image/*" capture="environment"' in html
    # strict CSP: the only <script> without src is the JSON data block of the messages
    assert html.count("<script") == html.count("<script src=") + 1
    assert '<script id="field-strings" type="application/json">' in html
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    # worker-src and manifest-src fall back to default-src 'self': same-origin only
    assert "default-src 'self'" in csp


def test_page_needs_an_agent(client, client_for, rworld):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
    assert client_for("usager").get(PAGE).status_code == 403


def test_manifest(client, rworld):
    response = client.get("/espace/terrain/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    body = json.loads(response.content)
    assert body["start_url"] == PAGE and body["scope"] == PAGE
    assert body["display"] == "standalone"
    assert body["name"].startswith("Cocon")
    sizes = {icon["sizes"] for icon in body["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in body["icons"]:
        path = icon["src"].removeprefix("/static/")
        assert finders.find(path), icon["src"]
        if icon["type"] == "image/png":
            with Image.open(finders.find(path)) as image:
                assert f"{image.width}x{image.height}" == icon["sizes"]


def test_service_worker_is_javascript_scoped_to_the_page(client, rworld):
    response = client.get("/espace/terrain/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == PAGE
    body = response.content.decode()
    precache = json.loads(body.split("const FIELD_PRECACHE = ", 1)[1].split(";\n", 1)[0])
    assert PAGE in precache and REFERENCE in precache
    assert "/static/cocon/js/reports-field.js" in precache
    assert "/static/cocon/css/cocon.css" in precache
    assert 'addEventListener("fetch"' in body
    for url in precache:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url


# --- reference data ---------------------------------------------------------------------
def test_reference_needs_login_and_the_capture_permission(client, client_for, rworld):
    response = client.get(REFERENCE)
    assert response.status_code == 401
    assert response.json()["error"] == "login_required"
    response = client_for("usager").get(REFERENCE)
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_reference_content(client_for, world, rworld):
    response = client_for("agent_b").get(REFERENCE)  # any agent, whatever the organization
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    data = response.json()
    codes = [c["code"] for c in data["categories"]]
    assert "cabines" not in codes  # inactive
    assert {"voirie", "eau", "personne-a-la-rue", "eclairage"} <= set(codes)
    water = next(c for c in data["categories"] if c["code"] == "eau")
    assert [a["code"] for a in water["attributes"]] == ["where", "depth"]
    assert water["attributes"][0]["values"][0] == {"key": "road", "name": "Sur la chaussée"}
    assert {c["name"] for c in data["communes"]} == {"Villebourg", "Saint-Essai"}
    assert all(c["lat"] is not None for c in data["communes"])
    services = {s["id"] for g in data["services"] for s in g["services"]}
    assert world.water.pk in services and world.social_b.pk in services
    assert Kind.REPORT.value not in {k["value"] for k in data["kinds"]}
    assert {c["value"] for c in data["report_channels"]} == {"field_walk", "bus"}
    assert "web" not in {c["value"] for c in data["voice_channels"]}
    assert data["csrf_token"]
    assert data["user_id"] == world["agent_b"].pk


def test_reference_query_count_does_not_grow(client_for, world, rworld):
    client = client_for("agent")
    client.get(REFERENCE)  # warm the session and the per-process caches
    with CaptureQueriesContext(connection) as before:
        assert client.get(REFERENCE).status_code == 200
    for i in range(15):
        Category.objects.create(territory=world.territory, code=f"c{i}", name=f"Cat {i}")
        Service.objects.create(organization=world.org_b, name=f"Service {i}", slug=f"s{i}")
    client.get(REFERENCE)
    with CaptureQueriesContext(connection) as after:
        response = client.get(REFERENCE)
    assert len(response.json()["categories"]) == 19
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]


# --- sending: reports ------------------------------------------------------------------
def test_send_a_report_with_a_photo(client_for, world, rworld):
    client = client_for("agent")
    response = send(client, {**report_fields(), "photos": [photo()]}, key="r-1")
    assert response.status_code == 201, response.content
    body = response.json()
    report = Report.objects.select_related("voice").get()
    assert body["reference"] == report.voice.reference
    assert body["url"] == f"/signalements/{report.voice.reference}/"
    voice = report.voice
    assert voice.relay == world["agent"] and voice.author is None
    assert voice.channel == Channel.FIELD_WALK
    assert voice.capture_mode == CaptureMode.OBSERVATION
    assert voice.service == rworld.roads_a
    assert report.category == rworld.roads
    assert Attachment.objects.filter(object_id=voice.pk).count() == 1
    assert IdempotencyKey.objects.get(key="r-1").scope == f"user:{world['agent'].pk}"


def test_send_a_report_by_commune_with_extra_questions_from_the_bus(client_for, world, rworld):
    villebourg = world.communes[0]
    fields = report_fields(
        category="eau",
        latitude=None,
        longitude=None,
        commune=str(villebourg.pk),
        channel="bus",
        **{"attribute[where]": "road", "attribute[depth]": "12"},
    )
    response = send(client_for("agent"), fields)
    assert response.status_code == 201, response.content
    report = Report.objects.select_related("voice").get()
    assert report.precision == "commune" and report.voice.commune == villebourg
    assert report.attributes == {"where": "road", "depth": 12.0}
    assert report.voice.channel == Channel.BUS


def test_agent_of_another_organization_may_capture(client_for, world, rworld):
    """Guichet unique: an agent of the département reports a pothole the agglo handles."""
    response = send(client_for("agent_b"), report_fields())
    assert response.status_code == 201
    voice = Voice.objects.get()
    assert voice.relay == world["agent_b"] and voice.service.organization == world.org_a


def test_same_key_twice_is_stored_once_with_the_same_reference(client_for, rworld):
    client = client_for("agent")
    first = send(client, {**report_fields(), "photos": [photo()]}, key="same")
    again = send(client, {**report_fields(), "photos": [photo()]}, key="same")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1 and Voice.objects.count() == 1
    assert Attachment.objects.count() == 1


def test_same_key_with_other_content_is_refused(client_for, rworld):
    client = client_for("agent")
    assert send(client, report_fields(), key="k").status_code == 201
    errors = errors_of(send(client, report_fields(description="Autre chose"), key="k"))
    assert errors["__all__"] == [
        french("This item was already sent with other content: delete it, or record it again.")
    ]
    assert Voice.objects.count() == 1


def test_keys_belong_to_each_agent(client_for, world, rworld):
    """Two agents' phones may generate the same key: each gets their own record."""
    assert send(client_for("agent"), report_fields(), key="k").status_code == 201
    assert send(client_for("agent_b"), report_fields(), key="k").status_code == 201
    assert Voice.objects.count() == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's in-memory test database (shared cache) refuses concurrent writers with "
    "'table is locked' instead of waiting; test_a_lost_race_replays_the_winner covers it",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sends_with_the_same_key_store_one(world, rworld):
    """Two requests with the same key at the same time (two tabs, a retry racing the first
    try): the unique (user, key) constraint decides — on PostgreSQL the second insert
    waits for the first transaction —; both answer the same reference."""
    user = world["agent"]
    barrier = threading.Barrier(2)
    results: list = []

    def post():
        from django.db import connections

        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            response = send(client, report_fields(), key="race")
            results.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert [status for status, _ in results] == [201, 201], results
    assert results[0][1]["reference"] == results[1][1]["reference"]
    assert Voice.objects.count() == 1 and Report.objects.count() == 1
    assert IdempotencyKey.objects.filter(key="race").count() == 1


def test_a_lost_race_replays_the_winner(client_for, rworld, monkeypatch):
    """The same race, made deterministic: the first lookup misses (the other request has
    not committed yet), the insert then hits the unique constraint and replays."""
    client = client_for("agent")
    winner = send(client, report_fields(), key="race").json()
    real_filter = IdempotencyKey.objects.filter
    calls = {"n": 0}

    def filter_missing_once(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            return IdempotencyKey.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(IdempotencyKey.objects, "filter", filter_missing_once)
    response = send(client, report_fields(), key="race")
    assert response.status_code == 201 and response.json() == winner
    assert calls["n"] == 2 and Voice.objects.count() == 1


# --- bad input: 422 with French messages, nothing written ------------------------------
def test_validation_errors_come_back_by_field_and_nothing_is_written(client_for, rworld):
    client = client_for("agent")
    errors = errors_of(
        send(client, report_fields(category="", description="  ", latitude="44.0", longitude="1.0"))
    )
    assert errors["category"] == [french("Choose the kind of problem in the list.")]
    assert errors["description"] == [french("Describe the problem (this field cannot be empty).")]
    outside = (
        "This place is outside %(territory)s. Move the marker onto the territory, or "
        "choose the commune."
    )
    assert errors["latitude"] == [french(outside, territory="Pays de Test")]
    assert Voice.objects.count() == 0 and IdempotencyKey.objects.count() == 0
    # the agent fixes the item and sends it again with the same key: recorded once
    assert send(client, report_fields()).status_code == 201
    assert Voice.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"latitude": "abc"},
            "latitude",
            "The GPS position could not be read: take it again, or choose the commune.",
        ),
        (
            {"latitude": None, "longitude": None},
            "location",
            "Say where the problem is: place the marker on the map, or choose the commune.",
        ),
        (
            {"latitude": None, "longitude": None, "commune": "99999"},
            "commune",
            "This commune is not part of this territory: choose another one.",
        ),
        ({"channel": "web"}, "channel", "Choose “field walk” or “itinerant bus”."),
        ({"category": "eau"}, "attribute[where]", "Answer the question “%(q)s”."),
        (
            {"contact_email": "lea@example.org"},
            "contact_consent",
            "Tick the box to agree that we keep this contact to send the answer.",
        ),
        (
            {"contact_email": "pas-une-adresse", "contact_consent": "1"},
            "contact_email",
            "Enter a valid email address, such as nom@exemple.fr.",
        ),
        ({"type": "other"}, "type", "Unknown item: a report or a voice is expected."),
    ],
)
def test_bad_report_fields(client_for, rworld, fields, field, message):
    errors = errors_of(send(client_for("agent"), report_fields(**fields)))
    expected = french(message, q="Où est la fuite ?") if "%(q)s" in message else french(message)
    assert errors[field] == [expected]
    assert Voice.objects.count() == 0


def test_deactivated_category_is_a_visible_conflict(client_for, rworld):
    """The category was closed while the agent was offline: 422 on the category, and the
    item can be sent again once another category is chosen."""
    Category.objects.filter(pk=rworld.roads.pk).update(is_active=False)
    client = client_for("agent")
    errors = errors_of(send(client, report_fields(), key="item"))
    assert errors == {
        "category": [french("This category no longer takes reports: choose another one.")]
    }
    assert Voice.objects.count() == 0
    response = send(client, report_fields(category="eau", **{"attribute[where]": "road"}), "item")
    assert response.status_code == 201


def test_removed_category_is_a_visible_conflict(client_for, rworld):
    Coverage.objects.filter(category=rworld.roads).delete()
    rworld.roads.delete()
    errors = errors_of(send(client_for("agent"), report_fields()))
    assert errors["category"] == [
        french("This category was removed meanwhile: choose another one, then send again.")
    ]


def test_category_without_coverage_any_more_is_a_conflict(client_for, rworld):
    Coverage.objects.filter(category=rworld.roads).delete()
    errors = errors_of(send(client_for("agent"), report_fields()))
    assert "Voirie" in errors["category"][0] and "Saint-Essai" in errors["category"][0]


# --- photos ---------------------------------------------------------------------------
def test_photo_that_is_not_an_image(client_for, rworld):
    fake = photo("trou.jpg", b"%PDF-1.4 not an image", "image/jpeg")
    errors = errors_of(send(client_for("agent"), {**report_fields(), "photos": [fake]}))
    assert list(errors) == ["photos"] and errors["photos"][0].startswith("trou.jpg : ")
    assert Voice.objects.count() == 0 and Attachment.objects.count() == 0


def test_photo_too_large(client_for, rworld, monkeypatch):
    monkeypatch.setattr("cocon.core.attachments.MAX_PHOTO_BYTES", 10)
    errors = errors_of(send(client_for("agent"), {**report_fields(), "photos": [photo()]}))
    assert list(errors) == ["photos"]
    too_large = french("The image is too large (%(size)s KB, %(max)s KB at most).", size=0, max=0)
    assert errors["photos"][0].startswith("trou.png : " + too_large.split("(")[0])
    assert Voice.objects.count() == 0


def test_too_many_photos(client_for, rworld):
    photos = [photo(f"p{i}.png") for i in range(6)]
    errors = errors_of(send(client_for("agent"), {**report_fields(), "photos": photos}))
    assert errors == {"photos": [french("%(max)s photos at most.", max=5)]}
    assert Voice.objects.count() == 0


# --- sending: voices -------------------------------------------------------------------
def test_send_a_relayed_voice(client_for, world, rworld):
    response = send(client_for("agent_b"), voice_fields(world), key="v-1")
    assert response.status_code == 201, response.content
    voice = Voice.objects.get()
    assert response.json()["reference"] == voice.reference
    assert response.json()["url"] == f"/espace/paroles/recu/{voice.reference}/"
    assert voice.kind == Kind.COMPLAINT and voice.capture_mode == CaptureMode.RELAYED
    assert voice.channel == Channel.BUS and voice.service == world.water
    assert voice.relay == world["agent_b"]
    assert not hasattr(voice, "report") or not Report.objects.exists()


def test_send_an_observation(client_for, world, rworld):
    fields = voice_fields(world, capture_mode="observation", kind=None, channel="field_walk")
    assert send(client_for("agent"), fields).status_code == 201
    voice = Voice.objects.get()
    assert voice.kind == Kind.OBSERVATION and voice.capture_mode == CaptureMode.OBSERVATION


def test_voice_replay_is_stored_once(client_for, world, rworld):
    client = client_for("agent")
    first = send(client, voice_fields(world), key="v")
    again = send(client, voice_fields(world), key="v")
    assert again.json() == first.json() and Voice.objects.count() == 1


def test_voice_for_a_removed_service_is_a_conflict(client_for, world, rworld):
    service = Service.objects.create(organization=world.org_b, name="Bus", slug="bus")
    fields = voice_fields(world, service=str(service.pk))
    service.delete()
    errors = errors_of(send(client_for("agent"), fields))
    assert errors == {
        "service": [
            french(
                "This service no longer exists: choose another one, or let Cocon route it, "
                "then send again."
            )
        ]
    }
    assert Voice.objects.count() == 0


def test_voice_errors(client_for, world, rworld):
    errors = errors_of(
        send(client_for("agent"), voice_fields(world, text="", kind="report", channel="web"))
    )
    assert errors["kind"] == [french("Choose what kind of message it is.")]
    assert errors["channel"] == [french("Choose how the message was received.")]
    errors = errors_of(send(client_for("agent"), voice_fields(world, text=" ")))
    assert errors["text"] == [french("Write what the person said (this field cannot be empty).")]
    assert Voice.objects.count() == 0


def test_voice_without_service_is_routed_to_the_host(client_for, world, rworld):
    """ "Let Cocon route it": with no routing rule, the host organization's catch-all —
    or, without one, a 422 on the service (never a 500)."""
    response = send(client_for("agent"), voice_fields(world, service=None))
    assert response.status_code in (201, 422)
    if response.status_code == 422:
        assert list(response.json()["errors"]) == ["service"]


# --- who may send ----------------------------------------------------------------------
def test_anonymous_gets_json_401_and_the_item_is_not_lost(client, rworld):
    response = send(client, report_fields())
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "login_required" and "/compte/connexion/" in body["login_url"]
    assert Voice.objects.count() == 0


def test_resident_gets_json_403(client_for, rworld):
    response = send(client_for("usager"), report_fields())
    assert response.status_code == 403 and response.json()["error"] == "forbidden"


def test_csrf_is_checked_and_answered_in_json(world, rworld):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["agent"])
    response = send(client, report_fields())
    assert response.status_code == 403 and response.json()["error"] == "csrf"
    token = client.get(REFERENCE).json()["csrf_token"]
    response = send(client, report_fields(), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201


def test_missing_or_too_long_key(client_for, rworld):
    client = client_for("agent")
    assert send(client, report_fields(), key="").status_code == 400
    assert send(client, report_fields(), key="x" * 201).status_code == 400
    assert client.get(SEND).status_code == 405
    assert Voice.objects.count() == 0


def test_capture_time_from_the_phone(client_for, rworld):
    """Recorded offline at 9:00, sent at 17:00: the voice is dated 9:00. A date in the
    future or too old is not trusted."""
    client = client_for("agent")
    at = timezone.now().replace(microsecond=0) - dt.timedelta(hours=8)
    assert send(client, report_fields(captured_at=at.isoformat()), "a").status_code == 201
    assert Voice.objects.get().created_at == at
    future = (timezone.now() + dt.timedelta(days=2)).isoformat()
    assert send(client, report_fields(captured_at=future), "b").status_code == 201
    assert Voice.objects.latest("created_at").created_at <= timezone.now()


def test_rate_limit_answers_json_429(client_for, rworld, monkeypatch):
    monkeypatch.setattr("cocon.reports.views_field.SYNC_LIMIT", 1)
    client = client_for("agent")
    assert send(client, report_fields(), key="a").status_code == 201
    response = send(client, report_fields(), key="b")
    assert response.status_code == 429 and response.json()["error"] == "rate_limited"
    assert Voice.objects.count() == 1
