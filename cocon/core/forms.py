"""Accessible form rendering shared by every module.

Every form gets: an error summary linking to the fields, the error message next to the
field, `aria-invalid` and `aria-describedby` pointing at the error and the help text.
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _


class CoconFormRenderer(TemplatesSetting):
    form_template_name = "cocon/forms/form.html"
    field_template_name = "cocon/forms/field.html"


class CoconBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        described = []
        if self.errors:
            described.append(f"{self.auto_id}_error")
            attrs["aria-invalid"] = "true"
        if self.help_text:
            described.append(f"{self.auto_id}_helptext")
        if described and self.auto_id:
            attrs["aria-describedby"] = " ".join(described)
        else:
            attrs.pop("aria-describedby", None)
        return attrs


class CoconFormMixin:
    """Mix into every form of the platform (before forms.Form / ModelForm)."""

    bound_field_class = CoconBoundField
    required_css_class = "is-required"
    error_css_class = "has-error"

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the summary at the top of the form."""
        items: list[tuple[str, str]] = []
        for message in self.non_field_errors():
            items.append(("", message))
        for field in self:
            for message in field.errors:
                items.append((field.id_for_label or field.auto_id, f"{field.label} : {message}"))
        return items


class Form(CoconFormMixin, forms.Form):
    pass


class ModelForm(CoconFormMixin, forms.ModelForm):
    pass


def bound_data(request):
    """POST data for a form, or None on GET. (`request.POST or None` would treat an empty
    submission as unbound and silently show no error.)"""
    return request.POST if request.method == "POST" else None


def bound_files(request):
    return request.FILES if request.method == "POST" else None


class PreferenceForm(Form):
    """How a person wants notifications by email."""

    email = forms.ChoiceField(label=_("Emails"), widget=forms.RadioSelect, choices=[])

    def __init__(self, *args, **kwargs):
        from cocon.core.models import NotificationPreference

        super().__init__(*args, **kwargs)
        self.fields["email"].choices = NotificationPreference.Email.choices


def add_service_errors(form, exc, fallback: str | None = None) -> None:
    """Show a service's `ValidationError` on the form: each message next to its field,
    or on `fallback` (None: at the top of the form) when the form has no such field."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(fallback, message)
        return
    for name, errors in exc.message_dict.items():
        for message in errors:
            form.add_error(name if name in form.fields else fallback, message)


def save_with(form, write) -> bool:
    """Validate `form`, then run the service call `write(cleaned_data)` in a transaction;
    its result goes to `form.result`, its `ValidationError` next to the form's fields
    (nothing written). True when saved."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    if not form.is_valid():
        return False
    try:
        with transaction.atomic():
            form.result = write(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    return True
