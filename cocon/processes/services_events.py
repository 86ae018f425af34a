"""Writes of the events of a process: the event itself, registrations with their
waiting list, attendance, walk-ins, minutes and workshop outputs (ideas of the
process's campaign), and the erasure of registrants' contacts once no longer needed.

Each function validates first (French messages keyed by field), then writes in one
transaction. Permission checks stay in the views; the services re-check what would
corrupt data (capacity, a registration twice, a cancelled event...).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cocon.core import history, notifications
from cocon.core.outbox import queue_email
from cocon.core.schedule import daily, hourly
from cocon.processes.models.events import (
    Event,
    EventKind,
    EventOutput,
    ParticipantRole,
    Registration,
)

CATEGORIES = ("A", "B", "C", "-")
KEEP_AFTER_EVENT_DAYS = 183  # about 6 months
KEEP_AFTER_CLOSING_DAYS = 92  # about 3 months
TOKEN_SALT = "processes.registration"
Status = Registration.Status


def _add(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _day(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


# --- events ------------------------------------------------------------------------------
EVENT_FIELDS = (
    "kind",
    "title",
    "description",
    "phase",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "accessibility",
    "capacity",
    "registration_open",
    "target_mix",
    "minutes",
)


def clean_target_mix(raw: dict | None, errors: dict) -> dict:
    """{role: n} with known roles (or "agent:A|B|C") and non-negative whole numbers;
    zeros are dropped."""
    mix = {}
    allowed = set(ParticipantRole.values) | {f"agent:{c}" for c in "ABC"}
    for key, value in (raw or {}).items():
        if value in (None, ""):
            continue
        if key not in allowed:
            _add(
                errors, "target_mix", _("Unknown role in the target mix: %(role)s.") % {"role": key}
            )
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            _add(errors, "target_mix", _("Targets must be whole numbers."))
            continue
        if number < 0:
            _add(errors, "target_mix", _("Targets cannot be negative."))
        elif number:
            mix[key] = number
    return mix


def _validate_event(process, event: Event | None, data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    clean = {name: data.get(name) for name in EVENT_FIELDS if name in data}
    title = (data.get("title") or "").strip()
    if not title:
        _add(errors, "title", _("This field is required."))
    clean["title"] = title[:200]
    if data.get("kind") not in EventKind.values:
        _add(errors, "kind", _("Choose the kind of event."))
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if not starts:
        _add(errors, "starts_at", _("Give the start date and time."))
    if not ends:
        _add(errors, "ends_at", _("Give the end date and time."))
    if starts and ends and ends <= starts:
        _add(errors, "ends_at", _("The event ends before it starts."))
    phase = data.get("phase")
    if phase is not None:
        if phase.process_id != process.pk:
            _add(errors, "phase", _("This phase belongs to another process."))
        elif starts and ends and (_day(starts) < phase.starts_on or _day(ends) > phase.ends_on):
            _add(
                errors,
                "starts_at",
                _(
                    "The event must take place during its phase “%(phase)s”, from %(start)s to %(end)s."  # noqa: E501
                )
                % {
                    "phase": phase.title,
                    "start": date_filter(phase.starts_on, "j F Y"),
                    "end": date_filter(phase.ends_on, "j F Y"),
                },
            )
    clean["place"] = (data.get("place") or "").strip()
    clean["online_url"] = (data.get("online_url") or "").strip()
    if not clean["place"] and not clean["online_url"]:
        _add(errors, "place", _("Give a place or an online link."))
    capacity = data.get("capacity")
    if capacity is not None:
        if capacity < 1:
            _add(errors, "capacity", _("The capacity must be at least 1 (or empty: no limit)."))
        elif event is not None and event.pk:
            taken = event.registrations.filter(status=Status.REGISTERED).count()
            if capacity < taken:
                _add(
                    errors,
                    "capacity",
                    _(
                        "%(n)s people are already registered: the capacity cannot be lower than that."  # noqa: E501
                    )
                    % {"n": taken},
                )
    clean["target_mix"] = clean_target_mix(data.get("target_mix"), errors)
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def event_save(*, actor, process, event: Event | None = None, **data) -> Event:
    """Create or update an event of `process`. Raising the capacity promotes people of
    the waiting list to the freed seats."""
    if event is not None:
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.process_id != process.pk:
            raise PermissionDenied("event of another process")
    clean = _validate_event(process, event, data)
    created = event is None
    if created:
        event = Event(process=process, created_by=actor)
    for name, value in clean.items():
        if name == "registration_open":
            value = bool(value)
        elif name in ("description", "accessibility", "minutes"):
            value = (value or "").strip()
        setattr(event, name, value)
    event.save()
    history.record(event, action="created" if created else "edited", actor=actor)
    if not created:
        _promote(event)
    return event


@transaction.atomic
def event_cancel(*, actor, event: Event, reason: str = "", now=None) -> Event:
    """Cancel the event and tell everyone registered or waiting."""
    now = now or timezone.now()
    event = Event.objects.select_for_update().select_related("process").get(pk=event.pk)
    if event.cancelled_at:
        raise ValidationError({"__all__": [_("This event is already cancelled.")]})
    reason = (reason or "").strip()[:1000]
    event.cancelled_at = now
    event.registration_open = False
    event.save(update_fields=["cancelled_at", "registration_open"])
    history.record(event, action="cancelled", actor=actor, public_text=reason, at=now)
    people = list(event.registrations.exclude(status=Status.CANCELLED).select_related("user"))
    title = _("Cancelled: “%(event)s” of %(date)s") % {
        "event": event.title,
        "date": date_filter(timezone.localtime(event.starts_at), "j F Y H:i"),
    }
    body = reason or _("The event you registered to is cancelled. We apologise.")
    _tell_people(people, event, title=title, body=body)
    return event


def _tell_people(
    registrations: Iterable[Registration], event: Event, *, title: str, body: str, url: str = ""
):
    """Tell registrants about their own registration: in the application (and by email
    following their preference) when they have an account, by email when they gave one
    (the service they asked for: no consent needed)."""
    url = url or reverse("processes:event_detail", args=[event.process.slug, event.pk])
    users = [r.user for r in registrations if r.user_id and r.user.is_active]
    if users:
        notifications.notify(
            users,
            kind="processes.event",
            title=title,
            body=body,
            url=url,
            obj=event,
            default_email=notifications.Email.IMMEDIATE,
        )
    for registration in registrations:
        if not registration.user_id and registration.email:
            queue_email(
                to=registration.email,
                subject=title,
                body=f"{body}\n\n{notifications.absolute(url)}\n",
            )


# --- registrations -----------------------------------------------------------------------
def registration_token(registration: Registration) -> str:
    """The secret of the person's links (confirmation, cancellation)."""
    return signing.dumps(registration.pk, salt=TOKEN_SALT)


def registration_from_token(token: str) -> Registration | None:
    try:
        pk = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    return (
        Registration.objects.select_related("event__process", "user", "commune")
        .filter(pk=pk)
        .first()
    )


def contact_erase_on(event: Event) -> dt.date:
    """The day the contact is erased: six months after the event at most, three months
    after the process closes if it closes earlier."""
    day = _day(event.ends_at) + dt.timedelta(days=KEEP_AFTER_EVENT_DAYS)
    closed = event.process.closed_at
    if closed:
        day = min(day, _day(closed) + dt.timedelta(days=KEEP_AFTER_CLOSING_DAYS))
    return day


def waiting_position(registration: Registration) -> int:
    """1 for the first person of the waiting list."""
    return (
        Registration.objects.filter(event_id=registration.event_id, status=Status.WAITING)
        .filter(
            Q(created_at__lt=registration.created_at)
            | Q(created_at=registration.created_at, pk__lt=registration.pk)
        )
        .count()
        + 1
    )


def _validate_person(event, data: dict, errors: dict, *, walk_in: bool = False) -> dict:
    from cocon.voices.models import AgeBand

    clean = {}
    name = (data.get("name") or "").strip()
    if not name:
        _add(errors, "name", _("Give your name (or a first name, or a pseudonym)."))
    clean["name"] = name[:150]
    role = data.get("role")
    if role not in ParticipantRole.values:
        _add(errors, "role", _("Say in which capacity you come."))
    category = (data.get("category") or "").strip().upper()
    if role == ParticipantRole.AGENT:
        if category not in CATEGORIES:
            _add(errors, "category", _("Give the agent's category (A, B, C or other status)."))
    else:
        category = ""
    clean["role"], clean["category"] = role, category
    if walk_in:
        return clean
    clean["email"] = (data.get("email") or "").strip().lower()
    clean["email_consent"] = bool(data.get("email_consent")) and bool(clean["email"])
    if data.get("email_consent") and not clean["email"]:
        _add(errors, "email", _("Give an email address to be told by email."))
    clean["organization_label"] = (data.get("organization_label") or "").strip()[:200]
    clean["accessibility_needs"] = (data.get("accessibility_needs") or "").strip()[:1000]
    age_band = data.get("age_band") or ""
    if age_band and age_band not in AgeBand.values:
        _add(errors, "age_band", _("Choose an age band from the list."))
    clean["age_band"] = age_band
    commune = data.get("commune")
    if commune is not None and commune.territory_id != event.process.territory_id:
        _add(errors, "commune", _("This commune is outside the territory."))
    clean["commune"] = commune
    return clean


@transaction.atomic
def register(*, event: Event, user=None, now=None, **data) -> Registration:
    """Register a person, or put them on the waiting list when the event is full. The
    event row is locked, so two people cannot take the last seat together."""
    now = now or timezone.now()
    event = Event.objects.select_for_update().select_related("process").get(pk=event.pk)
    if event.cancelled_at:
        raise ValidationError({"__all__": [_("This event is cancelled.")]})
    if not event.registration_open or event.ends_at < now:
        raise ValidationError({"__all__": [_("Registration to this event is closed.")]})
    errors: dict[str, list[str]] = {}
    clean = _validate_person(event, data, errors)
    active = event.registrations.exclude(status=Status.CANCELLED)
    if user is not None and active.filter(user=user).exists():
        _add(errors, "__all__", _("You are already registered to this event."))
    elif clean.get("email") and active.filter(email__iexact=clean["email"]).exists():
        _add(errors, "email", _("Someone is already registered to this event with this email."))
    if errors:
        raise ValidationError(errors)
    full = (
        event.capacity is not None
        and active.filter(status=Status.REGISTERED).count() >= event.capacity
    )
    registration = Registration.objects.create(
        event=event,
        user=user,
        status=Status.WAITING if full else Status.REGISTERED,
        contact_erase_on=contact_erase_on(event),
        created_at=now,
        **clean,
    )
    history.record(registration, action=registration.status, actor=user, at=now)
    if user is not None or registration.email:
        registration.user = user
        _tell_people(
            [registration],
            event,
            title=(
                _("Full: you are number %(n)s on the waiting list of “%(event)s”")
                % {"n": waiting_position(registration), "event": event.title}
                if full
                else _("You are registered to “%(event)s”") % {"event": event.title}
            ),
            body=_("%(when)s, %(where)s. To see or cancel your registration, follow the link.")
            % {
                "when": date_filter(timezone.localtime(event.starts_at), "j F Y H:i"),
                "where": event.place or event.online_url,
            },
            url=reverse(
                "processes:event_registration",
                args=[event.process.slug, event.pk, registration_token(registration)],
            ),
        )
    return registration


def _promote(event: Event) -> list[Registration]:
    """Move people from the waiting list to the free seats (event row locked by the
    caller) and tell them."""
    active = event.registrations.exclude(status=Status.CANCELLED)
    waiting = active.filter(status=Status.WAITING).order_by("created_at", "pk")
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - active.filter(status=Status.REGISTERED).count()
        if free <= 0:
            return []
    promoted = list(
        waiting.select_related("user")[:free] if free else waiting.select_related("user")
    )
    if not promoted:
        return []
    Registration.objects.filter(pk__in=[r.pk for r in promoted]).update(status=Status.REGISTERED)
    for registration in promoted:
        registration.status = Status.REGISTERED
        history.record(
            registration, action="promoted", from_status=Status.WAITING, to_status=Status.REGISTERED
        )
    title = _("A seat is free: you are registered to “%(event)s”") % {"event": event.title}
    body = _("You were on the waiting list: a seat freed up and is yours. %(when)s, %(where)s.") % {
        "when": date_filter(timezone.localtime(event.starts_at), "j F Y H:i"),
        "where": event.place or event.online_url,
    }
    _tell_people(promoted, event, title=title, body=body)
    return promoted


@transaction.atomic
def registration_cancel(*, registration: Registration, actor=None, now=None):
    """Cancel a registration (by the person or by staff); the first person waiting takes
    the seat. Returns (registration, promoted registrations)."""
    now = now or timezone.now()
    event = (
        Event.objects.select_for_update().select_related("process").get(pk=registration.event_id)
    )
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status == Status.CANCELLED:
        raise ValidationError({"__all__": [_("This registration is already cancelled.")]})
    previous = registration.status
    registration.status = Status.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    history.record(
        registration,
        action="cancelled",
        actor=actor,
        from_status=previous,
        to_status=Status.CANCELLED,
        at=now,
    )
    promoted = _promote(event) if previous == Status.REGISTERED and not event.cancelled_at else []
    return registration, promoted


# --- attendance --------------------------------------------------------------------------
@transaction.atomic
def attendance_set(*, actor, registration: Registration, attended: bool, now=None) -> Registration:
    """Mark a person present or absent (people of the waiting list who came count as
    present too)."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == Status.CANCELLED:
        raise ValidationError({"__all__": [_("This registration was cancelled.")]})
    before = registration.attended
    registration.attended = bool(attended)
    registration.attendance_taken_at = now or timezone.now()
    registration.save(update_fields=["attended", "attendance_taken_at"])
    if before != registration.attended:  # who marked whom, and when (a toggle twice: both)
        history.record(
            registration,
            action="present" if registration.attended else "absent",
            actor=actor,
            at=registration.attendance_taken_at,
        )
    return registration


@transaction.atomic
def walk_in_add(*, actor, event: Event, now=None, **data) -> Registration:
    """Someone who came without registering: recorded present (the capacity is the
    room's business, not the list's)."""
    now = now or timezone.now()
    event = Event.objects.select_related("process").get(pk=event.pk)
    if event.cancelled_at:
        raise ValidationError({"__all__": [_("This event is cancelled.")]})
    errors: dict[str, list[str]] = {}
    clean = _validate_person(event, data, errors, walk_in=True)
    if errors:
        raise ValidationError(errors)
    registration = Registration.objects.create(
        event=event,
        status=Status.REGISTERED,
        walk_in=True,
        attended=True,
        attendance_taken_at=now,
        contact_erase_on=contact_erase_on(event),
        created_at=now,
        **clean,
    )
    history.record(registration, action="walk_in", actor=actor, at=now)
    return registration


# --- minutes and outputs -----------------------------------------------------------------
TITLE_WORDS = 12


def note_title(text: str) -> str:
    """The first words of a note, as the idea's title."""
    from cocon.ideas.models import TITLE_MAX

    words = text.split()
    title = " ".join(words[:TITLE_WORDS])
    if len(words) > TITLE_WORDS:
        title += "…"
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1].rstrip() + "…"
    return title


def origin_text(event: Event) -> str:
    return _("From the workshop “%(event)s” of %(date)s.") % {
        "event": event.title,
        "date": date_filter(timezone.localtime(event.starts_at), "j F Y"),
    }


@transaction.atomic
def minutes_save(*, actor, event: Event, minutes: str) -> Event:
    minutes = (minutes or "").strip()
    if len(minutes) > 50000:
        raise ValidationError(
            {"minutes": [_("The minutes are too long (50,000 characters at most).")]}
        )
    event.minutes = minutes
    event.save(update_fields=["minutes"])
    history.record(event, action="minutes", actor=actor)
    return event


def split_notes(text: str) -> list[str]:
    """One sticky note per non-empty line (bullets and numbering removed)."""
    notes = []
    for line in (text or "").splitlines():
        line = re.sub(r"^\s*(?:[-*•–]|\d+[.)])\s*", "", line).strip()
        if line:
            notes.append(line)
    return notes


@transaction.atomic
def outputs_add(
    *,
    actor,
    event: Event,
    notes: list[dict],
    kind: str = EventOutput.Kind.STICKY_NOTE,
    field: str = "notes",
) -> list[EventOutput]:
    """Enter workshop outputs as ideas of the process's campaign, each tied to the event.
    `notes`: [{"text": ..., "title": optional, "problem": optional, "benefit": optional}].
    All or nothing: a note refused leaves nothing written."""
    from cocon.core.permissions import can
    from cocon.ideas import services as idea_services
    from cocon.ideas.models import DecisionLevel

    process = event.process
    if not can(actor, "processes.manage", process):
        raise PermissionDenied("processes.manage")
    campaign = process.campaign
    if campaign is None:
        raise ValidationError(
            {
                field: [
                    _("This process has no call for proposals: create it before entering outputs.")
                ]
            }
        )
    if not campaign.is_open():
        raise ValidationError(
            {
                field: [
                    _(
                        "The call for proposals of this process is closed: it no longer accepts ideas."  # noqa: E501
                    )
                ]
            }
        )
    if kind not in EventOutput.Kind.values:
        raise ValidationError({"kind": [_("Choose the kind of output.")]})
    if not notes:
        raise ValidationError({field: [_("Enter at least one output.")]})
    origin = origin_text(event)
    prepared = []
    errors: dict[str, list[str]] = {}
    for number, note in enumerate(notes, start=1):
        text = (note.get("text") or "").strip()
        data = {
            "title": (note.get("title") or "").strip() or note_title(text),
            "problem": (note.get("problem") or "").strip() or origin,
            "proposal": text,
            "benefit": (note.get("benefit") or "").strip() or origin,
            "decision_level": DecisionLevel.SERVICE,
        }
        try:
            idea_services.validate_idea(campaign=campaign, **data)
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                for message in messages:
                    label = _("Output %(n)s: %(message)s") % {"n": number, "message": message}
                    _add(errors, field, label)
        prepared.append(data)
    if errors:
        raise ValidationError(errors)
    on_behalf = can(actor, "ideas.submit_on_behalf", campaign)
    own = can(actor, "ideas.submit", campaign)
    outputs = []
    for data in prepared:
        idea = idea_services.idea_submit(
            author=actor,
            campaign=campaign,
            public=True,
            on_behalf=on_behalf or not own,
            # the team's notes of a workshop: `processes.manage` was checked by the caller
            authorized_by="" if (on_behalf or own) else "processes.manage",
            **data,
        )
        outputs.append(EventOutput(event=event, idea=idea, kind=kind, created_by=actor))
    EventOutput.objects.bulk_create(outputs)
    history.record(event, action="outputs", actor=actor, data={"count": len(outputs)})
    return outputs


# --- reminders ---------------------------------------------------------------------------
REMIND_AHEAD = dt.timedelta(hours=24)


def send_reminders(now: dt.datetime | None = None) -> int:
    """Remind registered people of an event starting within the next 24 hours: place,
    time, accessibility, and their own link to cancel (so that a seat freed the day before
    goes to the waiting list). Only those who registered more than a day ahead (the others
    have just read their confirmation); once per registration, whoever runs the job
    (the registration is marked in the transaction that writes the message). Hourly.
    Returns how many people were reminded."""
    now = now or timezone.now()
    due = (
        Registration.objects.filter(
            status=Status.REGISTERED,
            reminded_at=None,
            event__cancelled_at=None,
            event__starts_at__gt=now,
            event__starts_at__lte=now + REMIND_AHEAD,
            created_at__lte=F("event__starts_at") - REMIND_AHEAD,
        )
        .select_related("event__process", "user")
        .order_by("event_id", "pk")
    )
    sent = 0
    for registration in due:
        with transaction.atomic():
            claimed = Registration.objects.filter(pk=registration.pk, reminded_at=None).update(
                reminded_at=now
            )
            if not claimed or not (registration.user_id or registration.email):
                continue
            event = registration.event
            details = [
                _("%(when)s, %(where)s.")
                % {
                    "when": date_filter(timezone.localtime(event.starts_at), "l j F Y H:i"),
                    "where": event.place or event.online_url,
                }
            ]
            if event.accessibility:
                details.append(_("Accessibility: %(text)s") % {"text": event.accessibility})
            details.append(
                _("If you cannot come, cancel with the link: your seat goes to the next person.")
            )
            _tell_people(
                [registration],
                event,
                title=_("Reminder: “%(event)s” starts within a day") % {"event": event.title},
                body="\n".join(details),
                url=reverse(
                    "processes:event_registration",
                    args=[event.process.slug, event.pk, registration_token(registration)],
                ),
            )
            sent += 1
    return sent


hourly("processes.event_reminders")(send_reminders)


# --- retention ---------------------------------------------------------------------------
ANONYMISED = "Participant·e n° "  # stored data, in the language of the platform


def anonymised_name(pk: int) -> str:
    return f"{ANONYMISED}{pk}"


def erase_contacts(today: dt.date | None = None) -> int:
    """Erase the name and email of registrants once their keeping date has passed (six
    months after the event, or three months after the process closed). Daily."""
    from django.db.models import Value
    from django.db.models.functions import Cast, Concat

    today = today or timezone.localdate()
    closed_before = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=KEEP_AFTER_CLOSING_DAYS), dt.time.max)
    )
    due = Registration.objects.filter(
        Q(contact_erase_on__lte=today)
        | Q(event__process__closed_at__lte=closed_before)
        | Q(event__ends_at__lt=timezone.now() - dt.timedelta(days=KEEP_AFTER_EVENT_DAYS))
    ).exclude(email="", name__startswith=ANONYMISED)
    ids = list(due.values_list("pk", flat=True))
    if not ids:
        return 0
    from django.db import models as m

    with transaction.atomic():
        Registration.objects.filter(pk__in=ids).update(
            name=Concat(Value(ANONYMISED), Cast("pk", m.CharField())),
            email="",
            email_consent=False,
        )
    return len(ids)


daily("processes.erase_event_contacts", hour=3)(erase_contacts)
