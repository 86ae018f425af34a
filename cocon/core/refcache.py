"""Per-process cache of rarely-changing reference data (territory, themes, routing rules,
commitments, services…), so that hot paths such as a voice capture do not query it again
on every request.

    themes = refcache.get(("voices.themes", territory.pk), load_themes)

Freshness:

- **in this process**, saving or deleting a watched model (`watch(Model)`; signals, so
  `QuerySet.update()` and `bulk_create()` are not seen — loaders that use them call
  `invalidate()`) empties the whole cache at once, and again when the transaction
  that made the change commits. A thread whose open transaction changed reference data
  bypasses the cache (reads the database, stores nothing) until that transaction ends,
  so no other thread ever sees uncommitted data, and a rolled-back change is forgotten.
  A load that started before an invalidation is not stored (generation counter).
- **across processes** (several workers, `cocon worker`, the admin in another process),
  entries live at most `TTL` seconds (`COCON_REFCACHE_TTL`, default 30 s): a routing
  rule, theme, commitment or service changed elsewhere applies everywhere within 30 s.
  We chose a TTL over a version number in Django's cache because the default cache is a
  database table: checking a version would cost the query the cache saves.

Values are shared between threads: treat them as read-only (copy before changing).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

_lock = threading.Lock()
_entries: dict[Hashable, tuple[float, int, Any]] = {}
_generation = 0
_local = threading.local()  # .dirty: this thread's transaction changed reference data
_watched: set[type] = set()


def ttl() -> float:
    return float(getattr(settings, "COCON_REFCACHE_TTL", 30.0))


def invalidate(**_kwargs) -> None:
    """Forget everything (all processes' copies expire within the TTL anyway)."""
    global _generation
    with _lock:
        _generation += 1
        _entries.clear()


def clear() -> None:
    """Forget everything, including this thread's "changed in my transaction" mark
    (tests call it between tests)."""
    invalidate()
    _local.dirty = False


def _changed(sender=None, **_kwargs) -> None:
    invalidate()
    if transaction.get_connection().in_atomic_block:
        _local.dirty = True
        transaction.on_commit(invalidate)


def watch(*models: type) -> None:
    """Empty the cache whenever one of these models is saved or deleted."""
    for model in models:
        if model in _watched:
            continue
        _watched.add(model)
        uid = f"refcache:{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + ":save", weak=False)
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + ":delete", weak=False)


def watch_m2m(*through_models: type) -> None:
    """Empty the cache whenever a many-to-many relation (its `through` model) changes."""
    for through in through_models:
        if through in _watched:
            continue
        _watched.add(through)
        uid = f"refcache:{through._meta.label}:m2m"
        m2m_changed.connect(_changed, sender=through, dispatch_uid=uid, weak=False)


def _bypass() -> bool:
    if not getattr(_local, "dirty", False):
        return False
    if transaction.get_connection().in_atomic_block:
        return True
    # the transaction that changed reference data has ended (commit or rollback)
    _local.dirty = False
    invalidate()
    return False


def get(key: Hashable, load: Callable[[], T], *, keep: Callable[[T], bool] | None = None) -> T:
    """The cached value for `key`, loaded with `load()` when missing or expired (and
    stored only if `keep(value)`, when given: e.g. not "no territory yet")."""
    if _bypass():
        return load()
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry[0] > now:
        return entry[2]
    generation = _generation
    value = load()
    if keep is not None and not keep(value):
        return value
    with _lock:
        if generation == _generation:
            _entries[key] = (now + ttl(), generation, value)
    return value
