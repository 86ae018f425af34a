"""Forms of the events: the event (staff), registration (public), walk-in, outputs."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cocon.core.forms import Form
from cocon.processes.models.events import EventKind, EventOutput, ParticipantRole

CATEGORY_CHOICES = [
    ("", _("— (not an agent)")),
    ("A", _("Category A")),
    ("B", _("Category B")),
    ("C", _("Category C")),
    ("-", _("Other status (contract, partner staff)")),
]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EventForm(Form):
    kind = forms.ChoiceField(label=_("Kind of event"), choices=EventKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    phase = forms.ModelChoiceField(
        label=_("Phase"), queryset=None, required=False, empty_label=_("— no phase")
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    accessibility = forms.CharField(
        label=_("Accessibility of the place"),
        max_length=1000,
        required=False,
        help_text=_("Step-free access, hearing loop, interpreter, childcare…"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"), required=False, min_value=1, help_text=_("Empty: no limit.")
    )
    registration_open = forms.BooleanField(
        label=_("Registration open"), required=False, initial=True
    )
    minutes = forms.CharField(
        label=_("Minutes"),
        max_length=50000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, process, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = process.phases.order_by("position")
        self.target_names = []
        for role, label in ParticipantRole.choices:
            name = f"target_{role}"
            self.fields[name] = forms.IntegerField(
                label=label,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            self.target_names.append(name)

    def target_fields(self):
        return [self[name] for name in self.target_names]

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("target_")}
        data["target_mix"] = {
            name.removeprefix("target_"): self.cleaned_data.get(name) for name in self.target_names
        }
        return data

    def add_service_errors(self, exc) -> None:
        """Errors of the target mix go at the top of the form (several fields)."""
        from cocon.core.forms import add_service_errors

        add_service_errors(self, exc)


class EventCancelForm(Form):
    reason = forms.CharField(
        label=_("Message to the people registered"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RegistrationForm(Form):
    name = forms.CharField(
        label=_("Your name"), max_length=150, help_text=_("A first name or a pseudonym is enough.")
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("Optional: to receive the confirmation and the link to cancel."),
    )
    role = forms.ChoiceField(
        label=_("You come as"), choices=ParticipantRole.choices, widget=forms.RadioSelect
    )
    category = forms.ChoiceField(
        label=_("Agent category"),
        choices=CATEGORY_CHOICES,
        required=False,
        help_text=_("Agents only."),
    )
    organization_label = forms.CharField(
        label=_("Organization or association"), max_length=200, required=False
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        max_length=1000,
        required=False,
        help_text=_(
            "Tell us what would help you take part: access, hearing, sight, language, childcare…"
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    age_band = forms.ChoiceField(label=_("Age band (optional)"), required=False)
    commune = forms.ModelChoiceField(
        label=_("Commune of residence (optional)"), queryset=None, required=False
    )
    email_consent = forms.BooleanField(
        label=_("I agree to be told by email about what the process decides"), required=False
    )

    def __init__(self, *args, territory, **kwargs):
        from cocon.territory.models import Commune
        from cocon.voices.models import AgeBand

        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = Commune.objects.filter(territory=territory).order_by(
            "name"
        )
        self.fields["age_band"].choices = [("", _("— I prefer not to say")), *AgeBand.choices]


class WalkInForm(Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    role = forms.ChoiceField(label=_("Comes as"), choices=ParticipantRole.choices)
    category = forms.ChoiceField(
        label=_("Agent category"), choices=CATEGORY_CHOICES, required=False
    )


class MinutesForm(Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        max_length=50000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class OutputsForm(Form):
    """Several sticky notes at once: one per line."""

    kind = forms.ChoiceField(label=_("Kind of output"), choices=EventOutput.Kind.choices)
    notes = forms.CharField(
        label=_("Outputs, one per line"),
        max_length=50000,
        help_text=_("Each line becomes a proposal of the process, linked to this event."),
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class OutputForm(Form):
    """One proposal with its own title, problem and benefit."""

    kind = forms.ChoiceField(
        label=_("Kind of output"),
        choices=EventOutput.Kind.choices,
        initial=EventOutput.Kind.PROPOSAL,
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=150,
        required=False,
        help_text=_("Empty: the first words of the text."),
    )
    text = forms.CharField(
        label=_("Proposal"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    problem = forms.CharField(
        label=_("Problem observed"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    benefit = forms.CharField(
        label=_("Expected benefit"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
