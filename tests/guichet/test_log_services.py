"""Counter and bus log: writes, daily and monthly counts kept in the same transaction,
rebuild, delete."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from cocon.guichet import services_log
from cocon.guichet.models import Appointment, Place
from cocon.guichet.models.log import AppointmentFacet, AppointmentMonthFacet


def _log(g, **over):
    fields = {
        "agent": g["agent"],
        "place": g.bus_stop,
        "date": timezone.localdate(),
        "duration": 15,
        "age_band": "60-74",
        "occupation": "retired",
        "residence": g.world.communes[0],
        "organizations": [g.world.org_b],
        "procedures": [g.rsa_file],
        "outcome": "solved",
        "note": "Renouvellement du dossier RSA.",
    }
    fields.update(over)
    return services_log.appointment_log(**fields)


def _facets():
    return sorted(
        AppointmentFacet.objects.values_list("place_id", "date", "dimension", "value", "count")
    )


def _months():
    return sorted(
        AppointmentMonthFacet.objects.values_list(
            "place_id", "month", "dimension", "value", "count"
        )
    )


def _totals(model=AppointmentFacet):
    """(appointments, minutes) as the facets of `model` count them: the OUTCOME counts add
    up to the appointments (one outcome each), the DURATION ones to their minutes."""
    rows = model.objects.filter(dimension__in=["outcome", "duration"]).values_list(
        "dimension", "value", "count"
    )
    n = sum(c for d, _v, c in rows if d == "outcome")
    minutes = sum(int(v) * c for d, v, c in rows if d == "duration")
    return n, minutes


def _both_totals():
    return _totals(AppointmentFacet), _totals(AppointmentMonthFacet)


def test_log_counts_in_facets(guichet):
    g = guichet
    a = _log(g)
    _log(g, duration=25)
    assert a.organization == g.world.org_a and a.agent == g["agent"]
    assert list(a.procedures.all()) == [g.rsa_file]
    assert _both_totals() == ((2, 40), (2, 40))
    facets = {(d, v): n for _p, _d, d, v, n in _facets()}
    assert facets[("outcome", "solved")] == 2
    assert facets[("age", "60-74")] == 2
    assert facets[("residence", str(g.world.communes[0].pk))] == 2
    assert facets[("procedure", str(g.rsa_file.pk))] == 2
    assert facets[("org", str(g.world.org_b.pk))] == 2
    assert facets[("duration", "15")] == 1 and facets[("duration", "25")] == 1
    months = {(d, v): n for _p, _m, d, v, n in _months()}
    assert months == facets


@pytest.mark.parametrize(
    ("field", "over"),
    [
        ("date", {"date": dt.date.today() + dt.timedelta(days=2)}),
        ("date", {"date": dt.date.today() - dt.timedelta(days=400)}),
        ("duration", {"duration": 0}),
        ("duration", {"duration": 481}),
        ("duration", {"duration": "abc"}),
        ("outcome", {"outcome": "won"}),
        ("age_band", {"age_band": "12-13"}),
        ("occupation", {"occupation": "pirate"}),
    ],
)
def test_bad_input_writes_nothing(guichet, field, over):
    with pytest.raises(ValidationError) as exc:
        _log(guichet, **over)
    assert field in exc.value.message_dict
    assert not Appointment.objects.exists()
    assert not AppointmentFacet.objects.exists()
    assert not AppointmentMonthFacet.objects.exists()


def test_place_of_another_organization_refused(guichet):
    g = guichet
    place_b = Place.objects.create(
        organization=g.world.org_b, kind="counter", name="Accueil B", commune=g.world.communes[1]
    )
    with pytest.raises(ValidationError) as exc:
        _log(g, place=place_b)
    assert "place" in exc.value.message_dict
    # ... unless the agent is named on it: then it counts for the organization running it
    place_b.agents.add(g["agent"])
    a = _log(g, place=place_b)
    assert a.organization == g.world.org_b


def test_inactive_place_refused(guichet):
    g = guichet
    Place.objects.filter(pk=g.counter.pk).update(is_active=False)
    g.counter.refresh_from_db()
    with pytest.raises(ValidationError):
        _log(g, place=g.counter)


def test_references_of_another_territory_refused(guichet):
    from cocon.territory.models import Commune, Territory

    other = Territory.objects.create(name="Ailleurs", slug="ailleurs")
    commune = Commune.objects.create(
        territory=other, insee_code="99999", name="Loin", postal_code="99999", population=1
    )
    with pytest.raises(ValidationError) as exc:
        _log(guichet, residence=commune)
    assert "residence" in exc.value.message_dict


def test_delete_by_author_within_24h(guichet):
    g = guichet
    a = _log(g)
    b = _log(g, duration=30)
    services_log.appointment_delete(a, by=g["agent"])
    assert _both_totals() == ((1, 30), (1, 30))
    assert ("duration", "15") not in {(d, v) for _p, _d, d, v, _n in _facets()}
    services_log.appointment_delete(b, by=g["agent"])
    assert not AppointmentFacet.objects.exists()
    assert not AppointmentMonthFacet.objects.exists()
    services_log.appointment_delete(b, by=g["agent"])  # double submit: nothing happens


def test_delete_refused_to_others_and_after_24h(guichet):
    g = guichet
    a = _log(g)
    with pytest.raises(PermissionDenied):
        services_log.appointment_delete(a, by=g["manager"])
    Appointment.objects.filter(pk=a.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    with pytest.raises(ValidationError):
        services_log.appointment_delete(a, by=g["agent"])
    assert _both_totals() == ((1, 15), (1, 15))


def test_rebuild_matches_incremental_counts(guichet):
    g = guichet
    _log(g)
    _log(g, place=g.counter, age_band="", occupation="", residence=None, procedures=[])
    _log(g, duration=45, outcome="question", organizations=[], procedures=[g.grey_card])
    _log(g, date=timezone.localdate() - dt.timedelta(days=3), outcome="referred")
    _log(g, date=timezone.localdate() - dt.timedelta(days=40))
    before_f, before_m = _facets(), _months()
    minutes = sum(Appointment.objects.values_list("duration", flat=True))
    assert _both_totals() == ((5, minutes), (5, minutes))
    assert {m for _p, m, *_rest in before_m} == {
        d.replace(day=1) for d in Appointment.objects.values_list("date", flat=True)
    }
    # missing daily rows, stale daily and monthly ones
    AppointmentFacet.objects.exclude(dimension="outcome").delete()
    AppointmentFacet.objects.update(count=99)
    AppointmentMonthFacet.objects.update(count=77)
    assert services_log.counts_rebuild() == 5
    assert _facets() == before_f
    assert _months() == before_m
    assert services_log.counts_rebuild(organization_ids=[g.world.org_b.pk]) == 0
    assert _facets() == before_f  # other organizations untouched
    assert services_log.counts_rebuild(organization_ids=[g.world.org_a.pk]) == 5
    assert _facets() == before_f and _months() == before_m


@pytest.mark.django_db(transaction=True)
def test_concurrent_logs_lose_no_count(guichet):
    """Race on the same facet cells: on PostgreSQL, 8 threads (own connections) log at the
    same time; the upsert adds up every one of them."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    g = guichet
    barrier = threading.Barrier(8)
    errors = []

    def worker():
        try:
            barrier.wait()
            _log(g)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert _both_totals() == ((8, 120), (8, 120))
    assert AppointmentFacet.objects.get(dimension="outcome").count == 8
    assert AppointmentMonthFacet.objects.get(dimension="duration").count == 8
