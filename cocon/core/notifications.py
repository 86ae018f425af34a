"""One notification mechanism for the whole platform: in the application and by email.

`notify()` writes one in-app row per recipient and, following each person's preference,
an email in the outbox now (immediate), a mark for tomorrow's digest (daily), or nothing
(never). Everything is written in the caller's transaction; `send_digests()` (run daily
by `cocon notifications digest` or the worker) sends one email per person, not a flood.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext

from cocon.core.models import Notification, NotificationPreference
from cocon.core.outbox import queue_email

Email = NotificationPreference.Email


def absolute(url: str) -> str:
    if url.startswith("http"):
        return url
    return settings.SITE_URL.rstrip("/") + url


def preferences_of(user_ids: Iterable[int]) -> dict[int, str]:
    return dict(
        NotificationPreference.objects.filter(user_id__in=list(user_ids)).values_list(
            "user_id", "email"
        )
    )


def notify(
    recipients: Iterable,
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    obj=None,
    default_email: str = Email.DAILY,
    exclude=None,
) -> list[Notification]:
    """Tell `recipients` (users) about something. `default_email` applies to people who
    never chose (staff: daily digest; the public about their own contribution:
    immediate)."""
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if exclude is not None:
        people.pop(exclude.pk, None)
    if not people:
        return []
    chosen = preferences_of(people)
    key = {}
    if obj is not None:
        key = {"content_type": ContentType.objects.get_for_model(obj), "object_id": obj.pk}
    now = timezone.now()
    rows = []
    for user_id, user in people.items():
        mode = chosen.get(user_id, default_email)
        rows.append(
            Notification(
                recipient_id=user_id,
                kind=kind,
                title=title[:300],
                body=body,
                url=url,
                created_at=now,
                emailed_at=now if mode == Email.IMMEDIATE else None,
                digest_pending=mode == Email.DAILY,
                **key,
            )
        )
        if mode == Email.IMMEDIATE:
            with translation.override(user.language or "fr"):
                queue_email(
                    to=user.email,
                    subject=title,
                    body=render_to_string(
                        "core/emails/notification.txt",
                        {"user": user, "title": title, "body": body, "url": absolute(url)},
                    ),
                )
    return Notification.objects.bulk_create(rows)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def send_digests(now=None) -> int:
    """One email per person listing what happened since their last digest. Returns
    the number of emails written to the outbox."""
    from cocon.accounts.models import User

    now = now or timezone.now()
    pending = (
        Notification.objects.filter(digest_pending=True)
        .order_by("recipient_id", "created_at")
        .values("id", "recipient_id", "title", "body", "url")
    )
    by_person: dict[int, list[dict]] = defaultdict(list)
    for row in pending:
        by_person[row["recipient_id"]].append(row)
    sent = 0
    users = User.objects.in_bulk(list(by_person))
    chosen = preferences_of(by_person)
    for user_id, items in by_person.items():
        user = users.get(user_id)
        with transaction.atomic():
            ids = [item["id"] for item in items]
            Notification.objects.filter(pk__in=ids).update(digest_pending=False, emailed_at=now)
            if user is None or not user.is_active or chosen.get(user_id) == Email.NEVER:
                continue  # the person changed their mind since: no email
            with translation.override(user.language or "fr"):
                for item in items:
                    item["url"] = absolute(item["url"]) if item["url"] else ""
                queue_email(
                    to=user.email,
                    subject=ngettext(
                        "Cocon: %(count)s new item since your last digest",
                        "Cocon: %(count)s new items since your last digest",
                        len(items),
                    )
                    % {"count": len(items)},
                    body=render_to_string(
                        "core/emails/digest.txt",
                        {"user": user, "items": items, "inbox": absolute("/compte/notifications/")},
                    ),
                )
            sent += 1
    return sent


def preference_of(user, *, staff: bool) -> str:
    row = NotificationPreference.objects.filter(user=user).values_list("email", flat=True).first()
    return row or (Email.DAILY if staff else Email.IMMEDIATE)


def preference_set(user, email: str) -> NotificationPreference:
    pref, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email": email}
    )
    return pref


def mark_read_for(user, obj) -> int:
    """Opening a contribution marks the person's notifications about it as read."""
    return Notification.objects.filter(
        recipient=user,
        read_at__isnull=True,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
    ).update(read_at=timezone.now())
