"""Forms of the counter and bus log: the phone-first entry of an appointment, and the
dashboard's filters. They parse and present; the rules (future date, duration bounds,
places of the agent) live in `services_log`, whose French messages are shown next to the
fields."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cocon.core.forms import Form
from cocon.guichet.models import Procedure
from cocon.guichet.models.log import MAX_DURATION, MIN_DURATION, Outcome, Place
from cocon.territory.models import Commune, Organization
from cocon.voices.models import AgeBand, Occupation

DEFAULT_DURATION = 15
MAX_PERIOD_DAYS = 3 * 366


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Place) -> str:
        return f"{obj.name} — {obj.get_kind_display()}"


class AppointmentForm(Form):
    place = PlaceChoiceField(label=_("Counter or bus stop"), queryset=Place.objects.none())
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    duration = forms.IntegerField(
        label=_("Duration (minutes)"),
        widget=forms.NumberInput(
            attrs={"min": MIN_DURATION, "max": MAX_DURATION, "step": 1, "inputmode": "numeric"}
        ),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    age_band = forms.ChoiceField(
        label=_("Age band"),
        choices=[("", _("Not given")), *AgeBand.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    occupation = forms.ChoiceField(
        label=_("Occupation"),
        choices=[("", _("Not given")), *Occupation.choices],
        required=False,
    )
    residence = forms.ModelChoiceField(
        label=_("Commune of residence"),
        queryset=Commune.objects.none(),
        required=False,
        empty_label=_("Not given"),
    )
    procedures = forms.ModelMultipleChoiceField(
        label=_("Procedures concerned"),
        queryset=Procedure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organizations = forms.ModelMultipleChoiceField(
        label=_("Organizations concerned"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The need, what was done. No names, no personal details."),
    )

    def __init__(self, *args, places, territory_id, **kwargs):
        super().__init__(*args, **kwargs)
        if len(places) <= 6:  # big targets on a phone; a list past that
            self.fields["place"].widget = forms.RadioSelect()
            self.fields["place"].empty_label = None
        self.fields["place"].queryset = places  # (after the widget: gives it the choices)
        self.fields["residence"].queryset = Commune.objects.filter(
            territory_id=territory_id
        ).order_by("name")
        self.fields["procedures"].queryset = Procedure.objects.filter(
            territory_id=territory_id, is_active=True
        ).order_by("name")
        self.fields["organizations"].queryset = Organization.objects.filter(
            territory_id=territory_id
        ).order_by("name")


class DashboardFilterForm(Form):
    organization = forms.ChoiceField(label=_("Organization"))
    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    place = forms.ChoiceField(label=_("Counter or bus stop"), required=False)

    def __init__(self, *args, organizations, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(str(o.pk), o.name) for o in organizations]
        if len(organizations) <= 1:
            self.fields["organization"].widget = forms.HiddenInput()
        self.fields["place"].choices = [
            ("", _("All counters and stops")),
            ("kind:counter", _("All counters")),
            ("kind:bus_stop", _("All bus stops")),
            *[(str(p.pk), f"{p.name} — {p.get_kind_display()}") for p in places],
        ]

    @staticmethod
    def default_period() -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        return today - dt.timedelta(days=364), today

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("The end of the period comes after its start."))
            elif (end - start).days > MAX_PERIOD_DAYS:
                self.add_error("end", _("The period is limited to three years."))
        return data

    @staticmethod
    def place_ids(value: str, places: list[Place]) -> list[int] | None:
        if not value:
            return None
        if value.startswith("kind:"):
            kind = value.split(":", 1)[1]
            return [p.pk for p in places if p.kind == kind]
        return [p.pk for p in places if str(p.pk) == value]
