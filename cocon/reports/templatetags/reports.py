from django import template

from cocon.reports.labels import status_label

register = template.Library()


@register.filter
def report_status(status: str) -> str:
    """{{ report.status|report_status }}: the state's name for a report."""
    return status_label(status)
