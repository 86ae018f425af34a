"""Call for agent ambassadors (La Transfo): applications approved by the manager, a
stratified random draw with a seed published beforehand (`cocon.lib.draw`), the final
list, mission letters and the time actually spent.

The draw is verifiable: each application has a public pseudonymous key ("C-0007") and
the call keeps, at the draw, a snapshot of everything needed to re-run it
(`AmbassadorCall.draw_data`), which survives the erasure of an applicant.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cocon.accounts.models import Category

HOURS_PER_DAY = Decimal(7)
TARGET_ATTRIBUTES = ("category", "service", "gender")


class Gender(models.TextChoices):
    NOT_GIVEN = "", _("Not given")
    F = "F", _("Woman")
    M = "M", _("Man")
    OTHER = "other", _("Other")


class AmbassadorCall(models.Model):
    process = models.ForeignKey(
        "processes.Process", on_delete=models.CASCADE, related_name="ambassador_calls"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    commitment = models.CharField(
        _("commitment"),
        max_length=300,
        help_text=_("E.g. « 3 jours par mois pendant 16 mois »."),
    )
    days_per_month = models.DecimalField(
        _("days per month"), max_digits=4, decimal_places=1, default=Decimal(3)
    )
    months = models.PositiveSmallIntegerField(_("months"), default=16)
    opens_on = models.DateField(_("applications open on"))
    closes_on = models.DateField(_("applications close on"))
    closed_at = models.DateTimeField(_("closed early on"), null=True, blank=True)
    seats = models.PositiveSmallIntegerField(_("seats"))
    targets = models.JSONField(_("diversity targets"), default=dict, blank=True)
    seed = models.CharField(_("seed of the draw"), max_length=64)
    drawn_at = models.DateTimeField(null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # snapshot at the draw: seed, seats, targets, candidates (key + values), result
    draw_data = models.JSONField(default=dict, blank=True)
    finalized_at = models.DateTimeField(null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    key_counter = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("call for ambassadors")
        verbose_name_plural = _("calls for ambassadors")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="ambassador_call_dates_in_order",
            ),
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="ambassador_call_seats"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("processes:call_detail", args=[self.pk])

    def is_open(self, today=None) -> bool:
        """Applications accepted (rules.py `processes.apply`)."""
        if self.closed_at or self.drawn_at:
            return False
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on

    def is_closed(self, today=None) -> bool:
        """Applications no longer accepted: the draw may run."""
        today = today or timezone.localdate()
        return bool(self.closed_at) or today > self.closes_on

    @property
    def is_drawn(self) -> bool:
        return self.drawn_at is not None

    @property
    def is_finalized(self) -> bool:
        return self.finalized_at is not None


class Decision(models.TextChoices):
    PENDING = "pending", _("Awaiting the manager")
    APPROVED = "approved", _("Approved by the manager")
    REFUSED = "refused", _("Refused by the manager")


class Application(models.Model):
    call = models.ForeignKey(AmbassadorCall, on_delete=models.CASCADE, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ambassador_applications",
    )
    key = models.CharField(_("public key"), max_length=20)
    motivation = models.TextField(_("motivation"), max_length=5000)
    service = models.ForeignKey(
        "territory.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    service_label = models.CharField(_("service"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=1, choices=Category.choices)
    gender = models.CharField(
        _("gender"), max_length=5, choices=Gender.choices, blank=True, default=""
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager asked to approve"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ambassador_applications_to_review",
    )
    manager_decision = models.CharField(
        max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    manager_reason = models.TextField(_("reason"), max_length=2000, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    draw_rank = models.PositiveIntegerField(null=True, blank=True)
    selected = models.BooleanField(default=False)
    waiting_rank = models.PositiveIntegerField(null=True, blank=True)
    letter_generated_at = models.DateTimeField(null=True, blank=True)
    anonymized_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ambassador application")
        verbose_name_plural = _("ambassador applications")
        ordering = ["call", "key"]
        constraints = [
            models.UniqueConstraint(fields=["call", "key"], name="application_unique_key"),
            models.UniqueConstraint(
                fields=["call", "applicant"],
                condition=models.Q(applicant__isnull=False),
                name="application_once_per_call",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    def draw_values(self) -> dict[str, str]:
        """The values this application is drawn with (`cocon.lib.draw.Candidate`)."""
        return {"category": self.category, "service": self.service_label, "gender": self.gender}

    @property
    def in_pool(self) -> bool:
        return self.manager_decision == Decision.APPROVED and self.withdrawn_at is None


class TimeUnit(models.TextChoices):
    DAYS = "days", _("days")
    HOURS = "hours", _("hours")


class TimeEntry(models.Model):
    """Time actually spent on the mission by an ambassador."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="time_entries"
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("duration"), max_digits=5, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=5, choices=TimeUnit.choices, default="days")
    activity = models.CharField(_("activity"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="time_entry_positive")
        ]

    def __str__(self) -> str:
        return f"{self.date} — {self.amount} {self.unit}"

    @property
    def days(self) -> Decimal:
        return self.amount if self.unit == TimeUnit.DAYS else self.amount / HOURS_PER_DAY
