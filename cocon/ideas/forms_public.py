"""Forms of the public and author pages of Idées. They parse and present; the rules
(lengths, services of the call, closed calls…) live in `cocon.ideas.services`, whose
French messages are put back next to the fields (`core.forms.add_service_errors`)."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cocon.core.forms import Form
from cocon.core.models import AbuseFlag
from cocon.ideas.models import (
    BENEFIT_MAX,
    COMMENT_MAX,
    LEVEL_HELP,
    PROBLEM_MAX,
    PROPOSAL_MAX,
    TITLE_MAX,
    AuthorCategory,
    DecisionLevel,
    State,
)
from cocon.ideas.services import MAX_PHOTOS
from cocon.voices.forms import MultipleFileInput, PhotosField

SORT_CHOICES = [
    ("supports", _("Most supported")),
    ("recent", _("Most recent")),
    ("comments", _("Most commented")),
]


def level_choices():
    """Each decision level with its explanation of who decides what (read in the
    language of the request)."""
    return [
        (
            level.value,
            format_html(
                '<span class="option-title">{}</span> <span class="option-help">{}</span>',
                level.label,
                LEVEL_HELP[level.value],
            ),
        )
        for level in DecisionLevel
    ]


class IdeaForm(Form):
    title = forms.CharField(
        label=_("Title of your idea"),
        max_length=TITLE_MAX,
        help_text=_("In a few words, what you propose. Similar ideas are shown as you type."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    problem = forms.CharField(
        label=_("The problem observed"),
        max_length=PROBLEM_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    proposal = forms.CharField(
        label=_("Your proposal"),
        max_length=PROPOSAL_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    benefit = forms.CharField(
        label=_("The expected benefit for users"),
        max_length=BENEFIT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decision_level = forms.ChoiceField(
        label=_("Who should decide?"),
        widget=forms.RadioSelect,
        help_text=_("If you are not sure, choose the level you think: the animateurs adjust it."),
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services concerned (optional)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    theme = forms.ModelChoiceField(
        label=_("Theme (optional)"), queryset=None, required=False, empty_label=_("— none —")
    )

    def __init__(self, *args, services_qs, themes_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision_level"].choices = level_choices()
        self.fields["services"].queryset = services_qs
        self.fields["services"].label_from_instance = lambda s: (
            f"{s.name} ({s.organization.display_name})"
        )
        self.fields["theme"].queryset = themes_qs


class IdeaSubmitForm(IdeaForm):
    photos = PhotosField(
        label=_("Photos (optional)"),
        required=False,
        help_text=_(
            "Up to 3 images (JPEG, PNG or WebP), 10 MB each. Location and device data are removed."
        ),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    documents = PhotosField(
        label=_("Documents (optional)"),
        required=False,
        help_text=_("Up to 3 PDF files (a plan, a study, a letter), 10 MB each."),
        widget=MultipleFileInput(attrs={"accept": "application/pdf"}),
    )
    public = forms.BooleanField(
        label=_("Make it public"),
        required=False,
        help_text=_(
            "By default an agent's idea is visible inside your organization only. Public: "
            "everyone can read, support and comment it."
        ),
    )
    on_behalf = forms.BooleanField(
        label=_("On behalf of a user"),
        required=False,
        help_text=_(
            "You type the idea of a user met at the counter or on the phone: it is "
            "presented as a user's idea, and you follow it to pass the answer on."
        ),
    )

    def __init__(self, *args, agent: bool, on_behalf: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not agent:
            del self.fields["public"]
        if not on_behalf:
            del self.fields["on_behalf"]

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(_("%(max)s photos at most."), params={"max": MAX_PHOTOS})
        return photos


class IdeaEditForm(IdeaForm):
    note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_(
            "The review has started: your change becomes a new version, shown to the "
            "démineurs and followers with this note."
        ),
    )

    def __init__(self, *args, versioned: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not versioned:
            del self.fields["note"]


class FilterForm(Form):
    """Filters of the idea lists (GET). The author category is a filter only: it is
    never shown per idea."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    campaign = forms.TypedChoiceField(
        label=_("Call for ideas"), required=False, coerce=int, empty_value=None
    )
    theme = forms.TypedChoiceField(label=_("Theme"), required=False, coerce=int, empty_value=None)
    service = forms.TypedChoiceField(
        label=_("Service"), required=False, coerce=int, empty_value=None
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    author_category = forms.ChoiceField(label=_("Proposed by"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, campaigns=None, themes=(), services=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        if campaigns is None:
            del self.fields["campaign"]
        else:
            self.fields["campaign"].choices = everything + [(c.pk, c.title) for c in campaigns]
        self.fields["theme"].choices = everything + [(t.pk, t.name) for t in themes]
        self.fields["service"].choices = everything + [(s.pk, s.name) for s in services]
        self.fields["state"].choices = everything + list(State.choices)
        self.fields["author_category"].choices = everything + list(AuthorCategory.choices)
        self.fields["q"].widget.attrs["type"] = "search"

    def value(self, name, default=None):
        if not self.is_bound or not self.is_valid():
            return default
        return self.cleaned_data.get(name) or default


class CommentForm(Form):
    text = forms.CharField(
        label=_("Your comment"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class FlagForm(Form):
    reason = forms.ChoiceField(
        label=_("Why is this content a problem?"),
        widget=forms.RadioSelect,
        choices=AbuseFlag.Reason.choices,
    )
    text = forms.CharField(
        label=_("Details (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
