"""Forms of the access-to-rights follow-up (legal team). They parse and present; the
rules (consent, dates, formulas) live in `services_legal`, whose French messages are shown
next to the fields."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cocon.core.forms import Form
from cocon.guichet.models import CaseAction, LegalCase

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseFilterForm(Form):
    """GET filters of the case list (never raises: unknown values are ignored)."""

    state = forms.ChoiceField(label=_("State"), required=False)
    number = forms.CharField(label=_("Case number contains"), required=False, max_length=30)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All")), *LegalCase.State.choices]


class CaseForm(Form):
    number = forms.CharField(
        label=_("Case number"),
        required=False,
        max_length=30,
        help_text=_("Leave empty for the next number (e.g. EM-2026-0042). Never a name."),
    )
    situation = forms.CharField(
        label=_("Situation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The rights at stake and the situation, without any name or address."),
    )
    contact = forms.CharField(
        label=_("Contact (phone or email)"),
        required=False,
        max_length=300,
        help_text=_("Only if the team needs to contact the person and the person agrees."),
    )
    contact_consent = forms.BooleanField(
        label=_("The person agrees to be contacted by the team"), required=False
    )
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opened_on"].initial = timezone.localdate()


class ActionForm(Form):
    kind = forms.ChoiceField(label=_("Action"), choices=CaseAction.Kind.choices)
    date = forms.DateField(label=_("Date of the action"), widget=DATE)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=CaseAction.Outcome.choices, initial="pending"
    )
    outcome_on = forms.DateField(
        label=_("Date of the outcome"),
        required=False,
        widget=DATE,
        help_text=_("When the outcome is known; not before the action."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("No name or address."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class CloseForm(Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="close", **kwargs)
        self.fields["closed_on"].initial = timezone.localdate()


class TrainingForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DATE)
    partner = forms.CharField(label=_("Partner structure"), required=False, max_length=200)
    attendees = forms.IntegerField(
        label=_("Number of attendees"),
        required=False,
        min_value=0,
        max_value=32000,
        help_text=_("Leave empty to count the lines of the attendance list."),
    )
    attendance = forms.CharField(
        label=_("Attendance"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One attendee per line: structure, role."),
    )


class IndicatorForm(Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    definition = forms.CharField(
        label=_("Definition"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the indicator measures, in words."),
    )
    formula = forms.CharField(
        label=_("Formula"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text=_("Computed over the recorded actions; see the help below."),
    )
    target = forms.FloatField(label=_("Target"), required=False)
