"""Shared models: the email outbox, and the history, notes, read receipts, attachments and
notifications every module reuses."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
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


# --- Shared mechanisms for contributions (voices, reports, ideas…) -------------------
# Generic tables keyed by (content type, object id): written once, reused by every
# module. Each module keeps its own status field; these tables keep what happened.


class StatusEvent(models.Model):
    """One line of a contribution's visible history: a status change, a re-routing, an
    escalation, a merge… with its author, date and (optional) public text."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(
        _("signed as"),
        max_length=200,
        blank=True,
        help_text=_("Function shown to the public, e.g. “Service de l'eau”."),
    )
    public_text = models.TextField(_("public text"), blank=True)
    internal_text = models.TextField(_("internal text"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("history event")
        verbose_name_plural = _("history events")
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"


class InternalNote(models.Model):
    """A note staff write on a contribution; never shown to the public or the author."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    author = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class ReadReceipt(models.Model):
    """Who has seen a contribution, and when they first opened it."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user"], name="one_receipt_per_reader"
            )
        ]
        indexes = [models.Index(fields=["user", "content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.seen_at:%Y-%m-%d %H:%M}"


def private_storage():
    """Attachments are served through permission-checked views, never from /media/."""
    from django.conf import settings
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


class Attachment(models.Model):
    """A photo attached to a contribution, re-encoded on upload (metadata stripped)."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/", storage=private_storage)
    mime_type = models.CharField(max_length=50)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    alt = models.CharField(_("description"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["content_type", "object_id"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.file.name


class Notification(models.Model):
    """One thing a person should know, shown in the app and e-mailed according to their
    preference (immediately, in a daily digest, or not at all)."""

    recipient = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, blank=True, on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest_pending = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["recipient"],
                name="notif_digest_pending",
                condition=models.Q(digest_pending=True),
            ),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """How a person wants to be told. Staff default to a daily digest, the public to
    immediate emails about their own contributions."""

    class Email(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately, one email per event")
        DAILY = "daily", _("One daily digest")
        NEVER = "never", _("Never (in the application only)")

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.CharField(_("emails"), max_length=10, choices=Email.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"


class RateCounter(models.Model):
    """One fixed-window counter of `cocon.core.ratelimit` (when no Redis is configured):
    incremented with a single `INSERT … ON CONFLICT … RETURNING` instead of the four to
    six statements the database cache backend needs for an add-or-increment."""

    key = models.CharField(max_length=120, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}={self.count}"


class AbuseFlag(models.Model):
    """Someone reported a published contribution (an idea, a comment…) as abusive.

    Open flags make the moderator queue; a moderator's decision closes every open flag
    of the object at once (`cocon.core.moderation`)."""

    class Reason(models.TextChoices):
        INSULT = "insult", _("Insult, harassment or hate speech")
        PERSONAL_DATA = "personal_data", _("Personal data about someone")
        SPAM = "spam", _("Spam or advertising")
        OFF_TOPIC = "off_topic", _("Off topic")
        OTHER = "other", _("Other")

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    # which organization moderates it: the queue of a moderator is filtered on this
    organization = models.ForeignKey(
        "territory.Organization", on_delete=models.CASCADE, related_name="+"
    )
    reporter = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    text = models.CharField(_("details"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("abuse report")
        verbose_name_plural = _("abuse reports")
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(
                fields=["organization", "created_at"],
                name="abuseflag_open",
                condition=models.Q(resolved_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "reporter"],
                condition=models.Q(resolved_at__isnull=True, reporter__isnull=False),
                name="one_open_flag_per_reporter",
            )
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.reason} on {self.content_type_id}:{self.object_id}"


class ModerationEvent(models.Model):
    """The moderation log: every hide, restore and dismissed report, with its reason."""

    class Action(models.TextChoices):
        HIDE = "hide", _("Hidden")
        RESTORE = "restore", _("Restored")
        DISMISS = "dismiss", _("Reports dismissed (kept visible)")

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    organization = models.ForeignKey(
        "territory.Organization", on_delete=models.CASCADE, related_name="+"
    )
    moderator = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    excerpt = models.CharField(_("excerpt"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("moderation event")
        verbose_name_plural = _("moderation events")
        indexes = [
            models.Index(fields=["organization", "-created_at"]),
            models.Index(fields=["content_type", "object_id"]),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.content_type_id}:{self.object_id}"


class Moderated(models.Model):
    """Abstract: what a contribution needs to be moderated (`cocon.core.moderation`)."""

    hidden_at = models.DateTimeField(_("hidden on"), null=True, blank=True)
    hidden_reason = models.TextField(_("reason for hiding"), max_length=1000, blank=True)
    flag_count = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def moderation_organization_id(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def moderation_excerpt(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def moderation_author(self):  # pragma: no cover - abstract
        """The account told when the contribution is hidden (None: nobody)."""
        raise NotImplementedError

    def moderation_url(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError
