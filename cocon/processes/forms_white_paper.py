"""Forms of the white paper (the services validate; the forms label and help)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cocon.core.forms import Form


class TextsForm(Form):
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Printed before the generated document. Empty lines separate paragraphs."),
    )
    conclusion = forms.CharField(
        label=_("Conclusion"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class GenerateForm(Form):
    note = forms.CharField(
        label=_("Note on this version"),
        required=False,
        max_length=300,
        help_text=_("E.g. « version relue par le comité de quartier »."),
    )


class HandOverForm(Form):
    on = forms.DateField(
        label=_("Handed over on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Give the date the white paper was handed over.")},
    )
    by_label = forms.CharField(
        label=_("Handed over by"),
        max_length=250,
        help_text=_("E.g. « les habitants du comité de quartier »."),
        error_messages={"required": _("Say who handed it over.")},
    )
