"""One notification mechanism for the whole platform: in the application and by email.

`notify()` writes one in-app row per recipient and, following each person's preference,
an email in the outbox now (immediate), a mark for tomorrow's digest (daily), or nothing
(never). Everything is written in the caller's transaction; `send_digests()` (run daily
by `cocon notifications digest` or the worker) sends one email per person, not a flood.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext

from cocon.core.models import Notification, NotificationPreference, OutboxEmail
from cocon.core.outbox import deliver, queue_email

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


@dataclass(frozen=True, slots=True)
class Recipient:
    """What `notify()` needs of a person, read with their preference in one query
    (`recipients_of`) instead of a User object plus a query for the preferences."""

    pk: int
    email: str
    full_name: str
    language: str
    preference: str | None  # None: the person never chose (the caller's default applies)
    is_active: bool = True


def recipients_of(users) -> list[Recipient]:
    """The active users of a queryset of users, with their email preference: one query,
    in the queryset's order."""
    rows = users.filter(is_active=True).values_list(
        "pk", "email", "full_name", "language", "notification_preference__email"
    )
    return [Recipient(*row) for row in rows]


def _queue_emails(emails: list[tuple[str, str, str]]) -> None:
    """(to, subject, body) → outbox rows in one INSERT, in the caller's transaction;
    delivered after commit in "inline" mode (what `outbox.queue_email` does for one)."""
    if len(emails) == 1 or not connection.features.can_return_rows_from_bulk_insert:
        for to, subject, body in emails:
            queue_email(to=to, subject=subject, body=body)
        return
    rows = OutboxEmail.objects.bulk_create(
        [
            OutboxEmail(to=[to], subject=subject[:300], body=body, html="")
            for to, subject, body in emails
        ]
    )
    if settings.OUTBOX_MODE == "inline":
        for row in rows:
            transaction.on_commit(partial(deliver, row.pk))


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
    """Tell `recipients` (users, or `Recipient`s from `recipients_of`) about something.
    `default_email` applies to people who never chose (staff: daily digest; the public
    about their own contribution: immediate).

    Writes, in the caller's transaction: one INSERT of all the in-app rows, one INSERT of
    the immediate emails (if any); reads the preferences of the people given as users
    (one query; none for `Recipient`s, which carry theirs)."""
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if exclude is not None:
        people.pop(exclude.pk, None)
    if not people:
        return []
    unknown = [pk for pk, user in people.items() if not isinstance(user, Recipient)]
    chosen = preferences_of(unknown) if unknown else {}
    content_type_id = object_id = None
    if obj is not None:
        content_type_id = ContentType.objects.get_for_model(obj).pk
        object_id = obj.pk
    now = timezone.now()
    title_300 = title[:300]
    rows = []
    emails = []
    for user_id, user in people.items():
        if isinstance(user, Recipient):
            mode = user.preference or default_email
        else:
            mode = chosen.get(user_id, default_email)
        immediate = mode == Email.IMMEDIATE
        rows.append(
            Notification(
                recipient_id=user_id,
                kind=kind,
                title=title_300,
                body=body,
                url=url,
                content_type_id=content_type_id,
                object_id=object_id,
                created_at=now,
                emailed_at=now if immediate else None,
                digest_pending=mode == Email.DAILY,
            )
        )
        if immediate:
            with translation.override(user.language or "fr"):
                emails.append(
                    (
                        user.email,
                        title,
                        render_to_string(
                            "core/emails/notification.txt",
                            {"user": user, "title": title, "body": body, "url": absolute(url)},
                        ),
                    )
                )
    if emails:
        _queue_emails(emails)
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
