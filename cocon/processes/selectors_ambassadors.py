"""Reads of the call for ambassadors: calls, applications, the draw as published (from
the snapshot kept at the draw), unmet targets and the time spent against commitment."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cocon.core.permissions import can
from cocon.lib import ambassador_gaps
from cocon.processes.models.ambassadors import (
    HOURS_PER_DAY,
    AmbassadorCall,
    Application,
    Gender,
    TimeEntry,
    TimeUnit,
)
from cocon.processes.models.process import Process


def attribute_label(attribute: str) -> str:
    return {"category": _("category"), "service": _("service"), "gender": _("gender")}.get(
        attribute, attribute
    )


def value_label(attribute: str, value: str) -> str:
    if value == "":
        return _("not given")
    if attribute == "gender":
        return str(dict(Gender.choices).get(value, value))
    return value


def process_for(territory, slug: str) -> Process:
    """A process with what the rules need (no query in the rules)."""
    return (
        Process.objects.select_related("organization")
        .prefetch_related("organizations", "animateurs")
        .get(territory=territory, slug=slug)
    )


def call_for(pk: int) -> AmbassadorCall:
    return (
        AmbassadorCall.objects.select_related("process__organization")
        .prefetch_related("process__organizations", "process__animateurs")
        .get(pk=pk)
    )


def application_for(pk: int) -> Application:
    return (
        Application.objects.select_related(
            "applicant", "manager", "service", "call__process__organization", "decided_by"
        )
        .prefetch_related("call__process__organizations", "call__process__animateurs")
        .get(pk=pk)
    )


def calls_of(process: Process):
    return process.ambassador_calls.order_by("-opens_on", "-pk")


def applications_of(call: AmbassadorCall):
    return call.applications.select_related("applicant", "manager", "service").order_by("key")


def my_application(call: AmbassadorCall, user) -> Application | None:
    if not user.is_authenticated:
        return None
    return call.applications.filter(applicant=user).first()


def to_review(user):
    """Applications waiting for this manager's answer."""
    return (
        Application.objects.filter(
            manager=user, manager_decision="pending", withdrawn_at__isnull=True
        )
        .select_related("applicant", "call")
        .order_by("created_at")
    )


def pool_of(call: AmbassadorCall) -> list[Application]:
    return [a for a in applications_of(call) if a.in_pool]


def available_counts(call: AmbassadorCall, pool) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter] = defaultdict(Counter)
    for application in pool:
        values = application.draw_values()
        for attribute in call.targets:
            counts[attribute][(values.get(attribute) or "").strip()] += 1
    return {a: dict(c) for a, c in counts.items()}


@dataclass
class GapLine:
    gap: ambassador_gaps.Gap
    attribute: str
    value: str
    seats: int

    @property
    def max_share(self) -> int:
        return self.gap.max_share(self.seats)


def gap_lines(call: AmbassadorCall, result, pool) -> list[GapLine]:
    """Unmet quotas of a draw (a `DrawResult`, or the stored snapshot as a dict)."""
    if result is None:
        return []
    get = (lambda k: result[k]) if isinstance(result, dict) else (lambda k: getattr(result, k))
    seats = result["seats"] if isinstance(result, dict) else call.seats
    if isinstance(result, dict):
        available: dict[str, Counter] = defaultdict(Counter)
        for candidate in result["candidates"]:
            for attribute, value in candidate["values"].items():
                available[attribute][(value or "").strip()] += 1
        available = {a: dict(c) for a, c in available.items()}
    else:
        available = available_counts(call, pool)
    gaps = ambassador_gaps.unmet(get("gaps"), get("quotas"), get("achieved"), available)
    return [
        GapLine(g, attribute_label(g.attribute), value_label(g.attribute, g.value), seats)
        for g in gaps
    ]


@dataclass
class ResultRow:
    rank: int
    key: str
    values: list[str]
    selected: bool
    waiting_rank: int | None
    lottery: str
    application: Application | None


def result_rows(call: AmbassadorCall, *, with_names: bool) -> tuple[list[str], list[ResultRow]]:
    """(attribute labels, rows in draw order) from the stored snapshot, with the
    current selection (after swaps) and, for staff, the applications (names)."""
    from cocon.lib.draw import lottery_number

    data = call.draw_data
    if not data:
        return [], []
    attributes = list(data["targets"])
    by_key = {}
    current = {}
    for application in (
        applications_of(call) if with_names else call.applications.only("key", "selected")
    ):
        current[application.key] = application
        if with_names:
            by_key[application.key] = application
    values = {c["key"]: c["values"] for c in data["candidates"]}
    rows = []
    for rank, key in enumerate(data["selected"] + data["waiting_list"], start=1):
        application = current.get(key)
        selected = application.selected if application else key in data["selected"]
        rows.append(
            ResultRow(
                rank=rank,
                key=key,
                values=[value_label(a, values[key].get(a, "")) for a in attributes],
                selected=selected,
                waiting_rank=application.waiting_rank if application else None,
                lottery=lottery_number(data["seed"], key),
                application=by_key.get(key),
            )
        )
    return [attribute_label(a) for a in attributes], rows


def target_rows(call: AmbassadorCall) -> list[tuple[str, list[tuple[str, object]]]]:
    return [
        (attribute_label(a), [(value_label(a, v), s) for v, s in shares.items()])
        for a, shares in call.targets.items()
    ]


# --- time ---------------------------------------------------------------------------------
@dataclass
class TimeLine:
    application: Application
    recorded_days: float
    expected_days: float

    @property
    def balance(self) -> float:
        return round(self.recorded_days - self.expected_days, 1)


def time_summary(call: AmbassadorCall, today=None) -> list[TimeLine]:
    """Per ambassador: days expected to date (from the finalization) vs days recorded."""
    today = today or timezone.localdate()
    start = timezone.localdate(call.finalized_at) if call.finalized_at else None
    expected = (
        ambassador_gaps.expected_days((today - start).days, call.days_per_month, call.months)
        if start
        else 0.0
    )
    ambassadors = list(
        call.applications.filter(selected=True)
        .select_related("applicant", "service")
        .order_by("key")
    )
    sums = defaultdict(float)
    for row in (
        TimeEntry.objects.filter(application__in=ambassadors)
        .values("application_id", "unit")
        .annotate(total=Sum("amount"))
    ):
        amount = row["total"]
        sums[row["application_id"]] += float(
            amount if row["unit"] == TimeUnit.DAYS else amount / HOURS_PER_DAY
        )
    return [TimeLine(a, round(sums[a.pk], 1), expected) for a in ambassadors]


def may_see_letter(user, application: Application) -> bool:
    if not application.selected or not application.call.is_finalized:
        return False
    if not user.is_authenticated:
        return False
    if user.pk in {application.applicant_id, application.manager_id}:
        return True
    return can(user, "processes.manage", application.call.process)


# --- public page --------------------------------------------------------------------------
def public_section(process, user) -> dict:
    """Context for `processes/ambassadors/_public.html` on the public process page: the
    latest call, its seats, targets, seed (before the draw) or its result summary."""
    call = process.ambassador_calls.order_by("-opens_on", "-pk").first()
    if call is None:
        return {}
    selected = 0
    if call.draw_data:
        selected = len(call.draw_data.get("selected", []))
    return {
        "ambassadors_call": call,
        "ambassadors_targets": target_rows(call),
        "ambassadors_selected": selected,
        "ambassadors_candidates": len(call.draw_data.get("candidates", []))
        if call.draw_data
        else 0,
        "ambassadors_gaps": gap_lines(call, call.draw_data, None) if call.draw_data else [],
    }
