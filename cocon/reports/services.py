"""Writes of Signalements. A report is captured, routed, answered and notified by the
Paroles services (`cocon.voices.services`); this module adds what is specific to a
located problem: routing by category *and place*, the location checks, the public
point, supports, teams, bulk changes. Errors are `ValidationError({field: [msg]})` with
French messages, shared by forms, the REST API and Open311.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from cocon.core import history
from cocon.core.notifications import notify
from cocon.lib import geo
from cocon.reports import cache
from cocon.reports.models import (
    AttributeType,
    Category,
    LocationPrecision,
    Open311Client,
    Report,
    Support,
    Team,
)
from cocon.voices import services as voices
from cocon.voices.models import FINAL_STATUSES, CaptureMode, Channel, Kind, Status

DUPLICATE_RADIUS_M = 30
SENSITIVE_STEP_M = 100
DESCRIPTION_MAX = 5000


def bounds_margin_m() -> float:
    return float(getattr(settings, "REPORT_BOUNDS_MARGIN_M", 3000))


# --- where ---------------------------------------------------------------------------
def territory_box(territory) -> geo.Box | None:
    """The area accepted for reports: the box of the territory's commune centres, widened
    by REPORT_BOUNDS_MARGIN_M (3 km by default). Without commune contours (not shipped)
    this is a box, not the exact boundary; the commune is then taken as the nearest
    centre, and the person may correct it."""
    return cache.box(territory.pk, bounds_margin_m())


def nearest_commune(territory, latitude: float, longitude: float):
    found = geo.nearest(
        latitude, longitude, ((c, c.latitude, c.longitude) for c in cache.communes(territory.pk))
    )
    return found[0] if found else None


@dataclass
class Place:
    commune: object
    latitude: float
    longitude: float
    precision: str


def locate(*, territory, latitude, longitude, commune, errors: dict) -> Place | None:
    """Check the location and complete it: a point inside the territory (its commune
    found when not given), or a commune alone (shown at the commune's centre)."""

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if commune is not None and commune.territory_id != territory.pk:
        add("commune", _("This commune is not part of this territory."))
        return None
    if (latitude is None) != (longitude is None):
        add("latitude", _("Give both latitude and longitude, or neither."))
        return None
    if latitude is not None:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            add("latitude", _("These coordinates are not on Earth."))
            return None
        box = territory_box(territory)
        if box is not None and not box.contains(latitude, longitude):
            add(
                "latitude",
                _(
                    "This place is outside %(territory)s. Move the marker onto the "
                    "territory, or choose the commune."
                )
                % {"territory": territory.name},
            )
            return None
        if commune is None:
            commune = nearest_commune(territory, latitude, longitude)
        return Place(commune, latitude, longitude, LocationPrecision.POINT)
    if commune is None:
        add(
            "location",
            _("Say where the problem is: place the marker on the map, or choose the commune."),
        )
        return None
    if commune.latitude is None:
        add("location", _("This commune has no known position: place the marker on the map."))
        return None
    return Place(commune, commune.latitude, commune.longitude, LocationPrecision.COMMUNE)


def public_point(category: Category, place: Place) -> tuple[float, float]:
    if category.sensitive and place.precision == LocationPrecision.POINT:
        return geo.round_point(place.latitude, place.longitude, SENSITIVE_STEP_M)
    return round(place.latitude, 6), round(place.longitude, 6)


# --- who -----------------------------------------------------------------------------
def route(category: Category, commune) -> cache.Cover | None:
    """Who handles `category` at `commune` (`.service`, `.organization`): an explicit
    list of communes first, then the organization's own communes (the organization
    serving fewer communes first: a town hall before its intercommunality), then
    territory-wide declarations."""
    best: tuple[int, int, int] | None = None
    chosen = None
    for c in cache.covers(category.pk):
        if c.listed:
            if commune is None or commune.pk not in c.listed:
                continue
            key = (0, len(c.listed), c.pk)
        elif c.own:
            if commune is None or commune.pk not in c.own:
                continue
            key = (1, len(c.own), c.pk)
        else:
            key = (2, 0, c.pk)
        if best is None or key < best:
            best, chosen = key, c
    return chosen


# --- extra questions (Open311 attributes) ---------------------------------------------
def clean_attributes(category: Category, given: dict, errors: dict) -> dict:
    """Check the answers to the category's extra questions; returns the clean values."""
    clean: dict = {}
    for attr in category.attributes or []:
        code = attr.get("code")
        if not code:
            continue
        raw = given.get(code)
        values = raw if isinstance(raw, list) else ([raw] if raw not in (None, "") else [])
        values = [str(v).strip() for v in values if str(v).strip()]
        label = attr.get("description") or code
        if not values:
            if attr.get("required"):
                errors.setdefault(f"attribute[{code}]", []).append(
                    _("Answer the question “%(q)s”.") % {"q": label}
                )
            continue
        kind = attr.get("datatype", AttributeType.STRING)
        keys = {str(v.get("key")) for v in attr.get("values", [])}
        if kind in (AttributeType.SINGLE, AttributeType.MULTI):
            bad = [v for v in values if v not in keys]
            if bad or (kind == AttributeType.SINGLE and len(values) > 1):
                errors.setdefault(f"attribute[{code}]", []).append(
                    _("Choose one of the proposed answers to “%(q)s”.") % {"q": label}
                )
                continue
            clean[code] = values if kind == AttributeType.MULTI else values[0]
        elif kind == AttributeType.NUMBER:
            try:
                clean[code] = float(values[0].replace(",", "."))
            except ValueError:
                errors.setdefault(f"attribute[{code}]", []).append(
                    _("“%(q)s” expects a number.") % {"q": label}
                )
        elif kind == AttributeType.DATETIME:
            try:
                clean[code] = dt.datetime.fromisoformat(values[0]).isoformat()
            except ValueError:
                errors.setdefault(f"attribute[{code}]", []).append(
                    _("“%(q)s” expects a date such as 2026-05-31T14:00.") % {"q": label}
                )
        else:
            clean[code] = values[0][: 2000 if kind == AttributeType.TEXT else 300]
    return clean


# --- capture -------------------------------------------------------------------------
@dataclass
class Submitted:
    report: Report
    tracking_code: str

    @property
    def voice(self):
        return self.report.voice


def category_for(territory, code_or_obj) -> Category | None:
    if isinstance(code_or_obj, Category):
        return code_or_obj if code_or_obj.territory_id == territory.pk else None
    if not code_or_obj:
        return None
    return cache.category(territory.pk, str(code_or_obj))


@transaction.atomic
def report_submit(
    *,
    territory,
    category,
    description: str,
    latitude: float | None = None,
    longitude: float | None = None,
    commune=None,
    address: str = "",
    photos: Sequence = (),
    contact_email: str = "",
    contact_phone: str = "",
    contact_name: str = "",
    contact_consent: bool = False,
    author=None,
    relay=None,
    channel: str = Channel.WEB,
    attributes: dict | None = None,
    client: Open311Client | None = None,
    media_url: str = "",
    created_at: dt.datetime | None = None,
) -> Submitted:
    """Record one report: check it, find who handles it there, capture it as a voice of
    kind "report" (history, notification of the service, contact, photos), add the
    report row. Raises ValidationError({field: [msg]}); nothing is written then."""
    errors: dict[str, list[str]] = {}
    cat = category_for(territory, category)
    if cat is None:
        errors["category"] = [_("Choose the kind of problem in the list.")]
    elif not cat.is_active:
        errors["category"] = [_("This category no longer takes reports: choose another one.")]
    place = locate(
        territory=territory,
        latitude=latitude,
        longitude=longitude,
        commune=commune,
        errors=errors,
    )
    clean_attrs = clean_attributes(cat, attributes or {}, errors) if cat else {}
    coverage = None
    if cat is not None and cat.is_active and place is not None:
        coverage = route(cat, place.commune)
        if coverage is None:
            errors.setdefault("category", []).append(
                _(
                    "No organization handles “%(category)s” in %(commune)s yet: choose "
                    "another category, or send a message to the town hall."
                )
                % {
                    "category": cat.name,
                    "commune": place.commune.name if place.commune else territory.name,
                }
            )
    description = (description or "").strip()
    if not description:
        errors.setdefault("description", []).append(
            _("Describe the problem (this field cannot be empty).")
        )
    # the voice's own checks (text length, contact, photos…), reported on our fields
    voice_errors = voices.validate_capture(
        territory=territory,
        kind=Kind.REPORT,
        text=description or "-",
        channel=channel,
        capture_mode=_capture_mode(author, relay),
        service=coverage.service if coverage else None,
        relay=relay,
        contact_email=contact_email,
        contact_phone=contact_phone,
        contact_consent=contact_consent,
        commune=None,  # checked by locate()
        photos=photos,
        latitude=None,  # checked by locate()
        longitude=None,
        event_date=None,
        report=True,
    )
    voice_errors.pop("service", None)  # said above, in the person's terms
    if "text" in voice_errors:
        voice_errors["description"] = voice_errors.pop("text")
    for name, messages in voice_errors.items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    assert cat is not None and place is not None and coverage is not None
    captured = voices.voice_capture(
        territory=territory,
        kind=Kind.REPORT,
        text=description,
        channel=channel,
        service=coverage.service,
        capture_mode=_capture_mode(author, relay),
        theme=cat.theme,
        commune=place.commune,
        address=address,
        latitude=latitude if place.precision == LocationPrecision.POINT else None,
        longitude=longitude if place.precision == LocationPrecision.POINT else None,
        author=author,
        relay=relay,
        contact_email=contact_email,
        contact_phone=contact_phone,
        contact_consent=contact_consent,
        contact_name=contact_name,
        photos=photos,
        created_at=created_at,
        report=True,
    )
    voice = captured.voice
    lat, lon = public_point(cat, place)
    report = Report.objects.create(
        voice=voice,
        territory=territory,
        category=cat,
        latitude=lat,
        longitude=lon,
        precision=place.precision,
        attributes=clean_attrs,
        client=client,
        media_url=(media_url or "")[:500],
        created_at=voice.created_at,
        updated_at=voice.created_at,
    )
    return Submitted(report, captured.tracking_code)


def _capture_mode(author, relay) -> str:
    if relay is None:
        return CaptureMode.SELF
    return CaptureMode.RELAYED if author is not None else CaptureMode.OBSERVATION


# --- supports --------------------------------------------------------------------------
def browser_key(session_key: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:support:{session_key}".encode()).hexdigest()


def report_support(report: Report, *, user=None, session_key: str = "") -> bool:
    """ "Me too". Returns False when this person (account or browser) already supports
    it. A closed report cannot be supported."""
    if not report.is_open:
        raise ValidationError(
            {"report": [_("This report is closed: it can no longer be supported.")]}
        )
    if user is not None and user.is_authenticated:
        row = Support(report=report, user=user)
    elif session_key:
        row = Support(report=report, browser_key=browser_key(session_key))
    else:
        raise ValidationError({"report": [_("Supporting needs cookies or an account.")]})
    try:
        with transaction.atomic():
            row.save()
            Report.objects.filter(pk=report.pk).update(support_count=F("support_count") + 1)
    except IntegrityError:
        return False
    report.support_count += 1
    return True


# --- staff workflow ----------------------------------------------------------------------
@transaction.atomic
def report_set_state(report: Report, *, actor, status: str, text: str) -> Report:
    """Move a report to `status` with a public update (shown on the map, sent to the
    person and to supporters with an account). See voices.REPORT_TRANSITIONS."""
    voices.voice_set_status(report.voice, actor=actor, status=status, text=text)
    report.refresh_from_db()
    return report


@transaction.atomic
def reports_bulk_set_state(
    reports: Iterable[Report], *, actor, status: str, text: str
) -> list[Report]:
    """One state and one public update for many reports: all of them move, or none (the
    error lists the references that cannot)."""
    reports = list(reports)
    if not reports:
        raise ValidationError({"reports": [_("Select at least one report.")]})
    blocked = [r.voice.reference for r in reports if status not in voices.allowed_statuses(r.voice)]
    if blocked:
        label = Status(status).label if status in Status.values else status
        raise ValidationError(
            {
                "status": [
                    _("These reports cannot become “%(status)s”: %(refs)s.")
                    % {"status": label, "refs": ", ".join(blocked)}
                ]
            }
        )
    return [report_set_state(r, actor=actor, status=status, text=text) for r in reports]


@transaction.atomic
def report_assign(report: Report, *, actor, team: Team | None) -> Report:
    if team is not None and team.service_id != report.voice.service_id:
        raise ValidationError({"team": [_("This team does not belong to the report's service.")]})
    previous = report.team
    report.team = team
    report.save(update_fields=["team"])
    history.record(
        report.voice,
        action="assigned",
        actor=actor,
        internal_text=(team.name if team else _("No team")),
        data={"team": team.pk if team else None, "previous": previous.pk if previous else None},
    )
    if team is not None:
        members = [m for m in team.members.filter(is_active=True) if m != actor]
        notify(
            members,
            kind="reports.assigned",
            title=_("Report %(ref)s assigned to %(team)s")
            % {"ref": report.voice.reference, "team": team.name},
            body=report.voice.text[:300],
            url=report.voice.get_absolute_url(),
            obj=report.voice,
        )
    return report


@transaction.atomic
def report_mark_duplicate(report: Report, *, actor, of: Report) -> Report:
    """Close `report` as a duplicate of `of`: its author and supporters follow `of`."""
    if of.pk == report.pk:
        raise ValidationError({"duplicate_of": [_("A report cannot duplicate itself.")]})
    if of.voice.status in FINAL_STATUSES:
        raise ValidationError({"duplicate_of": [_("The original report is already closed.")]})
    voices.voice_merge(of.voice, [report.voice], actor=actor)
    report.refresh_from_db()
    return report


def supporters_to_tell(report: Report):
    from cocon.accounts.models import User

    return User.objects.filter(
        is_active=True,
        pk__in=Support.objects.filter(report=report, user__isnull=False).values("user_id"),
    )
