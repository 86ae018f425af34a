"""Forms of the personas (labels and help next to the fields; the services validate)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cocon.core.forms import Form
from cocon.lib.population import AGE_BANDS


class PersonaForm(Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    age_band = forms.ChoiceField(
        label=_("Age band"),
        required=False,
        choices=[("", _("Not given"))] + [(b, b) for b in AGE_BANDS],
    )
    situation = forms.CharField(
        label=_("Situation"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Who they are, where they live, what they do, what they use."),
    )
    needs = forms.CharField(
        label=_("Needs"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    pains = forms.CharField(
        label=_("Pains (what gets in the way)"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    journey = forms.CharField(
        label=_("Journey"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One step per line, in order."),
    )
    published = forms.BooleanField(
        label=_("Published: shown on the public page of the process"), required=False
    )


class QuoteForm(Form):
    text = forms.CharField(
        label=_("Quote"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Empty: the text of the voice is taken."),
    )
    linked_voice = forms.ChoiceField(
        label=_("A voice linked to the process"), required=False, choices=[]
    )
    voice_reference = forms.CharField(
        label=_("Or the reference of a voice"),
        max_length=20,
        required=False,
        help_text=_("E.g. ABCD-EFGH. The voice is then linked to the process."),
    )
    idea = forms.IntegerField(
        label=_("Or the number of a proposal of the process"), required=False, min_value=1
    )
    source_label = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        help_text=_("E.g. « entretien du 12 mars », « atelier du 3 avril »."),
    )

    def __init__(self, *args, voices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["linked_voice"].choices = [("", _("None"))] + [
            (v.reference, f"{v.reference} — {v.text[:80]}") for v in voices
        ]

    def reference(self) -> str:
        data = self.cleaned_data
        return data.get("linked_voice") or data.get("voice_reference") or ""
