"""Forms of the decisions domain. Fields the services validate (reason, authority, date,
progress bounds) are not required here, so that the service's French message shows next
to the field instead of a generic one."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cocon.core.forms import Form
from cocon.processes.models.decisions import ActionStatus, BudgetBand, Outcome

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DecisionFilterForm(Form):
    which = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("Every proposal")),
            ("undecided", _("Without a decision")),
            ("decided", _("With a decision")),
            *Outcome.choices,
        ],
    )


class DecisionFields(Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=Outcome.choices, widget=forms.RadioSelect, required=False
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Public: the author and every participant will read it."),
    )
    changes = forms.CharField(
        label=_("Changes made to the proposal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only when the proposal is retained with changes."),
    )
    authority = forms.CharField(
        label=_("Deciding authority"),
        required=False,
        max_length=250,
        help_text=_("E.g. « Conseil communautaire du 12 mai 2026 »."),
    )
    decided_on = forms.DateField(label=_("Decided on"), required=False, widget=DATE)


class DecisionForm(DecisionFields):
    pass


class BulkDecisionForm(DecisionFields):
    ideas = forms.ModelMultipleChoiceField(
        label=_("Proposals"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ideas"].queryset = proposals


class SynthesisForm(Form):
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class PublishForm(Form):
    notify_again = forms.BooleanField(
        label=_("Tell every participant again"),
        required=False,
        help_text=_("Participants were already told at the first publication."),
    )


class ActionForm(Form):
    ideas = forms.ModelMultipleChoiceField(
        label=_("Retained proposals it implements"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    service = forms.ModelChoiceField(label=_("Service in charge"), queryset=None, required=False)
    owner = forms.ModelChoiceField(label=_("Person in charge"), queryset=None, required=False)
    owner_function = forms.CharField(
        label=_("Function of the person in charge"),
        max_length=200,
        required=False,
        help_text=_("Shown publicly instead of the name."),
    )
    budget_band = forms.ChoiceField(label=_("Budget"), choices=BudgetBand.choices)
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DATE)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)

    def __init__(self, *args, proposals, services, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ideas"].queryset = proposals
        self.fields["service"].queryset = services
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda u: u.full_name


class ActionUpdateForm(Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
    )
    abandon_reason = forms.CharField(
        label=_("Why it was abandoned"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the action is abandoned. Public."),
    )


class MilestoneForm(Form):
    title = forms.CharField(label=_("Milestone"), max_length=200, required=False)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)
