"""Open311 GeoReport v2 at /open311/v2/: every endpoint in JSON and XML, every filter,
every error (status code and body shape), jurisdiction, rate limits, idempotency, no
personal data, the rounded point of sensitive categories, query counts."""

from __future__ import annotations

import datetime as dt
import json
import re
from xml.etree import ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cocon.reports.models import Open311Client, Report
from cocon.reports.open311 import params
from cocon.reports.services import report_set_state
from cocon.voices.models import Channel, Status, Voice, VoiceContact
from tests.reports.conftest import SAINT_ESSAI, VILLEBOURG

ROOT = "/open311/v2"
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture(autouse=True)
def _empty_cache(db):
    """Rate-limit counters and idempotency records live in the shared cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def key(world):
    _client, raw = Open311Client.issue(territory=world.territory, name="Appli de la ville")
    return raw


def get(client, path: str, **query):
    return client.get(f"{ROOT}/{path}", query)


def as_json(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def as_xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(response.content)
    assert "}" not in root.tag  # no namespace
    return root


def assert_error(response, status: int, fmt: str = "json", contains: str = "") -> list[str]:
    """The specification's error body; returns the descriptions."""
    assert response.status_code == status, response.content
    if fmt == "json":
        body = as_json(response)
        assert isinstance(body, list) and body
        assert all(set(e) == {"code", "description"} and e["code"] == status for e in body)
        descriptions = [e["description"] for e in body]
    else:
        root = as_xml(response)
        assert root.tag == "errors"
        errors = root.findall("error")
        assert errors and all(e.findtext("code") == str(status) for e in errors)
        assert [child.tag for child in errors[0]] == ["code", "description"]
        descriptions = [e.findtext("description") for e in errors]
    if contains:
        assert any(contains in d for d in descriptions), descriptions
    return descriptions


def post(client, fmt: str = "json", headers=None, **fields):
    return client.post(f"{ROOT}/requests.{fmt}", fields, headers=headers or {})


def pothole(key, **extra):
    fields = {
        "api_key": key,
        "service_code": "voirie",
        "lat": str(SAINT_ESSAI[0] + 0.001),
        "long": str(SAINT_ESSAI[1] + 0.001),
        "description": "Nid-de-poule devant le 12 rue Haute.",
    }
    fields.update(extra)
    return fields


# --- discovery, services --------------------------------------------------------------------
def test_discovery_in_json_and_xml(client, world, rworld):
    body = as_json(get(client, "discovery.json"))
    assert body["jurisdiction_id"] == "test"
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    assert ISO_WITH_OFFSET.match(body["changeset"])
    assert "/espace/signalements/open311/" in body["key_service"]
    root = as_xml(get(client, "discovery.xml"))
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "application/json",
        "text/xml",
    ]


def test_services_lists_active_categories_in_json_and_xml(client, world, rworld):
    body = as_json(get(client, "services.json"))
    codes = [s["service_code"] for s in body]
    assert "voirie" in codes and "eau" in codes and "cabines" not in codes  # inactive
    roads = next(s for s in body if s["service_code"] == "voirie")
    assert roads == {
        "service_code": "voirie",
        "service_name": "Voirie",
        "description": "",
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "Rue",
    }
    assert next(s for s in body if s["service_code"] == "eau")["metadata"] is True
    root = as_xml(get(client, "services.xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert [s.findtext("service_code") for s in services] == codes
    water = next(s for s in services if s.findtext("service_code") == "eau")
    assert water.findtext("metadata") == "true"
    assert [c.tag for c in water] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]


def test_service_definition_in_json_and_xml(client, world, rworld):
    body = as_json(get(client, "services/eau.json"))
    assert body["service_code"] == "eau"
    where, depth = body["attributes"]
    assert where == {
        "variable": True,
        "code": "where",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": None,
        "order": 1,
        "description": "Où est la fuite ?",
        "values": [
            {"key": "road", "name": "Sur la chaussée"},
            {"key": "meter", "name": "Au compteur"},
        ],
    }
    assert depth["datatype"] == "number" and depth["required"] is False
    assert "values" not in depth
    root = as_xml(get(client, "services/eau.xml"))
    assert root.tag == "service_definition"
    attrs = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attrs] == ["where", "depth"]
    assert attrs[0].findtext("variable") == "true"
    assert attrs[0].findtext("required") == "true"
    assert [v.findtext("key") for v in attrs[0].findall("values/value")] == ["road", "meter"]
    assert as_json(get(client, "services/voirie.json")) == {
        "service_code": "voirie",
        "attributes": [],
    }


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["inconnue", "cabines"])  # unknown, inactive
def test_service_definition_of_an_unknown_code_is_404(client, world, rworld, fmt, code):
    assert_error(get(client, f"services/{code}.{fmt}"), 404, fmt, contains=code)


# --- GET requests ---------------------------------------------------------------------------
def test_request_fields_are_public_only(client, world, rworld, submit):
    done = submit(
        contact_email="secret@exemple.fr",
        contact_phone="0601020304",
        contact_name="Camille Secrète",
        contact_consent=True,
        address="12 rue Haute",
        author=world.users["usager"],
    )
    (item,) = as_json(get(client, "requests.json"))
    assert list(item) == REQUEST_FIELDS
    voice = done.voice
    assert item["service_request_id"] == voice.reference
    assert item["status"] == "open"
    assert item["status_notes"] is None
    assert item["service_code"] == "voirie" and item["service_name"] == "Voirie"
    assert item["description"] == voice.text
    assert item["agency_responsible"] == "Agglo de Test"
    assert "Voirie" in item["service_notice"]
    assert item["address"] == "12 rue Haute"
    assert item["zipcode"] == "38510"
    assert item["address_id"] is None and item["media_url"] is None
    assert (item["lat"], item["long"]) == (done.report.latitude, done.report.longitude)
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert ISO_WITH_OFFSET.match(item[name]), item[name]
    assert dt.datetime.fromisoformat(item["requested_datetime"]) == voice.created_at.replace(
        microsecond=0
    )
    assert dt.datetime.fromisoformat(item["expected_datetime"]) == voice.answer_due.replace(
        microsecond=0
    )
    raw = (
        get(client, "requests.json").content.decode() + get(client, "requests.xml").content.decode()
    )
    for secret in ("secret@exemple.fr", "0601020304", "Secrète", "Ulysse", "usager@test.fr"):
        assert secret not in raw


def test_request_list_in_xml(client, world, rworld, submit):
    first = submit()
    second = submit(category=rworld.water, attributes={"where": "road"})
    root = as_xml(get(client, "requests.xml"))
    assert root.tag == "service_requests"
    requests = root.findall("request")
    assert [r.findtext("service_request_id") for r in requests] == [
        second.voice.reference,  # newest first
        first.voice.reference,
    ]
    assert [c.tag for c in requests[0]] == REQUEST_FIELDS
    assert requests[0].findtext("status") == "open"
    assert requests[0].find("address_id").text is None  # empty element
    assert float(requests[1].findtext("lat")) == first.report.latitude
    assert ISO_WITH_OFFSET.match(requests[0].findtext("requested_datetime"))


def test_empty_list_is_an_empty_array_or_element(client, world, rworld):
    assert as_json(get(client, "requests.json")) == []
    root = as_xml(get(client, "requests.xml"))
    assert root.tag == "service_requests" and list(root) == []


def test_sensitive_category_shows_only_the_rounded_point(client, world, rworld, submit):
    lat, lon = SAINT_ESSAI[0] + 0.00123, SAINT_ESSAI[1] + 0.00234
    done = submit(category=rworld.rough_sleeper, latitude=lat, longitude=lon)
    (item,) = as_json(get(client, "requests.json"))
    assert (item["lat"], item["long"]) == (done.report.latitude, done.report.longitude)
    assert (item["lat"], item["long"]) != (lat, lon)
    body = get(client, f"requests/{done.voice.reference}.xml").content.decode()
    assert str(lat) not in body and str(lon) not in body


def test_status_maps_to_open_or_closed_with_the_public_update(client, world, rworld, submit):
    done = submit()
    report_set_state(
        done.report,
        actor=world.users["direction"],
        status=Status.IN_PROGRESS,
        text="Équipe en route.",
    )
    (item,) = as_json(get(client, f"requests/{done.voice.reference}.json"))
    assert (item["status"], item["status_notes"]) == ("open", "Équipe en route.")
    report_set_state(
        done.report, actor=world.users["direction"], status=Status.FIXED, text="Rebouché ce matin."
    )
    (item,) = as_json(get(client, f"requests/{done.voice.reference}.json"))
    assert (item["status"], item["status_notes"]) == ("closed", "Rebouché ce matin.")
    assert item["expected_datetime"] is None
    root = as_xml(get(client, f"requests/{done.voice.reference}.xml"))
    assert root.findtext("request/status") == "closed"
    assert ISO_WITH_OFFSET.match(root.findtext("request/updated_datetime"))


def test_filters_service_code_status_and_ids(client, world, rworld, submit):
    road = submit()
    water = submit(category=rworld.water, attributes={"where": "meter"})
    rough = submit(category=rworld.rough_sleeper)
    report_set_state(
        road.report, actor=world.users["direction"], status=Status.FIXED, text="Réparé."
    )

    def refs(**query):
        return [r["service_request_id"] for r in as_json(get(client, "requests.json", **query))]

    assert refs(service_code="voirie") == [road.voice.reference]
    assert refs(service_code="eau,personne-a-la-rue") == [
        rough.voice.reference,
        water.voice.reference,
    ]
    assert refs(status="closed") == [road.voice.reference]
    assert refs(status="open") == [rough.voice.reference, water.voice.reference]
    assert len(refs(status="open,closed")) == 3
    assert refs(service_code="eau", status="closed") == []
    # service_request_id overrides every other filter, case-insensitive, unknown ids skipped
    ids = f"{road.voice.reference.lower()},{water.voice.reference},ZZZZ-9999"
    assert refs(service_request_id=ids, service_code="personne-a-la-rue", status="open") == [
        water.voice.reference,
        road.voice.reference,
    ]


def test_dates_window_defaults_to_the_last_90_days(client, world, rworld, submit):
    now = timezone.now()
    recent = submit(created_at=now - dt.timedelta(days=3))
    older = submit(created_at=now - dt.timedelta(days=120))
    oldest = submit(created_at=now - dt.timedelta(days=200))

    def refs(**query):
        return [r["service_request_id"] for r in as_json(get(client, "requests.json", **query))]

    assert refs() == [recent.voice.reference]
    day = (now - dt.timedelta(days=120)).date()
    start = f"{day - dt.timedelta(days=1)}T00:00:00Z"
    end = f"{day + dt.timedelta(days=1)}T00:00:00Z"
    assert refs(start_date=start, end_date=end) == [older.voice.reference]
    # start alone: 90 days from it; end alone: the 90 days before it
    assert refs(start_date=start) == [older.voice.reference]
    assert refs(end_date=end) == [older.voice.reference, oldest.voice.reference]
    # offsets and bare dates; a '+' left unescaped in the query arrives as a space
    local = timezone.localtime(older.report.created_at)
    around = (local - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S%z")
    around = f"{around[:-2]}:{around[-2:]}"
    assert older.voice.reference in refs(start_date=around, end_date=end)
    assert older.voice.reference in refs(start_date=around.replace("+", " "), end_date=end)
    day = local.date()  # a bare date is midnight, territory time
    assert refs(start_date=str(day), end_date=str(day + dt.timedelta(days=1))) == [
        older.voice.reference
    ]


def test_paging_extension(client, world, rworld, submit):
    made = [submit().voice.reference for _ in range(5)]
    newest_first = list(reversed(made))

    def refs(**query):
        return [r["service_request_id"] for r in as_json(get(client, "requests.json", **query))]

    assert refs() == newest_first  # default page size: 1000 (the specification's limit)
    assert params.DEFAULT_PAGE_SIZE == 1000 and params.MAX_PAGE_SIZE == 500
    assert refs(page_size=2) == newest_first[:2]
    assert refs(page_size=2, page=2) == newest_first[2:4]
    assert refs(page_size=2, page=3) == newest_first[4:]
    assert refs(page_size=2, page=4) == []
    assert refs(page_size=500) == newest_first


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("query", "contains"),
    [
        ({"start_date": "hier"}, "start_date: "),
        ({"end_date": "2026-13-45T00:00:00Z"}, "end_date: "),
        ({"start_date": "2026-01-01T25:00:00Z"}, "start_date: "),
        ({"status": "pending"}, "status: "),
        ({"status": "open,fixed"}, "fixed"),
        ({"page_size": "501"}, "page_size: "),
        ({"page_size": "0"}, "page_size: "),
        ({"page_size": "beaucoup"}, "page_size: "),
        ({"page": "-1"}, "page: "),
        ({"page": "99999999999999999999999"}, "page: "),
        ({"service_code": "voirie\x00"}, "NUL"),
        ({"service_request_id": "AB\x00"}, "NUL"),
        ({"start_date": "2026-01-01", "end_date": "2026-05-01"}, "end_date: "),
        ({"start_date": "2026-03-01", "end_date": "2026-02-01"}, "end_date: "),
        (
            {"service_request_id": ",".join(f"ABCD-{i:04}" for i in range(501))},
            "service_request_id: ",
        ),
    ],
)
def test_malformed_list_parameters_are_400(client, world, rworld, fmt, query, contains):
    assert_error(get(client, f"requests.{fmt}", **query), 400, fmt, contains=contains)


def test_several_malformed_parameters_give_one_error_each(client, world, rworld):
    errors = assert_error(get(client, "requests.json", status="x", page_size="900"), 400)
    assert len(errors) == 2


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_code_in_a_list_is_404(client, world, rworld, fmt):
    assert_error(get(client, f"requests.{fmt}", service_code="voirie,nope"), 404, fmt, "nope")


def test_one_request_in_json_and_xml(client, world, rworld, submit):
    done = submit(media_url="https://photos.exemple.fr/1.jpg")
    ref = done.voice.reference
    (item,) = as_json(get(client, f"requests/{ref}.json"))
    assert item["service_request_id"] == ref
    assert item["media_url"] == "https://photos.exemple.fr/1.jpg"
    assert as_json(get(client, f"requests/{ref.lower()}.json"))[0]["service_request_id"] == ref
    root = as_xml(get(client, f"requests/{ref}.xml"))
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == ref
    assert root.findtext("request/media_url") == "https://photos.exemple.fr/1.jpg"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_request_and_token_are_404(client, world, rworld, fmt):
    assert_error(get(client, f"requests/ZZZZ-9999.{fmt}"), 404, fmt, "ZZZZ-9999")
    assert_error(get(client, f"tokens/0123456789abcdef.{fmt}"), 404, fmt, "0123456789abcdef")


def test_token_in_json_and_xml(client, world, rworld, submit):
    done = submit()
    token = done.report.token
    assert as_json(get(client, f"tokens/{token}.json")) == [
        {"service_request_id": done.voice.reference, "token": token}
    ]
    root = as_xml(get(client, f"tokens/{token}.xml"))
    assert root.findtext("request/service_request_id") == done.voice.reference
    assert root.findtext("request/token") == token


def test_list_costs_one_query_whatever_the_number_of_rows(client, world, rworld, submit):
    """One query for the rows (with category, commune, service and organization); the
    territory comes from the per-process cache in production (the test transaction
    bypasses that cache, hence the `territory` query counted apart)."""
    submit()

    def count(path: str, **query) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            assert get(client, path, **query).status_code == 200
        sql = [q["sql"] for q in ctx.captured_queries]
        other = [q for q in sql if 'FROM "territory_territory"' not in q]
        return len(other), len([q for q in other if 'FROM "reports_report"' in q])

    few = {p: count(p) for p in ("requests.json", "requests.xml")}
    with_code = count("requests.json", service_code="voirie,eau")
    for _ in range(12):
        submit(category=rworld.water, attributes={"where": "road"})
        submit(category=rworld.rough_sleeper)
    assert len(as_json(get(client, "requests.json"))) == 25
    many = {p: count(p) for p in ("requests.json", "requests.xml")}
    assert many == few == {"requests.json": (1, 1), "requests.xml": (1, 1)}
    assert count("requests.json", service_code="voirie,eau") == with_code == (2, 1)  # + codes
    assert count("requests.json", service_request_id="ABCD-2345") == (1, 1)
    ref = Report.objects.values_list("voice__reference", flat=True).first()
    assert count(f"requests/{ref}.json") == (1, 1)


def test_list_uses_the_recent_index_newest_first(world, rworld, submit):
    """The query the list runs filters on territory and created_at and orders on
    (-created_at, -voice): the columns of the report_recent index."""
    from cocon.reports.open311.views import report_rows

    rows = report_rows(world.territory).filter(created_at__gte=timezone.now())
    sql = str(rows.query)
    assert '"reports_report"."territory_id"' in sql
    assert rows.query.order_by == ("-created_at", "-voice_id")
    assert "reports_voicecontact" not in sql and "voices_voicecontact" not in sql


# --- POST requests --------------------------------------------------------------------------
def test_post_creates_a_report_from_the_application(client, world, rworld, key):
    response = post(
        client,
        **pothole(
            key,
            email="camille@exemple.fr",
            first_name="Camille",
            last_name="Martin",
            phone="0601020304",
            media_url="https://photos.exemple.fr/nid.jpg",
            device_id="abc",
            account_id="42",
            address_string="12 rue Haute",
        ),
    )
    assert response.status_code == 200, response.content
    (item,) = as_json(response)
    assert set(item) == {"service_request_id", "service_notice", "account_id", "token"}
    assert item["account_id"] is None
    report = Report.objects.select_related("voice", "client").get(
        voice__reference=item["service_request_id"]
    )
    assert item["token"] == report.token
    assert item["service_request_id"] in item["service_notice"]
    assert report.voice.channel == Channel.APP
    assert report.client.name == "Appli de la ville"
    assert report.client.last_used_at is not None
    assert report.voice.service == rworld.roads_a
    assert report.voice.address == "12 rue Haute"
    assert report.media_url == "https://photos.exemple.fr/nid.jpg"
    contact = VoiceContact.objects.get(voice=report.voice)
    assert (contact.name, contact.email, contact.phone) == (
        "Camille Martin",
        "camille@exemple.fr",
        "0601020304",
    )
    assert report.voice.author is None and report.voice.relay is None
    # readable at once, with its token
    assert (
        as_json(get(client, f"tokens/{report.token}.json"))[0]["service_request_id"]
        == (item["service_request_id"])
    )


def test_post_in_xml_answers_in_xml(client, world, rworld, key):
    response = post(client, "xml", **pothole(key))
    assert response.status_code == 200
    root = as_xml(response)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert [c.tag for c in request] == [
        "service_request_id",
        "service_notice",
        "account_id",
        "token",
    ]
    assert request.find("account_id").text is None
    assert Report.objects.filter(voice__reference=request.findtext("service_request_id")).exists()
    assert_error(post(client, "xml", **pothole(key, description="")), 400, "xml", "description")


def test_api_key_in_the_query_string(client, world, rworld, key):
    fields = pothole(key)
    del fields["api_key"]
    response = client.post(f"{ROOT}/requests.json?api_key={key}", fields)
    assert response.status_code == 200


def test_post_attributes_single_and_multiple(client, world, rworld, key):
    rworld.water.attributes = [
        *rworld.water.attributes,
        {
            "code": "signs",
            "description": "Signes",
            "datatype": "multivaluelist",
            "values": [{"key": "smell", "name": "Odeur"}, {"key": "noise", "name": "Bruit"}],
        },
    ]
    rworld.water.save()
    data = pothole(key, service_code="eau")
    data["attribute[where]"] = "road"
    data["attribute[depth]"] = "12,5"
    data["attribute[signs][]"] = ["smell", "noise"]
    response = post(client, **data)
    assert response.status_code == 200, response.content
    report = Report.objects.get(voice__reference=as_json(response)[0]["service_request_id"])
    assert report.attributes == {"where": "road", "depth": 12.5, "signs": ["smell", "noise"]}
    # a required attribute missing, a value outside the list: one error each, named
    data = pothole(key, service_code="eau")
    data["attribute[signs][]"] = ["smell", "colour"]
    errors = assert_error(post(client, **data), 400)
    assert any(e.startswith("attribute[where]: ") for e in errors)
    assert any(e.startswith("attribute[signs]: ") for e in errors)


def test_post_with_an_address_string_finds_the_commune(client, world, rworld, key):
    by_name = pothole(key, address_string="3 place de la Mairie, Saint Essai")
    del by_name["lat"], by_name["long"]
    response = post(client, **by_name)
    assert response.status_code == 200, response.content
    report = Report.objects.select_related("voice").get(
        voice__reference=as_json(response)[0]["service_request_id"]
    )
    assert report.voice.commune == world.communes[1]
    assert report.voice.address == "3 place de la Mairie, Saint Essai"
    assert (report.latitude, report.longitude) == SAINT_ESSAI  # the commune's centre
    by_code = pothole(key, address_string="8 rue du Lac 38500")
    del by_code["lat"], by_code["long"]
    response = post(client, **by_code)
    report = Report.objects.select_related("voice").get(
        voice__reference=as_json(response)[0]["service_request_id"]
    )
    assert report.voice.commune == world.communes[0]
    assert (report.latitude, report.longitude) == VILLEBOURG
    assert report.voice.service == rworld.roads_m  # routed by place: the town hall
    (item,) = as_json(get(client, f"requests/{report.voice.reference}.json"))
    assert item["address"] == "8 rue du Lac 38500" and item["zipcode"] == "38500"


def test_commune_in_address_prefers_the_longest_name_and_the_postal_code(world):
    communes = list(world.territory.communes.all())
    saint_essai = world.communes[1]
    assert params.commune_in_address(communes, "rue de SAINT-ÉSSAI") == saint_essai
    assert params.commune_in_address(communes, "38510 quelque part") == saint_essai
    assert params.commune_in_address(communes, "Villebourg 38510") == saint_essai
    assert params.commune_in_address(communes, "Villebourgeois") is None
    assert params.commune_in_address(communes, "Paris 75001") is None


def errors_after(client, fields, status, fmt="json", contains=""):
    before = (Voice.objects.count(), Report.objects.count(), VoiceContact.objects.count())
    errors = assert_error(post(client, fmt, **fields), status, fmt, contains)
    after = (Voice.objects.count(), Report.objects.count(), VoiceContact.objects.count())
    assert after == before, "nothing is written on an error"
    return errors


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_without_a_valid_key_is_403(client, world, rworld, key, fmt):
    fields = pothole(key)
    del fields["api_key"]
    errors_after(client, fields, 403, fmt, "api_key")
    errors_after(client, pothole("not-a-key"), 403, fmt, "api_key")
    Open311Client.objects.update(is_active=False)
    errors_after(client, pothole(key), 403, fmt, "api_key")


@pytest.mark.parametrize(
    ("change", "status", "contains"),
    [
        ({"service_code": "inconnue"}, 404, "service_code: "),
        ({"service_code": ""}, 400, "service_code: "),
        ({"long": ""}, 400, "long: "),  # the missing one
        ({"lat": ""}, 400, "lat: "),
        ({"lat": "nord"}, 400, "lat: "),
        ({"lat": "", "long": ""}, 400, "address_string: "),
        ({"lat": "", "long": "", "address_string": "Lyon"}, 400, "address_string: "),
        ({"lat": "48.85", "long": "2.35"}, 400, "lat: "),  # outside the territory
        ({"lat": "95", "long": "2.35"}, 400, "lat: "),
        ({"description": "   "}, 400, "description: "),
        ({"description": "x" * 5001}, 400, "description: "),
        ({"email": "pas-un-email"}, 400, "email: "),
        ({"phone": "12"}, 400, "phone: "),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url: "),
        ({"description": "Nid\x00de poule"}, 400, ""),
        ({"service_code": "cabines"}, 400, "service_code: "),  # no longer takes reports
        ({"service_code": "eclairage"}, 400, "service_code: "),  # handled by nobody
        ({"service_code": "eau"}, 400, "attribute[where]: "),  # a required question
    ],
)
def test_post_errors_name_the_open311_field(client, world, rworld, key, change, status, contains):
    errors_after(client, pothole(key, **change), status, "json", contains)


def test_post_gives_one_error_per_field_in_french(client, world, rworld, key):
    from django.utils import translation

    fields = pothole(key, description="", email="faux")
    errors = errors_after(client, fields, 400)
    assert len(errors) == 2
    with translation.override("fr"):
        expected = translation.gettext("Describe the problem (this field cannot be empty).")
    assert f"description: {expected}" in errors


def test_nul_characters_in_paths_are_400_not_500(client, world, rworld):
    for path in ("requests/AB%00CD.json", "tokens/ab%00.xml", "services/vo%00ie.json"):
        assert client.get(f"{ROOT}/{path}").status_code == 400


def test_methods_formats_and_paths(client, world, rworld):
    assert_error(client.post(f"{ROOT}/services.json"), 405)
    assert client.post(f"{ROOT}/services.json")["Allow"] == "GET, HEAD"
    assert_error(client.delete(f"{ROOT}/requests.xml"), 405, "xml")
    assert_error(get(client, "services.csv"), 404, contains="csv")
    assert_error(get(client, "requests/ABCD-2345.html"), 404)
    assert_error(get(client, "requests"), 404)
    assert_error(get(client, "nothing/here.json"), 404)
    assert_error(client.get(f"{ROOT}/"), 404)
    assert_error(client.post(f"{ROOT}/tokens"), 404)  # CSRF-exempt, JSON, not an HTML page


# --- jurisdiction ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["discovery", "services", "services/voirie", "requests", "tokens/abc"]
)
def test_jurisdiction_is_checked_on_every_endpoint(client, world, rworld, path):
    ok = get(client, f"{path}.json", jurisdiction_id="test")
    assert ok.status_code in (200, 404)
    if path != "tokens/abc":
        assert ok.status_code == 200
    assert_error(
        get(client, f"{path}.json", jurisdiction_id="ailleurs.fr"),
        404,
        contains="jurisdiction_id: ",
    )
    assert_error(get(client, f"{path}.xml", jurisdiction_id="ailleurs.fr"), 404, "xml")


def test_jurisdiction_on_post(client, world, rworld, key):
    assert post(client, **pothole(key, jurisdiction_id="test")).status_code == 200
    errors_after(client, pothole(key, jurisdiction_id="ailleurs"), 404, contains="ailleurs")


# --- rate limits and idempotency ------------------------------------------------------------
def test_post_is_rate_limited_per_address(client, world, rworld, key, settings):
    settings.OPEN311_POST_RATE_PER_IP = 2
    assert post(client, **pothole(key)).status_code == 200
    assert post(client, **pothole("wrong")).status_code == 403  # failed keys count too
    response = post(client, **pothole(key))
    errors_after(client, pothole(key), 429)
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert_error(post(client, "xml", **pothole(key)), 429, "xml")
    # another address is not blocked
    other = client.post(f"{ROOT}/requests.json", pothole(key), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_post_is_rate_limited_per_key(client, world, rworld, key, settings):
    settings.OPEN311_POST_RATE_PER_KEY = 1
    _other, other_key = Open311Client.issue(territory=world.territory, name="Autre")
    assert post(client, **pothole(key)).status_code == 200
    errors_after(client, pothole(key), 429, contains="api_key: ")
    assert post(client, **pothole(other_key)).status_code == 200


def test_idempotency_key_replays_the_first_answer(client, world, rworld, key):
    headers = {"Idempotency-Key": "envoi-1"}
    first = post(client, headers=headers, **pothole(key))
    again = post(client, headers=headers, **pothole(key))
    assert first.status_code == again.status_code == 200
    assert as_json(first) == as_json(again)
    assert Report.objects.count() == 1
    assert (
        as_xml(post(client, "xml", headers=headers, **pothole(key))).findtext("request/token")
        == as_json(first)[0]["token"]
    )
    changed = post(client, headers=headers, **pothole(key, description="Autre chose"))
    assert_error(changed, 400, contains="Idempotency-Key: ")
    assert Report.objects.count() == 1
    # another key, or no key: a new report
    assert post(client, headers={"Idempotency-Key": "envoi-2"}, **pothole(key)).status_code == 200
    assert post(client, **pothole(key)).status_code == 200
    assert Report.objects.count() == 3


def test_a_failed_request_does_not_burn_its_idempotency_key(client, world, rworld, key):
    headers = {"Idempotency-Key": "envoi-3"}
    assert post(client, headers=headers, **pothole(key, description="")).status_code == 400
    assert post(client, headers=headers, **pothole(key)).status_code == 200


# --- parameters, unit -----------------------------------------------------------------------
def test_parse_when_accepts_w3c_forms(settings):
    utc = dt.UTC
    assert params.parse_when("d", "2026-01-31T10:00:00Z") == dt.datetime(
        2026, 1, 31, 10, tzinfo=utc
    )
    assert params.parse_when("d", "2026-01-31T11:00:00+01:00") == dt.datetime(
        2026, 1, 31, 10, tzinfo=utc
    )
    assert params.parse_when("d", "2026-01-31T11:00:00 01:00") == dt.datetime(
        2026, 1, 31, 10, tzinfo=utc
    )
    assert params.parse_when("d", "2026-01-31") == dt.datetime(2026, 1, 30, 23, tzinfo=utc)


def test_a_copy_that_lost_the_race_replays_the_first(client, world, rworld, key, monkeypatch):
    """Two copies in flight: the second does not see the first's key yet (not
    committed), creates its report, then fails on the key's unique constraint — its
    whole transaction, report included, rolls back and it answers the first's body."""
    from cocon.api.models import IdempotencyKey

    first = post(client, headers={"Idempotency-Key": "envoi-4"}, **pothole(key))
    assert first.status_code == 200
    real_filter = IdempotencyKey.objects.filter
    calls = {"n": 0}

    def blind_once(*args, **kwargs):
        calls["n"] += 1
        return IdempotencyKey.objects.none() if calls["n"] == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(IdempotencyKey.objects, "filter", blind_once)
    second = post(client, headers={"Idempotency-Key": "envoi-4"}, **pothole(key))
    assert second.status_code == 200 and second.json() == first.json()
    assert calls["n"] == 2 and Report.objects.count() == 1
