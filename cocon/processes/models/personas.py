"""Personas (Carte blanche): portraits built from the voices gathered by the process.

Every quote keeps a link to the voice (Paroles) or the proposal (Idées) it comes from,
so that a persona can always be traced back to real words, never invented ones.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cocon.lib.population import AGE_BANDS


class Persona(models.Model):
    AGE_BAND_CHOICES = [(band, band) for band in AGE_BANDS]

    process = models.ForeignKey(
        "processes.Process", on_delete=models.CASCADE, related_name="personas"
    )
    name = models.CharField(_("name"), max_length=120)
    age_band = models.CharField(_("age band"), max_length=5, choices=AGE_BAND_CHOICES, blank=True)
    situation = models.TextField(_("situation"), max_length=3000)
    needs = models.TextField(_("needs"), max_length=3000, blank=True)
    pains = models.TextField(_("pains (what gets in the way)"), max_length=3000, blank=True)
    journey = models.TextField(
        _("journey"),
        max_length=5000,
        blank=True,
        help_text=_("One step per line, in order."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Shown on the public page of the process.")
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("personas")
        ordering = ["process", "position", "pk"]

    def __str__(self) -> str:
        return self.name

    def journey_steps(self) -> list[str]:
        return [line.strip() for line in self.journey.splitlines() if line.strip()]


class PersonaQuote(models.Model):
    """Words of a real person given to the persona: from a voice (its reference is kept
    even when the voice text is edited) or a proposal of the process."""

    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="quotes")
    text = models.TextField(_("quote"), max_length=1000)
    voice = models.ForeignKey(
        "voices.Voice",
        verbose_name=_("voice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    idea = models.ForeignKey(
        "ideas.Idea",
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_label = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("E.g. « entretien du 12 mars », « atelier du 3 avril »."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("persona quote")
        verbose_name_plural = _("persona quotes")
        ordering = ["persona", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]
