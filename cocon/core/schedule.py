"""Daily jobs run by `cocon worker` (digests, retention). Registered by modules; each
runs once a day after its hour, whatever the number of workers (a cache key claims the
day's run)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.cache import cache
from django.utils import timezone

log = logging.getLogger("cocon.schedule")
_DAILY: dict[str, tuple[int, Callable[[], object]]] = {}


def daily(name: str, *, hour: int) -> Callable:
    def register(fn: Callable[[], object]) -> Callable[[], object]:
        _DAILY[name] = (hour, fn)
        return fn

    return register


def run_due(now=None) -> list[str]:
    now = timezone.localtime(now or timezone.now())
    ran = []
    for name, (hour, fn) in sorted(_DAILY.items()):
        if now.hour < hour:
            continue
        if not cache.add(f"job:{name}:{now.date().isoformat()}", 1, timeout=2 * 86400):
            continue
        try:
            result = fn()
        except Exception:  # a failing job must not stop the worker; it is logged
            log.exception("daily job failed", extra={"job": name})
            continue
        log.info("daily job done", extra={"job": name, "result": str(result)})
        ran.append(name)
    return ran


@daily("notifications.digest", hour=7)
def _digest():
    from cocon.core.notifications import send_digests

    return send_digests()
