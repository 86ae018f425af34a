"""Forms of the Guichet questions: ask, write in the thread, answer, record the need."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cocon.core.forms import Form
from cocon.guichet.models import Appointment, Place, Question, Topic
from cocon.territory.models import Organization


class TargetSelect(forms.Select):
    """The organization select; each option carries the ids of the topics its referents
    answer on (`data-topics`), so that `guichet/ask.js` can offer only the organizations
    that answer on the chosen topic. Without JavaScript every organization is listed and
    the service refuses a wrong pair with a message naming the right ones."""

    topics_by_org: dict[int, list[int]] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        pk = getattr(value, "value", value)
        if pk not in (None, ""):
            topics = self.topics_by_org.get(int(pk), [])
            option["attrs"]["data-topics"] = " ".join(str(t) for t in topics)
        return option


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class AskForm(Form):
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.none(),
        empty_label=_("— Choose a topic —"),
        error_messages={
            "required": _("Choose the topic of the question."),
            "invalid_choice": _("Choose the topic of the question."),
        },
    )
    target = forms.ModelChoiceField(
        label=_("Organization asked"),
        queryset=Organization.objects.none(),
        widget=TargetSelect,
        empty_label=_("— Choose an organization —"),
        help_text=_(
            "Only organizations with referents are listed, with the topics they answer on."
        ),
        error_messages={
            "required": _("Choose the organization to ask."),
            "invalid_choice": _("Choose the organization to ask."),
        },
    )
    text = forms.CharField(
        label=_("Question"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("Describe the situation without naming the user."),
        error_messages={"required": _("Write the question.")},
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Question.Urgency.choices,
        initial=Question.Urgency.NORMAL,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the urgency.")},
    )
    place = forms.ModelChoiceField(
        label=_("Counter or bus stop"),
        queryset=Place.objects.none(),
        required=False,
        empty_label=_("— None —"),
    )
    appointment = forms.ModelChoiceField(
        queryset=Appointment.objects.none(), required=False, widget=forms.HiddenInput
    )
    contact = forms.CharField(
        label=_("User's contact (only if the referent must reach them)"),
        max_length=300,
        required=False,
        help_text=_("Phone or email. Erased three months after the answer."),
    )
    contact_consent = forms.BooleanField(
        label=_("The user agrees that the referent contacts them"), required=False
    )
    attachments = MultipleFileField(
        label=_("Attachments (PDF or photos, 10 MB each)"), required=False
    )

    def __init__(self, *args, territory_id, organization_id, user, pairs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(
            territory_id=territory_id, is_active=True
        ).order_by("name")
        topics_by_org: dict[int, list[str]] = {}
        topic_ids_by_org: dict[int, list[int]] = {}
        for topic, orgs in pairs:
            for org in orgs:
                topics_by_org.setdefault(org.pk, []).append(topic.name)
                topic_ids_by_org.setdefault(org.pk, []).append(topic.pk)
        self.fields["target"].widget.topics_by_org = topic_ids_by_org
        self.fields["target"].queryset = Organization.objects.filter(
            pk__in=list(topics_by_org)
        ).order_by("name")
        self.fields["target"].label_from_instance = lambda org: (
            f"{org.name} ({', '.join(topics_by_org.get(org.pk, []))})"
        )
        self.fields["place"].queryset = (
            Place.objects.filter(is_active=True)
            .filter(Q(organization_id=organization_id) | Q(agents=user))
            .distinct()
            .select_related("commune")
        )
        self.fields["appointment"].queryset = Appointment.objects.filter(
            organization_id=organization_id
        )


class MessageForm(Form):
    text = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("Write a message.")},
    )


class AnswerForm(Form):
    text = forms.CharField(
        label=_("Answer"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        error_messages={"required": _("Write the answer.")},
    )


class NeedForm(Form):
    met = forms.TypedChoiceField(
        label=_("Was the user's need met?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the user's need was met.")},
    )
