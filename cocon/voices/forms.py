"""Forms of Paroles. They parse and present; the rules live in `services.validate_capture`
so that the web forms and the API refuse exactly the same things."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cocon.core.forms import Form
from cocon.territory.models import Commune, Organization, Service
from cocon.voices.models import (
    SEX_CHOICES,
    TEXT_MAX,
    AgeBand,
    CaptureMode,
    Channel,
    Kind,
    Occupation,
    Status,
)
from cocon.voices.services import MAX_PHOTOS, check_phone


def contact_fields(*, email_label, consent_label) -> tuple:
    """Email, phone and consent to be answered — the same fields and checks on every
    public form (voices, reports); only the wording of what the answer is changes."""
    email = forms.EmailField(
        label=email_label,
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Enter a valid email address, such as nom@exemple.fr.")},
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(label=consent_label, required=False)
    return email, phone, consent


PUBLIC_KINDS = [(k.value, k.label) for k in Kind if k not in (Kind.OBSERVATION, Kind.REPORT)]
PUBLIC_KIND_HELP = {
    Kind.TESTIMONY: _("Tell us what you lived"),
    Kind.SUGGESTION: _("An idea to do better"),
    Kind.ALERT: _("Something worries you"),
    Kind.COMPLAINT: _("Something went wrong"),
    Kind.THANKS: _("Say thank you to a team or an agent"),
    Kind.QUESTION: _("You need an answer"),
}
AGENT_CHANNELS = [(c.value, c.label) for c in Channel if c != Channel.WEB]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(item, initial) for item in items if item]


class ButtonsSelect(forms.RadioSelect):
    """Radio buttons drawn as large buttons (one tap on a phone)."""

    template_name = "voices/widgets/buttons.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.attrs.setdefault("class", "choice-buttons")


def service_choices(territory, *, public_only: bool) -> list:
    """Services grouped by organization, for a <select> with <optgroup>s."""
    services = (
        Service.objects.filter(organization__territory=territory, organization__is_active=True)
        .select_related("organization")
        .order_by("organization__name", "name")
    )
    if public_only:
        services = services.filter(is_public=True)
    groups: dict[str, list] = {}
    for service in services:
        groups.setdefault(service.organization.display_name, []).append(
            (str(service.pk), service.name)
        )
    return list(groups.items())


class VoiceFormBase(Form):
    text = forms.CharField(
        label=_("Your message"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(
            attrs={"rows": 6, "spellcheck": "true", "lang": "fr", "autocapitalize": "sentences"}
        ),
        error_messages={"required": _("Write your message (this field cannot be empty).")},
    )
    service = forms.TypedChoiceField(
        label=_("Service concerned"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "If you do not know, leave “Let Cocon route it”: we send it to the right service."
        ),
    )
    commune = forms.ModelChoiceField(
        label=_("Commune"),
        queryset=Commune.objects.none(),
        required=False,
        empty_label=_("— not specified —"),
    )
    address = forms.CharField(
        label=_("Address or place (optional)"), max_length=300, required=False
    )
    event_date = forms.DateField(
        label=_("Date of the event (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date such as 15/03/2026.")},
    )
    photos = PhotosField(
        label=_("Photos (optional)"),
        required=False,
        help_text=_(
            "Up to 5 images (JPEG, PNG or WebP), 10 MB each. Location and device data are removed."
        ),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    contact_email, contact_phone, contact_consent = contact_fields(
        email_label=_("Email to receive the answer (optional)"),
        consent_label=_(
            "I agree that this contact is kept only to send the answer, then erased 12 months after the message is closed."  # noqa: E501
        ),
    )
    profile_consent = forms.BooleanField(
        label=_(
            "I agree to say who I am in broad categories, used only for statistics (optional)."
        ),
        required=False,
    )
    age_band = forms.ChoiceField(
        label=_("Age"), choices=[("", "—"), *AgeBand.choices], required=False
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *SEX_CHOICES], required=False)
    occupation = forms.ChoiceField(
        label=_("Occupation"), choices=[("", "—"), *Occupation.choices], required=False
    )
    profile_commune = forms.ModelChoiceField(
        label=_("Commune of residence"),
        queryset=Commune.objects.none(),
        required=False,
        empty_label="—",
    )

    public_only = True

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory
        communes = Commune.objects.filter(territory=territory).order_by("name")
        self.fields["commune"].queryset = communes
        self.fields["profile_commune"].queryset = communes
        self.fields["service"].choices = [
            ("", _("Let Cocon route it")),
            *service_choices(territory, public_only=self.public_only),
        ]
        self.fields["photos"].max_count = MAX_PHOTOS

    def clean_contact_phone(self):
        return check_phone(self.cleaned_data.get("contact_phone") or "")

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > MAX_PHOTOS:
            raise ValidationError(_("%(max)s photos at most."), params={"max": MAX_PHOTOS})
        return photos

    def service_object(self):
        pk = self.cleaned_data.get("service")
        if not pk:
            return None
        return Service.objects.select_related("organization").filter(pk=pk).first()

    def profile(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("profile_consent"):
            return None
        return {
            "age_band": data.get("age_band"),
            "sex": data.get("sex"),
            "occupation": data.get("occupation"),
            "commune": data.get("profile_commune"),
        }

    def apply_errors(self, error: ValidationError) -> None:
        """Show the service layer's errors next to the matching fields."""
        for name, messages in error.message_dict.items():
            target = name if name in self.fields else None
            if name in ("latitude", "longitude"):
                target = "address" if "address" in self.fields else None
            for message in messages:
                self.add_error(target, message)


class PublicVoiceForm(VoiceFormBase):
    kind = forms.ChoiceField(
        label=_("What do you want to tell us?"),
        choices=PUBLIC_KINDS,
        widget=ButtonsSelect,
        error_messages={"required": _("Choose what kind of message it is.")},
    )
    website = forms.CharField(required=False, label=_("Leave this field empty"))  # honeypot

    field_order = ["kind", "text", "service", "commune", "address", "event_date", "photos"]


class AgentCaptureForm(VoiceFormBase):
    capture_mode = forms.ChoiceField(
        label=_("Who speaks?"),
        choices=[
            (CaptureMode.RELAYED.value, _("A person, I relay their words")),
            (CaptureMode.OBSERVATION.value, _("Me: my own field observation")),
        ],
        initial=CaptureMode.RELAYED.value,
        widget=ButtonsSelect,
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, k.label) for k in Kind if k != Kind.REPORT],  # reports: their own form
        widget=ButtonsSelect,
        error_messages={"required": _("Choose what kind of message it is.")},
    )
    channel = forms.ChoiceField(
        label=_("Where or how?"),
        choices=AGENT_CHANNELS,
        initial=Channel.COUNTER.value,
        widget=ButtonsSelect,
    )
    public_only = False
    field_order = [
        "capture_mode",
        "kind",
        "channel",
        "text",
        "service",
        "commune",
        "address",
        "photos",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("What was said or seen")
        self.fields["text"].help_text = _(
            "Keep the person's own words. You can dictate with your phone's microphone."
        )
        self.fields["contact_email"].label = _("Person's email, to send the answer (optional)")
        self.fields["contact_phone"].label = _("Person's phone (optional)")
        self.fields["contact_consent"].label = _(
            "The person agrees that this contact is kept only to send the answer."
        )
        self.fields["profile_consent"].label = _(
            "The person agrees to give their profile (statistics only)."
        )
        self.fields["service"].help_text = _(
            "Any service of the territory, whatever its organization. Leave empty to let Cocon route it."  # noqa: E501
        )


class StatusForm(Form):
    status = forms.ChoiceField(label=_("New status"), choices=[])
    text = forms.CharField(
        label=_("Text for the person"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "lang": "fr", "spellcheck": "true"}),
        help_text=_(
            "Required for an answer or a referral. Sent by email if the person left one, and shown on their tracking page."  # noqa: E501
        ),
    )
    signed_by = forms.TypedChoiceField(
        label=_("Signed by an élu (optional)"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, allowed: list[str], elus: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, Status(s).label) for s in allowed]
        self.fields["signed_by"].choices = [("", _("The service"))] + [
            (str(u.pk), u.full_name) for u in elus
        ]
        if not elus:
            del self.fields["signed_by"]


class RerouteForm(Form):
    service = forms.TypedChoiceField(label=_("Send to the service"), coerce=int)
    reason = forms.CharField(
        label=_("Reason (kept in the history)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the voice goes to another service.")},
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "—"), *service_choices(territory, public_only=False)]


class ShareForm(Form):
    service = forms.TypedChoiceField(label=_("Share with the service"), coerce=int)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "—"), *service_choices(territory, public_only=False)]


class NoteForm(Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by staff only, never by the person."),
    )


class EscalateForm(Form):
    note = forms.CharField(
        label=_("Why the élu should see it (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MergeForm(Form):
    references = forms.CharField(
        label=_("References of the duplicates"),
        max_length=500,
        help_text=_(
            "Separated by commas, e.g. ABCD-2345, EFGH-6789. They will receive the same answer."
        ),
    )


class TrackForm(Form):
    reference = forms.CharField(
        label=_("Reference"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class FeedFilterForm(Form):
    """GET filters of the feeds (never raises: unknown values are ignored)."""

    service = forms.TypedChoiceField(
        label=_("Service"), required=False, coerce=int, empty_value=None
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *Kind.choices]
    )
    theme = forms.TypedChoiceField(label=_("Theme"), required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All")), *Channel.choices]
    )
    commune = forms.TypedChoiceField(
        label=_("Commune"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("open", _("Open (not answered)")),
            ("overdue", _("Overdue")),
            *Status.choices,
        ],
    )
    relayed = forms.ChoiceField(
        label=_("Captured"),
        required=False,
        choices=[
            ("", _("All")),
            ("yes", _("Relayed by an agent")),
            ("no", _("Direct from the person")),
        ],
    )
    escalated = forms.BooleanField(label=_("Only voices brought to the élus"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, services, themes, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("All"))] + [(str(s.pk), str(s)) for s in services]
        self.fields["theme"].choices = [("", _("All"))] + [(str(t.pk), t.name) for t in themes]
        self.fields["commune"].choices = [("", _("All"))] + [(str(c.pk), c.name) for c in communes]


__all__ = ["AgentCaptureForm", "Organization", "PublicVoiceForm"]


class RoutingRuleForm(Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *Kind.choices]
    )
    theme = forms.TypedChoiceField(label=_("Theme"), required=False, coerce=int, empty_value=None)
    service = forms.TypedChoiceField(label=_("Goes to the service"), coerce=int)

    def __init__(self, *args, organization, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("Any theme"))] + [
            (str(t.pk), t.name) for t in themes
        ]
        self.fields["service"].choices = [("", "—")] + [
            (str(s.pk), s.name) for s in organization.services.order_by("name")
        ]


class CommitmentForm(Form):
    service = forms.TypedChoiceField(label=_("Service"), coerce=int)
    acknowledge_days = forms.IntegerField(
        label=_("Acknowledge within (working days)"), min_value=1, max_value=60
    )
    answer_days = forms.IntegerField(
        label=_("Answer within (working days)"), min_value=1, max_value=120
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "—")] + [
            (str(s.pk), s.name) for s in organization.services.order_by("name")
        ]


class ThankForm(Form):
    agent = forms.TypedChoiceField(label=_("Agent thanked"), coerce=int)

    def __init__(self, *args, organization, **kwargs):
        from cocon.accounts.models import User

        super().__init__(*args, **kwargs)
        agents = (
            User.objects.filter(agent_profile__organization=organization, is_active=True)
            .select_related("agent_profile__service")
            .order_by("full_name")
        )
        self.fields["agent"].choices = [("", "—")] + [
            (
                str(u.pk),
                f"{u.full_name} — {u.agent_profile.service.name}"
                if u.agent_profile.service
                else u.full_name,
            )
            for u in agents
        ]
