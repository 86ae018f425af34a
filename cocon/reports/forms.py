"""Public forms of Signalements: the report form and the filters of the map and list.
They parse and present; the rules live in `services.report_submit`, so that the web
form, the REST API and Open311 refuse exactly the same things. (Staff forms:
`forms_staff.py`.)"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cocon.core.forms import Form
from cocon.reports.labels import STATUS_LABELS, status_choices
from cocon.reports.models import AttributeType, Category
from cocon.reports.services import DESCRIPTION_MAX
from cocon.territory.models import Commune
from cocon.voices.forms import MultipleFileInput, PhotosField, contact_fields
from cocon.voices.models import Status
from cocon.voices.services import MAX_PHOTOS, check_phone

# the states a report may be in on the public list (merged ones show their original)
PUBLIC_STATES = [s for s in STATUS_LABELS if s not in (Status.MERGED, Status.ANSWERED)]
STATUS_OPEN, STATUS_CLOSED, STATUS_ALL = "open", "closed", "all"
STATUS_FILTER_CHOICES = [
    (STATUS_OPEN, _("Open (not fixed yet)")),
    (STATUS_CLOSED, pgettext_lazy("reports filter", "Closed")),
    (STATUS_ALL, _("All")),
    *status_choices(PUBLIC_STATES),
]


def category_choices(categories) -> list:
    """Categories for a <select>: ungrouped first, then one <optgroup> per group."""
    loose: list = []
    groups: dict[str, list] = {}
    for c in categories:
        (groups.setdefault(c.group, []) if c.group else loose).append((c.code, c.name))
    return [*loose, *groups.items()]


def question_name(category: Category, code: str) -> str:
    """Form field name of an extra question: per category, since two categories may ask
    questions with the same code."""
    return f"q__{category.code}__{code}"


def question_field(attr: dict, *, required: bool) -> forms.Field:
    label = attr.get("description") or attr.get("code")
    kind = attr.get("datatype", AttributeType.STRING)
    messages = {"required": _("Answer the question “%(q)s”.") % {"q": label}}
    options = [(str(v.get("key")), v.get("name") or v.get("key")) for v in attr.get("values", [])]
    common = {"label": label, "required": required, "error_messages": messages}
    if kind == AttributeType.SINGLE:
        return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
    if kind == AttributeType.MULTI:
        return forms.MultipleChoiceField(
            choices=options, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == AttributeType.TEXT:
        return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == AttributeType.NUMBER:
        return forms.CharField(
            max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common
        )
    if kind == AttributeType.DATETIME:
        return forms.CharField(
            max_length=30, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common
        )
    return forms.CharField(max_length=300, **common)


class ReportForm(Form):
    """ "Signaler un problème": what, where (a point on the map, or the commune and the
    address), a description, photos, an optional contact."""

    category = forms.ChoiceField(
        label=_("What kind of problem?"),
        choices=[],
        error_messages={
            "required": _("Choose the kind of problem in the list."),
            "invalid_choice": _("Choose the kind of problem in the list."),
        },
    )
    latitude = forms.CharField(required=False, widget=forms.HiddenInput, max_length=30)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput, max_length=30)
    commune = forms.ModelChoiceField(
        label=_("Commune"),
        queryset=Commune.objects.none(),
        required=False,
        empty_label=_("— choose the commune —"),
        help_text=_("Needed when no point is placed on the map."),
        error_messages={"invalid_choice": _("Choose a commune of the list.")},
    )
    address = forms.CharField(
        label=_("Address or place (optional)"),
        max_length=300,
        required=False,
        help_text=_("For example: 12 rue des Lilas, or: car park of the sports hall."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(
            attrs={"rows": 5, "spellcheck": "true", "lang": "fr", "autocapitalize": "sentences"}
        ),
        help_text=_(
            "This text is shown on the public map: do not write names or personal details."
        ),
        error_messages={"required": _("Describe the problem (this field cannot be empty).")},
    )
    photos = PhotosField(
        label=_("Photos (optional)"),
        required=False,
        help_text=_(
            "Up to 5 images (JPEG, PNG or WebP), 10 MB each. Location and device data are "
            "removed. Photos are seen by the services only, never published."
        ),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    contact_name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_email, contact_phone, contact_consent = contact_fields(
        email_label=_("Email to be told when it is fixed (optional)"),
        consent_label=_(
            "I agree that this contact is kept only to tell me what becomes of my report, "
            "then erased 12 months after it is closed."
        ),
    )
    website = forms.CharField(required=False, label=_("Leave this field empty"))  # honeypot

    def __init__(self, *args, territory, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory
        self.categories = {c.code: c for c in categories}
        self.fields["category"].choices = [
            ("", _("— choose —")),
            *category_choices(categories),
        ]
        self.fields["commune"].queryset = Commune.objects.filter(territory=territory).order_by(
            "name"
        )
        self.fields["photos"].max_count = MAX_PHOTOS
        chosen = self.data.get("category") if self.is_bound else None
        # every category's questions are fields (shown all at once without JavaScript);
        # only the chosen category's required questions are required
        self.question_fields: dict[str, list[tuple[str, str]]] = {}
        for cat in categories:
            for attr in sorted(cat.attributes or [], key=lambda a: a.get("order") or 0):
                if not attr.get("code"):
                    continue
                name = question_name(cat, attr["code"])
                required = bool(attr.get("required")) and (not self.is_bound or cat.code == chosen)
                self.fields[name] = question_field(attr, required=required)
                self.question_fields.setdefault(cat.code, []).append((name, attr["code"]))

    # --- parsing ---------------------------------------------------------------------
    def clean_contact_phone(self):
        return check_phone(self.cleaned_data.get("contact_phone") or "")

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > MAX_PHOTOS:
            raise ValidationError(_("%(max)s photos at most."), params={"max": MAX_PHOTOS})
        return photos

    def clean(self):
        data = super().clean()
        raw_lat = (data.get("latitude") or "").strip().replace(",", ".")
        raw_lon = (data.get("longitude") or "").strip().replace(",", ".")
        data["latitude"] = data["longitude"] = None
        if raw_lat or raw_lon:
            try:
                lat, lon = float(raw_lat), float(raw_lon)
                if lat != lat or lon != lon:  # NaN
                    raise ValueError
            except ValueError:
                self.add_error(
                    "commune",
                    _(
                        "The point on the map could not be read: place it again, or "
                        "choose the commune."
                    ),
                )
            else:
                data["latitude"], data["longitude"] = round(lat, 7), round(lon, 7)
        return data

    # --- what the view needs ---------------------------------------------------------
    def category_object(self) -> Category | None:
        return self.categories.get(self.cleaned_data.get("category") or "")

    def answers(self) -> dict:
        """The chosen category's answers, keyed by question code (Open311 attributes)."""
        cat = self.category_object()
        if cat is None:
            return {}
        return {
            code: self.cleaned_data.get(name)
            for name, code in self.question_fields.get(cat.code, [])
            if self.cleaned_data.get(name) not in (None, "", [])
        }

    def question_groups(self) -> list[tuple[Category, list]]:
        """(category, bound fields) for the template: one fieldset per category."""
        return [
            (self.categories[code], [self[name] for name, _code in names])
            for code, names in self.question_fields.items()
        ]

    def apply_errors(self, error: ValidationError) -> None:
        """Show the service layer's errors next to the matching fields: the location's
        next to the commune (the alternative to the map that works everywhere)."""
        cat = self.category_object()
        for name, messages in error.message_dict.items():
            target = name if name in self.fields else None
            if name in ("latitude", "longitude", "location"):
                target = "commune"
            elif name.startswith("attribute[") and cat is not None:
                field = question_name(cat, name[len("attribute[") : -1])
                target = field if field in self.fields else None
            for message in messages:
                if target and target in self.errors and message in self.errors[target]:
                    continue
                self.add_error(target, message)


class ReportFilterForm(Form):
    """GET filters of the public map and list. Never fails the page: an unknown value is
    shown as an error next to its filter and ignored."""

    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[],
        error_messages={"invalid_choice": _("Unknown category: every category is shown.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=STATUS_FILTER_CHOICES,
        error_messages={"invalid_choice": _("Unknown status: open reports are shown.")},
    )
    commune = forms.TypedChoiceField(
        label=_("Commune"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
        error_messages={"invalid_choice": _("Unknown commune: every commune is shown.")},
    )

    def __init__(self, *args, categories, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.category_objects = {c.code: c for c in categories}
        self.fields["category"].choices = [("", _("All")), *category_choices(categories)]
        self.fields["commune"].choices = [("", _("All"))] + [(str(c.pk), c.name) for c in communes]

    def values(self) -> dict:
        """The valid filters (invalid ones dropped), with the default status."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "category": self.category_objects.get(data.get("category") or ""),
            "status": data.get("status") or STATUS_OPEN,
            "commune_id": data.get("commune"),
        }
