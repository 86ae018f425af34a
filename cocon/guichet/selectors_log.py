"""Reads of the Guichet's counter and bus log: my recent appointments, and the dashboards
of an organization's counters and bus stops.

The dashboard reads only the per-dimension counts: the daily outcomes (`AppointmentFacet`) for the
weeks, the other dimensions from the monthly counts (`AppointmentMonthFacet`) for the
whole months of the period and the daily ones for its edges, then the labels of the
communes, procedures and organizations seen — a handful of queries whatever the number of
appointments. Every published count below `MIN_CELL` is hidden
("< 5", the rule of Voices and Ideas); in a breakdown that adds up to a published total,
when a single cell is hidden the next smallest is hidden too, so that it cannot be
recovered by subtraction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from cocon.guichet.models import Appointment, Procedure
from cocon.guichet.models.log import AppointmentFacet, AppointmentMonthFacet, Outcome
from cocon.territory.models import Commune, Organization
from cocon.voices.models import AgeBand, Occupation
from cocon.voices.selectors import SMALL_CELL

MIN_CELL = SMALL_CELL
D = AppointmentFacet.Dimension

#: Duration bands of the dashboard: (label, lowest minute, highest minute or None)
DURATION_BANDS = [
    ("lt10", _("Under 10 min"), 0, 9),
    ("10-19", _("10 to 19 min"), 10, 19),
    ("20-29", _("20 to 29 min"), 20, 29),
    ("30-59", _("30 to 59 min"), 30, 59),
    ("60+", _("60 min and over"), 60, None),
]
TOP_PROCEDURES = 15


def my_appointments(user):
    return (
        Appointment.objects.filter(agent=user)
        .select_related("place", "place__commune")
        .order_by("-date", "-id")
    )


# --- small cells -------------------------------------------------------------------------
def hide_small(rows: list[dict], min_cell: int = MIN_CELL, *, partition: bool = True) -> list:
    """Set row["shown"] to row["n"], or None when 0 < n < min_cell. With `partition`
    (the rows add up to a published total), a lone hidden cell takes the next smallest
    non-zero cell with it (complementary disclosure)."""
    hidden = 0
    for row in rows:
        small = 0 < row["n"] < min_cell
        row["shown"] = None if small else row["n"]
        hidden += small
    if partition and hidden == 1:
        others = [r for r in rows if r["shown"]]
        if others:
            min(others, key=lambda r: r["n"])["shown"] = None
    return rows


def _percent(part: int, whole: int, min_cell: int) -> int | None:
    if whole < min_cell or whole == 0:
        return None
    return round(100 * part / whole)


def _median(counts: dict[int, int]) -> float | None:
    total = sum(counts.values())
    if not total:
        return None
    ordered = sorted(counts.items())
    halves = []
    for target in ((total - 1) // 2, total // 2):
        seen = 0
        for value, n in ordered:
            seen += n
            if seen > target:
                halves.append(value)
                break
    return sum(halves) / 2


def _bars(rows: list[dict]) -> None:
    top = max([r["shown"] or 0 for r in rows] + [1])
    for row in rows:
        row["percent"] = round(100 * (row["shown"] or 0) / top)


def split_period(start: dt.date, end: dt.date):
    """((first month, last month) | None, [(first day, last day), ...]): the whole months
    inside [start, end] (by their first day), and the days left at either edge."""
    first = (
        start if start.day == 1 else (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    )
    after = end + dt.timedelta(days=1)
    stop = after if after.day == 1 else after.replace(day=1)  # first day after full months
    if first >= stop:
        return None, [(start, end)]
    edges = []
    if start < first:
        edges.append((start, first - dt.timedelta(days=1)))
    if stop <= end:
        edges.append((stop, end))
    last_month = (stop - dt.timedelta(days=1)).replace(day=1)
    return (first, last_month), edges


# --- the dashboard -----------------------------------------------------------------------
def dashboard(
    organization,
    *,
    start: dt.date,
    end: dt.date,
    place_ids: list[int] | None = None,
    min_cell: int = MIN_CELL,
    with_questions: bool = True,
) -> dict:
    """Figures of `organization`'s appointments from `start` to `end` (included), at
    `place_ids` (None: all its places). Counts are already hidden where small
    (`shown` is None → print "< min_cell")."""
    facets = AppointmentFacet.objects.filter(
        organization=organization, date__gte=start, date__lte=end
    )
    if place_ids is not None:
        facets = facets.filter(place_id__in=list(place_ids))
    # 1. outcomes per day: totals, weeks, share solved on the spot
    per_week: dict[dt.date, int] = defaultdict(int)
    outcomes: dict[str, int] = defaultdict(int)
    for day, value, n in (
        facets.filter(dimension=D.OUTCOME)
        .values_list("date", "value")
        .annotate(n=Sum("count"))
        .order_by()
    ):
        per_week[day - dt.timedelta(days=day.weekday())] += n
        outcomes[value] += n
    total = sum(outcomes.values())
    # 2. every other dimension: whole months from the monthly counts, the days at the
    # edges of the period from the daily ones
    margins: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    months, edges = split_period(start, end)
    parts = []
    if months:
        monthly = AppointmentMonthFacet.objects.filter(
            organization=organization, month__gte=months[0], month__lte=months[1]
        )
        if place_ids is not None:
            monthly = monthly.filter(place_id__in=list(place_ids))
        parts.append(monthly)
    if edges:
        cond = Q()
        for low, high in edges:
            cond |= Q(date__gte=low, date__lte=high)
        daily = AppointmentFacet.objects.filter(cond, organization=organization)
        if place_ids is not None:
            daily = daily.filter(place_id__in=list(place_ids))
        parts.append(daily)
    for qs in parts:
        for dimension, value, n in (
            qs.exclude(dimension=D.OUTCOME)
            .values_list("dimension", "value")
            .annotate(n=Sum("count"))
            .order_by()
        ):
            margins[dimension][value] += n

    weeks = []
    monday = start - dt.timedelta(days=start.weekday())
    while monday <= end:
        weeks.append({"key": monday.isoformat(), "label": monday, "n": per_week.get(monday, 0)})
        monday += dt.timedelta(days=7)
    hide_small(weeks, min_cell)
    _bars(weeks)

    outcome_rows = hide_small(
        [{"key": k, "label": label, "n": outcomes.get(k, 0)} for k, label in Outcome.choices],
        min_cell,
    )
    durations = {int(v): n for v, n in margins[D.DURATION].items()}
    duration_rows = []
    for key, label, low, high in DURATION_BANDS:
        n = sum(c for m, c in durations.items() if m >= low and (high is None or m <= high))
        duration_rows.append({"key": key, "label": label, "n": n})
    hide_small(duration_rows, min_cell)
    _bars(duration_rows)
    age_rows = hide_small(
        [{"key": k, "label": lb, "n": margins[D.AGE_BAND].get(k, 0)} for k, lb in AgeBand.choices],
        min_cell,
    )
    occupation_rows = hide_small(
        [
            {"key": k, "label": lb, "n": margins[D.OCCUPATION].get(k, 0)}
            for k, lb in Occupation.choices
        ],
        min_cell,
    )
    # 3. labels of what was seen
    residence = margins[D.RESIDENCE]
    communes = (
        {
            c.pk: c
            for c in Commune.objects.filter(pk__in=[int(v) for v in residence]).only(
                "name", "insee_code", "latitude", "longitude"
            )
        }
        if residence
        else {}
    )
    residence_rows = hide_small(
        sorted(
            (
                {
                    "key": int(v),
                    "label": communes[int(v)].name if int(v) in communes else "—",
                    "commune": communes.get(int(v)),
                    "n": n,
                }
                for v, n in residence.items()
            ),
            key=lambda r: (-r["n"], str(r["label"])),
        ),
        min_cell,
    )
    procedures = margins[D.PROCEDURE]
    top = sorted(procedures.items(), key=lambda kv: -kv[1])[:TOP_PROCEDURES]
    names = (
        dict(Procedure.objects.filter(pk__in=[int(k) for k, _n in top]).values_list("pk", "name"))
        if top
        else {}
    )
    procedure_rows = hide_small(
        [{"key": int(k), "label": names.get(int(k), "—"), "n": n} for k, n in top],
        min_cell,
        partition=False,
    )
    _bars(procedure_rows)
    concerned = margins[D.ORGANIZATION]
    org_names = (
        dict(
            Organization.objects.filter(pk__in=[int(k) for k in concerned]).values_list(
                "pk", "name"
            )
        )
        if concerned
        else {}
    )
    organization_rows = hide_small(
        sorted(
            (
                {"key": int(k), "label": org_names.get(int(k), "—"), "n": n}
                for k, n in concerned.items()
            ),
            key=lambda r: (-r["n"], str(r["label"])),
        ),
        min_cell,
        partition=False,
    )
    median = _median(durations) if total >= min_cell else None
    data = {
        "start": start,
        "end": end,
        "min_cell": min_cell,
        "total": total,
        "total_shown": total if total == 0 or total >= min_cell else None,
        "weeks": weeks,
        "outcomes": outcome_rows,
        "solved_percent": _percent(outcomes.get(Outcome.SOLVED, 0), total, min_cell),
        "durations": duration_rows,
        "median_duration": median,
        "age_bands": age_rows,
        "occupations": occupation_rows,
        "residences": residence_rows,
        "procedures": procedure_rows,
        "organizations": organization_rows,
        "questions": None,
        "questions_scope": "",
    }
    if with_questions:
        data["questions"] = _questions(organization, start, end, min_cell, place_ids)
    return data


def _questions(organization, start, end, min_cell, place_ids=None) -> dict:
    """Questions to referents asked by this organization's counters over the period
    (from the places filtered, if any), by organization asked."""
    from cocon.guichet.selectors_questions import questions_stats

    stats = questions_stats(
        asker_organization_ids=[organization.pk], place_ids=place_ids, since=start, until=end
    )
    rows = [{"label": r["name"], "n": r["count"], **r} for r in stats.get("by_target", [])]
    hide_small(rows, min_cell, partition=True)
    total = stats.get("total", 0)
    hidden = total < min_cell
    stats = {
        **stats,
        "rows": rows,
        "total_shown": total if total == 0 or not hidden else None,
        "share_in_time_percent": (
            None
            if hidden or stats.get("share_in_time") is None
            else round(100 * stats["share_in_time"])
        ),
        "median_answer_hours": None if hidden else stats.get("median_answer_hours"),
        "median_answer_working_hours": (
            None if hidden else stats.get("median_answer_working_hours")
        ),
    }
    return stats


def notes(organization, *, start: dt.date, end: dt.date, place_ids: list[int] | None = None):
    """The notes of the period, newest first (qualitative part of the dashboard)."""
    rows = Appointment.objects.filter(
        organization=organization, date__gte=start, date__lte=end
    ).exclude(note="")
    if place_ids is not None:
        rows = rows.filter(place_id__in=list(place_ids))
    return (
        rows.select_related("place")
        .only("date", "note", "outcome", "place__name", "place__kind")
        .order_by("-date", "-id")
    )
