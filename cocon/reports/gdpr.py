"""What Signalements holds about a person, beyond their voices (exported and erased by
`cocon.voices.gdpr`): the category and public point of the reports they made, the
answers to extra questions, and the reports they support.

On erasure the report keeps its category, public point and states (the problem in the
public space is not personal data, and the map and statistics stay true); the answers
to extra questions are cleared with the text, and supports are deleted with the account
(the support count stays, as an anonymous number)."""

from __future__ import annotations

from cocon.core.gdpr import register_eraser, register_exporter
from cocon.reports.models import Report, Support


@register_exporter("reports")
def export_reports(user):
    made = (
        Report.objects.filter(voice__author=user)
        .select_related("voice", "category")
        .order_by("created_at")
    )
    supported = (
        Support.objects.filter(user=user).select_related("report__voice").order_by("created_at")
    )
    return {
        "made": [
            {
                "reference": r.voice.reference,
                "category": r.category.name,
                "latitude": r.latitude,
                "longitude": r.longitude,
                "answers": r.attributes,
                "status": r.status,
            }
            for r in made
        ],
        "supported": [
            {"reference": s.report.voice.reference, "date": s.created_at.isoformat()}
            for s in supported
        ],
    }


@register_eraser("reports")
def erase_reports(user):
    Report.objects.filter(voice__author=user).update(attributes={})
