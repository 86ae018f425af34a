"""GDPR export and erasure of the call for ambassadors.

Erasure deletes the applications that never entered a draw and anonymises the drawn
ones: the key and the drawn values stay (the published draw remains verifiable), the
motivation and the link to the person go. Time entries of a drawn application stay as
anonymous figures of the mission."""

from __future__ import annotations

from django.utils import timezone

from cocon.core.gdpr import register_eraser, register_exporter
from cocon.processes.models.ambassadors import Application, TimeEntry


@register_exporter("processes_ambassadors")
def export(user) -> dict:
    applications = Application.objects.filter(applicant=user).select_related("call", "manager")
    return {
        "applications": [
            {
                "call": a.call.title,
                "key": a.key,
                "motivation": a.motivation,
                "service": a.service_label,
                "category": a.category,
                "gender": a.gender,
                "manager": a.manager.full_name if a.manager else "",
                "manager_decision": a.manager_decision,
                "manager_reason": a.manager_reason,
                "decided_at": a.decided_at.isoformat() if a.decided_at else None,
                "withdrawn_at": a.withdrawn_at.isoformat() if a.withdrawn_at else None,
                "selected": a.selected,
                "waiting_rank": a.waiting_rank,
                "created_at": a.created_at.isoformat(),
            }
            for a in applications
        ],
        "time_entries": [
            {
                "call": e.application.call.title,
                "date": e.date.isoformat(),
                "amount": str(e.amount),
                "unit": e.unit,
                "activity": e.activity,
            }
            for e in TimeEntry.objects.filter(application__applicant=user).select_related(
                "application__call"
            )
        ],
    }


@register_eraser("processes_ambassadors")
def erase(user) -> None:
    mine = Application.objects.filter(applicant=user)
    mine.filter(call__drawn_at__isnull=True).delete()
    mine.filter(draw_rank__isnull=True).delete()  # drawn call but never in the pool
    TimeEntry.objects.filter(application__applicant=user).update(activity="")
    mine.update(applicant=None, motivation="", manager_reason="", anonymized_at=timezone.now())
