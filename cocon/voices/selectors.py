"""Reads of Paroles: feeds with filters, counts and keyset pagination, one voice with
what may be shown of it, dashboards. Query counts do not grow with the page."""

from __future__ import annotations

import base64
import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cocon.core.models import ReadReceipt
from cocon.lib import keywords
from cocon.voices.models import OPEN_STATUSES, CaptureMode, Status, Voice
from cocon.voices.rules import scope_of

PAGE_SIZE = 25
SMALL_CELL = 5  # published or aggregated breakdowns hide counts below this


@dataclass
class FeedFilters:
    service: int | None = None
    organization: int | None = None
    kind: str = ""
    theme: int | None = None
    channel: str = ""
    commune: int | None = None
    status: str = ""  # a status, "open" or "overdue"
    relayed: str = ""  # "yes" | "no"
    since: dt.date | None = None
    until: dt.date | None = None
    escalated: bool = False

    def q(self, now=None) -> Q:
        q = Q()
        if self.service:
            q &= Q(service_id=self.service)
        if self.organization:
            q &= Q(organization_id=self.organization)
        if self.kind:
            q &= Q(kind=self.kind)
        if self.theme:
            q &= Q(theme_id=self.theme)
        if self.channel:
            q &= Q(channel=self.channel)
        if self.commune:
            q &= Q(commune_id=self.commune)
        if self.relayed == "yes":
            q &= ~Q(capture_mode=CaptureMode.SELF)
        elif self.relayed == "no":
            q &= Q(capture_mode=CaptureMode.SELF)
        # whole local days as a range on created_at, so that its indexes serve
        # (created_at__date would compute a date for every row)
        if self.since:
            q &= Q(created_at__gte=_day_start(self.since))
        if self.until:
            q &= Q(created_at__lt=_day_start(self.until + dt.timedelta(days=1)))
        if self.escalated:
            q &= Q(escalated_at__isnull=False)
        return q & status_q(self.status, now)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def status_q(status: str, now=None) -> Q:
    now = now or timezone.now()
    if not status:
        return Q()
    if status == "open":
        return Q(status__in=OPEN_STATUSES)
    if status == "overdue":
        return overdue_q(now)
    return Q(status=status)


def overdue_q(now=None) -> Q:
    now = now or timezone.now()
    return Q(status=Status.RECEIVED, acknowledge_due__lt=now) | Q(
        status__in=OPEN_STATUSES, answer_due__lt=now
    )


def encode_cursor(voice: Voice) -> str:
    raw = f"{voice.created_at.isoformat()}|{voice.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        when = dt.datetime.fromisoformat(stamp)
        if timezone.is_naive(when):
            return None
        return when, int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


def visible_voices(user, *, include_own: bool = False):
    """Every voice this staff member may see (feeds), as a queryset; with
    `include_own`, also the voices the person wrote themself (API)."""
    from cocon.core.permissions import grants_of

    scope = scope_of(grants_of(user))
    if scope.everything:
        return Voice.objects.all()  # (Q() | X is X: never combine the empty filter)
    q = scope.q()
    if include_own and user.is_authenticated:
        q |= Q(author_id=user.pk)
    return Voice.objects.filter(q)


@dataclass
class FeedPage:
    voices: list[Voice]
    next_cursor: str | None
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0
    overdue: int = 0
    # statuses whose count reached COUNT_CAP: shown as "10 000+" (see feed_counts)
    capped: set[str] = field(default_factory=set)

    @property
    def total_capped(self) -> bool:
        return bool(self.capped)


def feed(
    user,
    filters: FeedFilters,
    *,
    after: str | None = None,
    size: int = PAGE_SIZE,
    with_counts: bool = True,
    include_own: bool = False,
) -> FeedPage:
    """One page of the person's feed, newest first. Constant number of queries: rows
    (with their service, theme, commune, relay and "seen by me"), counts per status and
    the overdue count."""
    now = timezone.now()
    base = visible_voices(user, include_own=include_own).filter(filters.q(now))
    rows = base.select_related(
        "service", "organization", "theme", "commune", "relay", "merged_into"
    ).annotate(
        seen=Exists(
            ReadReceipt.objects.filter(
                content_type=ContentType.objects.get_for_model(Voice),
                object_id=OuterRef("pk"),
                user_id=user.pk,
            )
        )
    )
    cursor = decode_cursor(after) if after else None
    if cursor:
        when, pk = cursor
        # the first condition is implied by the second: it lets PostgreSQL start the
        # index scan at the cursor instead of filtering every newer row (deep pages)
        rows = rows.filter(created_at__lte=when).filter(
            Q(created_at__lt=when) | Q(created_at=when, pk__lt=pk)
        )
    voices = list(rows.order_by("-created_at", "-id")[: size + 1])
    next_cursor = encode_cursor(voices[size - 1]) if len(voices) > size else None
    page = FeedPage(voices=voices[:size], next_cursor=next_cursor)
    if with_counts:
        unfiltered_status = FeedFilters(**{**filters.__dict__, "status": ""})
        page.counts, page.overdue, page.capped = feed_counts(user, unfiltered_status.q(now), now)
        page.total = sum(page.counts.values())
    return page


SHARED_IDS_MAX = 5000


def _count_parts(user) -> list[Q]:
    """`VoiceScope.q()` cut into two disjoint parts that PostgreSQL can count from
    indexes: the voices of the person's own scope (`own_q`: index-only scans of
    voice_service_counts, voice_org_counts and, for overdue ones, voice_service_open and
    voice_org_open), then the few others they see as relay or through a share.
    Under one OR with the `EXISTS (shares)` of `q()`, every count was a scan of the
    whole table (0.5–3 s over a million voices).
    tests/voices/test_api.py::TestFeedCounts checks they agree for every role."""
    from cocon.core.permissions import grants_of

    scope = scope_of(grants_of(user))
    if scope.everything:
        return [Q()]
    own = scope.own_q()
    others = Q(pk__in=[])
    if scope.user_id:
        others |= Q(relay_id=scope.user_id)
    if not scope.is_empty:
        shared = scope.shared_voices().values_list("voice_id", flat=True)
        ids = list(shared[: SHARED_IDS_MAX + 1])  # ids: the index of the key serves
        others |= Q(pk__in=shared if len(ids) > SHARED_IDS_MAX else ids)
    return [own, others & ~own]


# Closed voices pile up for years; counting them exactly for a whole organization is a
# scan of hundreds of thousands of index entries per page view. Above this many, the
# feed says "10 000+" for that status (open statuses are always counted exactly: they
# are what people act on, and the partial indexes of open voices keep them cheap).
COUNT_CAP = 10_000
_CAPPED_STATUSES = tuple(s for s in Status.values if s not in OPEN_STATUSES)


def feed_counts(user, q: Q, now, *, cap: int | None = None) -> tuple[dict[str, int], int, set[str]]:
    """Voices per status and overdue voices among those `user` sees that match `q`,
    and the statuses whose count stopped at `cap`. For the person's own scope: one
    query for the open statuses and one for the overdue ones (partial indexes), one
    bounded count per other status (5); then the shared ids and one query for the few
    voices seen as relay or through a share. Constant: 9 queries for staff, whatever
    the volume."""
    cap = COUNT_CAP if cap is None else cap
    counts: Counter[str] = Counter()
    capped: set[str] = set()
    overdue = 0
    for i, part in enumerate(_count_parts(user)):
        seen = Voice.objects.filter(part).filter(q).order_by()
        if i == 0:
            # COUNT(*), not COUNT(id): the counts indexes hold no id (index-only
            # scans); overdue apart, with `status IN (open)` (implied by overdue_q)
            # said explicitly, so that the partial indexes of open voices serve
            open_seen = seen.filter(status__in=OPEN_STATUSES)
            rows = open_seen.values_list("status").annotate(n=Count("*"))
            for status, n in rows.values_list("status", "n"):
                counts[status] += n
            overdue += open_seen.filter(overdue_q(now)).count()
            for status in _CAPPED_STATUSES:
                # COUNT(*) over a LIMITed subquery: reads at most cap + 1 entries
                n = seen.filter(status=status).values_list("status")[: cap + 1].count()
                if n > cap:
                    n = cap
                    capped.add(status)
                if n:
                    counts[status] += n
        else:  # a few voices: one query
            rows = seen.values_list("status").annotate(
                n=Count("*"), late=Count("status", filter=overdue_q(now))
            )
            for status, n, late in rows.values_list("status", "n", "late"):
                counts[status] += n
                overdue += late
    return dict(counts), overdue, capped


def my_voices(user):
    return (
        Voice.objects.filter(author=user)
        .select_related("service", "organization")
        .order_by("-created_at", "-id")
    )


def my_captures(user, limit: int = 50):
    return (
        Voice.objects.filter(relay=user)
        .select_related("service", "organization")
        .order_by("-created_at", "-id")[:limit]
    )


def voice_for(user, reference: str) -> Voice | None:
    """The voice if this person may see it, else None (the view answers 404)."""
    from cocon.core.permissions import can

    voice = (
        Voice.objects.select_related(
            "service__organization",
            "service__direction",
            "organization",
            "theme",
            "commune",
            "relay",
            "author",
            "merged_into",
            "relay_organization",
            "answer_signed_by",
        )
        .prefetch_related("shares__service")
        .filter(reference=reference)
        .first()
    )
    if voice is None or not can(user, "voices.view", voice):
        return None
    return voice


def voice_by_tracking(reference: str, code: str) -> Voice | None:
    voice = (
        Voice.objects.select_related("service", "organization", "merged_into")
        .filter(reference=reference.strip().upper())
        .first()
    )
    if voice is None or not voice.check_tracking_code(code or ""):
        return None
    return voice


# --- dashboard -----------------------------------------------------------------------
@dataclass
class Dashboard:
    total: int
    by_kind: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    by_month: list[tuple[dt.date, int, int]]  # month, total, relayed
    kinds: list[str]  # columns of month_kind, most frequent first
    month_kind: list[tuple[dt.date, list[int]]]
    channels: list[str]
    month_channel: list[tuple[dt.date, list[int]]]
    relayed_share: float | None
    median_hours_to_acknowledge: float | None
    median_days_to_answer: float | None
    overdue: int
    open: int
    top_themes: list[tuple[str, int]]
    top_words: list[tuple[str, int]]
    profiles: dict[str, list[tuple[str, int | None]]]
    thanks: int

    @property
    def relayed_percent(self) -> int | None:
        return _percent(self.relayed_share)


def _percent(share: float | None) -> int | None:
    return None if share is None else round(share * 100)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def dashboard(service, *, months: int = 12, now=None) -> Dashboard:
    """Figures of one service over the last `months` months."""
    now = now or timezone.now()
    start = (
        timezone.localtime(now).date().replace(day=1) - dt.timedelta(days=31 * (months - 1))
    ).replace(day=1)
    qs = Voice.objects.filter(service=service, created_at__date__gte=start)
    by_kind = list(
        qs.order_by().values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    by_channel = list(
        qs.order_by().values_list("channel").annotate(n=Count("id")).values_list("channel", "n")
    )
    monthly_rows = (
        qs.order_by()
        .annotate(month=TruncMonth("created_at"))
        .values_list("month", "kind", "channel", "capture_mode")
        .annotate(n=Count("id"))
    )
    months: dict[dt.date, dict] = {}
    for month, kind, channel, mode, n in monthly_rows:
        key = month.date() if hasattr(month, "date") else month
        row = months.setdefault(
            key, {"total": 0, "relayed": 0, "kinds": Counter(), "channels": Counter()}
        )
        row["total"] += n
        row["kinds"][kind] += n
        row["channels"][channel] += n
        if mode != CaptureMode.SELF:
            row["relayed"] += n
    by_month = [(m, r["total"], r["relayed"]) for m, r in sorted(months.items())]
    kinds_seen = [k for k, _n in sorted(by_kind, key=lambda kv: -kv[1])]
    channels_seen = [c for c, _n in sorted(by_channel, key=lambda kv: -kv[1])]
    month_kind = [
        (m, [r["kinds"].get(k, 0) for k in kinds_seen]) for m, r in sorted(months.items())
    ]
    month_channel = [
        (m, [r["channels"].get(c, 0) for c in channels_seen]) for m, r in sorted(months.items())
    ]
    total = sum(n for _k, n in by_kind)
    relayed = sum(r for _m, _n, r in by_month)
    timings = qs.exclude(acknowledged_at__isnull=True).values_list(
        "created_at", "acknowledged_at", "answered_at"
    )
    ack_hours: list[float] = []
    answer_days: list[float] = []
    for created, acknowledged, answered in timings.iterator():
        ack_hours.append((acknowledged - created).total_seconds() / 3600)
        if answered:
            answer_days.append((answered - created).total_seconds() / 86400)
    themes = list(
        qs.exclude(theme__isnull=True)
        .order_by()
        .values_list("theme__name")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("theme__name", "n")[:8]
    )
    recent_texts = qs.filter(created_at__gte=now - dt.timedelta(days=90)).values_list(
        "text", flat=True
    )[:3000]
    profiles: dict[str, list[tuple[str, int | None]]] = {}
    for dimension in ("age_band", "sex", "occupation"):
        counter = Counter(
            qs.exclude(**{f"profile__{dimension}": ""})
            .filter(profile__isnull=False)
            .values_list(f"profile__{dimension}", flat=True)
        )
        profiles[dimension] = [
            (value, n if n >= SMALL_CELL else None) for value, n in sorted(counter.items())
        ]
    return Dashboard(
        total=total,
        by_kind=sorted(by_kind, key=lambda kv: -kv[1]),
        by_channel=sorted(by_channel, key=lambda kv: -kv[1]),
        by_month=by_month,
        kinds=kinds_seen,
        month_kind=month_kind,
        channels=channels_seen,
        month_channel=month_channel,
        relayed_share=(relayed / total) if total else None,
        median_hours_to_acknowledge=_median(ack_hours),
        median_days_to_answer=_median(answer_days),
        overdue=Voice.objects.filter(service=service).filter(overdue_q(now)).count(),
        open=Voice.objects.filter(service=service, status__in=OPEN_STATUSES).count(),
        top_themes=themes,
        top_words=keywords.top_keywords(recent_texts, limit=12, min_count=2),
        profiles=profiles,
        thanks=dict(by_kind).get("thanks", 0),
    )
