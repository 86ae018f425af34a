"""Events of a process (public meetings, workshops, immersion walks, co-training
sessions, Flash 360), who registered with which role, who came, and what the workshop
produced. Registrations hold a contact only when the person gives one; it is erased
after the process (`contact_erase_on`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    MEETING = "meeting", _("Public meeting")
    WORKSHOP = "workshop", _("Workshop")
    WALK = "walk", _("Immersion walk")
    CO_TRAINING = "co_training", _("Co-training session (usagers, agents, managers, élus)")
    FLASH_360 = "flash360", _("Flash 360 workshop (three hours)")
    INTERVIEW = "interview", _("Interviews and immersions")
    OTHER = "other", _("Other event")


class ParticipantRole(models.TextChoices):
    """The roles of a mixed panel (panel composition, participation figures)."""

    USAGER = "usager", _("Inhabitant or user (usager)")
    AGENT = "agent", _("Agent")
    EXPERT = "expert", _("Expert")
    ELU = "elu", _("Elected official (élu)")
    ASSOCIATION = "association", _("Association")
    ADMINISTRATION = "administration", _("Administration (management)")


class Event(models.Model):
    process = models.ForeignKey(
        "processes.Process", on_delete=models.CASCADE, related_name="events"
    )
    phase = models.ForeignKey(
        "processes.Phase",
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    accessibility = models.TextField(
        _("accessibility of the place"),
        max_length=1000,
        blank=True,
        help_text=_("Step-free access, hearing loop, interpreter, childcare…"),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    registration_open = models.BooleanField(_("registration open"), default=True)
    # {"usager": 8, "agent": 4, ...}: the mix the animateur aims for
    target_mix = models.JSONField(_("target mix of the panel"), default=dict, blank=True)
    minutes = models.TextField(_("minutes"), max_length=50000, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="process_registrations",
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"), blank=True)
    email_consent = models.BooleanField(
        _("I agree to be told by email about what the process decides"), default=False
    )
    contact_erase_on = models.DateField(null=True, blank=True, db_index=True)
    role = models.CharField(_("you come as"), max_length=20, choices=ParticipantRole.choices)
    category = models.CharField(
        _("agent category"), max_length=1, blank=True, help_text=_("A, B, C or - (agents only).")
    )
    organization_label = models.CharField(
        _("organization or association"), max_length=200, blank=True
    )
    accessibility_needs = models.TextField(_("accessibility needs"), max_length=1000, blank=True)
    # optional profile, for the representativeness figures of the white paper
    age_band = models.CharField(_("age band"), max_length=5, blank=True)
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name=_("commune of residence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED
    )
    attended = models.BooleanField(_("present"), null=True, blank=True)
    attendance_taken_at = models.DateTimeField(null=True, blank=True)
    walk_in = models.BooleanField(_("came without registering"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # the reminder sent before the event (once; see services_events.send_reminders)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "pk"]

        indexes = [models.Index(fields=["event", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=models.Q(user__isnull=False) & ~models.Q(status="cancelled"),
                name="registration_once_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.event}"


class EventOutput(models.Model):
    """A sticky note or a proposal of a workshop, entered as a contribution of the
    process: the idea lives in the process's Idées campaign, this row ties it to the
    event it came from."""

    class Kind(models.TextChoices):
        STICKY_NOTE = "sticky_note", _("Sticky note")
        PROPOSAL = "proposal", _("Proposal")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="outputs")
    idea = models.OneToOneField("ideas.Idea", on_delete=models.CASCADE, related_name="event_output")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("workshop output")
        verbose_name_plural = _("workshop outputs")
        ordering = ["event", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.event}"
