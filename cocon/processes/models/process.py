"""A co-construction process (démarche) and its ordered phases.

A process is a frame: its proposals are the ideas of one Idées campaign it owns
(`Process.campaign`), its voices are voices of Paroles it links (`ProcessVoice`), its
events, personas, white paper, decisions, action programme and charter hang from it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Template(models.TextChoices):
    """The five field cases of the study, plus a blank process."""

    TRANSFO = "transfo", _("La Transfo (agent ambassadors, public innovation lab)")
    CARTE_BLANCHE = "carte_blanche", _("Carte blanche (priority fields chosen by agents)")
    PNU = "pnu", _("Parc naturel urbain (livre blanc, decisions, charter)")
    FLASH_360 = "flash360", _("Flash 360 (a three-hour shared-diagnosis workshop)")
    DIAGNOSTIC = "diagnostic", _("Shared diagnosis and evaluation (mobile legal team)")
    BLANK = "blank", _("Blank process")


class Component(models.TextChoices):
    """What a phase turns on. A phase may turn on several."""

    INFORMATION = "information", _("Information page")
    VOICES = "voices", _("Collection of voices")
    PROPOSALS = "proposals", _("Collection of proposals")
    EVENTS = "events", _("Events (meetings, workshops, walks, co-training)")
    SURVEY = "survey", _("Survey")
    AMBASSADORS = "ambassadors", _("Call for agent ambassadors")
    PERSONAS = "personas", _("Personas")
    WHITE_PAPER = "white_paper", _("White paper (livre blanc)")
    DECISION = "decision", _("Deliberation and decisions")
    FEEDBACK = "feedback", _("Feedback to participants")
    ACTIONS = "actions", _("Action programme")
    CHARTER = "charter", _("Charter of commitments")


class Process(models.Model):
    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.CASCADE, related_name="processes"
    )
    organization = models.ForeignKey(
        "territory.Organization",
        verbose_name=_("organization leading the process"),
        on_delete=models.PROTECT,
        related_name="processes",
    )
    organizations = models.ManyToManyField(
        "territory.Organization",
        verbose_name=_("organizations involved"),
        blank=True,
        related_name="processes_involved",
    )
    services = models.ManyToManyField(
        "territory.Service",
        verbose_name=_("services involved"),
        blank=True,
        related_name="processes",
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("web address"), max_length=80)
    question = models.TextField(_("question asked"), max_length=1000)
    description = models.TextField(_("presentation"), max_length=10000, blank=True)
    scope = models.CharField(
        _("territory concerned"),
        max_length=300,
        blank=True,
        help_text=_("E.g. « Quartiers nord de la ville » or « Toute l'agglomération »."),
    )
    communes = models.ManyToManyField(
        "territory.Commune", verbose_name=_("communes concerned"), blank=True, related_name="+"
    )
    owner_team = models.CharField(_("project team"), max_length=200, blank=True)
    animateurs = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitators (animateurs) of the process"),
        blank=True,
        related_name="processes_animated",
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sponsoring élu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="processes_sponsored",
    )
    sponsor_label = models.CharField(
        _("sponsoring élu (name and delegation)"), max_length=250, blank=True
    )
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("A private process is seen only by the agents of the organizations involved."),
    )
    template = models.CharField(
        _("template"), max_length=20, choices=Template.choices, default=Template.BLANK
    )
    # the Idées campaign holding the proposals of the process (created with the process)
    campaign = models.OneToOneField(
        "ideas.Campaign",
        verbose_name=_("call for proposals"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="process",
    )
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "slug"], name="process_unique_slug")
        ]

    def current_phase_with(self, component: str, today=None):
        """The phase of today that turns `component` on, if any (reads the phases, so
        prefetch them on lists)."""
        today = today or timezone.localdate()
        return next(
            (p for p in self.phases.all() if p.has(component) and p.state(today) == "current"),
            None,
        )

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("processes:detail", args=[self.slug])

    @property
    def organization_ids(self) -> set[int]:
        """The leading organization and those involved (needs `organizations` prefetched
        to avoid a query)."""
        return {self.organization_id} | {o.pk for o in self.organizations.all()}


class Phase(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    components = models.JSONField(_("components"), default=list, blank=True)
    # the questionnaire of a "survey" phase: a barometer of one of the organizations
    survey = models.ForeignKey(
        "barometer.Barometer",
        verbose_name=_("survey (barometer)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="process_phases",
    )

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["process", "position"]
        constraints = [
            models.UniqueConstraint(fields=["process", "position"], name="phase_unique_position"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="phase_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def has(self, component: str) -> bool:
        return component in self.components

    def state(self, today=None) -> str:
        """ "past", "current" or "future" on `today`."""
        today = today or timezone.localdate()
        if today < self.starts_on:
            return "future"
        if today > self.ends_on:
            return "past"
        return "current"


class ProcessVoice(models.Model):
    """A voice of Paroles gathered for the process (by its collection phase, or linked
    by the team from the voices already received)."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="voice_links")
    phase = models.ForeignKey(
        Phase, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    voice = models.ForeignKey("voices.Voice", on_delete=models.CASCADE, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["process", "voice"], name="process_voice_unique")
        ]

    def __str__(self) -> str:
        return f"{self.process} — {self.voice_id}"
