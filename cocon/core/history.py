"""History, internal notes and read receipts of any contribution (voice, report, idea…).

Modules call these instead of keeping their own tables, so that every contribution of
the platform has the same visible history and the same "who has seen it".
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from cocon.core.models import InternalNote, ReadReceipt, StatusEvent


def _key(obj) -> dict[str, Any]:
    return {"content_type": ContentType.objects.get_for_model(obj), "object_id": obj.pk}


def record(
    obj,
    *,
    action: str,
    actor=None,
    actor_label: str = "",
    from_status: str = "",
    to_status: str = "",
    public_text: str = "",
    internal_text: str = "",
    data: dict | None = None,
    at=None,
) -> StatusEvent:
    """Append one event to `obj`'s history (in the caller's transaction)."""
    return StatusEvent.objects.create(
        **_key(obj),
        action=action,
        actor=actor,
        actor_label=actor_label[:200],
        from_status=from_status,
        to_status=to_status,
        public_text=public_text,
        internal_text=internal_text,
        data=data or {},
        created_at=at or timezone.now(),
    )


def history_of(obj):
    return StatusEvent.objects.filter(**_key(obj)).select_related("actor")


def note_add(obj, *, author, text: str) -> InternalNote:
    return InternalNote.objects.create(**_key(obj), author=author, text=text)


def notes_of(obj):
    return InternalNote.objects.filter(**_key(obj)).select_related("author")


def mark_seen(obj, user) -> bool:
    """Record that `user` opened `obj`; True the first time. Idempotent and safe under
    concurrent requests (the unique constraint decides)."""
    if user is None or not user.is_authenticated:
        return False
    key = _key(obj)
    if ReadReceipt.objects.filter(**key, user=user).exists():
        return False
    try:
        with transaction.atomic():
            ReadReceipt.objects.create(**key, user=user)
    except IntegrityError:
        return False
    return True


def readers_of(obj):
    return ReadReceipt.objects.filter(**_key(obj)).select_related("user").order_by("seen_at")


def seen_ids(model, ids, user) -> set[int]:
    """Which of these objects `user` has already opened (one query, for list pages)."""
    if user is None or not user.is_authenticated or not ids:
        return set()
    return set(
        ReadReceipt.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=list(ids),
            user=user,
        ).values_list("object_id", flat=True)
    )
