"""French working days: public holidays, response-time deadlines, working hours.

Pure Python (no Django). Used for response-time commitments such as "acknowledge within
2 working days, answer within 15".

A *working day* is Monday to Friday and not a French public holiday. The holidays are the
eleven metropolitan ones of the Code du travail (art. L3133-1); in Alsace-Moselle (Bas-Rhin,
Haut-Rhin, Moselle) Good Friday and 26 December are added. The list is today's law,
applied to every year (no historical variations). Bridge days ("ponts", e.g. the Friday
after Ascension) are ordinary working days.

Time zones: every computation works on the *local* (wall-clock) date and time of the
values given; an aware datetime keeps its ``tzinfo``. French clock changes happen on
Sundays, which are never working days, so a deadline never falls in a missing or repeated
hour in Europe/Paris.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType

__all__ = [
    "add_working_days",
    "add_working_hours",
    "easter_sunday",
    "french_public_holidays",
    "is_working_day",
    "working_days_between",
    "working_hours_between",
]

_SATURDAY = 5
_ONE_DAY = timedelta(days=1)


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous algorithm of Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=256)
def _holidays(year: int, alsace_moselle: bool) -> Mapping[date, str]:
    easter = easter_sunday(year)
    entries = [
        (date(year, 1, 1), "Jour de l'an"),
        (easter + timedelta(days=1), "Lundi de Pâques"),
        (date(year, 5, 1), "Fête du Travail"),
        (date(year, 5, 8), "Victoire 1945"),
        (easter + timedelta(days=39), "Ascension"),
        (easter + timedelta(days=50), "Lundi de Pentecôte"),
        (date(year, 7, 14), "Fête nationale"),
        (date(year, 8, 15), "Assomption"),
        (date(year, 11, 1), "Toussaint"),
        (date(year, 11, 11), "Armistice 1918"),
        (date(year, 12, 25), "Noël"),
    ]
    if alsace_moselle:
        entries += [
            (easter - timedelta(days=2), "Vendredi saint"),
            (date(year, 12, 26), "Saint-Étienne"),
        ]
    holidays: dict[date, str] = {}
    for day, name in entries:
        # Ascension can fall on 1 May (2008) or 8 May (1997): one date, both names.
        holidays[day] = f"{holidays[day]} / {name}" if day in holidays else name
    return MappingProxyType(dict(sorted(holidays.items())))


def french_public_holidays(year: int, *, alsace_moselle: bool = False) -> dict[date, str]:
    """The French public holidays of ``year`` as ``{date: French name}``, in date order.

    Metropolitan France: Jour de l'an, Lundi de Pâques (Easter + 1), Fête du Travail
    (1 May), Victoire 1945 (8 May), Ascension (Easter + 39), Lundi de Pentecôte
    (Easter + 50), Fête nationale (14 July), Assomption (15 August), Toussaint
    (1 November), Armistice 1918 (11 November), Noël (25 December). With
    ``alsace_moselle``, also Vendredi saint (Easter - 2) and Saint-Étienne (26 December).

    When two holidays share a date (Ascension on 1 or 8 May) the date appears once, with
    both names joined by `` / ``. The result is computed once per (year, flag) and a fresh
    copy is returned, so callers may modify it freely.
    """
    return dict(_holidays(year, bool(alsace_moselle)))


def _local_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def is_working_day(d: date | datetime, *, alsace_moselle: bool = False) -> bool:
    """Monday to Friday and not a public holiday. A datetime is judged on its local date."""
    d = _local_date(d)
    return d.weekday() < _SATURDAY and d not in _holidays(d.year, bool(alsace_moselle))


def _check_days(days: int) -> None:
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"days must be an int, not {type(days).__name__}")
    if days < 0:
        raise ValueError(f"days must be >= 0, got {days}")


def add_working_days(
    start: datetime | date, days: int, *, alsace_moselle: bool = False
) -> datetime | date:
    """The deadline ``days`` working days after ``start``.

    Exact rule: the deadline is the ``days``-th working day *strictly after* the local date
    of ``start``, at the same clock time (and with the same ``tzinfo``) as ``start``.
    ``start`` itself never counts, whether or not it is a working day; so a request
    made on Saturday (or Sunday, or a holiday) at 14:00 with 2 days is due on the second
    working day after it, Tuesday at 14:00 in an ordinary week. A date gives a date.

    ``days == 0`` returns ``start`` unchanged; a negative ``days`` raises ``ValueError``.
    Consistent with :func:`working_days_between`:
    ``working_days_between(s, add_working_days(s, n)) == n`` for every ``s`` and ``n``.
    """
    _check_days(days)
    if days == 0:
        return start
    day = _local_date(start)
    remaining = days
    while remaining:
        day += _ONE_DAY
        if is_working_day(day, alsace_moselle=alsace_moselle):
            remaining -= 1
    if isinstance(start, datetime):
        # replace() keeps the clock time, tzinfo and fold; a ZoneInfo recomputes the offset.
        return start.replace(year=day.year, month=day.month, day=day.day)
    return day


def _weekdays_up_to(d: date) -> int:
    """Number of Monday-to-Friday dates from 0001-01-01 (a Monday) to ``d`` included."""
    weeks, rest = divmod(d.toordinal(), 7)  # ordinal 1 is a Monday
    return weeks * 5 + min(rest, 5)


def working_days_between(
    start: date | datetime, end: date | datetime, *, alsace_moselle: bool = False
) -> int:
    """Number of working days ``d`` with ``start.date() < d <= end.date()``; 0 if ``end`` is
    not after ``start``.

    Dates of datetimes are local dates; when both are aware, ``end`` is first expressed in
    the time zone of ``start``. The clock times are ignored: a request at 9:00 answered at
    17:00 on the next working day took 1 working day.
    """
    if (
        isinstance(start, datetime)
        and isinstance(end, datetime)
        and start.tzinfo is not None
        and end.tzinfo is not None
    ):
        end = end.astimezone(start.tzinfo)
    first, last = _local_date(start), _local_date(end)
    if last <= first:
        return 0
    count = _weekdays_up_to(last) - _weekdays_up_to(first)
    for year in range(first.year, last.year + 1):
        for holiday in _holidays(year, bool(alsace_moselle)):
            if first < holiday <= last and holiday.weekday() < _SATURDAY:
                count -= 1
    return count


_Interval = tuple[time, time]


def _opening_by_weekday(opening: Mapping[int, list[_Interval]]) -> dict[int, list[_Interval]]:
    """Validate ``opening``: sorted, merged intervals per weekday, at least one on Mon-Fri."""
    merged: dict[int, list[_Interval]] = {}
    for weekday, intervals in opening.items():
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValueError(f"opening keys are weekdays 0 (Monday) to 6, got {weekday!r}")
        spans: list[_Interval] = []
        for opens, closes in sorted(intervals):
            if not opens < closes:
                raise ValueError(f"interval must open before it closes: {opens}-{closes}")
            if spans and opens <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], closes))
            else:
                spans.append((opens, closes))
        if spans:
            merged[weekday] = spans
    if not merged:
        raise ValueError("opening has no interval")
    if not any(weekday < _SATURDAY for weekday in merged):
        raise ValueError("opening has no interval on a working weekday (Monday to Friday)")
    return merged


def add_working_hours(
    start: datetime,
    hours: float,
    opening: Mapping[int, list[tuple[time, time]]],
    *,
    alsace_moselle: bool = False,
) -> datetime:
    """The instant when ``hours`` hours of opening time have elapsed since ``start``.

    ``opening`` maps a weekday (0 = Monday ... 6 = Sunday) to its open intervals, e.g.
    ``{0: [(time(8, 30), time(12)), (time(13, 30), time(17))], ...}``. Only time inside an
    interval *on a working day* counts: intervals given for Saturday or Sunday, and any
    interval on a public holiday, are ignored. Intervals may be unsorted; overlapping ones
    are merged. Time is wall-clock time on the local date of ``start``; the result keeps
    its ``tzinfo``.

    Counting starts at ``start`` if it is inside an interval, else at the next opening.
    When the hours run out exactly at a closing time, that closing time is returned (not
    the next opening). ``hours == 0`` returns ``start`` unchanged.

    Raises ``ValueError`` for negative or non-finite ``hours``, an ``opening`` without
    any interval (or without any on Monday to Friday, which could never end), a weekday
    outside 0..6, or an interval that does not open before it closes.
    """
    if not isinstance(start, datetime):
        raise TypeError("start must be a datetime")
    if not math.isfinite(hours) or hours < 0:
        raise ValueError(f"hours must be a finite number >= 0, got {hours}")
    by_weekday = _opening_by_weekday(opening)
    remaining = timedelta(hours=hours)
    if not remaining:
        return start
    day = start.date()
    clock = start.replace(tzinfo=None)  # wall-clock arithmetic on the local date
    while True:
        if is_working_day(day, alsace_moselle=alsace_moselle):
            for opens, closes in by_weekday.get(day.weekday(), ()):
                begin = max(datetime.combine(day, opens), clock)
                end = datetime.combine(day, closes)
                if begin >= end:
                    continue
                if remaining <= end - begin:
                    return (begin + remaining).replace(tzinfo=start.tzinfo)
                remaining -= end - begin
        day += _ONE_DAY


def working_hours_between(
    start: datetime,
    end: datetime,
    opening: Mapping[int, list[tuple[time, time]]],
    *,
    alsace_moselle: bool = False,
) -> float:
    """Hours of opening time on working days between ``start`` and ``end`` — the inverse
    of `add_working_hours` (``add_working_hours(s, working_hours_between(s, e, o), o)``
    is ``e`` when ``e`` is inside an opening interval). 0.0 if ``end`` is not after
    ``start``. Aware datetimes: ``end`` is first expressed in the time zone of ``start``;
    then wall-clock arithmetic as in `add_working_hours`."""
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        raise TypeError("start and end must be datetimes")
    by_weekday = _opening_by_weekday(opening)
    if start.tzinfo is not None and end.tzinfo is not None:
        end = end.astimezone(start.tzinfo)
    begin_at, end_at = start.replace(tzinfo=None), end.replace(tzinfo=None)
    if end_at <= begin_at:
        return 0.0
    total = timedelta()
    day = begin_at.date()
    while day <= end_at.date():
        if is_working_day(day, alsace_moselle=alsace_moselle):
            for opens, closes in by_weekday.get(day.weekday(), ()):
                low = max(datetime.combine(day, opens), begin_at)
                high = min(datetime.combine(day, closes), end_at)
                if high > low:
                    total += high - low
        day += _ONE_DAY
    return total.total_seconds() / 3600


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, kept within the month (31 January + 1 month =
    28 or 29 February): retention periods and revision cycles counted in months."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )
