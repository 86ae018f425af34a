"""Fixed-window counters in the shared cache (database or Redis), for public forms,
login failures and the API. Shared by every process, so limits hold behind a load
balancer."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def _key(bucket: str, ident: str, window: int) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return f"rl:{bucket}:{digest}:{int(time.time() // window)}"


def hit(bucket: str, ident: str, *, window: int) -> int:
    """Count one event; return the count in the current window."""
    key = _key(bucket, ident, window)
    if cache.add(key, 1, timeout=window + 5):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        return 1


def count(bucket: str, ident: str, *, window: int) -> int:
    return int(cache.get(_key(bucket, ident, window), 0))


def reset(bucket: str, ident: str, *, window: int) -> None:
    cache.delete(_key(bucket, ident, window))


def client_ip(request) -> str:
    """The client address. Behind a proxy, set COCON_TRUSTED_PROXY_HOPS so that the
    address comes from X-Forwarded-For (the N-th from the right)."""
    import os

    hops = int(os.environ.get("COCON_TRUSTED_PROXY_HOPS", "0"))
    if hops:
        forwarded = [p.strip() for p in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def allow(request, bucket: str, *, limit: int, window: int, ident: str | None = None) -> bool:
    """Count this request; False once `limit` requests came within `window` seconds."""
    return hit(bucket, ident or client_ip(request), window=window) <= limit
