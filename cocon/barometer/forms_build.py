"""Forms of the Baromètre's construction. They parse and present; the rules live in
`services_build`, whose messages are shown next to the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cocon.barometer import services_build
from cocon.barometer.models import (
    Action,
    ActionStatus,
    Barometer,
    Criterion,
    Direction,
    TechnicalCriterion,
)
from cocon.core.forms import Form, ModelForm
from cocon.territory.models import Service


class BarometerCreateForm(Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    intro = forms.CharField(
        label=_("Presentation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown at the top of the public page."),
    )
    threshold = forms.IntegerField(
        label=_("Satisfaction threshold"),
        min_value=1,
        max_value=10,
        initial=7,
        help_text=_("A score at or above it counts as satisfied."),
    )
    min_cell = forms.IntegerField(
        label=_("Smallest published cell"),
        min_value=1,
        initial=10,
        help_text=_("Figures computed from fewer respondents are not published."),
    )
    trim = forms.FloatField(
        label=_("Weight trimming"),
        required=False,
        min_value=1.0,
        help_text=_("Cap weights at this multiple of the mean weight (empty: no trimming)."),
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        field.queryset = Service.objects.filter(pk__in=[s.pk for s in services]).select_related(
            "organization"
        )
        field.label_from_instance = lambda s: f"{s.name} ({s.organization.name})"


class BarometerSettingsForm(ModelForm):
    class Meta:
        model = Barometer
        fields = list(services_build.SETTINGS_FIELDS)
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 3}),
            "explanation": forms.Textarea(attrs={"rows": 5}),
        }


class FirstRoundForm(Form):
    """Up to five things that matter, most important first; commune optional. No
    account, no contact."""

    item_1 = forms.CharField(label=_("1. The most important to you"), max_length=200)
    item_2 = forms.CharField(label=_("2."), max_length=200, required=False)
    item_3 = forms.CharField(label=_("3."), max_length=200, required=False)
    item_4 = forms.CharField(label=_("4."), max_length=200, required=False)
    item_5 = forms.CharField(label=_("5."), max_length=200, required=False)
    commune = forms.ModelChoiceField(
        label=_("Your commune (optional)"), queryset=None, required=False
    )
    website = forms.CharField(required=False, label=_("Leave this field empty"))  # honeypot

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes

    def items(self) -> list[str]:
        return [self.cleaned_data.get(f"item_{i}") or "" for i in range(1, 6)]


class TechnicalCriterionForm(ModelForm):
    class Meta:
        model = TechnicalCriterion
        fields = [
            "name",
            "description",
            "indicator_name",
            "indicator_unit",
            "direction",
            "floor",
            "target",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class CriterionCreateForm(Form):
    """Cross a users' topic and/or a technical criterion into a criterion of the list."""

    topic = forms.ChoiceField(label=_("Topic named by users"), required=False)
    technical = forms.ModelChoiceField(
        label=_("Technical criterion"), queryset=None, required=False
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Column name in imported response files (letters, digits, - and _)."),
    )
    wording = forms.CharField(
        label=_("Wording for users"),
        max_length=300,
        required=False,
        help_text=_("Empty: the topic's or the technical criterion's wording."),
    )
    theme = forms.CharField(label=_("Theme"), max_length=100, required=False)

    def __init__(self, *args, topics, technical, **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = {t.key: t for t in topics}
        self.fields["topic"].choices = [("", "—")] + [
            (t.key, f"{t.label} ({t.mentions})") for t in topics
        ]
        self.fields["technical"].queryset = technical


class CriterionForm(ModelForm):
    class Meta:
        model = Criterion
        fields = list(services_build.CRITERION_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technical_source"].queryset = TechnicalCriterion.objects.filter(
            barometer_id=self.instance.barometer_id
        )
        self.fields["direction"].choices = Direction.choices

    def _post_clean(self):
        """The service validates (reserved and duplicate codes, floor and target)."""


class IndicatorValueForm(Form):
    criterion = forms.ModelChoiceField(label=_("Criterion"), queryset=None)
    period = forms.CharField(
        label=_("Period"),
        max_length=20,
        help_text=_("Year (2025), quarter (2025-T2) or month (2025-06)."),
    )
    value = forms.CharField(label=_("Value"), max_length=40)
    comment = forms.CharField(label=_("Comment"), max_length=300, required=False)

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = criteria

    def clean_value(self) -> float:
        from cocon.barometer.services_build import parse_number

        try:
            return parse_number(self.cleaned_data["value"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class IndicatorImportForm(Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns criterion, period, value and optionally comment; separated by ; or , "
            "(decimal comma accepted). A value already entered for the same period is replaced."
        ),
    )


class ActionForm(ModelForm):
    class Meta:
        model = Action
        fields = [
            "criterion",
            "title",
            "description",
            "owner",
            "due_on",
            "status",
            "from_wave",
            "is_public",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, barometer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = barometer.criteria.all()
        self.fields["from_wave"].queryset = barometer.waves.all()
        self.fields["status"].choices = ActionStatus.choices

    def _post_clean(self):
        """The service checks that the criterion and the wave are of this barometer."""
