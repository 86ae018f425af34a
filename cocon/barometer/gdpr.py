"""What the Baromètre holds about a person: nothing about respondents (answers and
first-round answers are anonymous by construction: no account, no invitation holder, no
contact, day of submission only), and, for staff, the technical criteria they proposed
and the indicator values and imports they entered (work records of the service).

On erasure those work records stay (they are the service's figures) and lose the link to
the person (`proposed_by`, `entered_by`, `imported_by` set to empty)."""

from __future__ import annotations

from cocon.barometer.models import IndicatorValue, ResponseImport, TechnicalCriterion
from cocon.core.gdpr import register_eraser, register_exporter


@register_exporter("barometer")
def export_barometer(user):
    return {
        "technical_criteria_proposed": [
            {"barometer": t.barometer.title, "name": t.name, "date": t.created_at.isoformat()}
            for t in TechnicalCriterion.objects.filter(proposed_by=user).select_related("barometer")
        ],
        "indicator_values_entered": IndicatorValue.objects.filter(entered_by=user).count(),
        "response_files_imported": [
            {"file": i.filename, "rows": i.rows_imported, "date": i.created_at.isoformat()}
            for i in ResponseImport.objects.filter(imported_by=user)
        ],
    }


@register_eraser("barometer")
def erase_barometer(user):
    TechnicalCriterion.objects.filter(proposed_by=user).update(proposed_by=None)
    IndicatorValue.objects.filter(entered_by=user).update(entered_by=None)
    ResponseImport.objects.filter(imported_by=user).update(imported_by=None)
