"""One place that answers "may this user do X on Y?" for the whole platform.

Each app declares its rules in its own ``rules.py`` with ``@rule("app.action")``;
views, templates (``{% can %}``), the API and the back office all call ``can()`` or
``require()``. A rule receives the person's Grants (roles and shares loaded once per
request) and the object, and must not query the database for what Grants knows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied

Rule = Callable[[Any, Any], bool]
_RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        if name in _RULES and _RULES[name] is not fn:
            raise RuntimeError(f"permission rule {name!r} registered twice")
        _RULES[name] = fn
        return fn

    return register


def registered_rules() -> list[str]:
    return sorted(_RULES)


def grants_of(user):
    from cocon.accounts.grants import Grants

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Grants.anonymous()
    return user.grants


def can(user, action: str, obj: Any = None) -> bool:
    try:
        check = _RULES[action]
    except KeyError:
        raise LookupError(f"unknown permission rule {action!r}") from None
    return bool(check(grants_of(user), obj))


def require(user, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied (403) unless `user` may do `action` on `obj`."""
    if not can(user, action, obj):
        raise PermissionDenied(action)
