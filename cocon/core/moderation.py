"""Moderation written once for every contribution that can be reported as abusive (ideas,
comments…): report, hide with a reason the author sees, restore, dismiss, and a log.

A moderated model inherits `cocon.core.models.Moderated` (hidden_at, hidden_reason,
flag_count) and says which organization moderates it. Hiding never deletes: the author
still sees the text with the reason, moderators see everything, the public sees a
placeholder.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cocon.core import notifications
from cocon.core.models import AbuseFlag, ModerationEvent

REASON_MAX = 1000


def _key(obj) -> dict:
    return {"content_type": ContentType.objects.get_for_model(obj), "object_id": obj.pk}


def flag(obj, *, reporter, reason: str, text: str = "") -> AbuseFlag:
    """Report `obj`. One open report per person and object: a second one is refused."""
    if reason not in AbuseFlag.Reason.values:
        raise ValidationError({"reason": [_("Choose why this content is a problem.")]})
    if len(text) > 1000:
        raise ValidationError({"text": [_("The text is too long (1,000 characters at most).")]})
    if obj.is_hidden:
        raise ValidationError({"reason": [_("This content has already been hidden.")]})
    try:
        with transaction.atomic():
            row = AbuseFlag.objects.create(
                **_key(obj),
                organization_id=obj.moderation_organization_id(),
                reporter=reporter,
                reason=reason,
                text=text.strip(),
            )
            type(obj).objects.filter(pk=obj.pk).update(flag_count=F("flag_count") + 1)
    except IntegrityError:
        raise ValidationError(
            {"reason": [_("You have already reported this content; moderators will look at it.")]}
        ) from None
    return row


def _close_flags(obj, now) -> int:
    return AbuseFlag.objects.filter(**_key(obj), resolved_at__isnull=True).update(resolved_at=now)


def _log(obj, *, moderator, action: str, reason: str, now) -> ModerationEvent:
    return ModerationEvent.objects.create(
        **_key(obj),
        organization_id=obj.moderation_organization_id(),
        moderator=moderator,
        action=action,
        reason=reason,
        excerpt=obj.moderation_excerpt()[:200],
        created_at=now,
    )


@transaction.atomic
def hide(obj, *, moderator, reason: str) -> ModerationEvent:
    """Hide `obj` from everyone but its author and moderators. The reason is mandatory
    and shown to the author (in place of the content and in a notification)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason: the author will see it.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("The text is too long (1,000 characters at most).")]})
    if obj.is_hidden:
        raise ValidationError({"reason": [_("This content is already hidden.")]})
    now = timezone.now()
    obj.hidden_at = now
    obj.hidden_reason = reason
    obj.flag_count = 0
    type(obj).objects.filter(pk=obj.pk).update(hidden_at=now, hidden_reason=reason, flag_count=0)
    _close_flags(obj, now)
    event = _log(
        obj, moderator=moderator, action=ModerationEvent.Action.HIDE, reason=reason, now=now
    )
    author = obj.moderation_author()
    if author is not None:
        notifications.notify(
            [author],
            kind="moderation.hidden",
            title=_("Your contribution was hidden by the moderators"),
            body=_("Reason: %(reason)s") % {"reason": reason},
            url=obj.moderation_url(),
            obj=obj,
            default_email="immediate",
        )
    return event


@transaction.atomic
def restore(obj, *, moderator, reason: str = "") -> ModerationEvent:
    if not obj.is_hidden:
        raise ValidationError({"reason": [_("This content is not hidden.")]})
    now = timezone.now()
    obj.hidden_at = None
    obj.hidden_reason = ""
    type(obj).objects.filter(pk=obj.pk).update(hidden_at=None, hidden_reason="")
    return _log(
        obj,
        moderator=moderator,
        action=ModerationEvent.Action.RESTORE,
        reason=reason.strip(),
        now=now,
    )


@transaction.atomic
def dismiss(obj, *, moderator, reason: str = "") -> ModerationEvent:
    """The reports were unfounded: close them, keep the content visible."""
    now = timezone.now()
    if not _close_flags(obj, now):
        raise ValidationError({"reason": [_("There is no open report on this content.")]})
    type(obj).objects.filter(pk=obj.pk).update(flag_count=0)
    obj.flag_count = 0
    return _log(
        obj,
        moderator=moderator,
        action=ModerationEvent.Action.DISMISS,
        reason=reason.strip(),
        now=now,
    )


def open_flags(organization_ids, *, model=None):
    """The moderator queue: open reports of these organizations, oldest first."""
    qs = AbuseFlag.objects.filter(
        organization_id__in=list(organization_ids), resolved_at__isnull=True
    )
    if model is not None:
        qs = qs.filter(content_type=ContentType.objects.get_for_model(model))
    return qs.select_related("content_type", "reporter")


def log_of(organization_ids):
    return ModerationEvent.objects.filter(
        organization_id__in=list(organization_ids)
    ).select_related("moderator", "content_type")


def history_of(obj):
    return ModerationEvent.objects.filter(**_key(obj)).select_related("moderator")
