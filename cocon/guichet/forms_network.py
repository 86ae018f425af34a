"""Forms of the referent network settings: referents, absences, the answer commitment
(opening hours as simple time inputs), counters and bus stops, topics and procedures.
They parse and present; the rules live in `services_network`."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from cocon.core.forms import Form
from cocon.guichet.models import Place, Referent
from cocon.guichet.models.network import DEFAULT_OPENING

#: The two periods of a day offered by the commitment form.
PERIODS = ("am", "pm")


def _choices(rows, label=str, empty=None):
    out = [("", empty)] if empty is not None else []
    return out + [(str(r.pk), label(r)) for r in rows]


class ReferentForm(Form):
    topic = forms.TypedChoiceField(label=_("Topic"), coerce=int)
    user = forms.TypedChoiceField(label=_("Referent"), coerce=int)
    rank = forms.ChoiceField(label=_("Rank"), choices=Referent.Rank.choices)
    manager = forms.TypedChoiceField(
        label=_("Manager (last escalation step)"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, topics, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = _choices(topics, empty="—")
        self.fields["user"].choices = _choices(agents, lambda u: u.full_name, empty="—")
        self.fields["manager"].choices = _choices(agents, lambda u: u.full_name, empty=_("None"))


class AbsenceForm(Form):
    absent_until = forms.DateField(
        label=_("Absent until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Included. Leave empty when present: substitutes answer during absences."),
    )


class CommitmentForm(Form):
    """Deadlines, and for each weekday a morning and an afternoon period (time inputs)."""

    hours = forms.IntegerField(
        label=_("Answer within (working hours)"),
        help_text=_("Counted in opening hours, without weekends and public holidays."),
    )
    urgent_hours = forms.IntegerField(label=_("Urgent questions: answer within (working hours)"))
    reminder_hours = forms.IntegerField(
        label=_("Remind the referent this many working hours before the deadline")
    )
    alsace_moselle = forms.BooleanField(label=_("Alsace-Moselle public holidays"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day in range(7):
            for period in PERIODS:
                label = (_("%(day)s, morning") if period == "am" else _("%(day)s, afternoon")) % {
                    "day": WEEKDAYS[day]
                }
                for end, end_label in (("from", _("opens at")), ("to", _("closes at"))):
                    self.fields[f"d{day}_{period}_{end}"] = forms.TimeField(
                        label=f"{label} — {end_label}",
                        required=False,
                        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                    )

    @staticmethod
    def initial_for(commitment) -> dict:
        raw = (commitment.opening if commitment else None) or DEFAULT_OPENING
        initial = {
            "hours": commitment.hours if commitment else 48,
            "urgent_hours": commitment.urgent_hours if commitment else 8,
            "reminder_hours": commitment.reminder_hours if commitment else 8,
            "alsace_moselle": commitment.alsace_moselle if commitment else False,
        }
        for day, spans in raw.items():
            for period, (opens, closes) in zip(PERIODS, spans, strict=False):
                initial[f"d{day}_{period}_from"] = opens
                initial[f"d{day}_{period}_to"] = closes
        return initial

    def days(self):
        """[(weekday name, [bound fields])] for the template."""
        return [
            (
                WEEKDAYS[day],
                [self[f"d{day}_{p}_{e}"] for p in PERIODS for e in ("from", "to")],
            )
            for day in range(7)
        ]

    def clean(self):
        data = super().clean()
        for day in range(7):
            for period in PERIODS:
                opens = data.get(f"d{day}_{period}_from")
                closes = data.get(f"d{day}_{period}_to")
                if (opens is None) != (closes is None):
                    missing = f"d{day}_{period}_{'to' if closes is None else 'from'}"
                    if missing not in self.errors:
                        self.add_error(
                            missing, _("Give both the opening and the closing time, or neither.")
                        )
                elif opens is not None and not opens < closes:
                    self.add_error(f"d{day}_{period}_to", _("Closes before it opens."))
        return data

    def opening(self) -> dict[int, list[tuple[dt.time, dt.time]]]:
        data = self.cleaned_data
        out: dict[int, list[tuple[dt.time, dt.time]]] = {}
        for day in range(7):
            spans = []
            for period in PERIODS:
                opens = data.get(f"d{day}_{period}_from")
                closes = data.get(f"d{day}_{period}_to")
                if opens is not None and closes is not None:
                    spans.append((opens, closes))
            if spans:
                out[day] = spans
        return out


class PlaceForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Place.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=150)
    commune = forms.TypedChoiceField(label=_("Commune"), coerce=int)
    schedule = forms.CharField(
        label=_("Schedule"),
        max_length=200,
        required=False,
        help_text=_("E.g. « mardi 9 h – 12 h »"),
    )
    agents = forms.TypedMultipleChoiceField(
        label=_("Agents"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, communes, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = _choices(communes, empty="—")
        self.fields["agents"].choices = _choices(agents, lambda u: u.full_name)


class TopicForm(Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ProcedureForm(Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    organization = forms.TypedChoiceField(
        label=_("Organization in charge"), coerce=int, required=False, empty_value=None
    )
    topic = forms.TypedChoiceField(label=_("Topic"), coerce=int, required=False, empty_value=None)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, organizations, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = _choices(
            organizations, lambda o: o.display_name, empty=_("None")
        )
        self.fields["topic"].choices = _choices(topics, empty=_("None"))


def pick(rows, pk):
    """The row of `rows` with this primary key (None if absent), for a parsed choice."""
    if pk is None:
        return None
    found = next((r for r in rows if r.pk == pk), None)
    if found is None:
        raise ValidationError(_("Choose in the lists."))
    return found
