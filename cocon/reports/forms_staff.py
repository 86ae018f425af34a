"""Forms of the staff side of Signalements: the list's filters and bulk action, the
actions on one report, and the organization settings (categories handled, territory
categories with their extra questions, field teams). They parse and present; the rules
live in the services, whose French messages are shown next to the fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cocon.core.forms import Form
from cocon.reports.labels import status_choices
from cocon.reports.models import AttributeType
from cocon.voices.models import TEXT_MAX, Status

# the statuses a report goes through (voices' "answered" is not one of them)
REPORT_STATUSES = [
    Status.RECEIVED,
    Status.ACKNOWLEDGED,
    Status.IN_PROGRESS,
    Status.SCHEDULED,
    Status.FIXED,
    Status.CLOSED,
    Status.NOT_FOR_US,
    Status.MERGED,
]
# the states an agent may choose (merged goes through "mark as duplicate")
SETTABLE_STATUSES = [s for s in REPORT_STATUSES if s not in (Status.RECEIVED, Status.MERGED)]

# a public update proposed for each new state: the agent edits it before saving
SUGGESTED_TEXTS = {
    Status.ACKNOWLEDGED: _(
        "Thank you for your report. The service in charge has received it and will look into it."
    ),
    Status.IN_PROGRESS: _("Our team is working on it."),
    Status.SCHEDULED: _("The work is scheduled. We will update this report as soon as it is done."),
    Status.FIXED: _("The problem has been fixed. Thank you for reporting it."),
    Status.CLOSED: _("This report is closed: no further action is planned."),
    Status.NOT_FOR_US: _(
        "This is not our responsibility: we passed your report on to the organization in charge."
    ),
}

TEXT_HELP = _(
    "Required at every change. Shown with the report on the public map, sent to the "
    "person if they left a contact and to the people who support it."
)


def suggested_text(status: str) -> str:
    return str(SUGGESTED_TEXTS.get(status, ""))


def _status_choices(statuses) -> list[tuple[str, str]]:
    return status_choices(statuses)


class StaffFilterForm(Form):
    """GET filters of the staff list (never raises: unknown values are ignored)."""

    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    commune = forms.TypedChoiceField(
        label=_("Commune"), required=False, coerce=int, empty_value=None
    )
    service = forms.TypedChoiceField(
        label=_("Service"), required=False, coerce=int, empty_value=None
    )
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    my_team = forms.BooleanField(label=_("Assigned to my team"), required=False)

    def __init__(self, *args, categories, communes, services, teams, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["category"].choices = every + [(str(c.pk), c.name) for c in categories]
        self.fields["status"].choices = [
            *every,
            ("open", _("Open")),
            ("closed", pgettext_lazy("reports filter", "Closed")),
            *_status_choices(REPORT_STATUSES),
        ]
        self.fields["commune"].choices = every + [(str(c.pk), c.name) for c in communes]
        self.fields["service"].choices = every + [(str(s.pk), str(s)) for s in services]
        self.fields["team"].choices = every + [(str(t.pk), t.name) for t in teams]


class ReferencesField(forms.MultipleChoiceField):
    """The references ticked on the list. Any value is accepted here: the view checks
    that each one is a report the person may act on, and names those that are not."""

    widget = forms.MultipleHiddenInput

    def valid_value(self, value) -> bool:
        return True


class BulkForm(Form):
    reports = ReferencesField(
        label=_("Selected reports"),
        error_messages={"required": _("Select at least one report.")},
    )
    status = forms.ChoiceField(
        label=_("New state"), error_messages={"required": _("Choose the new state.")}
    )
    text = forms.CharField(
        label=_("Public update (one text for all the selected reports)"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "fr", "spellcheck": "true"}),
        help_text=TEXT_HELP,
        error_messages={"required": _("Write the public update shown with the reports.")},
    )
    team = forms.TypedChoiceField(
        label=_("Assign to a team (optional)"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "—"), *_status_choices(SETTABLE_STATUSES)]
        self.fields["team"].choices = [("", _("Do not change"))] + [
            (str(t.pk), f"{t.name} ({t.service.name})") for t in teams
        ]


class StateForm(Form):
    status = forms.ChoiceField(
        label=_("New state"), error_messages={"required": _("Choose the new state.")}
    )
    text = forms.CharField(
        label=_("Public update"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "fr", "spellcheck": "true"}),
        help_text=TEXT_HELP,
        error_messages={"required": _("Write the public update shown with the report.")},
    )

    def __init__(self, *args, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _status_choices(allowed)
        if allowed and not self.is_bound:
            self.initial.setdefault("status", allowed[0])
            self.initial.setdefault("text", suggested_text(allowed[0]))
        # progressive enhancement: reports-staff.js swaps in the text of the chosen state
        # while the agent has not written their own
        self.fields["text"].widget.attrs["data-suggestions"] = "state-suggestions"


class AnyIntChoiceField(forms.TypedChoiceField):
    """A select whose posted value may be any id: the service decides whether it fits
    (so that a team of another service gets the service's own message)."""

    def valid_value(self, value) -> bool:
        return value in ("", None) or str(value).isdigit()


class AssignForm(Form):
    team = AnyIntChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("No team"))] + [(str(t.pk), t.name) for t in teams]


class DuplicateForm(Form):
    duplicate_of = forms.CharField(
        label=_("Reference of the original report"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        help_text=_(
            "This report is closed as a duplicate: its author and supporters follow the "
            "original one."
        ),
    )

    def clean(self):
        data = super().clean()
        # a suggestion's button ("Duplicate of ABCD-2345") posts `pick`
        pick = str(self.data.get(self.add_prefix("pick")) or "")[:12]
        reference = (pick or data.get("duplicate_of") or "").strip().upper()
        if not reference:
            self.add_error("duplicate_of", _("Give the reference of the original report."))
        data["reference"] = reference
        return data


# --- organization settings -----------------------------------------------------------------
class CoverageForm(Form):
    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    service = forms.TypedChoiceField(label=_("Handled by the service"), coerce=int)
    communes = forms.TypedMultipleChoiceField(
        label=_("On the communes"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every commune of the organization."),
    )

    def __init__(self, *args, categories, services, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—")] + [(str(c.pk), c.name) for c in categories]
        self.fields["service"].choices = [("", "—")] + [(str(s.pk), s.name) for s in services]
        self.fields["communes"].choices = [(str(c.pk), c.name) for c in communes]


class CategoryForm(Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    code = forms.SlugField(
        label=_("Code"),
        max_length=60,
        help_text=_("Open311 service code: lower-case letters, digits and hyphens."),
    )
    group = forms.CharField(label=_("Group"), max_length=80, required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    sensitive = forms.BooleanField(
        label=_("Sensitive location (shown to about 100 m on the public map)"), required=False
    )
    is_active = forms.BooleanField(label=_("Open to new reports"), required=False, initial=True)


class AttributeForm(Form):
    """One extra question of a category (Open311 attribute)."""

    code = forms.SlugField(label=_("Code"), max_length=40, required=False)
    question = forms.CharField(label=_("Question"), max_length=200, required=False)
    datatype = forms.ChoiceField(
        label=_("Type of answer"), choices=AttributeType.choices, required=False
    )
    required = forms.BooleanField(label=_("Answer required"), required=False)
    choices = forms.CharField(
        label=_("Choices, one per line: key|label"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For the list types only, e.g. road|On the road."),
    )

    def clean(self):
        data = super().clean()
        code, question = data.get("code"), (data.get("question") or "").strip()
        if not code and not question:
            data["empty"] = True
            return data
        if not code:
            self.add_error("code", _("Give a code to this question."))
        if not question:
            self.add_error("question", _("Write the question."))
        kind = data.get("datatype") or AttributeType.STRING
        values = []
        for line in (data.get("choices") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            key, sep, label = line.partition("|")
            if not sep or not key.strip() or not label.strip():
                self.add_error(
                    "choices", _("Write each choice as key|label, e.g. road|On the road.")
                )
                break
            values.append({"key": key.strip(), "name": label.strip()})
        if kind in (AttributeType.SINGLE, AttributeType.MULTI) and not values:
            self.add_error("choices", _("A list question needs at least one choice."))
        data["values"] = values
        return data

    def attribute(self, order: int) -> dict | None:
        data = getattr(self, "cleaned_data", None) or {}
        if data.get("empty") or not data.get("code"):
            return None  # an empty row (left blank, or an untouched extra form)
        kind = data.get("datatype") or AttributeType.STRING
        attribute = {
            "code": data["code"],
            "description": data["question"].strip(),
            "datatype": kind,
            "required": bool(data.get("required")),
            "order": order,
        }
        if kind in (AttributeType.SINGLE, AttributeType.MULTI):
            attribute["values"] = data["values"]
        return attribute


AttributeFormSet = forms.formset_factory(AttributeForm, extra=0, max_num=30)


def attribute_initial(attributes: list[dict]) -> list[dict]:
    """A category's questions as the editor's rows."""
    return [
        {
            "code": a.get("code", ""),
            "question": a.get("description", ""),
            "datatype": a.get("datatype", AttributeType.STRING),
            "required": bool(a.get("required")),
            "choices": "\n".join(f"{v.get('key')}|{v.get('name')}" for v in a.get("values", [])),
        }
        for a in attributes or []
    ]


class TeamForm(Form):
    service = forms.TypedChoiceField(label=_("Service"), coerce=int)
    name = forms.CharField(label=_("Name of the team"), max_length=120)
    members = forms.TypedMultipleChoiceField(
        label=_("Members"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, services, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "—")] + [(str(s.pk), s.name) for s in services]
        self.fields["members"].choices = [(str(u.pk), u.full_name) for u in agents]


class MembersForm(Form):
    members = forms.TypedMultipleChoiceField(
        label=_("Members"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(str(u.pk), u.full_name) for u in agents]


__all__ = ["ValidationError"]
