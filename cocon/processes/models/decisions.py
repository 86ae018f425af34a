"""Decisions on the proposals of a process, the feedback synthesis sent to everyone who
took part, and the action programme by which the services account for what was retained.

A decision is also applied to the idea itself (Idées keeps the status history and tells
the author and followers); this table keeps what Idées has no field for: the outcome's
nuance (retained with changes, out of scope), the changes and the deciding authority.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    RETAINED = "retained", _("Retained")
    RETAINED_WITH_CHANGES = "retained_with_changes", _("Retained with changes")
    REJECTED = "rejected", _("Rejected")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")


RETAINED_OUTCOMES = {Outcome.RETAINED, Outcome.RETAINED_WITH_CHANGES}
REASON_MAX = 5000
AUTHORITY_MAX = 250


class ProposalDecision(models.Model):
    process = models.ForeignKey(
        "processes.Process", on_delete=models.CASCADE, related_name="decisions"
    )
    idea = models.OneToOneField(
        "ideas.Idea", on_delete=models.CASCADE, related_name="process_decision"
    )
    outcome = models.CharField(_("decision"), max_length=24, choices=Outcome.choices)
    reason = models.TextField(_("reason"), max_length=REASON_MAX)
    changes = models.TextField(_("changes made to the proposal"), max_length=REASON_MAX, blank=True)
    authority = models.CharField(
        _("deciding authority"),
        max_length=AUTHORITY_MAX,
        help_text=_("E.g. « Conseil communautaire du 12 mai 2026 »."),
    )
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("decision on a proposal")
        verbose_name_plural = _("decisions on proposals")
        ordering = ["process", "idea"]
        indexes = [models.Index(fields=["process", "outcome"], name="proposal_decision_outcome")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} — {self.idea_id}"

    @property
    def is_retained(self) -> bool:
        return self.outcome in RETAINED_OUTCOMES


class Synthesis(models.Model):
    """« Ce que vous avez proposé, ce qui a été décidé, pourquoi »."""

    process = models.OneToOneField(
        "processes.Process", on_delete=models.CASCADE, related_name="synthesis"
    )
    introduction = models.TextField(_("introduction"), max_length=10000, blank=True)
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notified_at = models.DateTimeField(_("participants told on"), null=True, blank=True)
    recipients_count = models.PositiveIntegerField(default=0)
    emails_count = models.PositiveIntegerField(default=0)
    in_app_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("feedback synthesis")
        verbose_name_plural = _("feedback syntheses")

    def __str__(self) -> str:
        return str(self.process_id)


class BudgetBand(models.TextChoices):
    NONE = "none", _("No cost")
    UNDER_10K = "lt10k", _("< 10 k€")
    FROM_10K = "10k50k", _("10–50 k€")
    FROM_50K = "50k200k", _("50–200 k€")
    OVER_200K = "gt200k", _("> 200 k€")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    ABANDONED = "abandoned", _("Abandoned")


class Action(models.Model):
    """One action of the programme: what a service does to implement retained
    proposals, followed publicly."""

    process = models.ForeignKey(
        "processes.Process", on_delete=models.CASCADE, related_name="actions"
    )
    ideas = models.ManyToManyField(
        "ideas.Idea", verbose_name=_("proposals implemented"), related_name="process_actions"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    service = models.ForeignKey(
        "territory.Service",
        verbose_name=_("service in charge"),
        on_delete=models.PROTECT,
        related_name="process_actions",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="process_actions",
    )
    # shown publicly instead of the owner's name
    owner_function = models.CharField(
        _("function of the person in charge"),
        max_length=200,
        blank=True,
        help_text=_("Shown publicly instead of the name, e.g. « Responsable espaces verts »."),
    )
    budget_band = models.CharField(
        _("budget"), max_length=10, choices=BudgetBand.choices, default=BudgetBand.NONE
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    abandon_reason = models.TextField(_("why it was abandoned"), max_length=5000, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["process", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="process_action_progress_max"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["action", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title
