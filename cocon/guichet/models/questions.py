"""Questions a counter agent asks the referent network on behalf of a user, and their
conversation thread. The user's identity is not recorded unless it is needed and the
user consents; then it is erased at `contact_erase_on`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Question(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Awaiting an answer")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent (the user is waiting or a right may be lost)")

    class Level(models.IntegerChoices):
        REFERENT = 0, _("Referents")
        SUBSTITUTE = 1, _("Substitutes")
        MANAGER = 2, _("Referents' manager")

    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.CASCADE, related_name="guichet_questions"
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="guichet_questions",
    )
    asker_organization = models.ForeignKey(
        "territory.Organization",
        verbose_name=_("asking organization"),
        on_delete=models.PROTECT,
        related_name="guichet_questions_asked",
    )
    place = models.ForeignKey(
        "guichet.Place",
        verbose_name=_("counter or bus stop"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    appointment = models.ForeignKey(
        "guichet.Appointment",
        verbose_name=_("appointment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    topic = models.ForeignKey(
        "guichet.Topic", verbose_name=_("topic"), on_delete=models.PROTECT, related_name="questions"
    )
    target = models.ForeignKey(
        "territory.Organization",
        verbose_name=_("organization asked"),
        on_delete=models.PROTECT,
        related_name="guichet_questions_received",
    )
    text = models.TextField(_("question"))
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    # Only when the referent must contact the user and the user agreed.
    contact = models.CharField(_("user's contact"), max_length=300, blank=True)
    contact_consent_at = models.DateTimeField(_("contact consent given at"), null=True, blank=True)
    contact_erase_on = models.DateField(_("contact erased on"), null=True, blank=True)

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    level = models.PositiveSmallIntegerField(
        _("escalation level"), choices=Level.choices, default=Level.REFERENT
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due at"))
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answer = models.TextField(_("answer"), blank=True)
    # Recorded by the asking agent once the user has the answer.
    need_met = models.BooleanField(_("user's need met"), null=True, blank=True)
    need_met_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("question to a referent")
        verbose_name_plural = _("questions to referents")
        ordering = ["-asked_at", "-id"]
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["target", "topic", "state"]),
            models.Index(fields=["asker", "state"]),
            models.Index(fields=["territory", "asked_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.topic} → {self.target}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("guichet:question_detail", args=[self.pk])

    @property
    def answered_in_time(self) -> bool | None:
        if self.answered_at is None:
            return None
        return self.answered_at <= self.due_at

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.state == self.State.OPEN and self.due_at < now


class Message(models.Model):
    """One message of a question's thread (asker, referents, substitutes, manager)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("message"))
    is_answer = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.question_id} — {self.created_at:%Y-%m-%d %H:%M}"
