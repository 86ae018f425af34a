"""Daily and hourly jobs run by `cocon worker` (digests, retention, reminders).
Registered by modules; a daily job runs once a day after its hour, an hourly job once
per clock hour, whatever the number of workers (a cache key claims the day's or the
hour's run)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.cache import cache
from django.utils import timezone

log = logging.getLogger("cocon.schedule")
_DAILY: dict[str, tuple[int, Callable[[], object]]] = {}
_HOURLY: dict[str, Callable[[], object]] = {}


def daily(name: str, *, hour: int) -> Callable:
    def register(fn: Callable[[], object]) -> Callable[[], object]:
        _DAILY[name] = (hour, fn)
        return fn

    return register


def hourly(name: str) -> Callable:
    """Register a job run once per clock hour (local time) by `run_due`."""

    def register(fn: Callable[[], object]) -> Callable[[], object]:
        _HOURLY[name] = fn
        return fn

    return register


def _run(name: str, fn: Callable[[], object], kind: str) -> bool:
    try:
        result = fn()
    except Exception:  # a failing job must not stop the worker; it is logged
        log.exception(f"{kind} job failed", extra={"job": name})
        return False
    log.info(f"{kind} job done", extra={"job": name, "result": str(result)})
    return True


def run_due(now=None) -> list[str]:
    now = timezone.localtime(now or timezone.now())
    ran = []
    for name, (hour, fn) in sorted(_DAILY.items()):
        if now.hour < hour:
            continue
        if not cache.add(f"job:{name}:{now.date().isoformat()}", 1, timeout=2 * 86400):
            continue
        if _run(name, fn, "daily"):
            ran.append(name)
    this_hour = now.strftime("%Y-%m-%dT%H")
    for name, fn in sorted(_HOURLY.items()):
        if not cache.add(f"job:{name}:{this_hour}", 1, timeout=2 * 3600):
            continue
        if _run(name, fn, "hourly"):
            ran.append(name)
    return ran


@daily("notifications.digest", hour=7)
def _digest():
    from cocon.core.notifications import send_digests

    return send_digests()
