"""Shared models: the email outbox."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxEmail(models.Model):
    """An email written in the same transaction as the change that causes it.

    If the transaction rolls back, the email was never "sent"; if the mail server is
    down, the row stays pending and is retried by `cocon outbox send` / `cocon worker`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed (gave up)")

    to = models.JSONField(_("recipients"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text body"))
    html = models.TextField(_("HTML body"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)} ({self.status})"
