"""Keep each report's copies of its voice's status in step, and tell its supporters."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils.translation import gettext as _

from cocon.core.notifications import notify
from cocon.reports.models import Report
from cocon.voices.models import Kind
from cocon.voices.services import status_changed


@receiver(status_changed, dispatch_uid="reports.sync_status")
def sync_status(sender, *, voice, previous, status, text, actor, at, **kwargs) -> None:
    report = Report.objects.filter(voice_id=voice.pk).first()
    if report is None:
        return
    report.sync_status(status, text=text, at=at)
    report.save(update_fields=["status", "is_open", "status_notes", "updated_at"])
    if text and voice.kind == Kind.REPORT:
        from cocon.reports.services import supporters_to_tell

        notify(
            list(supporters_to_tell(report)),
            kind="reports.update",
            title=_("Update on the report %(ref)s you support") % {"ref": voice.reference},
            body=text,
            url=report_public_url(report),
            obj=voice,
            exclude=actor,
        )


def report_public_url(report: Report) -> str:
    from django.urls import reverse

    return reverse("reports:detail", args=[report.voice.reference])
