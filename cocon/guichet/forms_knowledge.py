"""Forms of the shared knowledge base: search filters (GET, never raise) and an entry
(written from an answered question, directly, or edited)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cocon.core.forms import Form


class SearchForm(Form):
    """GET filters of the search page: unknown values are ignored."""

    q = forms.CharField(
        label=_("Search the knowledge base"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Words of the question, e.g. « allocation logement étudiant »."),
    )
    topic = forms.TypedChoiceField(label=_("Topic"), required=False, coerce=int, empty_value=None)
    organization = forms.TypedChoiceField(
        label=_("Organization"), required=False, coerce=int, empty_value=None
    )
    valid_only = forms.BooleanField(
        label=_("Only entries still valid (hide those to be checked)"), required=False
    )

    def __init__(self, *args, topics, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["topic"].choices = every + [(str(t.pk), t.name) for t in topics]
        self.fields["organization"].choices = every + [(str(o.pk), o.name) for o in organizations]

    def values(self) -> dict:
        """The valid filters (an invalid one is dropped, never an error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class EntryForm(Form):
    """An entry's texts, sources and validity date; `topic` and `organization` are
    offered only where they may be chosen (direct creation, edit)."""

    organization = forms.TypedChoiceField(label=_("Organization"), coerce=int)
    topic = forms.TypedChoiceField(label=_("Topic"), coerce=int)
    question = forms.CharField(
        label=_("Question"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("As a counter agent would ask it, without anyone's name."),
        error_messages={"required": _("Write the question the entry answers.")},
    )
    answer = forms.CharField(
        label=_("Answer"),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write the answer.")},
    )
    sources = forms.CharField(
        label=_("Sources"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Texts, circulars, web pages the answer rests on (one per line)."),
        error_messages={
            "required": _(
                "Give at least one source: a text, a circular or a web page the answer rests on."
            )
        },
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("After this date the entry is shown as « to be checked » and you are told."),
        error_messages={
            "required": _("Give the date until which the answer is valid."),
            "invalid": _("Enter a date such as 31/12/2026."),
        },
    )

    def __init__(self, *args, topics=None, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is None:
            del self.fields["organization"]
        else:
            self.fields["organization"].choices = [("", "—")] + [
                (str(o.pk), o.name) for o in organizations
            ]
            if len(organizations) == 1:
                self.fields["organization"].initial = organizations[0].pk
        if topics is None:
            del self.fields["topic"]
        else:
            self.fields["topic"].choices = [("", "—")] + [(str(t.pk), t.name) for t in topics]
