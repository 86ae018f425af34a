"""Reads of the Guichet questions: the asker's list, the referents' inbox, one question
with its thread, the (topic, organization) pairs that can be asked, and the figures for
dashboards (`questions_stats`)."""

from __future__ import annotations

import datetime as dt
from statistics import median

from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils import timezone

from cocon.guichet.models import Message, Question, Referent, Topic
from cocon.guichet.rules import referent_links

State = Question.State


def questions_asked_by(user):
    """The questions `user` asked, newest first (list page: one query)."""
    return Question.objects.filter(asker=user).select_related("topic", "target")


def inbox_q(user) -> Q | None:
    """The questions `user` answers: their (organization, topic) pairs as a referent or
    manager, and every question to an organization they administer. None: nothing."""
    grants = user.grants
    pairs = referent_links(grants)
    admin_orgs = {role.organization_id for role in grants.roles if role.kind == "admin"}
    if not pairs and not admin_orgs:
        return None
    q = Q(target_id__in=admin_orgs) if admin_orgs else Q(pk__in=[])
    for org_id, topic_id in pairs:
        q |= Q(target_id=org_id, topic_id=topic_id)
    return q


def inbox_for(user, *, open_only: bool = True, now=None):
    """The referent inbox: overdue first, then by deadline (one query)."""
    q = inbox_q(user)
    if q is None:
        return Question.objects.none()
    now = now or timezone.now()
    rows = Question.objects.filter(q)
    if open_only:
        rows = rows.filter(state=State.OPEN)
    return (
        rows.annotate(
            open_rank=Case(
                When(state=State.OPEN, due_at__lt=now, then=Value(0)),
                When(state=State.OPEN, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .select_related("topic", "target", "asker_organization", "place")
        .order_by("open_rank", "due_at", "pk")
    )


def thread_of(question):
    return Message.objects.filter(question=question).select_related("author")


def askable_pairs(territory_id: int) -> list[tuple[Topic, list]]:
    """[(topic, [organizations with a referent on it])] of the territory's active topics
    (one query)."""
    rows = (
        Referent.objects.filter(topic__territory_id=territory_id, topic__is_active=True)
        .select_related("topic", "organization")
        .order_by("topic__name", "organization__name")
    )
    pairs: dict[int, tuple[Topic, dict[int, object]]] = {}
    for ref in rows:
        _topic, orgs = pairs.setdefault(ref.topic_id, (ref.topic, {}))
        orgs.setdefault(ref.organization_id, ref.organization)
    return [(topic, list(orgs.values())) for topic, orgs in pairs.values()]


def _bound(value, end: bool = False):
    if value is None or isinstance(value, dt.datetime):
        return value
    start = dt.datetime.combine(value + dt.timedelta(days=1) if end else value, dt.time())
    return timezone.make_aware(start)


def questions_stats(
    *,
    organization_ids=None,
    asker_organization_ids=None,
    place_ids=None,
    since=None,
    until=None,
    now=None,
) -> dict:
    """Figures of the questions asked between `since` (included) and `until` (excluded;
    dates or datetimes), to the organizations `organization_ids`, by the counters of the
    organizations `asker_organization_ids`, from the places `place_ids` (None: all).

    - `total`, `by_target`: [{organization_id, name, count, answered, in_time,
      escalated}] (most asked first);
    - `answered`, `answered_in_time`, `overdue_open`;
    - `share_in_time`: answered by the deadline ÷ questions whose outcome against the
      commitment is known (answered, or still open past the deadline); None when none;
    - `median_answer_hours`: median time from asking to answer in CALENDAR hours;
      `median_answer_working_hours`: the same in working hours of the organization asked
      (its opening hours, without weekends and public holidays: what its commitment
      counts); None when nothing was answered;
    - `escalated`: questions that reached the substitutes or the manager;
    - `needs_met`, `needs_not_met`: what the asking agents recorded.
    Four queries (three when nothing was answered)."""
    now = now or timezone.now()
    rows = Question.objects.all()
    if organization_ids is not None:
        rows = rows.filter(target_id__in=list(organization_ids))
    if asker_organization_ids is not None:
        rows = rows.filter(asker_organization_id__in=list(asker_organization_ids))
    if place_ids is not None:
        rows = rows.filter(place_id__in=list(place_ids))
    if since is not None:
        rows = rows.filter(asked_at__gte=_bound(since))
    if until is not None:
        # a date `until` is included (the whole day); a datetime is excluded
        rows = rows.filter(asked_at__lt=_bound(until, end=True))
    answered = Q(answered_at__isnull=False)
    in_time = Q(answered_at__isnull=False, answered_at__lte=F("due_at"))
    overdue = Q(state=State.OPEN, due_at__lt=now)
    escalated = Q(level__gt=Question.Level.REFERENT)
    totals = rows.aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=answered),
        answered_in_time=Count("pk", filter=in_time),
        overdue_open=Count("pk", filter=overdue),
        escalated=Count("pk", filter=escalated),
        needs_met=Count("pk", filter=Q(need_met=True)),
        needs_not_met=Count("pk", filter=Q(need_met=False)),
    )
    by_target = list(
        rows.order_by()
        .values("target_id", "target__name")
        .annotate(
            count=Count("pk"),
            answered=Count("pk", filter=answered),
            in_time=Count("pk", filter=in_time),
            escalated=Count("pk", filter=escalated),
        )
        .order_by("-count", "target__name")
    )
    answered_rows = list(rows.filter(answered).values_list("asked_at", "answered_at", "target_id"))
    durations = [(done - asked).total_seconds() / 3600 for asked, done, _t in answered_rows]
    working = _working_hours([(a, d, t) for a, d, t in answered_rows])
    known = totals["answered"] + totals["overdue_open"]
    return {
        **totals,
        "share_in_time": totals["answered_in_time"] / known if known else None,
        "median_answer_hours": round(median(durations), 1) if durations else None,
        "median_answer_working_hours": round(median(working), 1) if working else None,
        "by_target": [
            {
                "organization_id": row["target_id"],
                "name": row["target__name"],
                "count": row["count"],
                "answered": row["answered"],
                "in_time": row["in_time"],
                "escalated": row["escalated"],
            }
            for row in by_target
        ],
    }


def _working_hours(rows: list[tuple]) -> list[float]:
    """Working hours from asking to answer of (asked_at, answered_at, target_id) rows, in
    the opening hours of each organization asked (one query for their commitments)."""
    if not rows:
        return []
    from cocon.guichet.models import Commitment
    from cocon.lib.workdays import working_hours_between

    saved = {
        c.organization_id: c
        for c in Commitment.objects.filter(organization_id__in={t for _a, _d, t in rows})
    }
    default = Commitment()
    schedules = {
        target: (
            saved.get(target, default).opening_hours(),
            saved.get(target, default).alsace_moselle,
        )
        for target in {t for _a, _d, t in rows}
    }
    out = []
    for asked, done, target in rows:
        opening, alsace = schedules[target]
        asked_local, done_local = timezone.localtime(asked), timezone.localtime(done)
        out.append(working_hours_between(asked_local, done_local, opening, alsace_moselle=alsace))
    return out
