"""Existing Open311 client software from PyPI, unchanged, against the real server on
127.0.0.1 (pytest-django's `live_server`):

- `georeport==0.3.1` — GET endpoints (services, service definition, requests, one
  request), in JSON and in XML mode (it parses XML with xmltodict: one child element
  comes back as a dict, several as a list; it raises on HTTP errors before reading the
  body);
- `civicbot==0.4.0` — JSON only: services, definition, requests with ids and paging,
  tokens, and POST with an api_key and attributes (single and multiple values), after
  checking the payload against our live service definition (`validate_remote=True`);
- no PyPI client POSTs in XML: that is done with `requests` + `xmltodict`.
"""

from __future__ import annotations

import pytest
import requests
import xmltodict
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client as CivicClient
from civicbot.registry import Endpoint
from django.core.cache import cache
from georeport import GeoReport

from cocon.reports.models import Open311Client, Report
from cocon.voices.models import Channel, Status, VoiceContact
from tests.reports.conftest import SAINT_ESSAI

JURISDICTION = "test"  # the territory's slug in the `world` fixture


@pytest.fixture
def server(live_server, world, rworld, settings):
    """The live server with the test world, three reports and a client key."""
    settings.OPEN311_POST_RATE_PER_IP = 1000
    settings.OPEN311_POST_RATE_PER_KEY = 1000
    cache.clear()
    _client, key = Open311Client.issue(territory=world.territory, name="Appli citoyenne")
    yield live_server, key
    cache.clear()


@pytest.fixture
def reports(submit, rworld):
    road = submit()
    water = submit(category=rworld.water, attributes={"where": "road"})
    rough = submit(
        category=rworld.rough_sleeper,
        latitude=SAINT_ESSAI[0] + 0.00123,
        longitude=SAINT_ESSAI[1] + 0.00234,
        contact_email="secret@exemple.fr",
        contact_consent=True,
    )
    return road, water, rough


def root(live_server) -> str:
    return f"{live_server.url}/open311/v2/"


def as_list(value) -> list:
    """xmltodict gives one child element as a dict, several as a list."""
    return value if isinstance(value, list) else [value]


# --- georeport (GET, JSON and XML) -----------------------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_services_and_definitions(server, reports, fmt):
    live_server, _key = server
    client = GeoReport(root(live_server), jurisdiction=JURISDICTION, output_format=fmt)
    services = as_list(client.get_service_list())
    codes = [s["service_code"] for s in services]
    assert {"voirie", "eau", "personne-a-la-rue"} <= set(codes)
    assert "cabines" not in codes
    water = next(s for s in services if s["service_code"] == "eau")
    assert water["metadata"] in (True, "true")
    assert water["type"] == "realtime"
    definition = client.get_service_definition("eau")
    assert definition["service_code"] == "eau"
    attributes = (
        definition["attributes"]
        if fmt == "json"
        else as_list(definition["attributes"]["attribute"])
    )
    where = attributes[0]
    assert where["code"] == "where"
    assert where["datatype"] == "singlevaluelist"
    assert where["required"] in (True, "true")
    values = where["values"] if fmt == "json" else as_list(where["values"]["value"])
    assert [v["key"] for v in values] == ["road", "meter"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_requests_with_filters(server, reports, world, fmt):
    from cocon.reports.services import report_set_state

    live_server, _key = server
    road, water, rough = reports
    report_set_state(
        road.report, actor=world.users["direction"], status=Status.FIXED, text="Rebouché."
    )
    client = GeoReport(root(live_server), jurisdiction=JURISDICTION, output_format=fmt)
    every = as_list(client.get_service_requests())
    assert [r["service_request_id"] for r in every] == [
        rough.voice.reference,
        water.voice.reference,
        road.voice.reference,
    ]
    fixed = as_list(client.get_service_requests(status="closed"))
    assert [(r["service_request_id"], r["status"], r["status_notes"]) for r in fixed] == [
        (road.voice.reference, "closed", "Rebouché.")
    ]
    by_code = as_list(client.get_service_requests(service_code="eau,voirie", status="open"))
    assert [r["service_request_id"] for r in by_code] == [water.voice.reference]
    by_ids = as_list(
        client.get_service_requests(
            service_request_id=f"{road.voice.reference},{rough.voice.reference}",
            status="open",  # overridden by the ids
        )
    )
    assert {r["service_request_id"] for r in by_ids} == {
        road.voice.reference,
        rough.voice.reference,
    }
    if fmt == "json":  # (in XML an empty list is `<service_requests/>`: see below)
        nothing = client.get_service_requests(
            start_date="2010-01-01T00:00:00Z", end_date="2010-03-01T00:00:00Z"
        )
        assert nothing == []
    one = client.get_service_request(rough.voice.reference)
    assert one["service_request_id"] == rough.voice.reference
    assert one["service_code"] == "personne-a-la-rue"
    # the public point only (rounded), never the contact
    assert float(one["lat"]) == rough.report.latitude
    assert float(one["lat"]) != SAINT_ESSAI[0] + 0.00123
    assert "secret@exemple.fr" not in str(every)


def test_georeport_xml_of_an_empty_list_and_of_errors(server, world, rworld):
    """Quirks of the client, not of the server: an empty `<service_requests/>` parses as
    None (georeport then fails on it), and HTTP errors raise before the body is read —
    the body is still the specification's error document."""
    live_server, _key = server
    client = GeoReport(root(live_server), jurisdiction=JURISDICTION, output_format="xml")
    raw = requests.get(f"{root(live_server)}requests.xml", timeout=10)
    assert raw.status_code == 200 and xmltodict.parse(raw.content) == {"service_requests": None}
    with pytest.raises(TypeError):
        client.get_service_requests()
    with pytest.raises(requests.HTTPError) as failure:
        client.get_service_definition("inconnue")
    assert failure.value.response.status_code == 404
    error = xmltodict.parse(failure.value.response.content)["errors"]["error"]
    assert error["code"] == "404" and "inconnue" in error["description"]
    wrong = GeoReport(root(live_server), jurisdiction="ailleurs", output_format="json")
    with pytest.raises(requests.HTTPError) as failure:
        wrong.get_service_list()
    assert failure.value.response.status_code == 404
    assert failure.value.response.json()[0]["code"] == 404


# --- civicbot (JSON: reads, POST, tokens) --------------------------------------------------------
def civic(live_server, jurisdiction: str = JURISDICTION) -> CivicClient:
    endpoint = Endpoint(id="cocon", name="Cocon", base_url=root(live_server), write=True)
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0))
    return CivicClient(endpoint, transport=transport, jurisdiction_id=jurisdiction, fmt="json")


def test_civicbot_reads(server, reports):
    live_server, _key = server
    road, water, rough = reports
    client = civic(live_server)
    assert "eau" in {s["service_code"] for s in client.list_services()}
    assert client.get_service_definition("eau")["attributes"][0]["code"] == "where"
    page = client.list_requests(page_size=2)
    assert [r["service_request_id"] for r in page] == [
        rough.voice.reference,
        water.voice.reference,
    ]
    listed = client.list_requests(
        service_request_ids=[road.voice.reference, water.voice.reference], page_size=10
    )
    assert {r["service_request_id"] for r in listed} == {
        road.voice.reference,
        water.voice.reference,
    }
    assert client.get_request(water.voice.reference)["service_code"] == "eau"
    assert client.get_token(road.report.token) == [
        {"service_request_id": road.voice.reference, "token": road.report.token}
    ]


def test_civicbot_posts_with_api_key_and_attributes(server, world, rworld):
    live_server, key = server
    rworld.water.attributes = [
        *rworld.water.attributes,
        {
            "code": "signs",
            "description": "Signes",
            "datatype": "multivaluelist",
            "required": False,
            "order": 3,
            "values": [{"key": "smell", "name": "Odeur"}, {"key": "noise", "name": "Bruit"}],
        },
    ]
    rworld.water.save()
    client = civic(live_server)
    sent = client.create_request(
        "eau",
        dry_run=False,
        confirm="SEND",
        api_key=key,
        validate_remote=True,  # checks the payload against our service definition first
        lat=SAINT_ESSAI[0] + 0.001,
        lng=SAINT_ESSAI[1] + 0.001,
        description="Fuite sur la chaussée, l'eau coule depuis ce matin.",
        attributes={"where": "road", "signs": ["smell", "noise"]},
        email="camille@exemple.fr",
        first_name="Camille",
        last_name="Martin",
        device_id="android-123",
    )
    assert sent.form["attribute[signs][]"] == ["smell", "noise"]
    (answer,) = sent.response
    assert answer["account_id"] is None
    report = Report.objects.select_related("voice", "client").get(
        voice__reference=answer["service_request_id"]
    )
    assert report.attributes == {"where": "road", "signs": ["smell", "noise"]}
    assert report.voice.channel == Channel.APP
    assert report.client.name == "Appli citoyenne"
    assert VoiceContact.objects.get(voice=report.voice).email == "camille@exemple.fr"
    # the token leads back to the request, which reads back without the contact
    (by_token,) = client.get_token(answer["token"])
    assert by_token["service_request_id"] == answer["service_request_id"]
    read = client.get_request(answer["service_request_id"])
    assert read["status"] == "open" and read["service_code"] == "eau"
    assert "camille" not in str(read).lower()


def test_civicbot_sees_the_error_bodies(server, world, rworld):
    live_server, key = server
    client = civic(live_server)
    common = {
        "dry_run": False,
        "confirm": "SEND",
        "lat": SAINT_ESSAI[0] + 0.001,
        "lng": SAINT_ESSAI[1] + 0.001,
        "description": "Nid-de-poule.",
    }
    with pytest.raises(HttpError) as failure:
        client.create_request("voirie", api_key="mauvaise-cle", **common)
    assert failure.value.status == 403
    assert "api_key" in failure.value.body
    with pytest.raises(HttpError) as failure:
        client.create_request("inconnue", api_key=key, **common)
    assert failure.value.status == 404
    with pytest.raises(HttpError) as failure:
        client.create_request("voirie", api_key=key, **{**common, "lat": 48.85, "lng": 2.35})
    assert failure.value.status == 400 and '"code":400' in failure.value.body
    with pytest.raises(HttpError) as failure:
        civic(live_server, jurisdiction="ailleurs").list_services()
    assert failure.value.status == 404
    assert Report.objects.count() == 0


# --- XML POST (no PyPI client does it) ---------------------------------------------------
def test_post_in_xml_with_requests_and_xmltodict(server, world, rworld):
    live_server, key = server
    url = f"{root(live_server)}requests.xml"
    form = {
        "jurisdiction_id": JURISDICTION,
        "api_key": key,
        "service_code": "eau",
        "address_string": "4 rue des Écoles, 38510 Saint-Essai",
        "description": "Fuite au compteur.",
        "attribute[where]": "meter",
    }
    response = requests.post(url, data=form, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    request = xmltodict.parse(response.content)["service_requests"]["request"]
    assert request["account_id"] is None
    report = Report.objects.select_related("voice").get(
        voice__reference=request["service_request_id"]
    )
    assert report.token == request["token"]
    assert report.voice.commune == world.communes[1]
    token = requests.get(f"{root(live_server)}tokens/{request['token']}.xml", timeout=10)
    by_token = xmltodict.parse(token.content)["service_requests"]["request"]
    assert by_token["service_request_id"] == request["service_request_id"]
    # errors come back as <errors>, one <error> per field
    bad = requests.post(url, data={**form, "description": "", "email": "faux"}, timeout=10)
    assert bad.status_code == 400
    errors = as_list(xmltodict.parse(bad.content)["errors"]["error"])
    assert {e["description"].split(":")[0] for e in errors} == {"description", "email"}
    assert all(e["code"] == "400" for e in errors)
    no_key = requests.post(url, data={**form, "api_key": ""}, timeout=10)
    assert no_key.status_code == 403
    assert xmltodict.parse(no_key.content)["errors"]["error"]["code"] == "403"
    assert Report.objects.count() == 1
