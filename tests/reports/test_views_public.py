"""Public pages of Signalements: the map and list with their filters, the map and
"nearby" JSON, the report form (every field's bad input, the "already reported" step
without JavaScript, photos, rate limit), the receipt and tracking, a report's page,
"me too", sensitive categories, and no personal data anywhere."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from cocon.core import history
from cocon.core.middleware import tile_origin
from cocon.lib import geo
from cocon.reports import selectors, services
from cocon.reports.models import Report, Support
from cocon.reports.views_public import PAGE_SIZE, REPORT_LIMIT_PER_DEVICE
from cocon.voices.models import Status, Voice
from tests.reports.conftest import SAINT_ESSAI, VILLEBOURG
from tests.voices.conftest import image_bytes

pytestmark = pytest.mark.django_db

POINT = (SAINT_ESSAI[0] + 0.001, SAINT_ESSAI[1] + 0.001)
WHOLE = "5.0,44.5,6.5,46.0"  # west,south,east,north around both communes


def msg(msgid: str, **params) -> str:
    """The French text of a message as the page shows it (escaped), translated or not
    yet (the French catalogue is filled at the end)."""
    with translation.override("fr"):
        text = translation.gettext(msgid)
    return escape(text % params if params else text)


def near(lat: float, lon: float, metres_north: float) -> tuple[float, float]:
    return lat + metres_north / geo.M_PER_DEG_LAT, lon


def form_data(rworld, **extra) -> dict:
    data = {
        "category": rworld.roads.code,
        "latitude": f"{POINT[0]:.6f}",
        "longitude": f"{POINT[1]:.6f}",
        "commune": "",
        "address": "",
        "description": "Un nid-de-poule profond devant l'école.",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def set_state(report, status, text, world):
    return services.report_set_state(report, actor=world["manager"], status=status, text=text)


# --- the map and list ------------------------------------------------------------------------
def test_list_shows_reports_with_status_and_public_update(world, rworld, submit, client):
    done = submit()
    set_state(done.report, Status.SCHEDULED, "Rebouchage prévu jeudi.", world)
    page = client.get("/signalements/").content.decode()
    assert done.voice.reference in page
    assert "Rebouchage prévu jeudi." in page
    assert 'data-status="scheduled"' in page
    assert msg("Action scheduled") in page
    assert 'href="/signalements/nouveau/"' in page
    # the map is there for JavaScript, with its source and tiles from the settings
    assert 'data-source="/signalements/carte.json"' in page
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page


def test_list_filters_by_status_category_and_commune(world, rworld, submit, client):
    pothole = submit()
    leak = submit(category=rworld.water, attributes={"where": "road"})
    in_villebourg = submit(latitude=VILLEBOURG[0], longitude=VILLEBOURG[1] + 0.002)
    fixed = submit(latitude=POINT[0] + 0.01)
    set_state(fixed.report, Status.FIXED, "Réparé.", world)
    refs = {
        "pothole": pothole.voice.reference,
        "leak": leak.voice.reference,
        "villebourg": in_villebourg.voice.reference,
        "fixed": fixed.voice.reference,
    }

    def shown(query):
        page = client.get("/signalements/" + query).content.decode()
        return {name for name, ref in refs.items() if ref in page}

    assert shown("") == {"pothole", "leak", "villebourg"}  # open by default
    assert shown("?status=closed") == {"fixed"}
    assert shown("?status=all") == set(refs)
    assert shown("?status=fixed") == {"fixed"}
    assert shown("?status=received") == {"pothole", "leak", "villebourg"}
    assert shown(f"?category={rworld.water.code}") == {"leak"}
    assert shown(f"?commune={world.communes[0].pk}") == {"villebourg"}
    assert shown(f"?commune={world.communes[1].pk}&category=voirie&status=all") == {
        "pothole",
        "fixed",
    }


@pytest.mark.parametrize(
    "query",
    [
        "?category=inconnue",
        "?status=pas-un-statut",
        "?commune=abc",
        "?commune=999999",
        "?apres=n'importe-quoi",
        "?apres=%FF%FE",
        "?category=<script>&status=&commune=",
    ],
)
def test_list_with_bad_filters_never_fails(world, rworld, submit, client, query):
    done = submit()
    response = client.get("/signalements/" + query)
    assert response.status_code == 200
    page = response.content.decode()
    assert done.voice.reference in page  # the bad filter is ignored
    assert "<script>" not in page


def test_bad_filter_is_explained_next_to_it(world, rworld, client):
    page = client.get("/signalements/?status=pas-un-statut").content.decode()
    assert 'id="id_status_error"' in page
    assert msg("Unknown status: open reports are shown.") in page


def test_the_map_asks_for_the_valid_filters_only(world, rworld, client):
    page = client.get(
        f"/signalements/?category=inconnue&status=fixed&commune={world.communes[0].pk}"
    ).content.decode()
    assert f'data-query="category=&amp;status=fixed&amp;commune={world.communes[0].pk}"' in page
    page = client.get("/signalements/?category=eau&commune=abc").content.decode()
    assert 'data-query="category=eau&amp;status=open&amp;commune="' in page


def test_list_is_paged_by_25_with_keyset_links(world, rworld, submit, client):
    refs = [submit(latitude=POINT[0] + i * 0.0005).voice.reference for i in range(PAGE_SIZE + 3)]
    first = client.get("/signalements/").content.decode()
    shown_first = [r for r in refs if r in first]
    assert len(shown_first) == PAGE_SIZE
    assert refs[-1] in first and refs[0] not in first  # newest first
    link = re.search(r'href="\?apres=([^"]+)" rel="next"', first)
    assert link
    second = client.get(f"/signalements/?apres={link.group(1)}").content.decode()
    shown_second = [r for r in refs if r in second]
    assert set(shown_second) == set(refs) - set(shown_first)
    assert 'rel="next"' not in second
    # the filters follow the pages
    filtered = client.get("/signalements/?category=voirie&status=open").content.decode()
    assert "category=voirie&amp;status=open&amp;apres=" in filtered


def test_list_and_map_json_cost_the_same_queries_for_3_or_30_reports(world, rworld, submit, client):
    def measure():
        counts = []
        for path in ("/signalements/?status=all", f"/signalements/carte.json?bbox={WHOLE}"):
            client.get(path)  # warm the per-process caches
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(path).status_code == 200
            counts.append(len(ctx.captured_queries))
        return counts

    for i in range(3):
        submit(latitude=POINT[0] + i * 0.001)
    few = measure()
    for i in range(27):
        done = submit(
            latitude=POINT[0] + 0.005 + i * 0.0005,
            category=rworld.water,
            attributes={"where": "meter"},
        )
        if i % 3 == 0:
            set_state(done.report, Status.IN_PROGRESS, "Équipe sur place.", world)
    many = measure()
    assert many == few
    assert few[1] <= 3


# --- map JSON ----------------------------------------------------------------------------------
def test_map_json_gives_markers_linking_to_the_report_page(world, rworld, submit, client):
    done = submit(contact_email="lea@exemple.fr", contact_consent=True)
    data = client.get(f"/signalements/carte.json?bbox={WHOLE}").json()
    assert data["mode"] == "markers"
    (marker,) = data["markers"]
    assert marker["ref"] == done.voice.reference
    assert marker["url"] == f"/signalements/{done.voice.reference}/"
    assert (marker["lat"], marker["lon"]) == (done.report.latitude, done.report.longitude)
    assert marker["status"] == "received" and marker["code"] == "voirie"
    assert set(marker) == {"ref", "url", "lat", "lon", "status", "status_label", "category", "code"}
    # outside the box, or filtered out: nothing
    far = client.get("/signalements/carte.json?bbox=1.0,40.0,2.0,41.0").json()
    assert far["markers"] == []
    other = client.get(f"/signalements/carte.json?bbox={WHOLE}&category=eau").json()
    assert other["markers"] == []
    closed = client.get(f"/signalements/carte.json?bbox={WHOLE}&status=closed").json()
    assert closed["markers"] == []


def test_map_json_gives_clusters_past_the_marker_limit(world, rworld, submit, client, monkeypatch):
    for i in range(4):
        submit(latitude=POINT[0] + i * 0.0005)
    monkeypatch.setattr(selectors, "MAP_MARKERS_MAX", 3)
    data = client.get(f"/signalements/carte.json?bbox={WHOLE}").json()
    assert data["mode"] == "clusters"
    assert sum(c["count"] for c in data["clusters"]) == 4
    assert all(set(c) == {"lat", "lon", "count"} for c in data["clusters"])


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "bad_bbox"),
        ("?bbox=1,2,3", "bad_bbox"),
        ("?bbox=a,b,c,d", "bad_bbox"),
        ("?bbox=6,46,5,45", "bad_bbox"),  # west > east
        ("?bbox=5,44,6,95", "bad_bbox"),  # off the Earth
        ("?bbox=nan,44,6,45", "bad_bbox"),
        (f"?bbox={WHOLE}&category=inconnue", "unknown_category"),
        (f"?bbox={WHOLE}&status=ouvert", "bad_status"),
        (f"?bbox={WHOLE}&commune=abc", "bad_commune"),
    ],
)
def test_map_json_bad_input_is_a_400_json_error(world, rworld, client, query, code):
    response = client.get("/signalements/carte.json" + query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == code


# --- "already reported nearby" ----------------------------------------------------------------
def test_nearby_json_lists_open_reports_of_the_same_category_within_30_m(
    world, rworld, submit, client
):
    close = submit()
    far = submit(latitude=near(*POINT, 80)[0])
    other_kind = submit(category=rworld.water, attributes={"where": "road"})
    closed = submit(latitude=near(*POINT, 10)[0])
    set_state(closed.report, Status.FIXED, "Réparé.", world)
    lat, lon = near(*POINT, 12)
    data = client.get(f"/signalements/proches.json?category=voirie&lat={lat}&lon={lon}").json()
    refs = [r["ref"] for r in data["reports"]]
    assert refs == [close.voice.reference]
    (found,) = data["reports"]
    assert 10 <= found["distance_m"] <= 14
    assert found["support_url"] == f"/signalements/{close.voice.reference}/soutenir/"
    assert far.voice.reference not in refs and other_kind.voice.reference not in refs
    assert "text" not in found and "description" not in found


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?category=voirie",
        "?category=voirie&lat=abc&lon=5.7",
        "?category=voirie&lat=45.2",
        "?category=voirie&lat=95&lon=5.7",
        "?category=inconnue&lat=45.2&lon=5.7",
    ],
)
def test_nearby_json_bad_input_is_a_400(world, rworld, client, query):
    response = client.get("/signalements/proches.json" + query)
    assert response.status_code == 400
    assert "code" in response.json()["error"]


def test_without_javascript_a_nearby_report_is_offered_before_sending(
    world, rworld, submit, client
):
    existing = submit()
    lat, lon = near(*POINT, 8)
    data = form_data(
        rworld,
        latitude=f"{lat:.6f}",
        longitude=f"{lon:.6f}",
        address="Devant l'école",
        contact_email="lea@exemple.fr",
        contact_consent="on",
    )
    response = client.post("/signalements/nouveau/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert existing.voice.reference in page
    assert f'action="/signalements/{existing.voice.reference}/soutenir/"' in page
    assert msg("My report is different, send it") in page
    # everything typed is carried in hidden fields; nothing is written yet
    assert 'name="address" value="Devant l&#x27;école"' in page
    assert 'name="contact_email" value="lea@exemple.fr"' in page
    assert 'name="different" value="1"' in page
    assert Report.objects.count() == 1
    # "mine is different": sent with the same data
    kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    kept = {k: v.replace("&#x27;", "'") for k, v in kept.items()}
    kept.pop("csrfmiddlewaretoken", None)
    response = client.post("/signalements/nouveau/", kept)
    assert response.status_code == 302
    new = Report.objects.exclude(pk=existing.report.pk).get()
    assert new.voice.address == "Devant l'école"
    assert new.voice.contact.email == "lea@exemple.fr"


def test_an_error_after_the_confirmation_step_does_not_ask_again(world, rworld, submit, client):
    submit()
    response = client.post(
        "/signalements/nouveau/", form_data(rworld, different="1", contact_email="pas-un-mail")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_contact_email_error"' in page
    assert '<input type="hidden" name="different" value="1">' in page
    assert Report.objects.count() == 1


def test_the_person_may_support_the_existing_report_instead(world, rworld, submit, client):
    existing = submit()
    response = client.post("/signalements/nouveau/", form_data(rworld))
    assert existing.voice.reference in response.content.decode()
    response = client.post(f"/signalements/{existing.voice.reference}/soutenir/")
    assert response.status_code == 302
    assert response["Location"] == f"/signalements/{existing.voice.reference}/"
    existing.report.refresh_from_db()
    assert existing.report.support_count == 1
    assert Report.objects.count() == 1


def test_photos_are_asked_again_at_the_confirmation_step(world, rworld, submit, client):
    submit()
    photo = SimpleUploadedFile("p.png", image_bytes("PNG"), "image/png")
    response = client.post("/signalements/nouveau/", {**form_data(rworld), "photos": [photo]})
    page = response.content.decode()
    assert "data-photos-again" in page and 'type="file"' in page


# --- the form ---------------------------------------------------------------------------------
def test_form_shows_grouped_categories_questions_and_location_fields(world, rworld, client):
    response = client.get("/signalements/nouveau/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<optgroup label="Rue">' in page
    assert 'value="voirie"' in page and 'value="eau"' in page
    assert 'value="cabines"' not in page  # inactive
    assert 'data-questions-for="eau"' in page and "Où est la fuite ?" in page
    assert 'name="q__eau__where"' in page
    assert 'name="latitude"' in page and 'name="commune"' in page and 'name="address"' in page
    assert "data-report-picker" in page and "data-locate" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert msg("Send my report") in page


def test_a_report_with_a_point_reaches_the_receipt_and_tracking(world, rworld, client):
    response = client.post(
        "/signalements/nouveau/",
        form_data(rworld, contact_email="lea@exemple.fr", contact_consent="on"),
    )
    assert response.status_code == 302
    report = Report.objects.select_related("voice").get()
    assert response["Location"] == f"/signalements/merci/{report.voice.reference}/"
    assert report.voice.service == rworld.roads_a and report.voice.author is None
    assert (report.voice.latitude, report.voice.longitude) == pytest.approx(POINT)
    receipt = client.get(response["Location"]).content.decode()
    code = re.search(r"data-code>(\d{8})<", receipt).group(1)
    assert report.voice.check_tracking_code(code)
    assert f"/paroles/suivi/{report.voice.reference}/?code={code}" in receipt
    # the tracking page shows the report's states
    set_state(report, Status.SCHEDULED, "Intervention planifiée lundi.", world)
    track = client.get(f"/paroles/suivi/{report.voice.reference}/?code={code}")
    assert track.status_code == 200
    page = track.content.decode()
    assert "Intervention planifiée lundi." in page
    assert msg("Action scheduled") in page
    assert f'href="/signalements/{report.voice.reference}/"' in page
    # the receipt shows the code only in the session that sent it
    assert Client().get(response["Location"]).status_code == 404


def test_a_report_with_the_commune_and_address_only(world, rworld, client):
    response = client.post(
        "/signalements/nouveau/",
        form_data(
            rworld,
            latitude="",
            longitude="",
            commune=str(world.communes[0].pk),
            address="3 place de la Mairie",
        ),
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.precision == "commune" and report.voice.service == rworld.roads_m
    assert report.voice.address == "3 place de la Mairie"


def test_extra_questions_are_saved_as_attributes(world, rworld, client):
    response = client.post(
        "/signalements/nouveau/",
        form_data(rworld, category="eau", q__eau__where="meter", q__eau__depth="12,5"),
    )
    assert response.status_code == 302
    assert Report.objects.get().attributes == {"where": "meter", "depth": 12.5}


def test_logged_in_person_is_the_author(world, rworld, client_for):
    client = client_for("usager")
    assert client.post("/signalements/nouveau/", form_data(rworld)).status_code == 302
    assert Report.objects.get().voice.author == world["usager"]


def jpeg_too_big() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "huge.jpg", b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 10), "image/jpeg"
    )


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"category": ""}, "category", "Choose the kind of problem in the list."),
        ({"category": "inconnue"}, "category", "Choose the kind of problem in the list."),
        ({"category": "cabines"}, "category", "Choose the kind of problem in the list."),
        ({"category": "eclairage"}, "category", None),  # handled by nobody
        ({"latitude": "", "longitude": ""}, "commune", None),  # nowhere
        ({"latitude": "abc"}, "commune", None),
        ({"longitude": ""}, "commune", None),
        ({"latitude": "48.85", "longitude": "2.35"}, "commune", None),  # Paris: outside
        ({"commune": "999999", "latitude": ""}, "commune", "Choose a commune of the list."),
        ({"description": "   "}, "description", None),
        ({"description": "x" * 5001}, "description", None),
        ({"address": "x" * 301}, "address", None),
        ({"contact_email": "pas-une-adresse", "contact_consent": "on"}, "contact_email", None),
        ({"contact_phone": "abc", "contact_consent": "on"}, "contact_phone", None),
        ({"contact_email": "lea@exemple.fr"}, "contact_consent", None),  # no consent
        ({"category": "eau"}, "q__eau__where", None),  # required question
        ({"category": "eau", "q__eau__where": "ciel"}, "q__eau__where", None),
        (
            {"category": "eau", "q__eau__where": "road", "q__eau__depth": "profond"},
            "q__eau__depth",
            None,
        ),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_written(
    world, rworld, client, extra, field, message
):
    data = form_data(rworld, **{"address": "Près du lavoir", **extra})
    data.setdefault("description", "Un nid-de-poule profond devant l'école.")
    response = client.post("/signalements/nouveau/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page, field
    assert "data-error-summary" in page
    if message:
        assert msg(message) in page
    assert Report.objects.count() == 0 and Voice.objects.count() == 0
    if field != "address":
        assert 'value="Près du lavoir"' in page  # nothing typed is lost


@pytest.mark.parametrize(
    "photos",
    [
        [SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", "image/jpeg")],
        [
            SimpleUploadedFile(
                "x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"
            )
        ],
        "too_many",
        "too_big",
    ],
)
def test_bad_photos_are_refused_and_must_be_chosen_again(world, rworld, client, photos):
    if photos == "too_many":
        photos = [
            SimpleUploadedFile(f"p{i}.png", image_bytes("PNG"), "image/png") for i in range(6)
        ]
    elif photos == "too_big":
        photos = [jpeg_too_big()]
    response = client.post("/signalements/nouveau/", {**form_data(rworld), "photos": photos})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_photos_error"' in page
    assert "data-photos-again" in page
    assert Report.objects.count() == 0


def test_a_good_photo_is_attached(world, rworld, client):
    photo = SimpleUploadedFile("p.jpg", image_bytes("JPEG"), "image/jpeg")
    response = client.post("/signalements/nouveau/", {**form_data(rworld), "photos": [photo]})
    assert response.status_code == 302
    from cocon.core.attachments import attachments_of

    assert attachments_of(Report.objects.get().voice).count() == 1


def test_honeypot(world, rworld, client):
    response = client.post("/signalements/nouveau/", form_data(rworld, website="http://spam"))
    assert response.status_code == 403
    assert Report.objects.count() == 0


def test_posts_need_the_csrf_token(world, rworld, submit):
    done = submit()
    client = Client(enforce_csrf_checks=True)
    assert client.post("/signalements/nouveau/", form_data(rworld)).status_code == 403
    assert client.post(f"/signalements/{done.voice.reference}/soutenir/").status_code == 403
    assert Report.objects.count() == 1


def test_anonymous_reports_are_rate_limited_and_the_input_kept(world, rworld, client):
    client.get("/signalements/nouveau/")  # receives the device cookie
    for i in range(REPORT_LIMIT_PER_DEVICE):
        data = form_data(rworld, latitude="", longitude="", commune=str(world.communes[1].pk))
        data["description"] = f"Trou numéro {i}"
        assert client.post("/signalements/nouveau/", data).status_code == 302
    data = form_data(rworld, description="Encore un trou dans la chaussée")
    response = client.post("/signalements/nouveau/", data)
    assert response.status_code == 429
    assert "Encore un trou dans la chaussée" in response.content.decode()
    assert Report.objects.count() == REPORT_LIMIT_PER_DEVICE
    # an account is not limited by this
    client.force_login(world["usager"])
    assert client.post("/signalements/nouveau/", data).status_code == 302


# --- a report's page and support ------------------------------------------------------------
def test_report_page_shows_public_fields_updates_and_support(world, rworld, submit, client):
    done = submit(address="12 rue Haute")
    history.note_add(done.voice, author=world["manager"], text="Note interne confidentielle")
    set_state(done.report, Status.ACKNOWLEDGED, "Pris en compte par la voirie.", world)
    response = client.get(f"/signalements/{done.voice.reference}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Voirie" in page and "12 rue Haute" in page
    assert "Un nid-de-poule profond devant l" in page  # the description is public
    assert "Pris en compte par la voirie." in page
    assert "Note interne confidentielle" not in page
    assert 'data-status="acknowledged"' in page
    assert "data-support" in page
    assert f'data-lat="{done.report.latitude:f}"' in page
    # lower case reference works too; unknown ones are 404
    assert client.get(f"/signalements/{done.voice.reference.lower()}/").status_code == 200
    assert client.get("/signalements/ABCD-2345/").status_code == 404
    assert client.get("/signalements/pas-une-ref/").status_code == 404


def test_support_once_per_browser_and_per_account(world, rworld, submit, client, client_for):
    done = submit()
    url = f"/signalements/{done.voice.reference}/soutenir/"
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # again: not counted twice
    done.report.refresh_from_db()
    assert done.report.support_count == 1
    page = client.get(f"/signalements/{done.voice.reference}/").content.decode()
    assert "data-supported" in page and "data-support " not in page
    # another browser counts; an account counts once, whatever its browsers
    assert Client().post(url).status_code == 302
    usager = client_for("usager")
    usager.post(url)
    usager.post(url)
    done.report.refresh_from_db()
    assert done.report.support_count == 3
    assert Support.objects.filter(report=done.report, user=world["usager"]).count() == 1
    # GET is not a support
    assert client.get(url).status_code == 405


def test_closed_report_cannot_be_supported(world, rworld, submit, client):
    done = submit()
    set_state(done.report, Status.FIXED, "Réparé ce matin.", world)
    page = client.get(f"/signalements/{done.voice.reference}/").content.decode()
    assert "data-closed" in page and "data-support " not in page
    response = client.post(f"/signalements/{done.voice.reference}/soutenir/", follow=True)
    assert response.status_code == 200
    assert msg("This report is closed: it can no longer be supported.") in (
        response.content.decode()
    )
    done.report.refresh_from_db()
    assert done.report.support_count == 0


def test_merged_report_links_to_the_original(world, rworld, submit, client):
    original = submit()
    duplicate = submit(latitude=POINT[0] + 0.0001)
    services.report_mark_duplicate(duplicate.report, actor=world["manager"], of=original.report)
    page = client.get(f"/signalements/{duplicate.voice.reference}/").content.decode()
    assert "data-duplicate" in page
    assert f'href="/signalements/{original.voice.reference}/"' in page


def test_sensitive_category_hides_address_description_and_exact_point(
    world, rworld, submit, client
):
    lat, lon = SAINT_ESSAI[0] + 0.00123, SAINT_ESSAI[1] + 0.00234
    done = submit(
        category=rworld.rough_sleeper,
        latitude=lat,
        longitude=lon,
        address="Sous le porche du 4 rue Basse",
        description="Un homme âgé dort sous le porche depuis trois nuits.",
    )
    pages = [
        client.get(f"/signalements/{done.voice.reference}/").content.decode(),
        client.get("/signalements/").content.decode(),
        client.get(f"/signalements/carte.json?bbox={WHOLE}").content.decode(),
        client.get(
            f"/signalements/proches.json?category=personne-a-la-rue&lat={lat}&lon={lon}"
        ).content.decode(),
    ]
    assert done.voice.reference in pages[0] and done.voice.reference in pages[1]
    for page in pages:
        assert "porche" not in page
        assert f"{lat:.5f}" not in page and f"{lon:.5f}" not in page
    assert "data-approximate" in pages[0] and "data-description-hidden" in pages[0]
    assert f'data-lat="{done.report.latitude:f}"' in pages[0]  # the rounded point


def test_no_personal_data_in_public_html_or_json(world, rworld, submit, client):
    agent = world["agent"]
    done = submit(
        contact_email="lea.secret@exemple.fr",
        contact_phone="06 12 34 56 78",
        contact_name="Léa Secrète",
        contact_consent=True,
        author=world["usager"],
    )
    relayed = submit(latitude=POINT[0] + 0.002, relay=agent, author=world["usager"])
    for ref in (done.voice.reference, relayed.voice.reference):
        assert Report.objects.filter(voice__reference=ref).exists()
    lat, lon = POINT
    pages = [
        client.get("/signalements/?status=all").content.decode(),
        client.get(f"/signalements/{done.voice.reference}/").content.decode(),
        client.get(f"/signalements/{relayed.voice.reference}/").content.decode(),
        client.get(f"/signalements/carte.json?bbox={WHOLE}").content.decode(),
        client.get(
            f"/signalements/proches.json?category=voirie&lat={lat}&lon={lon}"
        ).content.decode(),
    ]
    for page in pages:
        for secret in (
            "lea.secret",
            "06 12 34 56 78",
            "Léa Secrète",
            escape("Léa Secrète"),
            world["usager"].full_name,
            world["usager"].email,
            agent.full_name,
        ):
            assert secret not in page, secret


# --- entry points, navigation, CSP --------------------------------------------------------
def test_home_and_navigation_lead_to_reports(world, rworld, client):
    page = client.get("/").content.decode()
    assert 'href="/signalements/nouveau/"' in page
    assert msg("Report a problem") in page
    assert 'href="/signalements/"' in page  # public navigation


def test_csp_allows_the_tile_host(world, rworld, client):
    csp = client.get("/signalements/")["Content-Security-Policy"]
    img = re.search(r"img-src ([^;]+);", csp).group(1)
    assert "https://tile.openstreetmap.org" in img.split()
    assert "script-src 'self';" in csp


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.fr/{z}/{x}/{y}.png", "https://*.tile.example.fr"),
        ("http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png", "http://127.0.0.1:8080"),
        ("/static/tiles/{z}/{x}/{y}.png", ""),
        ("", ""),
        ("javascript:alert(1)", ""),
        ("https://bad host/{z}", ""),
    ],
)
def test_tile_origin(url, origin):
    assert tile_origin(url) == origin
