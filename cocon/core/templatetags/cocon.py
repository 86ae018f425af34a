from django import template
from django.utils import formats

from cocon.core.permissions import can as can_

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action, obj=None):
    """{% can "territory.edit_organization" organization as may_edit %}"""
    return can_(context["request"].user, action, obj)


@register.filter
def grouped(value):
    """12345 → "12 345" in French, "12,345" in English."""
    try:
        return formats.number_format(int(value), force_grouping=True)
    except (TypeError, ValueError):
        return value
