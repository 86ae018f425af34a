"""`Idempotency-Key` for POST endpoints: a client that retries (timeout, lost answer)
with the same key gets the first response, and nothing is written twice — even when
the two requests race (the unique constraint decides; on PostgreSQL the second insert
waits for the first transaction)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from cocon.api.errors import ApiError
from cocon.api.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY = 200
KEEP = timedelta(hours=24)


def _hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def run_once(
    request, payload: dict, create: Callable[[], tuple[int, dict]]
) -> tuple[int, dict, bool]:
    """Run `create` (which writes and returns (status, body)) at most once per key.

    Returns (status, body, replayed)."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        with transaction.atomic():
            status, body = create()
        return status, body, False
    if len(key) > MAX_KEY:
        raise ApiError(
            400,
            "bad_idempotency_key",
            f"{HEADER} is {MAX_KEY} characters at most.",
            [{"field": HEADER, "message": "too long"}],
        )
    token = request.api_token
    fingerprint = _hash(payload)

    def replay(record: IdempotencyKey) -> tuple[int, dict, bool]:
        if record.request_hash != fingerprint:
            raise ApiError(
                422,
                "idempotency_key_reused",
                f"This {HEADER} was already used with a different request.",
                [{"field": HEADER, "message": "reused with another body"}],
            )
        return record.status_code, record.response, True

    existing = IdempotencyKey.objects.filter(token=token, key=key).first()
    if existing is not None:
        return replay(existing)
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(token=token, key=key, request_hash=fingerprint)
            status, body = create()
            record.status_code, record.response = status, body
            record.save(update_fields=["status_code", "response"])
    except IntegrityError:
        existing = IdempotencyKey.objects.filter(token=token, key=key).first()
        if existing is None:
            raise
        return replay(existing)
    return status, body, False


def purge(now=None) -> int:
    now = now or timezone.now()
    deleted, _detail = IdempotencyKey.objects.filter(created_at__lt=now - KEEP).delete()
    return deleted


def _register() -> None:
    from cocon.core.schedule import daily

    daily("api.purge_idempotency_keys", hour=4)(purge)


_register()
