"""What the decisions domain holds about a person: the decisions they recorded on
proposals, the syntheses they published, the actions they own or created.

On erasure everything stays (a decision is an official act, signed by its authority,
and the action programme is public accountability); only the link to the person goes:
`decided_by`, `published_by`, `owner` and `created_by` become empty. The public function
of the person in charge (`owner_function`) is a function, not a name, and stays."""

from __future__ import annotations

from cocon.core.gdpr import register_eraser, register_exporter
from cocon.processes.models.decisions import Action, ProposalDecision, Synthesis


@register_exporter("processes_decisions")
def export_decisions(user):
    return {
        "decisions_recorded": [
            {
                "process": d.process.title,
                "proposal": d.idea.title,
                "outcome": d.outcome,
                "reason": d.reason,
                "authority": d.authority,
                "decided_on": d.decided_on.isoformat(),
            }
            for d in ProposalDecision.objects.filter(decided_by=user).select_related(
                "process", "idea"
            )
        ],
        "syntheses_published": list(
            Synthesis.objects.filter(published_by=user).values_list("process__title", flat=True)
        ),
        "actions_in_charge": [
            {
                "process": a.process.title,
                "title": a.title,
                "status": a.status,
                "progress": a.progress,
            }
            for a in Action.objects.filter(owner=user).select_related("process")
        ],
        "actions_created": Action.objects.filter(created_by=user).count(),
    }


@register_eraser("processes_decisions")
def erase_decisions(user) -> None:
    ProposalDecision.objects.filter(decided_by=user).update(decided_by=None)
    Synthesis.objects.filter(published_by=user).update(published_by=None)
    Action.objects.filter(owner=user).update(owner=None)
    Action.objects.filter(created_by=user).update(created_by=None)
