"""Reads of the decisions domain: the proposals of a process with their decision, the
feedback synthesis and the action programme. Every list is read in a constant number of
queries, whatever the number of proposals or actions."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q

from cocon.ideas.models import Idea, State
from cocon.processes.models import Process
from cocon.processes.models.decisions import (
    Action,
    ActionStatus,
    Milestone,
    Outcome,
    Synthesis,
)

FILTERS = ("undecided", "decided", *Outcome.values)


def process_by_slug(slug: str) -> Process | None:
    """The process with what the permission rules read (no query in the rules)."""
    return (
        Process.objects.filter(slug=slug)
        .select_related("organization", "campaign")
        .prefetch_related("organizations", "animateurs")
        .first()
    )


def proposals(process: Process):
    """The proposals of the process: the visible ideas of its campaign (workshop outputs
    included), merged ones excepted (they live on in the idea they joined)."""
    if process.campaign_id is None:
        return Idea.objects.none()
    return Idea.objects.filter(
        campaign_id=process.campaign_id, hidden_at__isnull=True, awaiting_moderation=False
    ).exclude(state=State.MERGED)


def decision_rows(process: Process, which: str = ""):
    """Proposals with their decision and the event they came from, most supported first."""
    rows = proposals(process).select_related("process_decision", "event_output__event")
    if which == "undecided":
        rows = rows.filter(process_decision__isnull=True)
    elif which == "decided":
        rows = rows.filter(process_decision__isnull=False)
    elif which in Outcome.values:
        rows = rows.filter(process_decision__outcome=which)
    return rows.order_by("-support_count", "pk")


def counts(process: Process) -> dict:
    """{"total", "undecided", "decided", <outcome>: n}: one query."""
    aggregates = {
        "total": Count("pk"),
        "decided": Count("pk", filter=Q(process_decision__isnull=False)),
    }
    for outcome in Outcome.values:
        aggregates[outcome] = Count("pk", filter=Q(process_decision__outcome=outcome))
    data = proposals(process).aggregate(**aggregates)
    data["undecided"] = data["total"] - data["decided"]
    data["retained_total"] = data[Outcome.RETAINED] + data[Outcome.RETAINED_WITH_CHANGES]
    return data


def synthesis_of(process: Process) -> Synthesis | None:
    return Synthesis.objects.filter(process=process).first()


def _actions_prefetch(process: Process) -> Prefetch:
    return Prefetch(
        "process_actions",
        queryset=Action.objects.filter(process=process).only(
            "pk", "title", "status", "progress", "process_id"
        ),
        to_attr="programme_actions",
    )


def synthesis_groups(process: Process) -> list[dict]:
    """For each outcome, the decided proposals with their decision, the event they came
    from and the actions implementing them (2 queries)."""
    rows = (
        proposals(process)
        .filter(process_decision__isnull=False)
        .select_related("process_decision", "event_output__event")
        .prefetch_related(_actions_prefetch(process))
        .order_by("-support_count", "pk")
    )
    groups = {outcome: [] for outcome in Outcome.values}
    for idea in rows:
        groups[idea.process_decision.outcome].append(idea)
    return [
        {"outcome": outcome, "label": Outcome(outcome).label, "ideas": ideas}
        for outcome, ideas in groups.items()
    ]


def actions(process: Process):
    """The action programme, with service, owner, milestones and proposals (4 queries)."""
    return (
        Action.objects.filter(process=process)
        .select_related("service", "service__organization", "owner")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk")),
            Prefetch("ideas", queryset=Idea.objects.only("pk", "title", "state")),
        )
        .order_by("created_at", "pk")
    )


def action_of(process: Process, pk: int) -> Action | None:
    return actions(process).filter(pk=pk).first()


def retained_proposals(process: Process):
    return (
        proposals(process)
        .filter(process_decision__outcome__in=[Outcome.RETAINED, Outcome.RETAINED_WITH_CHANGES])
        .order_by("title", "pk")
    )


def programme_summary(process: Process) -> dict:
    rows = list(
        Action.objects.filter(process=process)
        .select_related("service")
        .only("pk", "title", "status", "progress", "service__name")
        .order_by("created_at", "pk")
    )
    return {
        "actions": rows,
        "done": sum(1 for a in rows if a.status == ActionStatus.DONE),
    }


def public_section(process, user) -> dict:
    """Context for `processes/decisions/_public.html` on the public process page:
    counts by outcome, link to the synthesis once published, the programme (3 queries)."""
    figures = counts(process)
    synthesis = synthesis_of(process)
    programme = programme_summary(process)
    if not figures["decided"] and not programme["actions"]:
        return {}
    return {
        "decisions_counts": figures,
        "decisions_outcomes": [
            (o, Outcome(o).label, figures[o]) for o in Outcome.values if figures[o]
        ],
        "decisions_synthesis": synthesis if synthesis and synthesis.published_at else None,
        "decisions_actions": programme["actions"],
        "decisions_actions_done": programme["done"],
    }
