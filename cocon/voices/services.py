"""Writes of Paroles: capture, routing, status changes, answer back, circulation.

Every function validates, writes in one transaction (history, notifications and emails
included) and raises `ValidationError` with French messages keyed by field, so web
forms and the API show the same errors and nothing is saved half-way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cocon.core import history
from cocon.core.attachments import attach_photo, delete_attachments, validate_photo
from cocon.core.models import NotificationPreference
from cocon.core.notifications import absolute, notify
from cocon.core.outbox import queue_email
from cocon.lib import keywords
from cocon.lib.workdays import add_working_days
from cocon.voices import cache as voices_cache
from cocon.voices.models import (
    DEFAULT_ACKNOWLEDGE_DAYS,
    DEFAULT_ANSWER_DAYS,
    FINAL_STATUSES,
    OPEN_STATUSES,
    TEXT_MAX,
    AgeBand,
    CaptureMode,
    Channel,
    Commitment,
    Kind,
    Occupation,
    RoutingRule,
    Status,
    Theme,
    Voice,
    VoiceContact,
    VoiceProfile,
    VoiceShare,
)

MAX_PHOTOS = 5
# sent after every status change of a voice (set_status, merge), inside its transaction:
# modules built on voices (reports) keep their own copies in step. Arguments: voice,
# previous, status, text, actor, at.
status_changed = Signal()
PHONE_RE = re.compile(r"^\+?[0-9][0-9 .\-]{7,18}[0-9]$")
Email = NotificationPreference.Email

# allowed status changes (merge and re-routing have their own functions)
TRANSITIONS: dict[str, set[str]] = {
    Status.RECEIVED: {Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.ANSWERED, Status.NOT_FOR_US},
    Status.ACKNOWLEDGED: {Status.IN_PROGRESS, Status.ANSWERED, Status.NOT_FOR_US},
    Status.IN_PROGRESS: {Status.ANSWERED, Status.NOT_FOR_US},
    Status.ANSWERED: {Status.CLOSED, Status.IN_PROGRESS},
    Status.CLOSED: {Status.IN_PROGRESS},
    Status.NOT_FOR_US: set(),
    Status.MERGED: set(),
    Status.SCHEDULED: set(),
    Status.FIXED: set(),
}
NEEDS_TEXT = {Status.ANSWERED, Status.NOT_FOR_US}

# a report (kind "report", cocon.reports) is repaired, not answered: open → acknowledged
# → in progress → action scheduled → fixed → closed, or closed at any step as not our
# responsibility (not_for_us), duplicate (merged, through voice_merge) or no further
# action (closed). Every change carries a public update.
_REPORT_CLOSE = {Status.FIXED, Status.CLOSED, Status.NOT_FOR_US}
REPORT_TRANSITIONS: dict[str, set[str]] = {
    Status.RECEIVED: {Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.SCHEDULED, *_REPORT_CLOSE},
    Status.ACKNOWLEDGED: {Status.IN_PROGRESS, Status.SCHEDULED, *_REPORT_CLOSE},
    Status.IN_PROGRESS: {Status.SCHEDULED, *_REPORT_CLOSE},
    Status.SCHEDULED: {Status.IN_PROGRESS, *_REPORT_CLOSE},
    Status.FIXED: {Status.CLOSED, Status.IN_PROGRESS},
    Status.CLOSED: {Status.IN_PROGRESS},
    Status.NOT_FOR_US: set(),
    Status.MERGED: set(),
    Status.ANSWERED: {Status.CLOSED, Status.IN_PROGRESS},
}
REPORT_NEEDS_TEXT = set(Status.values)
# statuses whose text is the answer kept on the voice (signed, dated, sent to the person)
ANSWER_STATUSES = {Status.ANSWERED, Status.NOT_FOR_US, Status.FIXED}


def allowed_statuses(voice: Voice) -> list[str]:
    """The statuses `voice` may move to, in a stable order for forms."""
    table = REPORT_TRANSITIONS if voice.kind == Kind.REPORT else TRANSITIONS
    return [s for s in Status.values if s in table.get(voice.status, set())]


def needs_text(voice: Voice, status: str) -> bool:
    return status in (REPORT_NEEDS_TEXT if voice.kind == Kind.REPORT else NEEDS_TEXT)


def retention_months() -> int:
    return int(getattr(settings, "VOICE_CONTACT_RETENTION_MONTHS", 12))


# --- routing -------------------------------------------------------------------------
@dataclass
class Route:
    service: Any | None
    theme: Theme | None
    alternatives: list[Any] = field(default_factory=list)


def _rules(territory, organization=None):
    """Routing rules of the territory's active organizations (cached per process:
    `voices.cache`), of one organization when given."""
    rules = voices_cache.rules(territory.pk)
    if organization is not None:
        rules = [r for r in rules if r.organization_id == organization.pk]
    return list(rules)


def suggest_theme(territory, text: str) -> Theme | None:
    # themes and their keyword lists are cached per process (voices.cache)
    best = keywords.best_matches(text, voices_cache.themes(territory.pk), limit=1)
    return best[0][0] if best else None


def suggest_route(*, territory, text: str, kind: str, organization=None, theme=None) -> Route:
    """The competent service for this text and kind: the most specific routing rule of
    the chosen organization (or of any organization of the territory when none was
    chosen), for the theme the text suggests."""
    theme = theme or suggest_theme(territory, text)
    rules = _rules(territory, organization)
    candidates = []
    for r in rules:
        if r.kind and r.kind != kind:
            continue
        if r.theme_id and (theme is None or r.theme_id != theme.pk):
            continue
        candidates.append(r)
    if organization is None:
        # without a chosen organization only themed rules can tell which one is competent
        candidates = [r for r in candidates if r.theme_id]
    candidates.sort(key=lambda r: (-r.specificity, r.organization_id, r.pk))
    services: list[Any] = []
    for r in candidates:
        if r.service not in services:
            services.append(r.service)
    if not services:
        return Route(None, theme, [])
    return Route(services[0], theme, services[1:4])


def route_or_host(*, territory, text: str, kind: str):
    """The service for "let Cocon route it": the routing rules of the territory, then
    the host organization's catch-all rule; None when neither decides (the person must
    choose). Used by the capture screens and the offline field capture."""
    route = suggest_route(territory=territory, text=text, kind=kind)
    if route.service is None and territory.host_organization is not None:
        route = suggest_route(
            territory=territory, text=text, kind=kind, organization=territory.host_organization
        )
    return route.service


# --- capture -------------------------------------------------------------------------
def _due_dates(service, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    commitment = voices_cache.commitments().get(service.pk) or (
        DEFAULT_ACKNOWLEDGE_DAYS,
        DEFAULT_ANSWER_DAYS,
    )
    local = timezone.localtime(start)
    return add_working_days(local, commitment[0]), add_working_days(local, commitment[1])


def check_phone(phone: str) -> str:
    phone = phone.strip()
    if phone and not PHONE_RE.match(phone):
        raise ValidationError(_("Enter a phone number such as 06 12 34 56 78."))
    return phone


def validate_capture(
    *,
    territory,
    kind: str,
    text: str,
    channel: str,
    capture_mode: str,
    service,
    relay,
    contact_email: str,
    contact_phone: str,
    contact_consent: bool,
    commune,
    photos: Sequence,
    latitude,
    longitude,
    event_date,
    report: bool = False,
) -> dict[str, list[str]]:
    """Errors by field. `report`: the voice is the core of a report (cocon.reports), the
    only way a voice of kind "report" is made."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    text = (text or "").strip()
    if not text:
        add("text", _("Write what the person said (this field cannot be empty)."))
    elif len(text) > TEXT_MAX:
        add(
            "text",
            _("The text is too long (%(length)s characters, %(max)s at most).")
            % {"length": len(text), "max": TEXT_MAX},
        )
    if kind not in Kind.values or (kind == Kind.REPORT) != report:
        add("kind", _("Choose what kind of message it is."))
    if channel not in Channel.values:
        add("channel", _("Choose how the message was received."))
    if capture_mode not in CaptureMode.values:
        add("capture_mode", _("Unknown capture mode."))
    elif capture_mode != CaptureMode.SELF and relay is None:
        add("capture_mode", _("Only an agent can relay a voice or record an observation."))
    if capture_mode == CaptureMode.OBSERVATION and kind not in (Kind.OBSERVATION, Kind.REPORT):
        add("kind", _("An agent's own observation has the kind “field observation”."))
    if kind == Kind.OBSERVATION and capture_mode != CaptureMode.OBSERVATION:
        add("kind", _("Field observations are recorded by agents."))
    if service is None:
        add("service", _("Choose the service concerned."))
    elif service.organization.territory_id != territory.pk or not service.organization.is_active:
        add("service", _("This service is not part of this territory."))
    elif not service.is_public and relay is None:
        add("service", _("This service does not take messages from the public."))
    if commune is not None and commune.territory_id != territory.pk:
        add("commune", _("This commune is not part of this territory."))
    email = (contact_email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            add("contact_email", _("Enter a valid email address, such as nom@exemple.fr."))
    try:
        check_phone(contact_phone or "")
    except ValidationError as exc:
        add("contact_phone", exc.messages[0])
    if (email or (contact_phone or "").strip()) and not contact_consent:
        add(
            "contact_consent",
            _("Tick the box to agree that we keep this contact to send the answer."),
        )
    if (latitude is None) != (longitude is None):
        add("latitude", _("Give both latitude and longitude, or neither."))
    elif latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        add("latitude", _("These coordinates are not on Earth."))
    if event_date and event_date > timezone.localdate():
        add("event_date", _("The date of the event cannot be in the future."))
    if len(photos) > MAX_PHOTOS:
        add("photos", _("%(max)s photos at most.") % {"max": MAX_PHOTOS})
    for photo in photos:
        try:
            validate_photo(photo)
        except ValidationError as exc:
            add("photos", f"{getattr(photo, 'name', 'photo')} : {exc.messages[0]}")
    return errors


def service_staff(service):
    """Everyone who sees this service's voices and should be told about a new one:
    its agents, its managers, the direction above it, the élus whose delegation lists it."""
    from cocon.accounts.models import User
    from cocon.accounts.selectors import current_roles

    # one queryset with one Q (not several querysets combined with |, which costs
    # about 1.5 ms of CPU per new voice to build; same rows)
    who = (
        Q(kind="manager", services=service)
        | Q(kind="elu", services=service)
        | Q(kind="direction", direction__isnull=True)
    )
    if service.direction_id:
        who |= Q(kind="direction", direction_id=service.direction_id)
    by_role = current_roles().filter(who, organization_id=service.organization_id)
    return User.objects.filter(is_active=True).filter(
        Q(agent_profile__service=service) | Q(pk__in=by_role.values("user_id"))
    )


_STAFF_SQL: dict[str, str] = {}


def _staff_sql(vendor: str) -> str:
    """The SQL of `recipients_of(service_staff(service))`, written once per process:
    building and compiling that queryset cost ~1.5 ms of CPU per new voice."""
    if vendor not in _STAFF_SQL:
        from cocon.accounts.models import AgentProfile, Role, User
        from cocon.core.models import NotificationPreference

        q = connection.ops.quote_name
        user, profile, pref = (
            q(User._meta.db_table),
            q(AgentProfile._meta.db_table),
            q(NotificationPreference._meta.db_table),
        )
        role, links = q(Role._meta.db_table), q(Role.services.through._meta.db_table)
        # table names from the models' metadata, quoted; every value is a parameter
        _STAFF_SQL[vendor] = (
            "SELECT u.id, u.email, u.full_name, u.language, p.email "  # noqa: S608
            f"FROM {user} u "
            f"LEFT JOIN {profile} a ON a.user_id = u.id "
            f"LEFT JOIN {pref} p ON p.user_id = u.id "
            "WHERE u.is_active = %(true)s AND (a.service_id = %(service)s OR u.id IN ("
            f"SELECT r.user_id FROM {role} r WHERE r.organization_id = %(organization)s "
            "AND r.starts_on <= %(today)s AND (r.ends_on IS NULL OR r.ends_on >= %(today)s) "
            "AND ((r.kind IN ('manager', 'elu') AND EXISTS ("
            f"SELECT 1 FROM {links} rs WHERE rs.role_id = r.id AND rs.service_id = %(service)s))"
            " OR (r.kind = 'direction' AND (r.direction_id IS NULL"
            " OR r.direction_id = %(direction)s)))))"
            " ORDER BY u.full_name, u.email"  # User's ordering, as the queryset
        )
    return _STAFF_SQL[vendor]


def staff_recipients(service) -> list:
    """`recipients_of(service_staff(service))` in one hand-written query: the same people
    (tested against service_staff), in the same order, with their email preference."""
    from cocon.core.notifications import Recipient

    params = {
        "true": True,
        "service": service.pk,
        "organization": service.organization_id,
        "direction": service.direction_id,
        "today": connection.ops.adapt_datefield_value(timezone.localdate()),
    }
    with connection.cursor() as cursor:
        cursor.execute(_staff_sql(connection.vendor), params)
        return [Recipient(*row) for row in cursor.fetchall()]


def elus_of(service):
    """Élus whose delegation lists this service, or covers the whole organization."""
    from cocon.accounts.models import User
    from cocon.accounts.selectors import current_roles

    roles = current_roles().filter(organization_id=service.organization_id, kind="elu")
    covering = roles.filter(services=service) | roles.filter(services__isnull=True)
    return User.objects.filter(is_active=True, pk__in=covering.values("user_id"))


@dataclass
class Captured:
    voice: Voice
    tracking_code: str

    @property
    def tracking_url(self) -> str:
        return absolute(
            reverse("voices:track_voice", args=[self.voice.reference])
            + f"?code={self.tracking_code}"
        )


@transaction.atomic
def voice_capture(
    *,
    territory,
    kind: str,
    text: str,
    channel: str,
    service,
    capture_mode: str = CaptureMode.SELF,
    theme: Theme | None = None,
    commune=None,
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    event_date: dt.date | None = None,
    author=None,
    relay=None,
    contact_email: str = "",
    contact_phone: str = "",
    contact_consent: bool = False,
    contact_name: str = "",
    profile: dict | None = None,
    photos: Sequence = (),
    created_at: dt.datetime | None = None,
    notify_staff: bool = True,
    report: bool = False,
) -> Captured:
    """Record one voice and tell its service. Raises ValidationError({field: [msg]})."""
    errors = validate_capture(
        territory=territory,
        kind=kind,
        text=text,
        channel=channel,
        capture_mode=capture_mode,
        service=service,
        relay=relay,
        contact_email=contact_email,
        contact_phone=contact_phone,
        contact_consent=contact_consent,
        commune=commune,
        photos=photos,
        latitude=latitude,
        longitude=longitude,
        event_date=event_date,
        report=report,
    )
    if errors:
        raise ValidationError(errors)
    now = created_at or timezone.now()
    if theme is None:
        theme = suggest_theme(territory, text)
    relay_org_id = None
    if relay is not None:
        relay_org_id = relay.grants.agent_organization_id
    ack_due, answer_due = _due_dates(service, now)
    voice = Voice(
        territory=territory,
        kind=kind,
        text=text.strip(),
        channel=channel,
        capture_mode=capture_mode,
        organization=service.organization,  # loaded by validate_capture: no query later
        service=service,
        theme=theme,
        commune=commune,
        address=address.strip()[:300],
        latitude=latitude,
        longitude=longitude,
        event_date=event_date,
        author=author if author is not None and author.is_authenticated else None,
        relay=relay,
        relay_organization_id=relay_org_id,
        created_at=now,
        acknowledge_due=ack_due,
        answer_due=answer_due,
    )
    code = voice.set_tracking_code()
    voice.save(force_insert=True)
    email, phone = (contact_email or "").strip(), check_phone(contact_phone or "")
    if email or phone:
        VoiceContact.objects.create(
            voice=voice, email=email, phone=phone, name=contact_name.strip()[:150], consent_at=now
        )
    if profile:
        clean = _clean_profile(profile, territory)
        if any(clean.values()):
            VoiceProfile.objects.create(voice=voice, **clean)
    for photo in photos:
        attach_photo(voice, photo)
    history.record(
        voice,
        action="received",
        actor=relay or voice.author,
        to_status=Status.RECEIVED,
        data={"channel": channel, "capture_mode": capture_mode},
        at=now,
    )
    if notify_staff:
        _notify_new(voice)
    return Captured(voice, code)


def _clean_profile(profile: dict, territory) -> dict:
    from cocon.territory.models import Commune

    clean = {
        "age_band": profile.get("age_band") or "",
        "sex": profile.get("sex") or "",
        "occupation": profile.get("occupation") or "",
        "commune": None,
    }
    if clean["age_band"] not in AgeBand.values:
        clean["age_band"] = ""
    if clean["sex"] not in ("F", "M"):
        clean["sex"] = ""
    if clean["occupation"] not in Occupation.values:
        clean["occupation"] = ""
    commune = profile.get("commune")
    if isinstance(commune, Commune) and commune.territory_id == territory.pk:
        clean["commune"] = commune
    return clean


def _staff_title(voice: Voice) -> str:
    if voice.kind == Kind.THANKS:
        return _("Thanks received for %(service)s (%(ref)s)") % {
            "service": voice.service.name,
            "ref": voice.reference,
        }
    return _("New voice for %(service)s: %(kind)s (%(ref)s)") % {
        "service": voice.service.name,
        "kind": voice.get_kind_display().lower(),
        "ref": voice.reference,
    }


def _notify_new(voice: Voice) -> None:
    # the staff and their email preferences in one query
    recipients: list = staff_recipients(voice.service)
    if voice.kind == Kind.THANKS and voice.relay is not None:
        recipients.append(voice.relay)
    notify(
        recipients,
        kind="voices.new",
        title=_staff_title(voice),
        body=voice.text[:500],
        url=voice.get_absolute_url(),
        obj=voice,
        exclude=voice.relay if voice.kind != Kind.THANKS else None,
    )


# --- status, answer ------------------------------------------------------------------
def _signature(voice, signed_by=None) -> str:
    if signed_by is not None:
        titles = [r.title for r in signed_by.grants.roles_of("elu") if r.title]
        name = signed_by.full_name
        return f"{name}, {titles[0]}" if titles else name
    return voice.service.name


@transaction.atomic
def voice_set_status(
    voice: Voice,
    *,
    actor,
    status: str,
    text: str = "",
    signed_by=None,
    now: dt.datetime | None = None,
) -> Voice:
    """Move a voice to `status` with an optional public text (mandatory for an answer or
    a referral). The person gets the text by email, or on the tracking page."""
    voice = Voice.objects.select_for_update().select_related("service").get(pk=voice.pk)
    text = (text or "").strip()
    if status not in Status.values or status == Status.MERGED:
        raise ValidationError({"status": [_("Unknown or unavailable status.")]})
    if status not in allowed_statuses(voice):
        raise ValidationError(
            {
                "status": [
                    _("A voice that is “%(current)s” cannot become “%(new)s”.")
                    % {"current": voice.get_status_display(), "new": Status(status).label}
                ]
            }
        )
    if needs_text(voice, status) and not text:
        if status == Status.NOT_FOR_US:
            message = _("Say who the person should contact instead (this text is sent to them).")
        elif voice.kind == Kind.REPORT:
            message = _("Write the public update shown with the report.")
        else:
            message = _("Write the answer the person will receive.")
        raise ValidationError({"text": [message]})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": [_("The text is too long.")]})
    if signed_by is not None:
        from cocon.core.permissions import can

        if not can(signed_by, "voices.sign", voice):
            raise ValidationError(
                {"signed_by": [_("This élu's delegation does not cover this service.")]}
            )
    now = now or timezone.now()
    previous = voice.status
    voice.status = status
    fields = ["status", "updated_at"]
    if voice.acknowledged_at is None:
        voice.acknowledged_at = now
        fields.append("acknowledged_at")
    if status in ANSWER_STATUSES:
        voice.answer = text
        voice.answer_signature = _signature(voice, signed_by)
        voice.answer_signed_by = signed_by
        voice.answered_at = now
        fields += ["answer", "answer_signature", "answer_signed_by", "answered_at"]
    if status in FINAL_STATUSES:
        voice.closed_at = now
        fields.append("closed_at")
    elif status == Status.IN_PROGRESS and previous in (
        Status.ANSWERED,
        Status.FIXED,
        Status.CLOSED,
    ):
        voice.closed_at = None
        fields.append("closed_at")
    voice.save(update_fields=fields)
    history.record(
        voice,
        action="status",
        actor=actor,
        actor_label=voice.answer_signature if status in ANSWER_STATUSES else voice.service.name,
        from_status=previous,
        to_status=status,
        public_text=text,
        at=now,
    )
    if status in FINAL_STATUSES:
        _schedule_contact_erasure([voice.pk], now)
    if text:
        targets = [voice, *voice.merged_voices.select_related("author")]
        for target in targets:
            _tell_person(target, status=status, text=text, signature=voice.answer_signature)
    status_changed.send(
        sender=Voice, voice=voice, previous=previous, status=status, text=text, actor=actor, at=now
    )
    return voice


def _schedule_contact_erasure(voice_ids: Iterable[int], closed_at: dt.datetime) -> None:
    months = retention_months()
    erase_after = closed_at + dt.timedelta(days=round(months * 30.44))
    VoiceContact.objects.filter(voice_id__in=list(voice_ids)).update(erase_after=erase_after)


def _tell_person(voice: Voice, *, status: str, text: str, signature: str) -> None:
    """Send the public text to the person: email if they left one, in-app if they
    have an account. Without either, it waits on the tracking page."""
    track_url = absolute(reverse("voices:track_voice", args=[voice.reference]))
    subject_by_status = {
        Status.ANSWERED: _("Answer to your message %(ref)s"),
        Status.NOT_FOR_US: _("Your message %(ref)s: who to contact"),
        Status.FIXED: _("Your report %(ref)s: the problem is fixed"),
    }
    subject = subject_by_status.get(status, _("News about your message %(ref)s")) % {
        "ref": voice.reference
    }
    contact = VoiceContact.objects.filter(voice=voice).first()
    if contact and contact.email:
        with translation.override("fr"):
            queue_email(
                to=contact.email,
                subject=subject,
                body=render_to_string(
                    "voices/emails/answer.txt",
                    {
                        "voice": voice,
                        "text": text,
                        "signature": signature,
                        "track_url": track_url,
                    },
                ),
            )
    if voice.author_id:
        notify(
            [voice.author],
            kind="voices.answer",
            title=subject,
            body=text,
            url=voice.get_absolute_url(),
            obj=voice,
            default_email=Email.NEVER if contact and contact.email else Email.IMMEDIATE,
        )


# --- circulation ---------------------------------------------------------------------
@transaction.atomic
def voice_reroute(voice: Voice, *, actor, service, reason: str) -> Voice:
    """Send a voice to another service (possibly of another organization), with a
    reason kept in the history. Due dates do not move: the person waits since day 1."""
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Say why the voice goes to another service.")]
    if service is None:
        errors["service"] = [_("Choose the service concerned.")]
    elif service.pk == voice.service_id:
        errors["service"] = [_("The voice is already with this service.")]
    elif service.organization.territory_id != voice.territory_id:
        errors["service"] = [_("This service is not part of this territory.")]
    if voice.status in FINAL_STATUSES:
        errors["status"] = [_("A closed voice cannot be re-routed.")]
    if errors:
        raise ValidationError(errors)
    old = voice.service
    voice.service = service
    voice.organization_id = service.organization_id
    voice.save(update_fields=["service", "organization", "updated_at"])
    history.record(
        voice,
        action="rerouted",
        actor=actor,
        actor_label=old.name,
        internal_text=reason,
        data={
            "from_service": old.pk,
            "to_service": service.pk,
            "from": str(old),
            "to": str(service),
        },
    )
    _notify_new(voice)
    return voice


@transaction.atomic
def voice_escalate(voice: Voice, *, actor, note: str = "") -> Voice:
    """Bring a voice to the élus whose delegation covers its service, at once."""
    note = (note or "").strip()
    voice.escalated_at = timezone.now()
    voice.save(update_fields=["escalated_at", "updated_at"])
    history.record(voice, action="escalated", actor=actor, internal_text=note)
    notify(
        elus_of(voice.service),
        kind="voices.escalated",
        title=_("%(who)s brings voice %(ref)s to your attention")
        % {"who": actor.full_name, "ref": voice.reference},
        body=(note + "\n\n" if note else "") + voice.text[:500],
        url=voice.get_absolute_url(),
        obj=voice,
        default_email=Email.IMMEDIATE,
    )
    return voice


@transaction.atomic
def voice_share(voice: Voice, *, actor, service, note: str = "") -> VoiceShare:
    if service is None or service.organization.territory_id != voice.territory_id:
        raise ValidationError({"service": [_("Choose the service concerned.")]})
    if service.pk == voice.service_id:
        raise ValidationError({"service": [_("The voice is already with this service.")]})
    share, created = VoiceShare.objects.get_or_create(
        voice=voice, service=service, defaults={"shared_by": actor}
    )
    if not created:
        raise ValidationError({"service": [_("The voice is already shared with this service.")]})
    history.record(
        voice,
        action="shared",
        actor=actor,
        internal_text=(note or "").strip(),
        data={"service": service.pk, "to": str(service)},
    )
    notify(
        service_staff(service),
        kind="voices.shared",
        title=_("%(who)s shares voice %(ref)s with %(service)s")
        % {"who": actor.full_name, "ref": voice.reference, "service": service.name},
        body=voice.text[:500],
        url=voice.get_absolute_url(),
        obj=voice,
        exclude=actor,
    )
    return share


@transaction.atomic
def voice_merge(primary: Voice, duplicates: Iterable[Voice], *, actor) -> list[Voice]:
    """Merge duplicates into `primary`. Each keeps its author, text and history, and
    will receive the answer given to the primary."""
    merged = []
    for duplicate in duplicates:
        if duplicate.pk == primary.pk:
            continue
        if duplicate.status in FINAL_STATUSES:
            raise ValidationError(
                {
                    "duplicates": [
                        _("Voice %(ref)s is already closed.") % {"ref": duplicate.reference}
                    ]
                }
            )
        previous = duplicate.status
        duplicate.status = Status.MERGED
        duplicate.merged_into = primary
        duplicate.closed_at = timezone.now()
        duplicate.save(update_fields=["status", "merged_into", "closed_at", "updated_at"])
        history.record(
            duplicate,
            action="merged",
            actor=actor,
            actor_label=primary.service.name,
            from_status=previous,
            to_status=Status.MERGED,
            public_text=_("Your message is handled together with similar messages (%(ref)s).")
            % {"ref": primary.reference},
            data={"into": primary.pk, "reference": primary.reference},
        )
        status_changed.send(
            sender=Voice,
            voice=duplicate,
            previous=previous,
            status=Status.MERGED,
            text="",
            actor=actor,
            at=duplicate.closed_at,
        )
        merged.append(duplicate)
    if primary.status in FINAL_STATUSES:
        raise ValidationError({"primary": [_("The main voice is already closed.")]})
    history.record(
        primary,
        action="merged_in",
        actor=actor,
        data={"references": [v.reference for v in merged]},
    )
    return merged


def voice_note(voice: Voice, *, actor, text: str):
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("The note is empty.")]})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": [_("The text is too long.")]})
    return history.note_add(voice, author=actor, text=text)


def voice_seen(voice: Voice, user) -> bool:
    return history.mark_seen(voice, user)


# --- retention -----------------------------------------------------------------------
AUTO_CLOSE_DAYS = 30


@transaction.atomic
def purge_contacts(now: dt.datetime | None = None) -> tuple[int, int]:
    """Close voices answered more than 30 days ago, then erase contact data whose
    retention period has ended. Returns (closed, erased)."""
    now = now or timezone.now()
    stale = list(
        Voice.objects.filter(
            status__in=(Status.ANSWERED, Status.FIXED),
            answered_at__lt=now - dt.timedelta(days=AUTO_CLOSE_DAYS),
        ).values_list("pk", "status")
    )
    for pk, previous in stale:
        Voice.objects.filter(pk=pk).update(status=Status.CLOSED, closed_at=now)
        voice = Voice(pk=pk)
        history.record(
            voice,
            action="status",
            actor_label=_("Automatic closure"),
            from_status=previous,
            to_status=Status.CLOSED,
            at=now,
        )
        status_changed.send(
            sender=Voice,
            voice=voice,
            previous=previous,
            status=Status.CLOSED,
            text="",
            actor=None,
            at=now,
        )
    _schedule_contact_erasure([pk for pk, _s in stale], now)
    erased, _detail = VoiceContact.objects.filter(erase_after__lte=now).delete()
    return len(stale), erased


def voice_erase_photos(voice: Voice) -> int:
    return delete_attachments(voice)


__all__ = [
    "OPEN_STATUSES",
    "Captured",
    "Route",
    "purge_contacts",
    "suggest_route",
    "voice_capture",
    "voice_escalate",
    "voice_merge",
    "voice_note",
    "voice_reroute",
    "voice_seen",
    "voice_set_status",
    "voice_share",
]


def _register_daily_jobs() -> None:
    from cocon.core.schedule import daily

    daily("voices.purge_contacts", hour=3)(purge_contacts)


_register_daily_jobs()


# --- configuration by the organization ---------------------------------------------------
@transaction.atomic
def routing_rule_add(*, organization, kind: str, theme, service) -> RoutingRule:
    errors: dict[str, list[str]] = {}
    if kind and kind not in Kind.values:
        errors["kind"] = [_("Choose what kind of message it is.")]
    if service is None or service.organization_id != organization.pk:
        errors["service"] = [_("Choose one of this organization's services.")]
    if theme is not None and theme.territory_id != organization.territory_id:
        errors["theme"] = [_("This theme is not part of this territory.")]
    if (
        not errors
        and RoutingRule.objects.filter(
            organization=organization, kind=kind or "", theme=theme
        ).exists()
    ):
        errors["theme"] = [_("A rule already exists for this kind and theme: delete it first.")]
    if errors:
        raise ValidationError(errors)
    return RoutingRule.objects.create(
        organization=organization, kind=kind or "", theme=theme, service=service
    )


def commitment_set(*, service, acknowledge_days: int, answer_days: int) -> Commitment:
    if acknowledge_days > answer_days:
        raise ValidationError(
            {"acknowledge_days": [_("The acknowledgement cannot come after the answer.")]}
        )
    commitment, _created = Commitment.objects.update_or_create(
        service=service,
        defaults={"acknowledge_days": acknowledge_days, "answer_days": answer_days},
    )
    return commitment


@transaction.atomic
def voice_thank_agent(voice: Voice, *, actor, agent) -> None:
    """Pass a user's thanks on to the agent they concern (the team already got it)."""
    if voice.kind != Kind.THANKS:
        raise ValidationError({"agent": [_("Only thanks can be passed on to an agent.")]})
    profile = getattr(agent, "agent_profile", None) if agent is not None else None
    if profile is None or profile.organization_id != voice.organization_id:
        raise ValidationError({"agent": [_("Choose an agent of the organization concerned.")]})
    history.record(
        voice,
        action="thanks_forwarded",
        actor=actor,
        data={"agent": agent.pk, "to": agent.full_name},
    )
    notify(
        [agent],
        kind="voices.thanks",
        title=_("A user thanks you (%(ref)s)") % {"ref": voice.reference},
        body=voice.text[:1000],
        url=voice.get_absolute_url(),
        obj=voice,
        default_email=Email.IMMEDIATE,
    )
    if not VoiceShare.objects.filter(voice=voice, service_id=profile.service_id).exists() and (
        profile.service_id and profile.service_id != voice.service_id
    ):
        VoiceShare.objects.create(voice=voice, service_id=profile.service_id, shared_by=actor)
