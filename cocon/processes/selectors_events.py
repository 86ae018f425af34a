"""Reads of the events of a process: pages, panel composition, the public section of
the process page, and the figures other domains need (participants to notify, white
paper participation figures)."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from cocon.core.permissions import can
from cocon.lib import panel as panel_lib
from cocon.processes.models.events import Event, EventOutput, ParticipantRole, Registration
from cocon.processes.models.process import Process

Status = Registration.Status
CATEGORIES = ("A", "B", "C")


def process_or_404(user, slug: str) -> Process:
    """The process of this territory with this slug, if `user` may see it."""
    from cocon.territory.selectors import current_territory_or_404

    territory = current_territory_or_404()
    process = (
        Process.objects.select_related("organization", "campaign")
        .prefetch_related("organizations", "animateurs")
        .filter(territory=territory, slug=slug)
        .first()
    )
    if process is None or not can(user, "processes.view", process):
        raise Http404("process not found")
    return process


def event_or_404(process: Process, pk: int) -> Event:
    event = (
        Event.objects.select_related("phase")
        .annotate(
            registered_count=Count(
                "registrations", filter=Q(registrations__status=Status.REGISTERED)
            ),
            waiting_count=Count("registrations", filter=Q(registrations__status=Status.WAITING)),
        )
        .filter(process=process, pk=pk)
        .first()
    )
    if event is None:
        raise Http404("event not found")
    event.process = process
    return event


def _counted(qs):
    return qs.annotate(
        registered_count=Count(
            "registrations", filter=Q(registrations__status=Status.REGISTERED), distinct=True
        ),
        waiting_count=Count(
            "registrations", filter=Q(registrations__status=Status.WAITING), distinct=True
        ),
        present_count=Count(
            "registrations",
            filter=Q(registrations__attended=True) & ~Q(registrations__status=Status.CANCELLED),
            distinct=True,
        ),
        output_count=Count("outputs", distinct=True),
    )


def events_of(process: Process):
    """All events of the process with their counts (1 query)."""
    return list(_counted(Event.objects.filter(process=process).select_related("phase")))


def seats_left(event: Event) -> int | None:
    """None: no limit. Needs `registered_count` (annotated)."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - event.registered_count)


def my_registration(event: Event, user) -> Registration | None:
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.filter(event=event, user=user).exclude(status=Status.CANCELLED).first()
    )


def attendance_list(event: Event) -> list[Registration]:
    """Everyone registered or waiting (registered first, then the waiting list), 1 query."""
    rows = list(
        Registration.objects.filter(event=event)
        .exclude(status=Status.CANCELLED)
        .order_by("status", "name", "pk")
    )
    rows.sort(key=lambda r: (r.status != Status.REGISTERED, r.name.lower(), r.pk))
    return rows


def outputs_of(event: Event, user) -> list:
    """The ideas born at this event that `user` may see (the Idées rule), each with its
    `event_output`. 1 query."""
    from cocon.core.permissions import grants_of
    from cocon.ideas.models import Idea
    from cocon.ideas.rules import scope_of

    return list(
        Idea.objects.filter(scope_of(grants_of(user)).q(), event_output__event=event)
        .select_related("event_output")
        .order_by("event_output__pk")
    )


def panel(event: Event, *, now=None) -> tuple[list[panel_lib.PanelRow], dict]:
    """Rows (role, then agent categories) of the panel composition against the target
    mix, and totals. 1 query."""
    now = now or timezone.now()
    counts: dict[str, Counter] = defaultdict(Counter)
    categories: dict[str, Counter] = defaultdict(Counter)
    rows = (
        Registration.objects.filter(event=event)
        .exclude(status=Status.CANCELLED)
        .values("role", "category", "status", "attended")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        keys = [counts[row["role"]]]
        if row["role"] == ParticipantRole.AGENT and row["category"] in CATEGORIES:
            keys.append(categories[row["category"]])
        for counter in keys:
            counter[row["status"]] += row["n"]
            if row["attended"]:
                counter["present"] += row["n"]
    held = event.starts_at <= now
    result = panel_lib.compose(
        ParticipantRole.values,
        counts,
        event.target_mix or {},
        held=held,
        categories=CATEGORIES,
        category_counts=categories,
    )
    return result, panel_lib.totals(result)


def role_label(key: str) -> str:
    from django.utils.translation import gettext as _

    if key.startswith("agent:"):
        return _("Agents of category %(category)s") % {"category": key.split(":", 1)[1]}
    return str(ParticipantRole(key).label)


def public_section(process, user) -> dict:
    """Context for `processes/events/_public.html` on the public process page: upcoming
    events (with seats left) and past events (participants and outputs counts), and the
    panel composition of each, without any name. 2 queries."""
    events = [e for e in events_of(process) if not e.cancelled_at]
    if not events:
        return {}
    now = timezone.now()
    mix = defaultdict(Counter)
    for row in (
        Registration.objects.filter(event__process=process, event__cancelled_at__isnull=True)
        .exclude(status=Status.CANCELLED)
        .values("event_id", "role", "status", "attended")
        .annotate(n=Count("pk"))
    ):
        counter = mix[row["event_id"]]
        if row["status"] == Status.REGISTERED:
            counter[(row["role"], "registered")] += row["n"]
        if row["attended"]:
            counter[(row["role"], "present")] += row["n"]
    upcoming, past = [], []
    for event in events:
        held = event.ends_at < now
        counter = mix[event.pk]
        event.public_mix = [
            {
                "label": ParticipantRole(role).label,
                "count": counter[(role, "present" if held else "registered")],
                "target": (event.target_mix or {}).get(role) or None,
            }
            for role in ParticipantRole.values
            if counter[(role, "present" if held else "registered")]
            or (event.target_mix or {}).get(role)
        ]
        event.seats_left = seats_left(event)
        (past if event.ends_at < now else upcoming).append(event)
    past.reverse()
    return {"events_upcoming": upcoming, "events_past": past}


def participants(process) -> list[dict]:
    """Everyone registered to or present at the process's events (not cancelled,
    waiting list excluded unless they came), one entry per person: {"user_id": id or
    None, "name": str, "email": str ("" unless they consented to be told by email)}.
    Used to notify the synthesis. 1 query."""
    rows = (
        Registration.objects.filter(event__process=process)
        .filter(Q(status=Status.REGISTERED) | Q(attended=True))
        .exclude(status=Status.CANCELLED)
        .order_by("created_at", "pk")
        .values("user_id", "name", "email", "email_consent")
    )
    seen_users, seen_emails, out = set(), set(), []
    for row in rows:
        email = row["email"] if row["email_consent"] else ""
        if row["user_id"]:
            if row["user_id"] in seen_users:
                continue
            seen_users.add(row["user_id"])
        elif email:
            if email.lower() in seen_emails:
                continue
            seen_emails.add(email.lower())
        out.append({"user_id": row["user_id"], "name": row["name"], "email": email})
    return out


def participation_figures(process) -> dict:
    """Participation in the process's events (cancelled events and registrations left
    out), for the white paper:

        {
          "events": int,                 # events held or planned (not cancelled)
          "events_held": int,            # of which already started
          "outputs": int,                # workshop outputs (ideas) of all events
          "registrations": int,          # registered (not waiting) over all events
          "present": int,                # marked present (walk-ins included)
          "by_role": {role: {"label": str, "registered": int, "present": int}},
                                         # every ParticipantRole, in its order
          "by_age_band": {age_band: int},  # present people who gave one
          "by_commune": {commune_id: {"name": str, "insee_code": str, "present": int}},
        }

    Counts are of registrations (one person at two events counts twice). 3 queries."""
    base = Registration.objects.filter(
        event__process=process, event__cancelled_at__isnull=True
    ).exclude(status=Status.CANCELLED)
    by_role = {
        role: {"label": str(label), "registered": 0, "present": 0}
        for role, label in ParticipantRole.choices
    }
    by_age, by_commune = Counter(), {}
    registrations = present = 0
    for row in base.values(
        "role",
        "status",
        "attended",
        "age_band",
        "commune_id",
        "commune__name",
        "commune__insee_code",
    ).annotate(n=Count("pk")):
        entry = by_role.setdefault(
            row["role"], {"label": row["role"], "registered": 0, "present": 0}
        )
        if row["status"] == Status.REGISTERED:
            entry["registered"] += row["n"]
            registrations += row["n"]
        if row["attended"]:
            entry["present"] += row["n"]
            present += row["n"]
            if row["age_band"]:
                by_age[row["age_band"]] += row["n"]
            if row["commune_id"]:
                commune = by_commune.setdefault(
                    row["commune_id"],
                    {
                        "name": row["commune__name"],
                        "insee_code": row["commune__insee_code"],
                        "present": 0,
                    },
                )
                commune["present"] += row["n"]
    now = timezone.now()
    events = Event.objects.filter(process=process, cancelled_at__isnull=True).aggregate(
        total=Count("pk"), held=Count("pk", filter=Q(starts_at__lte=now))
    )
    outputs = EventOutput.objects.filter(event__process=process).count()
    return {
        "events": events["total"],
        "events_held": events["held"],
        "outputs": outputs,
        "registrations": registrations,
        "present": present,
        "by_role": by_role,
        "by_age_band": dict(by_age),
        "by_commune": by_commune,
    }
