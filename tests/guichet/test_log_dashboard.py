"""Counter and bus dashboards: figures from the roll-ups, small cells hidden, filters,
CSV export, who sees which organization, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cocon.guichet import selectors_log, services_log
from cocon.guichet.models import Appointment
from tests.conftest import fr

URL = reverse("guichet:log_dashboard")
CSV = reverse("guichet:log_export")


def _log(g, n=1, **over):
    fields = {
        "agent": g["agent"],
        "place": g.bus_stop,
        "date": timezone.localdate(),
        "duration": 15,
        "age_band": "60-74",
        "occupation": "retired",
        "residence": g.world.communes[0],
        "procedures": [g.rsa_file],
        "outcome": "solved",
    }
    fields.update(over)
    return [services_log.appointment_log(**fields) for _ in range(n)]


def _period():
    today = timezone.localdate()
    return {"start": today - dt.timedelta(days=30), "end": today}


def test_hide_small_and_complementary_cell():
    rows = [{"n": 12}, {"n": 3}, {"n": 7}, {"n": 0}]
    selectors_log.hide_small(rows, 5)
    # the lone small cell (3) would be found as total − others: 7 is hidden too
    assert [r["shown"] for r in rows] == [12, None, None, 0]
    rows = [{"n": 12}, {"n": 3}, {"n": 2}]
    selectors_log.hide_small(rows, 5)
    assert [r["shown"] for r in rows] == [12, None, None]
    rows = [{"n": 12}, {"n": 3}]
    selectors_log.hide_small(rows, 5, partition=False)
    assert [r["shown"] for r in rows] == [12, None]


def test_split_period():
    d = dt.date
    assert selectors_log.split_period(d(2026, 1, 15), d(2026, 4, 14)) == (
        (d(2026, 2, 1), d(2026, 3, 1)),
        [(d(2026, 1, 15), d(2026, 1, 31)), (d(2026, 4, 1), d(2026, 4, 14))],
    )
    assert selectors_log.split_period(d(2026, 1, 1), d(2026, 12, 31)) == (
        (d(2026, 1, 1), d(2026, 12, 1)),
        [],
    )
    assert selectors_log.split_period(d(2026, 2, 3), d(2026, 2, 9)) == (
        None,
        [(d(2026, 2, 3), d(2026, 2, 9))],
    )


def test_months_and_edges_add_up(guichet):
    """Whatever the period, the dashboard's margins equal counts on the appointments."""
    g = guichet
    today = timezone.localdate()
    for days in (0, 3, 20, 35, 50, 64, 80, 95, 120):
        _log(g, 1, date=today - dt.timedelta(days=days), duration=10 + days)
    for span in (7, 31, 45, 62, 100, 130):
        for shift in (0, 9, 17):
            end = today - dt.timedelta(days=shift)
            start = end - dt.timedelta(days=span)
            data = selectors_log.dashboard(
                g.world.org_a, start=start, end=end, min_cell=1, with_questions=False
            )
            expected = Appointment.objects.filter(date__gte=start, date__lte=end).count()
            assert data["total"] == expected
            assert sum(r["n"] for r in data["durations"]) == expected
            assert sum(r["n"] for r in data["age_bands"]) == expected
            assert sum(r["n"] for r in data["residences"]) == expected


def test_dashboard_figures(guichet):
    g = guichet
    _log(g, 6)
    _log(g, 4, duration=45, outcome="referred", age_band="30-44")
    _log(g, 1, place=g.counter, duration=90, outcome="question", residence=None)
    data = selectors_log.dashboard(g.world.org_a, **_period())
    assert data["total"] == 11 and data["total_shown"] == 11
    outcomes = {r["key"]: r["shown"] for r in data["outcomes"]}
    # 4 referred and 1 question are small; follow-up is 0 (shown)
    assert outcomes == {"solved": 6, "referred": None, "question": None, "follow_up": 0}
    assert data["solved_percent"] == round(100 * 6 / 11)
    assert data["median_duration"] == 15
    durations = {r["key"]: r["shown"] for r in data["durations"]}
    assert durations["10-19"] == 6 and durations["30-59"] is None and durations["60+"] is None
    ages = {r["key"]: r["shown"] for r in data["age_bands"]}
    # 30-44 (4) is small; 60-74 (7) would give it away (11 − 7): hidden too
    assert ages["60-74"] is None and ages["30-44"] is None
    assert [(r["label"], r["shown"]) for r in data["residences"]] == [("Villebourg", 10)]
    assert data["procedures"][0]["label"] == "Dossier RSA"
    assert sum(r["n"] for r in data["weeks"]) == 11
    # filtered on the counter: one appointment, everything hidden
    only_counter = selectors_log.dashboard(g.world.org_a, place_ids=[g.counter.pk], **_period())
    assert only_counter["total"] == 1 and only_counter["total_shown"] is None
    assert only_counter["solved_percent"] is None and only_counter["median_duration"] is None
    # another organization sees none of it
    assert selectors_log.dashboard(g.world.org_b, **_period())["total"] == 0


def test_dashboard_page_agent(guichet, client_for, django_assert_max_num_queries):
    g = guichet
    _log(g, 6, note="Besoin d'aide pour la carte grise en ligne.")
    _log(g, 2, place=g.counter, outcome="follow_up")
    client = client_for("agent")
    with django_assert_max_num_queries(22):
        response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert 'data-stat="total">8<' in html
    assert "&lt; 5" in html
    assert "Besoin d&#x27;aide pour la carte grise en ligne." in html
    assert "Villebourg" in html
    # filtered on the counter (2 appointments): the total is hidden
    response = client.get(URL, {"place": str(g.counter.pk), "start": "", "end": ""})
    assert response.status_code == 200
    response = client.get(
        URL,
        {
            "place": str(g.counter.pk),
            "start": (timezone.localdate() - dt.timedelta(days=7)).isoformat(),
            "end": timezone.localdate().isoformat(),
        },
    )
    assert 'data-stat="total">&lt; 5<' in response.content.decode()
    response = client.get(URL, {"place": "kind:bus_stop"})
    assert 'data-stat="total">6<' in response.content.decode()


def test_dashboard_bad_period(guichet, client_for):
    response = client_for("agent").get(URL, {"start": "2026-05-01", "end": "2026-01-01"})
    assert response.status_code == 200
    assert fr("The end of the period comes after its start.") in response.content.decode()


def test_dashboard_query_count_does_not_grow(guichet, client_for, django_assert_max_num_queries):
    g = guichet
    for day in range(20):
        _log(g, 3, date=timezone.localdate() - dt.timedelta(days=day), note=f"note {day}")
    client = client_for("agent")
    client.get(URL)
    with django_assert_max_num_queries(22):
        assert client.get(URL).status_code == 200


def test_isolation_between_organizations(guichet, client_for):
    g = guichet
    _log(g, 7, note="Note de l'agglo")
    client = client_for("agent_b")
    # asking for A's dashboard falls back to B's own
    response = client.get(URL, {"organization": g.world.org_a.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert g.world.org_b.name.replace("'", "&#x27;") in html
    assert "Note de l" not in html
    assert 'data-stat="total">0<' in html
    csv = client.get(CSV, {"organization": g.world.org_a.pk}).content.decode("utf-8-sig")
    assert g.world.org_b.name in csv and g.world.org_a.name not in csv


@pytest.mark.parametrize("role", ["usager"])
def test_dashboard_forbidden(guichet, client_for, role):
    assert client_for(role).get(URL).status_code == 403
    assert client_for(role).get(CSV).status_code == 403


def test_platform_admin_chooses_organization(guichet, client_for):
    g = guichet
    _log(g, 5)
    response = client_for("platform").get(URL, {"organization": g.world.org_a.pk})
    assert 'data-stat="total">5<' in response.content.decode()


def test_csv_export_aggregates_only(guichet, client_for):
    g = guichet
    _log(g, 6, note="Texte libre à ne pas exporter")
    _log(g, 2, outcome="referred")
    response = client_for("agent").get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "Texte libre" not in text
    assert "< 5" in text
    lines = text.splitlines()
    assert any(line.endswith(";8") for line in lines)  # total
    assert Appointment.objects.count() == 8


def test_questions_block_counts_what_this_organizations_counters_asked(guichet):
    """Questions asked from org A's counters to org B, by organization asked; the place
    filter applies; org B's own dashboard does not count them as asked."""
    from cocon.guichet.services_questions import question_ask

    g = guichet
    for i in range(6):
        question_ask(
            asker=g["agent"],
            topic=g.rsa,
            target=g.world.org_b,
            text=f"Question n° {i} sur le RSA : quels justificatifs ?",
            place=g.bus_stop if i < 5 else g.counter,
        )
    stats = selectors_log.dashboard(g.world.org_a, min_cell=1, **_period())
    assert stats["questions"]["total"] == 6
    assert [(r["name"], r["count"]) for r in stats["questions"]["by_target"]] == [
        (g.world.org_b.name, 6)
    ]
    at_counter = selectors_log.dashboard(
        g.world.org_a, min_cell=1, place_ids=[g.counter.pk], **_period()
    )
    assert at_counter["questions"]["total"] == 1
    assert (
        selectors_log.dashboard(g.world.org_b, min_cell=1, **_period())["questions"]["total"] == 0
    )
