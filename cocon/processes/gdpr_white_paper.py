"""What the white paper holds about a person: the versions they generated or whose
hand-over they recorded, the texts they last edited. These are work records of the
team: on erasure they stay and lose the link to the person. The documents themselves
print no participant's name (aggregated figures, small cells hidden)."""

from __future__ import annotations

from cocon.core.gdpr import register_eraser, register_exporter
from cocon.processes.models.white_paper import WhitePaper, WhitePaperVersion


@register_exporter("processes_white_paper")
def export_white_paper(user):
    return {
        "versions_generated": [
            {"process": v.white_paper.process.title, "number": v.number}
            for v in WhitePaperVersion.objects.filter(created_by=user)
            .select_related("white_paper__process")
            .defer("html", "pdf")
        ],
        "hand_overs_recorded": WhitePaperVersion.objects.filter(
            handed_over_recorded_by=user
        ).count(),
        "texts_edited": WhitePaper.objects.filter(updated_by=user).count(),
    }


@register_eraser("processes_white_paper")
def erase_white_paper(user):
    WhitePaperVersion.objects.filter(created_by=user).update(created_by=None)
    WhitePaperVersion.objects.filter(handed_over_recorded_by=user).update(
        handed_over_recorded_by=None
    )
    WhitePaper.objects.filter(updated_by=user).update(updated_by=None)
