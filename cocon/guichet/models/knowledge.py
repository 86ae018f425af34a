"""The shared knowledge base: validated answers every counter of the territory can
search, each with its sources, a validity date and an owner who reviews it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class KnowledgeEntry(models.Model):
    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.CASCADE, related_name="guichet_entries"
    )
    organization = models.ForeignKey(
        "territory.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="guichet_entries",
    )
    topic = models.ForeignKey(
        "guichet.Topic", verbose_name=_("topic"), on_delete=models.PROTECT, related_name="entries"
    )
    question = models.CharField(_("question"), max_length=500)
    answer = models.TextField(_("answer"))
    sources = models.TextField(
        _("sources"), help_text=_("Texts, circulars, web pages the answer rests on.")
    )
    valid_until = models.DateField(_("valid until"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="guichet_entries",
    )
    source_question = models.OneToOneField(
        "guichet.Question",
        verbose_name=_("from the question"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="knowledge_entry",
    )
    usage_count = models.PositiveIntegerField(_("times used"), default=0)
    review_requested_at = models.DateTimeField(null=True, blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("knowledge entry")
        verbose_name_plural = _("knowledge entries")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["territory", "topic"]),
            models.Index(fields=["owner", "valid_until"]),
            models.Index(fields=["valid_until"]),
        ]

    def __str__(self) -> str:
        return self.question[:80]

    def is_expired(self, today=None) -> bool:
        return self.valid_until < (today or timezone.localdate())


class KnowledgeUse(models.Model):
    """A counter agent opened or used an entry: what counters need, per month and topic."""

    entry = models.ForeignKey(KnowledgeEntry, on_delete=models.CASCADE, related_name="uses")
    organization = models.ForeignKey(
        "territory.Organization", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("knowledge entry use")
        verbose_name_plural = _("knowledge entry uses")
        indexes = [models.Index(fields=["entry", "used_at"])]

    def __str__(self) -> str:
        return f"{self.entry_id} @ {self.used_at:%Y-%m-%d}"
