"""Forms of the call for ambassadors. They parse and present; the rules (positive
shares, one application per person, refusal with a reason, bounds of a time entry)
live in `services_ambassadors`, whose French messages are shown next to the fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cocon.accounts.models import Category
from cocon.core.forms import Form
from cocon.processes.models.ambassadors import TARGET_ATTRIBUTES, Gender, TimeUnit
from cocon.processes.services_ambassadors import parse_targets_text, targets_as_text
from cocon.territory.models import Service

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TARGET_HELP = {
    "category": _(
        "One value per line, « value: percentage », e.g. « A: 30 », « B: 30 », « C: 40 »."
    ),
    "service": _("One service name per line with its percentage, e.g. « Eau: 50 »."),
    "gender": _("F, M, other or « non renseigné », with a percentage, e.g. « F: 50 »."),
}
TARGET_LABELS = {
    "category": _("Targets by category (A, B, C)"),
    "service": _("Targets by service"),
    "gender": _("Targets by gender"),
}


class CallForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Presentation"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    commitment = forms.CharField(
        label=_("Commitment"),
        max_length=300,
        help_text=_("E.g. « 3 jours par mois pendant 16 mois »."),
    )
    days_per_month = forms.DecimalField(
        label=_("Days per month"),
        min_value=0,
        max_digits=4,
        decimal_places=1,
        required=False,
        localize=True,
    )
    months = forms.IntegerField(label=_("Months"), min_value=0, max_value=120, required=False)
    opens_on = forms.DateField(label=_("Applications open on"), widget=DATE)
    closes_on = forms.DateField(label=_("Applications close on"), widget=DATE)
    seats = forms.IntegerField(label=_("Seats"), min_value=0, max_value=10000, required=False)
    targets_category = forms.CharField(
        label=TARGET_LABELS["category"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=TARGET_HELP["category"],
    )
    targets_service = forms.CharField(
        label=TARGET_LABELS["service"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=TARGET_HELP["service"],
    )
    targets_gender = forms.CharField(
        label=TARGET_LABELS["gender"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=TARGET_HELP["gender"],
    )
    seed = forms.CharField(
        label=_("Seed of the draw"),
        max_length=64,
        required=False,
        help_text=_(
            "Published before the draw so that anyone can re-run it. Changing it is "
            "recorded in the call's history."
        ),
    )

    def __init__(self, *args, call=None, **kwargs):
        if call is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": call.title,
                "description": call.description,
                "commitment": call.commitment,
                "days_per_month": call.days_per_month,
                "months": call.months,
                "opens_on": call.opens_on,
                "closes_on": call.closes_on,
                "seats": call.seats,
                "seed": call.seed,
                **{
                    f"targets_{a}": targets_as_text(call.targets.get(a, {}))
                    for a in TARGET_ATTRIBUTES
                },
            }
        super().__init__(*args, **kwargs)
        if call is None:
            del self.fields["seed"]

    def clean_targets_category(self):
        parse_targets_text_field(self.cleaned_data.get("targets_category", ""))
        return self.cleaned_data["targets_category"]

    def clean_targets_service(self):
        parse_targets_text_field(self.cleaned_data.get("targets_service", ""))
        return self.cleaned_data["targets_service"]

    def clean_targets_gender(self):
        parse_targets_text_field(self.cleaned_data.get("targets_gender", ""))
        return self.cleaned_data["targets_gender"]

    def targets(self) -> dict:
        return {
            a: parse_targets_text(self.cleaned_data.get(f"targets_{a}", ""))
            for a in TARGET_ATTRIBUTES
        }


def parse_targets_text_field(text: str) -> dict:
    try:
        return parse_targets_text(text)
    except ValidationError as exc:
        raise forms.ValidationError(exc.messages[0]) from None


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name


class ApplicationForm(Form):
    motivation = forms.CharField(
        label=_("Your motivation"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        required=False,
    )
    service = forms.ModelChoiceField(
        label=_("Your service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("No service (direction, cross-cutting team)"),
    )
    category = forms.ChoiceField(label=_("Your category"), choices=Category.choices)
    gender = forms.ChoiceField(
        label=_("Gender (optional)"),
        choices=Gender.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Used only for the diversity targets of the draw."),
    )
    manager = UserChoiceField(
        label=_("Manager who approves your time commitment"),
        queryset=None,
        required=False,
        empty_label=_("Choose"),
    )

    def __init__(self, *args, organization_id, managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(
            organization_id=organization_id
        ).order_by("name")
        self.fields["manager"].queryset = managers


class ReviewForm(Form):
    decision = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("approve", _("I approve the time commitment")), ("refuse", _("I refuse"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you refuse; the applicant reads it."),
    )


class TimeEntryForm(Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    amount = forms.DecimalField(
        label=_("Duration"),
        max_digits=5,
        decimal_places=2,
        required=False,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=TimeUnit.choices, initial=TimeUnit.DAYS)
    activity = forms.CharField(label=_("Activity"), max_length=200, required=False)
