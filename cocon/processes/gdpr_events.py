"""What the events of the Démarches hold about a person: their registrations (with
role, needs and optional profile) and the workshop outputs they entered.

On erasure the registrations stay, anonymised (they are counted in the panel
composition and the white paper figures): name replaced, email and needs removed, the
link to the account cut. Outputs entered by staff keep the idea; only the link to the
person who typed it goes (`created_by` is SET_NULL with the account).
"""

from __future__ import annotations

from cocon.core.gdpr import register_eraser, register_exporter
from cocon.processes.models.events import Registration
from cocon.processes.services_events import anonymised_name


@register_exporter("processes_events")
def export_events(user):
    rows = Registration.objects.filter(user=user).select_related("event__process", "commune")
    return {
        "registrations": [
            {
                "process": r.event.process.title,
                "event": r.event.title,
                "starts_at": r.event.starts_at.isoformat(),
                "name": r.name,
                "email": r.email,
                "email_consent": r.email_consent,
                "role": r.role,
                "category": r.category,
                "organization": r.organization_label,
                "accessibility_needs": r.accessibility_needs,
                "age_band": r.age_band,
                "commune": r.commune.name if r.commune else "",
                "status": r.status,
                "present": r.attended,
                "registered_on": r.created_at.isoformat(),
                "contact_erased_on": r.contact_erase_on.isoformat() if r.contact_erase_on else None,
            }
            for r in rows
        ]
    }


@register_eraser("processes_events")
def erase_events(user):
    for pk in Registration.objects.filter(user=user).values_list("pk", flat=True):
        Registration.objects.filter(pk=pk).update(
            user=None,
            name=anonymised_name(pk),
            email="",
            email_consent=False,
            accessibility_needs="",
            organization_label="",
        )
