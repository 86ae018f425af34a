"""Emails through an outbox: written with the change, delivered after commit.

`queue_email()` is the only way Cocon sends mail. In "inline" mode (the default) the
web process delivers right after the transaction commits; in "worker" mode
`cocon worker` delivers. Either way a failed delivery is retried with back-off.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from cocon.core.models import OutboxEmail

log = logging.getLogger("cocon.outbox")
MAX_ATTEMPTS = 8


def queue_email(*, to: list[str] | str, subject: str, body: str, html: str = "") -> OutboxEmail:
    recipients = [to] if isinstance(to, str) else list(to)
    email = OutboxEmail.objects.create(to=recipients, subject=subject[:300], body=body, html=html)
    if settings.OUTBOX_MODE == "inline":
        transaction.on_commit(lambda: deliver(email.pk))
    return email


def deliver(pk: int) -> bool:
    """Send one pending email; on failure schedule a retry (exponential back-off)."""
    with transaction.atomic():
        email = (
            OutboxEmail.objects.select_for_update()
            .filter(pk=pk, status=OutboxEmail.Status.PENDING)
            .first()
        )
        if email is None:
            return False
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=email.to,
        )
        if email.html:
            message.attach_alternative(email.html, "text/html")
        email.attempts += 1
        try:
            message.send()
        except Exception as exc:  # the mail server's failure must not break the request
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if email.attempts >= MAX_ATTEMPTS:
                email.status = OutboxEmail.Status.FAILED
            email.next_attempt_at = timezone.now() + timedelta(minutes=2**email.attempts)
            email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            log.warning("email delivery failed", extra={"outbox_id": pk, "error": email.last_error})
            return False
        email.status = OutboxEmail.Status.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return True


def deliver_due(limit: int = 100) -> tuple[int, int]:
    """Deliver pending emails whose time has come. Returns (sent, failed)."""
    due = list(
        OutboxEmail.objects.filter(
            status=OutboxEmail.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = sum(1 for pk in due if deliver(pk))
    return sent, len(due) - sent
