"""The referent network: topics and procedures shared by the territory, each
organization's answer commitment and opening hours, and its named referents."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: Opening hours used when an organization has not set its own: Monday to Friday,
#: 8:30-12:00 and 13:30-17:00 (a typical French public counter).
DEFAULT_OPENING = {str(day): [["08:30", "12:00"], ["13:30", "17:00"]] for day in range(5)}


class Topic(models.Model):
    """A subject on which counters ask questions (RSA, housing benefit, carte grise...).
    Shared by every organization of the territory, so that a question can reach the
    referents of any of them."""

    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.CASCADE, related_name="guichet_topics"
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "slug"], name="guichet_topic_slug")
        ]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """A procedure a user comes to a counter for (RSA file, carte grise, transport card,
    Christmas parcel for seniors...), optionally tied to the organization that runs it."""

    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.CASCADE, related_name="guichet_procedures"
    )
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150)
    organization = models.ForeignKey(
        "territory.Organization",
        verbose_name=_("organization in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guichet_procedures",
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), null=True, blank=True, on_delete=models.SET_NULL
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "slug"], name="guichet_procedure_slug")
        ]

    def __str__(self) -> str:
        return self.name


class Commitment(models.Model):
    """How fast an organization's referents commit to answer, counted in its own opening
    hours (the study: colleagues commit to answer within 48 hours)."""

    organization = models.OneToOneField(
        "territory.Organization", on_delete=models.CASCADE, related_name="guichet_commitment"
    )
    hours = models.PositiveSmallIntegerField(
        _("answer within (working hours)"),
        default=48,
        help_text=_("Counted in opening hours, without weekends and public holidays."),
    )
    urgent_hours = models.PositiveSmallIntegerField(
        _("urgent questions: answer within (working hours)"), default=8
    )
    reminder_hours = models.PositiveSmallIntegerField(
        _("remind the referent this many working hours before the deadline"), default=8
    )
    opening = models.JSONField(
        _("opening hours"),
        default=dict,
        blank=True,
        help_text=_('Per weekday (0 = Monday): [["08:30", "12:00"], ["13:30", "17:00"]].'),
    )
    alsace_moselle = models.BooleanField(_("Alsace-Moselle public holidays"), default=False)

    class Meta:
        verbose_name = _("answer commitment")
        verbose_name_plural = _("answer commitments")

    def __str__(self) -> str:
        return f"{self.organization} — {self.hours} h"

    def opening_hours(self) -> dict[int, list[tuple[dt.time, dt.time]]]:
        """The opening hours as `cocon.lib.workdays.add_working_hours` wants them."""
        raw = self.opening or DEFAULT_OPENING
        return {
            int(day): [(dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for a, b in spans]
            for day, spans in raw.items()
        }

    def clean(self):
        if self.urgent_hours and self.hours and self.urgent_hours > self.hours:
            raise ValidationError(
                {"urgent_hours": _("The urgent deadline cannot be longer than the normal one.")}
            )
        try:
            from cocon.lib.workdays import _opening_by_weekday

            _opening_by_weekday(self.opening_hours())
        except (TypeError, ValueError, AttributeError) as exc:
            raise ValidationError({"opening": _("Invalid opening hours.")}) from exc


class Referent(models.Model):
    """A person an organization names to answer the counters' questions on a topic.
    Titulars are asked first; substitutes when the titular is absent or the question is
    overdue; then the referent's manager."""

    class Rank(models.TextChoices):
        TITULAR = "titular", _("Titular")
        SUBSTITUTE = "substitute", _("Substitute")

    organization = models.ForeignKey(
        "territory.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="guichet_referents",
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="referents"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referent"),
        on_delete=models.CASCADE,
        related_name="guichet_referents",
    )
    rank = models.CharField(_("rank"), max_length=10, choices=Rank.choices, default=Rank.TITULAR)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager (last escalation step)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    absent_until = models.DateField(_("absent until"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("referent")
        verbose_name_plural = _("referents")
        ordering = ["topic__name", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "topic", "user"], name="guichet_referent_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.topic} ({self.organization})"

    def is_absent(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.absent_until is not None and self.absent_until >= today
