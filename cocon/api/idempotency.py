"""`Idempotency-Key` for every write that a client may retry — the REST API (per API
token), the offline field capture (per agent) and Open311 (per client application): a
client that retries (timeout, lost answer) with the same key gets the first response,
and nothing is written twice, even when the two requests race.

One mechanism: `run_once(scope=…, key=…, payload=…, create=…)`. The key row is written
last, with the answer, in the transaction of the write itself; two copies in flight at
once both run `create`, the second INSERT of the key waits for the first transaction
(PostgreSQL; SQLite serialises writers) and fails on the unique constraint, which rolls
its whole transaction back — its record included — and it replays the first answer.
A `create` that raises (a validation error) keeps nothing: the same key may be sent
again once the request is fixed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from cocon.api.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY = 200
KEEP = timedelta(hours=24)


class KeyReused(Exception):
    """The key was already used with a different request (each caller answers it in its
    own error format: 422 in the REST API and the field capture, 400 in Open311)."""


def fingerprint(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def run_once(
    *, scope: str, key: str, payload, create: Callable[[], tuple[int, dict]]
) -> tuple[int, dict, bool]:
    """Run `create` (which writes and returns (status, body)) at most once per
    (scope, key); without a key, just once in a transaction.

    Returns (status, body, replayed); raises KeyReused, or what `create` raises."""
    if not key:
        with transaction.atomic():
            status, body = create()
        return status, body, False
    digest = fingerprint(payload)

    def replay(record: IdempotencyKey) -> tuple[int, dict, bool]:
        if record.request_hash != digest:
            raise KeyReused(key)
        return record.status_code, record.response, True

    existing = IdempotencyKey.objects.filter(scope=scope, key=key).first()
    if existing is not None:
        return replay(existing)
    try:
        with transaction.atomic():
            status, body = create()
            IdempotencyKey.objects.create(
                scope=scope, key=key, request_hash=digest, status_code=status, response=body
            )
    except IntegrityError:
        existing = IdempotencyKey.objects.filter(scope=scope, key=key).first()
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
