"""Writes of the Guichet's counter and bus log.

An appointment is written with, in the SAME transaction, its per-dimension daily and
monthly counts (`AppointmentFacet`, `AppointmentMonthFacet`: what the dashboards read).
Both are upserts (`INSERT … ON CONFLICT … DO UPDATE SET count = count + 1`, the same SQL
on PostgreSQL and SQLite ≥ 3.24): two agents logging at the same place and day never lose
a count.

Rules decided here:
- the date is today or up to `MAX_AGE_DAYS` (a year) ago — never in the future: a year
  lets an agent copy a paper log of the last months, and keeps past dashboards stable;
- the duration is within `MIN_DURATION`..`MAX_DURATION` minutes;
- the place is active and run by the agent's organization, or the agent is named on it;
- the commune of residence, organizations and procedures are of the place's territory;
- the author deletes an appointment within `DELETE_HOURS` (24 h); the counts follow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cocon.guichet.models import Appointment, Place, Procedure
from cocon.guichet.models.log import (
    MAX_DURATION,
    MIN_DURATION,
    AppointmentFacet,
    AppointmentMonthFacet,
    Outcome,
)
from cocon.territory.models import Commune, Organization
from cocon.voices.models import AgeBand, Occupation

MAX_AGE_DAYS = 365
DELETE_HOURS = 24
NOTE_MAX = 2000

_FACET_KEY = ("organization_id", "place_id", "date", "dimension", "value")
_MONTH_KEY = ("organization_id", "place_id", "month", "dimension", "value")
D = AppointmentFacet.Dimension


def _agent_organization_id(agent) -> int | None:
    profile = getattr(agent, "agent_profile", None)
    return profile.organization_id if profile is not None else None


def places_for(agent):
    """The active places where `agent` may log: those of their organization and those
    they are named on."""
    from django.db.models import Q

    org_id = _agent_organization_id(agent)
    cond = Q(agents=agent)
    if org_id is not None:
        cond |= Q(organization_id=org_id)
    return (
        Place.objects.filter(cond, is_active=True)
        .distinct()
        .select_related("commune")
        .order_by("kind", "name")
    )


def may_log_at(agent, place: Place) -> bool:
    if not place.is_active:
        return False
    if place.organization_id == _agent_organization_id(agent):
        return True
    return place.agents.filter(pk=agent.pk).exists()


# --- counts ------------------------------------------------------------------------------
def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _upsert(model, key: tuple[str, ...], rows: list[tuple], adds: tuple[str, ...]) -> None:
    """INSERT rows (key values + `adds` values) ON CONFLICT (key) add `adds`."""
    if not rows:
        return
    table = _q(model._meta.db_table)
    cols = [*key, *adds]
    one = "(" + ", ".join(["%s"] * len(cols)) + ")"
    sets = ", ".join(f"{_q(c)} = {table}.{_q(c)} + excluded.{_q(c)}" for c in adds)
    sql = (
        f"INSERT INTO {table} ({', '.join(_q(c) for c in cols)}) "  # noqa: S608 (names)
        f"VALUES {', '.join([one] * len(rows))} "
        f"ON CONFLICT ({', '.join(_q(c) for c in key)}) DO UPDATE SET {sets}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [v for row in rows for v in row])


def _facets(appointment: Appointment, organization_ids, procedure_ids) -> list[tuple]:
    a = appointment
    pairs = {(D.OUTCOME.value, a.outcome), (D.DURATION.value, str(a.duration))}
    if a.age_band:
        pairs.add((D.AGE_BAND.value, a.age_band))
    if a.occupation:
        pairs.add((D.OCCUPATION.value, a.occupation))
    if a.residence_id:
        pairs.add((D.RESIDENCE.value, str(a.residence_id)))
    pairs |= {(D.PROCEDURE.value, str(pk)) for pk in procedure_ids}
    pairs |= {(D.ORGANIZATION.value, str(pk)) for pk in organization_ids}
    return [(a.organization_id, a.place_id, a.date, dim, value) for dim, value in sorted(pairs)]


def _count(appointment: Appointment, organization_ids, procedure_ids, sign: int) -> None:
    a = appointment
    facets = _facets(a, organization_ids, procedure_ids)
    if sign > 0:
        _upsert(AppointmentFacet, _FACET_KEY, [(*f, 1) for f in facets], ("count",))
        month = a.date.replace(day=1)
        monthly = [(o, p, month, d, v, 1) for o, p, _day, d, v in facets]
        _upsert(AppointmentMonthFacet, _MONTH_KEY, monthly, ("count",))
        return
    for facet in facets:
        rows = AppointmentFacet.objects.filter(**dict(zip(_FACET_KEY, facet, strict=True)))
        rows.update(count=F("count") - 1)
    AppointmentFacet.objects.filter(
        organization_id=a.organization_id, place_id=a.place_id, date=a.date, count=0
    ).delete()
    month = a.date.replace(day=1)
    for _o, _p, _day, dimension, value in facets:
        AppointmentMonthFacet.objects.filter(
            organization_id=a.organization_id,
            place_id=a.place_id,
            month=month,
            dimension=dimension,
            value=value,
        ).update(count=F("count") - 1)
    AppointmentMonthFacet.objects.filter(
        organization_id=a.organization_id, place_id=a.place_id, month=month, count=0
    ).delete()


# --- writes ------------------------------------------------------------------------------
def _ids(items: Iterable) -> list[int]:
    return sorted({getattr(i, "pk", i) for i in items if i not in (None, "")})


def appointment_log(
    *,
    agent,
    place,
    date,
    duration,
    age_band: str = "",
    occupation: str = "",
    residence=None,
    organizations=(),
    procedures=(),
    outcome,
    note: str = "",
) -> Appointment:
    """Log one appointment (no names) and count it in the dashboards' daily and
    monthly counts.
    Raises ValidationError {field: French message} and writes nothing on bad input."""
    errors: dict[str, str] = {}
    if not isinstance(place, Place):
        place = Place.objects.filter(pk=place).select_related("organization").first()
    if place is None or not may_log_at(agent, place):
        errors["place"] = _("Choose one of your counters or bus stops.")
    today = timezone.localdate()
    if not isinstance(date, dt.date):
        errors["date"] = _("Enter a valid date.")
    elif date > today:
        errors["date"] = _("The date cannot be in the future.")
    elif date < today - dt.timedelta(days=MAX_AGE_DAYS):
        errors["date"] = _("An appointment more than a year old cannot be logged.")
    if (
        not isinstance(duration, int)
        or isinstance(duration, bool)
        or not MIN_DURATION <= duration <= MAX_DURATION
    ):
        errors["duration"] = _("The duration is between %(min)s and %(max)s minutes.") % {
            "min": MIN_DURATION,
            "max": MAX_DURATION,
        }
    if age_band and age_band not in AgeBand.values:
        errors["age_band"] = _("Choose an age band from the list.")
    if occupation and occupation not in Occupation.values:
        errors["occupation"] = _("Choose an occupation from the list.")
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose the outcome of the appointment.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = _("The note is limited to %(n)s characters.") % {"n": NOTE_MAX}
    organization_ids = _ids(organizations)
    procedure_ids = _ids(procedures)
    residence_id = getattr(residence, "pk", residence) or None
    if place is not None and "place" not in errors:
        territory_id = place.organization.territory_id
        if (
            residence_id
            and not Commune.objects.filter(pk=residence_id, territory_id=territory_id).exists()
        ):
            errors["residence"] = _("Choose a commune of the territory.")
        if organization_ids and Organization.objects.filter(
            pk__in=organization_ids, territory_id=territory_id
        ).count() != len(organization_ids):
            errors["organizations"] = _("Choose organizations of the territory.")
        if procedure_ids and Procedure.objects.filter(
            pk__in=procedure_ids, territory_id=territory_id, is_active=True
        ).count() != len(procedure_ids):
            errors["procedures"] = _("Choose procedures from the list.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        appointment = Appointment.objects.create(
            organization_id=place.organization_id,
            agent=agent,
            place=place,
            date=date,
            duration=duration,
            age_band=age_band,
            occupation=occupation,
            residence_id=residence_id,
            outcome=outcome,
            note=note,
        )
        if organization_ids:
            appointment.organizations.set(organization_ids)
        if procedure_ids:
            appointment.procedures.set(procedure_ids)
        _count(appointment, organization_ids, procedure_ids, +1)
    return appointment


def may_delete(appointment: Appointment, user, now=None) -> bool:
    now = now or timezone.now()
    return (
        appointment.agent_id is not None
        and appointment.agent_id == getattr(user, "pk", None)
        and appointment.created_at >= now - dt.timedelta(hours=DELETE_HOURS)
    )


def appointment_delete(appointment: Appointment, *, by) -> None:
    """Its author deletes an appointment within 24 hours; the counts follow."""
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().filter(pk=appointment.pk).first()
        if locked is None:
            return  # already deleted (double submit)
        if locked.agent_id != by.pk:
            raise PermissionDenied("guichet.appointment_delete")
        if not may_delete(locked, by):
            raise ValidationError(
                _("An appointment can be deleted only within 24 hours of logging it.")
            )
        organization_ids = list(locked.organizations.values_list("pk", flat=True))
        procedure_ids = list(locked.procedures.values_list("pk", flat=True))
        _count(locked, organization_ids, procedure_ids, -1)
        locked.delete()


# --- rebuild -----------------------------------------------------------------------------
def counts_rebuild(organization_ids=None) -> int:
    """Recompute `AppointmentFacet` and `AppointmentMonthFacet` from
    the appointments (of these organizations, or all). Returns the number of appointments
    counted. Used by the demo loader and the benchmark; safe to run at any time (one
    transaction)."""
    a = _q(Appointment._meta.db_table)
    facet = _q(AppointmentFacet._meta.db_table)
    orgs_through = Appointment.organizations.through._meta.db_table
    procs_through = Appointment.procedures.through._meta.db_table
    params: list = []
    where = ""
    if organization_ids is not None:
        ids = [int(i) for i in organization_ids]
        if not ids:
            return 0
        where = f" WHERE a.organization_id IN ({', '.join(['%s'] * len(ids))})"
        params = ids
    fcols = ", ".join(_q(c) for c in (*_FACET_KEY, "count"))
    keys = "a.organization_id, a.place_id, a.date"

    def simple(dimension: str, expr: str, skip: str | None = None) -> str:
        cond = where
        if skip:
            cond = f"{where} AND {skip}" if where else f" WHERE {skip}"
        return (
            f"INSERT INTO {facet} ({fcols}) SELECT {keys}, '{dimension}', {expr}, COUNT(*) "  # noqa: S608
            f"FROM {a} a{cond} GROUP BY {keys}, {expr}"
        )

    def joined(dimension: str, through: str, column: str) -> str:
        expr = f"CAST(t.{_q(column)} AS VARCHAR(20))"
        return (
            f"INSERT INTO {facet} ({fcols}) SELECT {keys}, '{dimension}', {expr}, COUNT(*) "  # noqa: S608
            f"FROM {_q(through)} t JOIN {a} a ON a.id = t.appointment_id{where} "
            f"GROUP BY {keys}, t.{_q(column)}"
        )

    statements = [
        simple(D.OUTCOME, "a.outcome"),
        simple(D.AGE_BAND, "a.age_band", "a.age_band <> ''"),
        simple(D.OCCUPATION, "a.occupation", "a.occupation <> ''"),
        simple(D.RESIDENCE, "CAST(a.residence_id AS VARCHAR(20))", "a.residence_id IS NOT NULL"),
        simple(D.DURATION, "CAST(a.duration AS VARCHAR(20))"),
        joined(D.PROCEDURE, procs_through, "procedure_id"),
        joined(D.ORGANIZATION, orgs_through, "organization_id"),
    ]
    month_table = _q(AppointmentMonthFacet._meta.db_table)
    mcols = ", ".join(_q(c) for c in (*_MONTH_KEY, "count"))
    if connection.vendor == "postgresql":
        month_of = "CAST(DATE_TRUNC('month', f.date) AS DATE)"
    else:
        month_of = "DATE(f.date, 'start of month')"
    fwhere = where.replace("a.organization_id", "f.organization_id")
    statements.append(
        f"INSERT INTO {month_table} ({mcols}) SELECT f.organization_id, f.place_id, "  # noqa: S608
        f"{month_of}, f.dimension, f.value, SUM(f.count) FROM {facet} f{fwhere} "
        f"GROUP BY f.organization_id, f.place_id, {month_of}, f.dimension, f.value"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (AppointmentFacet, AppointmentMonthFacet):
            qs = model.objects.all()
            if organization_ids is not None:
                qs = qs.filter(organization_id__in=params)
            qs._raw_delete(qs.db)
        for sql in statements:
            cursor.execute(sql, params)
        cursor.execute(f"SELECT COUNT(*) FROM {a} a{where}", params)  # noqa: S608
        return cursor.fetchone()[0]
