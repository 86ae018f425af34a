"""Forms of the charter of commitments. They parse and present; the rules (who may sign
for whom, twice, which version) live in `services_charter`, whose French messages are
shown next to the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cocon.core.forms import Form
from cocon.processes.models.charter import SignerKind


def _text_field(**kwargs):
    return forms.CharField(
        label=_("Text of the charter"),
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Plain text; leave an empty line between paragraphs (commitments)."),
        **kwargs,
    )


class CharterCreateForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    text = _text_field()
    revision_every_months = forms.IntegerField(
        label=_("Revised every (months)"),
        initial=24,
        min_value=1,
        max_value=120,
        help_text=_("The team is reminded when the revision date is reached."),
    )


class CharterSettingsForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    revision_every_months = forms.IntegerField(
        label=_("Revised every (months)"), min_value=1, max_value=120
    )


class RevisionForm(Form):
    text = _text_field()
    note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the signatories when they are asked to sign again."),
    )


class SignForm(Form):
    signer_kind = forms.ChoiceField(
        label=_("I sign as"), choices=SignerKind.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(
        label=_("Name shown"),
        max_length=200,
        required=False,
        help_text=_(
            "This name is public: it is listed with the signatories. For an association or "
            "an organization, leave empty to show its name."
        ),
    )
    organization = forms.ChoiceField(label=_("In the name of"), required=False, choices=[])

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = {o.pk: o for o in organizations}
        if self.organizations:
            self.fields["organization"].choices = [
                ("", _("— none —")),
                *((o.pk, o.name) for o in organizations),
            ]
        else:
            del self.fields["organization"]
        self.fields["signer_kind"].initial = SignerKind.INHABITANT

    def clean_organization(self):
        value = self.cleaned_data.get("organization")
        return self.organizations.get(int(value)) if value else None


class WithdrawForm(Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=500,
        required=False,
        help_text=_("Shown with the withdrawn signature."),
    )
