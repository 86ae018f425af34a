"""Fixed-window counters for public forms, login failures and the APIs. Shared by every
process, so limits hold behind a load balancer: in Redis when `REDIS_URL` is set (the
cache), otherwise in the database table `core.RateCounter`, one statement per hit
(`INSERT … ON CONFLICT DO UPDATE … RETURNING`, PostgreSQL and SQLite ≥ 3.35)."""

from __future__ import annotations

import datetime as dt
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone


def _key(bucket: str, ident: str, window: int) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return f"rl:{bucket}:{digest}:{int(time.time() // window)}"


def _in_cache() -> bool:
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def _table() -> str:
    from cocon.core.models import RateCounter

    return connection.ops.quote_name(RateCounter._meta.db_table)


def hit(bucket: str, ident: str, *, window: int) -> int:
    """Count one event; return the count in the current window."""
    key = _key(bucket, ident, window)
    if _in_cache():
        if cache.add(key, 1, timeout=window + 5):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 5)
            return 1
    expires = timezone.now() + dt.timedelta(seconds=window + 5)
    table = _table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, count, expires_at) VALUES (%s, 1, %s) "  # noqa: S608
            f"ON CONFLICT (key) DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [key, expires],
        )
        return int(cursor.fetchone()[0])


def count(bucket: str, ident: str, *, window: int) -> int:
    key = _key(bucket, ident, window)
    if _in_cache():
        return int(cache.get(key, 0))
    from cocon.core.models import RateCounter

    found = RateCounter.objects.filter(key=key).values_list("count", flat=True).first()
    return int(found or 0)


def reset(bucket: str, ident: str, *, window: int) -> None:
    key = _key(bucket, ident, window)
    if _in_cache():
        cache.delete(key)
        return
    from cocon.core.models import RateCounter

    RateCounter.objects.filter(key=key).delete()


def purge(now: dt.datetime | None = None) -> int:
    """Delete the counters of past windows (daily job)."""
    from cocon.core.models import RateCounter

    deleted, _detail = RateCounter.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted


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


# a long-lived random cookie that tells browsers apart behind one address (a town hall's
# public computers, a mobile network): public forms limit per address AND per browser
DEVICE_COOKIE = "cocon_device"


def public_post_limited(
    request, bucket: str, *, per_address: int, per_device: int, window: int = 3600
) -> bool:
    """True when this anonymous POST goes over the limits of a public form (accounts
    and GET requests are never limited here)."""
    if request.method != "POST" or request.user.is_authenticated:
        return False
    device = request.COOKIES.get(DEVICE_COOKIE) or ""
    ip_ok = allow(request, f"{bucket}-ip", limit=per_address, window=window)
    device_ok = not device or allow(
        request, f"{bucket}-device", limit=per_device, window=window, ident=device
    )
    return not (ip_ok and device_ok)


def remember_device(request, response):
    """Give the browser its device cookie if it has none yet."""
    if not request.COOKIES.get(DEVICE_COOKIE):
        import uuid

        response.set_cookie(
            DEVICE_COOKIE,
            uuid.uuid4().hex,
            max_age=365 * 86400,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _register() -> None:
    from cocon.core.schedule import daily

    daily("core.purge_rate_counters", hour=4)(purge)


_register()
