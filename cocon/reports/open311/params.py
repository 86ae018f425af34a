"""Parsing of Open311 parameters. Everything malformed becomes an `Open311Error(400)`
that names the parameter, so a client never gets a 500 for a bad query string."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from cocon.reports.open311.formats import Open311Error

WINDOW = dt.timedelta(days=90)  # the specification's default window and longest span
DEFAULT_PAGE_SIZE = 1000  # the specification's "at most 1000 results" by default
MAX_PAGE_SIZE = 500  # the paging extension: page_size=1..500
MAX_IDS = 500
MAX_PAGE = 1_000_000  # keeps the SQL offset within a 64-bit integer
STATUSES = ("open", "closed")


def parse_when(name: str, raw: str) -> dt.datetime:
    """W3C date-time (2010-01-01T00:00:00Z, with an offset, or naive = territory time),
    or a bare date (midnight, territory time). A `+` left unescaped in a query string
    arrives as a space: it is put back."""
    text = raw.strip()
    text = re.sub(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$", r"\1+\2", text)
    value: dt.datetime | None = None
    try:
        value = parse_datetime(text)
        if value is None:
            day = parse_date(text)
            if day is not None:
                value = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(
            400,
            f"{name}: "
            + _("“%(value)s” is not a date; use the W3C format, e.g. 2026-01-31T00:00:00Z.")
            % {"value": raw[:40]},
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def comma_list(raw: str) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def positive_int(name: str, raw: str | None, *, default: int, maximum: int | None) -> int:
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1 or (maximum is not None and value > maximum):
        if maximum is None:
            message = f"{name}: " + _("a whole number, 1 or more.")
        else:
            message = f"{name}: " + _("a whole number from 1 to %(max)s.") % {"max": maximum}
        raise Open311Error(400, message)
    return value


@dataclass
class RequestQuery:
    """GET requests.{fmt}: `ids` overrides every other filter (as the specification says)."""

    ids: list[str] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: list[str] = field(default_factory=list)
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def request_query(params, now: dt.datetime | None = None) -> RequestQuery:
    errors: list[str] = []
    query = RequestQuery()
    try:
        query.page = positive_int("page", params.get("page"), default=1, maximum=MAX_PAGE)
    except Open311Error as exc:
        errors += exc.descriptions
    try:
        query.page_size = positive_int(
            "page_size", params.get("page_size"), default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE
        )
    except Open311Error as exc:
        errors += exc.descriptions
    ids = comma_list(params.get("service_request_id", ""))
    if ids:
        if len(ids) > MAX_IDS:
            errors.append(
                "service_request_id: " + _("%(max)s identifiers at most.") % {"max": MAX_IDS}
            )
        query.ids = [i.upper() for i in ids]
        if errors:
            raise Open311Error(400, errors)
        return query  # overrides the other filters
    query.service_codes = comma_list(params.get("service_code", ""))
    statuses = [s.lower() for s in comma_list(params.get("status", ""))]
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        errors.append(
            "status: "
            + _("“%(value)s” is unknown; use open, closed or open,closed.")
            % {"value": ",".join(unknown)[:40]}
        )
    query.statuses = sorted(set(statuses))
    for name in ("start_date", "end_date"):
        raw = params.get(name)
        if raw:
            try:
                setattr(query, "start" if name == "start_date" else "end", parse_when(name, raw))
            except Open311Error as exc:
                errors += exc.descriptions
    if errors:
        raise Open311Error(400, errors)
    now = now or timezone.now()
    if query.start is None and query.end is None:
        query.start, query.end = now - WINDOW, None  # the last 90 days
    elif query.start is None:
        query.start = query.end - WINDOW
    elif query.end is None:
        query.end = query.start + WINDOW
    if query.end is not None:
        if query.end < query.start:
            raise Open311Error(400, "end_date: " + _("before start_date."))
        if query.end - query.start > WINDOW:
            raise Open311Error(
                400, "end_date: " + _("start_date and end_date may not span more than 90 days.")
            )
    return query


ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


def attributes_of(data) -> dict:
    """`attribute[code]=v` and `attribute[code][]=v1&attribute[code][]=v2` (a list)."""
    found: dict = {}
    for key in data:
        match = ATTRIBUTE.match(key)
        if not match:
            continue
        code, many = match.group(1), bool(match.group(2))
        values = list(data.getlist(key))
        if many or len(values) > 1 or code in found:
            previous = found.get(code, [])
            previous = previous if isinstance(previous, list) else [previous]
            found[code] = previous + values
        else:
            found[code] = values[0] if values else ""
    return found


def coordinate(name: str, raw: str) -> float:
    try:
        value = float(raw.strip().replace(",", "."))
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):
        raise Open311Error(
            400,
            f"{name}: " + _("“%(value)s” is not a number.") % {"value": raw[:40]},
        )
    return value


def _plain(text: str) -> str:
    """Lower case, no accents, hyphens and apostrophes as spaces: "Saint-Étienne" and
    "saint etienne" compare equal."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def commune_in_address(communes, address: str):
    """The commune named in a free address ("12 rue Haute, 38500 Saint-Essai"): by its
    postal code, then by its name (the longest name found wins, so "Saint-Essai" beats
    "Essai"); when a postal code is shared, the name decides. None when nothing matches."""
    plain = f" {_plain(address)} "
    codes = set(re.findall(r"(?<!\d)(\d{5})(?!\d)", address))
    by_code = [c for c in communes if c.postal_code and c.postal_code in codes]
    named = sorted(
        (c for c in communes if c.name and f" {_plain(c.name)} " in plain),
        key=lambda c: len(c.name),
        reverse=True,
    )
    if by_code:
        for commune in named:
            if commune in by_code:
                return commune
        return by_code[0] if len(by_code) == 1 else None
    return named[0] if named else None
