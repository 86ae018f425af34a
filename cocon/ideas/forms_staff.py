"""Forms of the staff pages of Idées. They only shape the input: every rule (dates,
mandatory reason, delegation…) is checked by `cocon.ideas.services`, whose messages are
put back next to the fields (`cocon.core.forms.add_service_errors`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cocon.core.forms import Form
from cocon.ideas.models import (
    DECISION_MAX,
    CostBand,
    Feasibility,
    Impact,
    ModerationMode,
    Recommendation,
    Scope,
    State,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BULK_STATES = [State.RETAINED, State.EXPERIMENT, State.REJECTED]
DECIDE_STATES = [State.RETAINED, State.EXPERIMENT, State.REJECTED, State.MERGED]


def _choices(states):
    return [(s.value, s.label) for s in states]


class CampaignForm(Form):
    organization = forms.TypedChoiceField(
        label=_("Organization running the call"), coerce=int, choices=[]
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    question = forms.CharField(
        label=_("Question asked"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The question people answer with their ideas."),
    )
    description = forms.CharField(
        label=_("Presentation"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    scope = forms.ChoiceField(
        label=_("Who may propose"), choices=Scope.choices, widget=forms.RadioSelect, required=False
    )
    organizations = forms.TypedMultipleChoiceField(
        label=_("Organizations whose agents take part"),
        coerce=int,
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The organization running the call always takes part."),
    )
    themes = forms.TypedMultipleChoiceField(
        label=_("Themes"),
        coerce=int,
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    services = forms.TypedMultipleChoiceField(
        label=_("Services concerned"),
        coerce=int,
        choices=[],
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Leave empty for any service. Ctrl or Cmd + click to choose several."),
    )
    is_permanent = forms.BooleanField(
        label=_("Permanent idea box (always open, no dates)"), required=False
    )
    opens_on = forms.DateField(label=_("Opens on"), required=False, widget=DATE)
    closes_on = forms.DateField(label=_("Closes on"), required=False, widget=DATE)
    decision_calendar = forms.CharField(
        label=_("Decision calendar"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who decides when, e.g. “Comité de direction du 12 mars, conseil du 2 avril”."),
    )
    decisions_by = forms.DateField(label=_("Decisions announced by"), required=False, widget=DATE)
    moderation = forms.ChoiceField(
        label=_("Moderation"),
        choices=ModerationMode.choices,
        widget=forms.RadioSelect,
        initial=ModerationMode.POST,
    )
    moderation_rules = forms.CharField(
        label=_("Participation charter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The rules shown next to the forms (what is removed, and why)."),
    )

    def __init__(self, *args, organizations=(), territory_orgs=(), themes=(), services=(), **kw):
        super().__init__(*args, **kw)
        self.fields["organization"].choices = [(o.pk, o.display_name) for o in organizations]
        if len(organizations) == 1:
            self.fields["organization"].widget = forms.HiddenInput()
            self.fields["organization"].initial = organizations[0].pk
        self.fields["organizations"].choices = [(o.pk, o.display_name) for o in territory_orgs]
        self.fields["themes"].choices = [(t.pk, t.name) for t in themes]
        self.fields["services"].choices = [
            (s.pk, f"{s.name} — {s.organization.display_name}") for s in services
        ]


class AssignForm(Form):
    experts = forms.TypedMultipleChoiceField(
        label=_("Démineurs"),
        coerce=int,
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Experts of any organization of the territory, with their topics."),
    )
    due_on = forms.DateField(label=_("Opinion due on"), required=False, widget=DATE)

    def __init__(self, *args, experts=(), **kw):
        super().__init__(*args, **kw)
        self.fields["experts"].choices = experts


class ReviewForm(Form):
    feasibility = forms.ChoiceField(
        label=_("Feasibility"), choices=Feasibility.choices, widget=forms.RadioSelect
    )
    cost_band = forms.ChoiceField(
        label=_("Cost"), choices=CostBand.choices, widget=forms.RadioSelect
    )
    constraints = forms.CharField(
        label=_("Legal or technical constraints"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    impact = forms.ChoiceField(
        label=_("Impact for users"), choices=Impact.choices, widget=forms.RadioSelect
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=Recommendation.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Your opinion"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Visible to the author, and to everyone once published."),
    )


class DecideForm(Form):
    state = forms.ChoiceField(
        label=_("Decision"), choices=_choices(DECIDE_STATES), widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Decision text (public)"),
        required=False,
        max_length=DECISION_MAX + 1,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Published with the date and your function. Mandatory for a rejection: the "
            "author and the public will read the reason."
        ),
    )
    merge_into = forms.TypedChoiceField(
        label=_("Merged into"),
        coerce=int,
        choices=[],
        required=False,
        empty_value=None,
        help_text=_("Only for a merge: the idea that carries on (its authors become co-authors)."),
    )
    merge_into_number = forms.IntegerField(
        label=_("…or the number of that idea"), required=False, min_value=1
    )
    signature = forms.CharField(
        label=_("Signed"),
        max_length=251,
        required=False,
        help_text=_("A function, not a person's name."),
    )
    quick_win = forms.BooleanField(label=_("Quick win"), required=False)

    def __init__(self, *args, targets=(), **kw):
        super().__init__(*args, **kw)
        self.fields["merge_into"].choices = [("", _("— choose an idea —"))] + [
            (i.pk, f"n° {i.pk} — {i.title}") for i in targets
        ]
        self.fields["state"].required = False


class AdvanceForm(Form):
    state = forms.ChoiceField(label=_("New stage"), choices=[], widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Public text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Mandatory for an evaluation: what the change brought to users."),
    )

    def __init__(self, *args, allowed=(), **kw):
        super().__init__(*args, **kw)
        self.fields["state"].choices = _choices(allowed)
        self.fields["state"].required = False


class BulkDecisionForm(Form):
    state = forms.ChoiceField(
        label=_("Decision for all the selected ideas"),
        choices=_choices(BULK_STATES),
        widget=forms.RadioSelect,
    )
    shared_text = forms.CharField(
        label=_("Shared answer (public)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Added to each idea's decision, before its own text if any."),
    )
    signature = forms.CharField(
        label=_("Signed"),
        max_length=251,
        required=False,
        help_text=_("A function, not a person's name. Empty: your function."),
    )
