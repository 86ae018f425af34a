"""Forms of the process frame: new process (from a template), edit, ordered phases."""

from __future__ import annotations

import contextlib

from django import forms
from django.utils.translation import gettext_lazy as _

from cocon.accounts.models import User
from cocon.barometer.models import Barometer
from cocon.core.forms import Form
from cocon.processes.models.process import Component, Template

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProcessCreateForm(Form):
    organization = forms.TypedChoiceField(label=_("Organization leading the process"), coerce=int)
    template = forms.ChoiceField(
        label=_("Template"), choices=Template.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    question = forms.CharField(
        label=_("Question asked"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The question the process answers, in plain words."),
    )
    starts_on = forms.DateField(
        label=_("Start of the first phase"),
        widget=DATE,
        help_text=_("The phases of the template follow one another from this date."),
    )
    is_public = forms.BooleanField(
        label=_("Public process (seen by everyone once published)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.choices = [(o.pk, o.display_name) for o in organizations]
        if len(organizations) == 1:
            field.initial = organizations[0].pk
            field.widget = forms.HiddenInput()


class ProcessEditForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.CharField(
        label=_("Web address"),
        max_length=80,
        help_text=_("Lower-case letters, digits and hyphens: /demarches/<address>/."),
    )
    question = forms.CharField(
        label=_("Question asked"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    description = forms.CharField(
        label=_("Presentation"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    scope = forms.CharField(label=_("Territory concerned"), max_length=300, required=False)
    owner_team = forms.CharField(label=_("Project team"), max_length=200, required=False)
    sponsor = forms.ModelChoiceField(
        label=_("Sponsoring élu"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("With an account, the élu may take the decisions of the process."),
    )
    sponsor_label = forms.CharField(
        label=_("Sponsoring élu (name and delegation)"), max_length=250, required=False
    )
    animateurs = forms.ModelMultipleChoiceField(
        label=_("Facilitators (animateurs) of the process"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Agents of the organizations involved who run the process with the team."),
    )
    is_public = forms.BooleanField(
        label=_("Public process (seen by everyone once published)"), required=False
    )
    organizations = forms.TypedMultipleChoiceField(
        label=_("Organizations involved"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organizations, sponsors=None, animateurs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].choices = [(o.pk, o.display_name) for o in organizations]
        if sponsors is not None:
            self.fields["sponsor"].queryset = sponsors
        if animateurs is not None:
            self.fields["animateurs"].queryset = animateurs


ROW_FIELDS = (
    "id",
    "title",
    "description",
    "starts_on",
    "ends_on",
    "components",
    "survey",
    "delete",
)
MAX_ROWS = 30


class PhasesForm(Form):
    """N rows of phases plus one blank row; "add a row" re-displays the form with one
    more (no JavaScript needed). Blank rows are ignored, ticked "remove" rows dropped."""

    rows = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ROWS)

    def __init__(self, *args, count: int, surveys=None, **kwargs):
        """`surveys`: the barometers a "survey" phase may point to (those of the
        organizations of the process)."""
        super().__init__(*args, **kwargs)
        if self.is_bound:
            with contextlib.suppress(TypeError, ValueError):
                count = int(self.data.get("rows", count))
            if self.data.get("add_row"):
                count += 1
        self.count = max(1, min(count, MAX_ROWS))
        self.fields["rows"].initial = self.count
        for i in range(self.count):
            n = i + 1
            self.fields[f"p{i}_id"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
            self.fields[f"p{i}_title"] = forms.CharField(
                label=_("Title of phase %(n)s") % {"n": n}, max_length=200, required=False
            )
            self.fields[f"p{i}_description"] = forms.CharField(
                label=_("Description"),
                max_length=5000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"p{i}_starts_on"] = forms.DateField(
                label=_("Starts on"), widget=DATE, required=False
            )
            self.fields[f"p{i}_ends_on"] = forms.DateField(
                label=_("Ends on"), widget=DATE, required=False
            )
            self.fields[f"p{i}_components"] = forms.MultipleChoiceField(
                label=_("What the phase turns on"),
                choices=Component.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"p{i}_survey"] = forms.ModelChoiceField(
                label=_("Survey of the phase"),
                queryset=surveys if surveys is not None else Barometer.objects.none(),
                required=False,
                help_text=_("A barometer of one of the organizations, for a survey phase."),
            )
            self.fields[f"p{i}_delete"] = forms.BooleanField(
                label=_("Remove this phase"), required=False
            )

    def row_fields(self) -> list[dict]:
        """Bound fields grouped by row, for the template."""
        return [
            {"number": i + 1, **{name: self[f"p{i}_{name}"] for name in ROW_FIELDS}}
            for i in range(self.count)
        ]

    def phases(self) -> tuple[list[dict], list[int]]:
        """The rows to save, and for each its row index (to put errors back)."""
        rows, indexes = [], []
        data = self.cleaned_data
        for i in range(self.count):
            row = {name: data.get(f"p{i}_{name}") for name in ROW_FIELDS}
            if row["delete"]:
                continue
            if not (row["title"] or row["starts_on"] or row["ends_on"] or row["description"]):
                continue
            row["components"] = list(row["components"] or [])
            rows.append(row)
            indexes.append(i)
        return rows, indexes

    def add_phase_errors(self, exc, indexes: list[int]) -> None:
        """Put the service's `phases.<n>.<field>` messages next to the row's field."""
        for key, messages in exc.message_dict.items():
            field = None
            if key.startswith("phases."):
                _prefix, n, name = key.split(".", 2)
                field = f"p{indexes[int(n)]}_{name}"
                if field not in self.fields:
                    field = None
            for message in messages:
                self.add_error(field, message)


def initial_rows(phases) -> dict:
    initial: dict = {}
    for i, phase in enumerate(phases):
        initial.update(
            {
                f"p{i}_id": phase.pk,
                f"p{i}_title": phase.title,
                f"p{i}_description": phase.description,
                f"p{i}_starts_on": phase.starts_on,
                f"p{i}_ends_on": phase.ends_on,
                f"p{i}_components": list(phase.components),
                f"p{i}_survey": phase.survey_id,
            }
        )
    return initial


class VoiceLinkForm(Form):
    reference = forms.CharField(
        label=_("Reference of the voice"),
        max_length=9,
        help_text=_("The reference shown on the voice, e.g. « V7K2P9QXA »."),
    )
