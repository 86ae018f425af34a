"""GDPR export and erasure, written once for every module.

Each app registers an exporter (what it holds about a person, as JSON-ready data) and,
when it keeps contributions that must outlive the account, an eraser that anonymises
them before the account row is deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]
_EXPORTERS: dict[str, Exporter] = {}
_ERASERS: dict[str, Eraser] = {}


def register_exporter(section: str) -> Callable[[Exporter], Exporter]:
    def deco(fn: Exporter) -> Exporter:
        _EXPORTERS[section] = fn
        return fn

    return deco


def register_eraser(section: str) -> Callable[[Eraser], Eraser]:
    def deco(fn: Eraser) -> Eraser:
        _ERASERS[section] = fn
        return fn

    return deco


def export_person(user) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": "cocon-personal-data/1",
        "exported_at": timezone.now().isoformat(),
    }
    for section in sorted(_EXPORTERS):
        data[section] = _EXPORTERS[section](user)
    return data


@transaction.atomic
def erase_person(user) -> None:
    """Anonymise what must be kept, then delete the account and what hangs on it."""
    for section in sorted(_ERASERS):
        _ERASERS[section](user)
    user.delete()
