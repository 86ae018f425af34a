"""The demo Signalements: categories, coverage, teams and reports whose rows are those the
services would have written (routing, public point, statuses, history)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db.models import Count

from cocon.core.models import StatusEvent
from cocon.demo.loader import load_demo
from cocon.demo.reports_loader import CATEGORIES, MAX_OFFSET_M, OPEN311_CLIENT_NAME, TEAMS
from cocon.lib import geo
from cocon.reports import services
from cocon.reports.models import Category, Open311Client, Report, Support, Team
from cocon.reports.selectors import map_data, public_reports
from cocon.territory.models import Territory
from cocon.voices.models import OPEN_STATUSES, Kind, Status, Voice
from cocon.voices.services import allowed_statuses

N = 150


@pytest.fixture
def demo(db) -> Territory:
    load_demo(voices=50, reports=N)
    return Territory.objects.get(slug="val-de-lise")


def reports(territory):
    return Report.objects.filter(territory=territory).select_related(
        "voice__commune", "voice__service", "category"
    )


@pytest.mark.django_db
def test_counts_and_set_up(demo):
    assert Report.objects.filter(territory=demo).count() == N
    assert Voice.objects.filter(territory=demo, kind=Kind.REPORT).count() == N
    cats = Category.objects.filter(territory=demo)
    assert cats.count() == len(CATEGORIES) >= 11
    assert list(cats.filter(is_active=False).values_list("code", flat=True)) == ["sapins-noel"]
    assert list(cats.filter(sensitive=True).values_list("code", flat=True)) == [
        "personne-en-difficulte"
    ]
    leak = cats.get(code="fuite-eau")
    question = next(a for a in leak.attributes if a["required"])
    assert question["description"] == "Où est la fuite ?"
    assert {v["key"] for v in question["values"]} == {"chaussee", "trottoir", "compteur"}
    # every category is linked to a Paroles theme of the demo
    assert cats.filter(theme__isnull=True).count() == 0
    client = Open311Client.objects.get(territory=demo)
    assert client.name == OPEN311_CLIENT_NAME and client.is_active
    teams = Team.objects.filter(service__organization__territory=demo)
    assert teams.count() == sum(len(v) for v in TEAMS.values())
    assert not teams.annotate(n=Count("members")).filter(n=0).exists()
    per_service = Counter(teams.values_list("service_id", flat=True))
    assert min(per_service.values()) >= 2
    # a few of each interesting kind
    rows = list(reports(demo))
    assert sum(r.category.sensitive for r in rows) >= 1
    assert sum(r.status == Status.MERGED for r in rows) >= 3
    assert sum(r.precision == "commune" for r in rows) >= 3
    assert sum(r.client_id is not None for r in rows) >= 10
    assert sum(r.category.code == "sapins-noel" for r in rows) == 3
    assert 0.1 < sum(r.is_open for r in rows) / N < 0.5


@pytest.mark.django_db
def test_every_report_goes_to_the_service_covering_its_category_there(demo):
    by_org = Counter()
    for report in reports(demo):
        voice = report.voice
        coverage = services.route(report.category, voice.commune)
        assert coverage is not None, report
        assert voice.service_id == coverage.service_id, report
        assert voice.organization_id == coverage.organization_id
        assert voice.theme_id == report.category.theme_id
        by_org[voice.organization.slug] += 1
    # Montlise's own services, the agglomeration and at least one small town hall work
    assert by_org["ville-de-montlise"] > 0 and by_org["agglo-val-de-lise"] > 0


@pytest.mark.django_db
def test_montlise_routing_and_town_halls(demo):
    montlise = demo.communes.get(name="Montlise")
    vorlanges = demo.communes.get(name="Vorlanges")
    tulliere = demo.communes.get(name="Tullière")
    cat = {c.code: c for c in Category.objects.filter(territory=demo)}

    def where(code, commune):
        c = services.route(cat[code], commune)
        return (c.organization.slug, c.service.slug)

    assert where("nid-de-poule", montlise) == ("ville-de-montlise", "voirie-eclairage")
    assert where("nid-de-poule", tulliere) == ("agglo-val-de-lise", "voirie-communautaire")
    assert where("proprete", vorlanges) == ("mairie-vorlanges", "secretariat-de-mairie")
    assert where("proprete", tulliere) == ("agglo-val-de-lise", "dechets-collecte")
    assert where("fuite-eau", montlise) == ("agglo-val-de-lise", "eau-assainissement")
    assert where("depot-sauvage", montlise)[0] == "agglo-val-de-lise"
    assert where("personne-en-difficulte", montlise)[0] == "ccas-montlise"
    assert where("personne-en-difficulte", tulliere) == (
        "agglo-val-de-lise",
        "politique-de-la-ville",
    )


@pytest.mark.django_db
def test_points_are_inside_the_territory_and_sensitive_ones_rounded(demo):
    box = services.territory_box(demo)
    for report in reports(demo):
        voice = report.voice
        assert box.contains(report.latitude, report.longitude)
        if report.precision == "commune":
            assert voice.latitude is None
            assert (report.latitude, report.longitude) == (
                voice.commune.latitude,
                voice.commune.longitude,
            )
            continue
        centre = voice.commune  # the nearest centre, at most MAX_OFFSET_M from the drawn one
        d = geo.distance_m(voice.latitude, voice.longitude, centre.latitude, centre.longitude)
        assert d <= MAX_OFFSET_M + 1
        if report.category.sensitive:
            assert (report.latitude, report.longitude) == geo.round_point(
                voice.latitude, voice.longitude, services.SENSITIVE_STEP_M
            )
            assert (report.latitude, report.longitude) != (voice.latitude, voice.longitude)
            d = geo.distance_m(voice.latitude, voice.longitude, report.latitude, report.longitude)
            assert d < 75
        else:
            assert (report.latitude, report.longitude) == (voice.latitude, voice.longitude)


@pytest.mark.django_db
def test_statuses_agree_between_voice_report_and_history(demo):
    from django.contrib.contenttypes.models import ContentType

    from cocon.voices.models import Voice

    last = {}
    voice_events = StatusEvent.objects.filter(content_type=ContentType.objects.get_for_model(Voice))
    for e in voice_events.filter(to_status__gt="").order_by("created_at", "id"):
        last[e.object_id] = e
    assert (
        voice_events.filter(
            action="received", object_id__in=Report.objects.values("voice_id")
        ).count()
        == N
    )
    for report in reports(demo):
        voice = report.voice
        assert report.status == voice.status
        assert report.is_open == (voice.status in OPEN_STATUSES)
        assert report.created_at == voice.created_at
        event = last[voice.pk]
        assert event.to_status == voice.status
        assert report.updated_at == event.created_at
        if voice.status not in (Status.RECEIVED, Status.MERGED):
            # every change carries a public update; the last one is shown on the map
            assert event.public_text and report.status_notes == event.public_text
            assert voice.acknowledged_at is not None
        if voice.status in (Status.CLOSED, Status.NOT_FOR_US, Status.MERGED):
            assert voice.closed_at is not None and voice.closed_at >= voice.created_at
        else:
            assert voice.closed_at is None
        if voice.status == Status.MERGED:
            primary = voice.merged_into
            assert primary is not None and primary.report.category_id == report.category_id
            assert (
                geo.distance_m(voice.latitude, voice.longitude, primary.latitude, primary.longitude)
                <= services.DUPLICATE_RADIUS_M
            )
        if report.category.code == "fuite-eau":
            errors: dict = {}
            clean = services.clean_attributes(report.category, report.attributes, errors)
            assert errors == {} and clean == report.attributes
        assert report.support_count == Support.objects.filter(report=report).count()


@pytest.mark.django_db
def test_a_demo_report_goes_on_through_the_services(demo, django_assert_max_num_queries):
    report = (
        reports(demo).filter(status=Status.ACKNOWLEDGED).first()
        or reports(demo).filter(status=Status.RECEIVED).first()
    )
    assert Status.FIXED in allowed_statuses(report.voice)
    services.report_set_state(report, actor=None, status=Status.FIXED, text="Réparé.")
    report.refresh_from_db()
    assert (report.status, report.is_open, report.status_notes) == ("fixed", False, "Réparé.")
    # the public reads work on the demo and stay in a constant number of queries
    with django_assert_max_num_queries(3):
        assert len(list(public_reports(demo)[:50])) == 50
    box = services.territory_box(demo)
    data = map_data(demo, box)
    assert data["mode"] == "markers" and data["markers"]


@pytest.mark.django_db
def test_report_count_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("COCON_DEMO_REPORTS", "0")
    summary = load_demo(voices=0)
    assert summary["reports"] == 0
    assert Report.objects.count() == 0
    # the set-up is there all the same: a fresh demo takes reports at once
    assert Category.objects.filter(is_active=True).count() == len(CATEGORIES) - 1
    territory = Territory.objects.get(slug="val-de-lise")
    submitted = services.report_submit(
        territory=territory,
        category="fuite-eau",
        description="Fuite sur le trottoir.",
        commune=territory.communes.get(name="Tullière"),
        attributes={"emplacement": "trottoir"},
    )
    assert submitted.voice.service.slug == "eau-assainissement"
    with pytest.raises(services.ValidationError) as caught:
        services.report_submit(
            territory=territory,
            category="fuite-eau",
            description="Fuite.",
            commune=territory.communes.get(name="Tullière"),
        )
    assert "attribute[emplacement]" in caught.value.message_dict
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_map_of_the_demo_in_two_queries_markers_or_clusters(
    demo, monkeypatch, django_assert_num_queries
):
    from cocon.reports import selectors
    from cocon.reports.selectors import PublicFilters

    box = services.territory_box(demo)
    open_reports = Report.objects.filter(territory=demo, is_open=True)
    with django_assert_num_queries(2):
        data = map_data(demo, box)
    assert data["mode"] == "markers"
    assert {m["ref"] for m in data["markers"]} == set(
        open_reports.values_list("voice__reference", flat=True)
    )
    dates = [Report.objects.get(voice__reference=m["ref"]).created_at for m in data["markers"]]
    assert dates == sorted(dates, reverse=True)  # newest first
    monkeypatch.setattr(selectors, "MAP_MARKERS_MAX", 10)
    with django_assert_num_queries(2):
        data = map_data(demo, box)
    assert data["mode"] == "clusters"
    assert sum(c["count"] for c in data["clusters"]) == open_reports.count()
    # every state but merged duplicates, which the map never shows
    with django_assert_num_queries(2):
        data = map_data(demo, box, PublicFilters(status=""))
    shown = Report.objects.filter(territory=demo).exclude(status=Status.MERGED).count()
    assert sum(c["count"] for c in data["clusters"]) == shown
