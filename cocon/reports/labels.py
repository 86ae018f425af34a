"""What a report's state is called, everywhere (public pages, staff pages, forms, map
data). Reports share the voices' statuses but not their words: a voice is « reçue » and
« clôturée », a report is « nouveau » and « clos », so these labels carry the
translation context "report status"."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from cocon.voices.models import Status

STATUS_LABELS = {
    Status.RECEIVED: pgettext_lazy("report status", "New"),
    Status.ACKNOWLEDGED: pgettext_lazy("report status", "Acknowledged"),
    Status.IN_PROGRESS: pgettext_lazy("report status", "In progress"),
    Status.SCHEDULED: pgettext_lazy("report status", "Action scheduled"),
    Status.FIXED: pgettext_lazy("report status", "Fixed"),
    Status.ANSWERED: pgettext_lazy("report status", "Answered"),
    Status.CLOSED: pgettext_lazy("report status", "Closed (no further action)"),
    Status.NOT_FOR_US: pgettext_lazy("report status", "Not our responsibility"),
    Status.MERGED: pgettext_lazy("report status", "Duplicate"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def status_choices(statuses) -> list[tuple[str, str]]:
    return [(str(s), STATUS_LABELS[s]) for s in statuses]
