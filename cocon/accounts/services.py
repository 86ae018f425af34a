"""Writes about people: registration, lockout bookkeeping, profile, erasure."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from cocon.accounts.models import User
from cocon.core import gdpr, ratelimit
from cocon.core.outbox import queue_email

log = logging.getLogger("cocon.accounts")
VERIFY_SALT = "cocon.accounts.verify-email"
VERIFY_MAX_AGE = 7 * 24 * 3600


# --- lockout -----------------------------------------------------------------------------
def _lock_window() -> int:
    return settings.LOGIN_LOCKOUT_SECONDS


def login_is_locked(*, email: str, ip: str) -> bool:
    """Locked when the email, or the address, failed too often in the current window."""
    limit, window = settings.LOGIN_FAILURE_LIMIT, _lock_window()
    return (
        ratelimit.count("login-email", email.lower(), window=window) >= limit
        or ratelimit.count("login-ip", ip, window=window) >= limit * 4
    )


def login_failed(*, email: str, ip: str) -> None:
    window = _lock_window()
    failures = ratelimit.hit("login-email", email.lower(), window=window)
    ratelimit.hit("login-ip", ip, window=window)
    if failures == settings.LOGIN_FAILURE_LIMIT:
        log.warning("login locked", extra={"email_hash": hash(email.lower()) & 0xFFFFFF})


def login_succeeded(*, email: str) -> None:
    ratelimit.reset("login-email", email.lower(), window=_lock_window())


# --- registration and email verification ------------------------------------------------------
def verification_link(user: User) -> str:
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT)
    return settings.SITE_URL + reverse("accounts:verify_email", args=[token])


def send_verification(user: User) -> None:
    with translation.override(user.language):
        context = {"user": user, "link": verification_link(user)}
        queue_email(
            to=user.email,
            subject=render_to_string("accounts/email/verify_subject.txt", context).strip(),
            body=render_to_string("accounts/email/verify_body.txt", context),
        )


@transaction.atomic
def user_register(*, email: str, full_name: str, password: str, language: str = "fr") -> User:
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name.strip(), language=language
    )
    send_verification(user)
    log.info("account created", extra={"user_id": user.pk})
    return user


def email_verify(token: str) -> User | None:
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u"), email=data.get("e"), is_active=True).first()
    if user and not user.email_verified_at:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


@transaction.atomic
def profile_update(*, user: User, full_name: str, email: str, language: str) -> User:
    email_changed = email.lower() != user.email
    user.full_name = full_name.strip()
    user.email = email.lower()
    user.language = language
    if email_changed:
        user.email_verified_at = None
    user.save()
    if email_changed:
        send_verification(user)
    return user


def user_erase(*, user: User) -> None:
    """GDPR erasure: modules anonymise what they keep, then the account goes."""
    user_id = user.pk
    gdpr.erase_person(user)
    log.info("account erased", extra={"user_id": user_id})


@transaction.atomic
def role_assign(
    *,
    organization,
    user: User,
    kind: str,
    actor,
    title: str = "",
    direction=None,
    services=(),
    topics: str = "",
    starts_on=None,
    ends_on=None,
):
    """Give `user` a role in `organization` (validated: scopes must belong to it)."""
    from cocon.accounts.models import Role

    role = Role(
        user=user,
        organization=organization,
        kind=kind,
        title=title,
        direction=direction,
        topics=topics,
        ends_on=ends_on,
    )
    if starts_on:
        role.starts_on = starts_on
    role.full_clean()
    role.save()
    role.services.set(services)
    user.forget_grants()
    log.info("role assigned", extra={"role_id": role.pk, "kind": kind, "by": actor.pk})
    return role


def role_end(*, role, actor) -> None:
    """End a role today (kept for the record, no longer current tomorrow)."""
    today = timezone.localdate()
    role.ends_on = today if role.starts_on <= today else role.starts_on
    role.save(update_fields=["ends_on"])
    log.info("role ended", extra={"role_id": role.pk, "by": actor.pk})
