"""The access-to-rights follow-up of a mobile legal team: pseudonymized cases (a number,
not a name), their actions, training sessions given to partner front-line workers, the
team's own indicators (formulas of `cocon.lib.indicators`), and a log of every read of
a case. Only the team's members and its named supervisors see any of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LegalTeam(models.Model):
    organization = models.ForeignKey(
        "territory.Organization", on_delete=models.CASCADE, related_name="legal_teams"
    )
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="legal_teams"
    )
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisors"),
        blank=True,
        related_name="supervised_legal_teams",
    )
    retention_months = models.PositiveSmallIntegerField(
        _("keep closed cases for (months)"), default=24
    )

    class Meta:
        verbose_name = _("legal team")
        verbose_name_plural = _("legal teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LegalCase(models.Model):
    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("legal case state", "Open")
        CLOSED = "closed", pgettext_lazy("legal case state", "Closed")

    team = models.ForeignKey(LegalTeam, on_delete=models.CASCADE, related_name="cases")
    number = models.CharField(_("case number"), max_length=30)
    # Only when the team needs to contact the person and the person consents.
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    contact_consent_at = models.DateTimeField(_("contact consent given at"), null=True, blank=True)
    situation = models.TextField(_("situation (no name)"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    erase_on = models.DateField(_("erased on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "number"], name="guichet_case_number")
        ]

    def __str__(self) -> str:
        return self.number


class CaseAction(models.Model):
    """One thing the team did on a case. `kind`, `outcome` and the dates are what the
    team's indicator formulas count (fields `kind`, `outcome`, `case`, `date`).

    When a case is erased at the end of its retention period, its actions stay,
    de-identified: `case` becomes NULL and `note` is emptied, but `team` and `case_key`
    (the erased case's row id, never reused) remain, so that the team's indicators —
    counts and distinct cases — do not change when old cases are erased."""

    class Kind(models.TextChoices):
        OUTREACH = "outreach", _("Outreach contact (maraude)")
        INFORMATION = "information", _("Information")
        ACCOMPANIMENT = "accompaniment", _("Accompaniment")
        RECOURS_GRACIEUX = "recours_gracieux", _("Recours gracieux")
        RECOURS_CONTENTIEUX = "recours_contentieux", _("Recours contentieux")
        REFERRAL = "referral", _("Referral")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        OBTAINED = "obtained", _("Right obtained")
        REJECTED = "rejected", _("Rejected")
        ABANDONED = "abandoned", _("Abandoned")
        NONE = "none", _("No outcome expected")

    team = models.ForeignKey(LegalTeam, on_delete=models.CASCADE, related_name="actions")
    case = models.ForeignKey(
        LegalCase, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    case_key = models.PositiveBigIntegerField(_("case key"), default=0)
    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["case", "date"]),
            models.Index(fields=["team", "date"], name="guichet_action_team_date"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.date}"


class TrainingSession(models.Model):
    team = models.ForeignKey(LegalTeam, on_delete=models.CASCADE, related_name="trainings")
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    partner = models.CharField(_("partner structure"), max_length=200, blank=True)
    attendees = models.PositiveSmallIntegerField(_("attendees"), default=0)
    attendance = models.TextField(
        _("attendance"), blank=True, help_text=_("One attendee per line: structure, role.")
    )

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.date})"


class Indicator(models.Model):
    team = models.ForeignKey(LegalTeam, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("name"), max_length=150)
    definition = models.TextField(_("definition"), blank=True)
    formula = models.CharField(_("formula"), max_length=500)
    target = models.FloatField(_("target"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CaseReadLog(models.Model):
    """Every read of a case, and every refused attempt (`allowed=False`)."""

    team = models.ForeignKey(LegalTeam, null=True, on_delete=models.SET_NULL, related_name="+")
    case = models.ForeignKey(
        LegalCase, null=True, blank=True, on_delete=models.SET_NULL, related_name="reads"
    )
    case_label = models.CharField(max_length=60, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    allowed = models.BooleanField(default=True)
    path = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("case read")
        verbose_name_plural = _("case reads")
        ordering = ["-at"]
        indexes = [models.Index(fields=["team", "at"]), models.Index(fields=["allowed", "at"])]

    def __str__(self) -> str:
        return f"{self.case_label} {self.user_id} {self.at:%Y-%m-%d %H:%M}"
