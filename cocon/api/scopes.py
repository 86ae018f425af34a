"""API scopes. Each module declares its own here with `register_scope` at import time,
e.g. ``voices:read`` / ``voices:write``; `cocon token create --scope` accepts only these."""

from __future__ import annotations

_SCOPES: dict[str, str] = {}


def register_scope(name: str, description: str) -> str:
    _SCOPES[name] = description
    return name


def all_scopes() -> dict[str, str]:
    return dict(sorted(_SCOPES.items()))


def is_known(name: str) -> bool:
    return name in _SCOPES


ACCOUNT_READ = register_scope("account:read", "Read the token owner's own account and roles.")
TERRITORY_READ = register_scope(
    "territory:read",
    "Read organizations, services, communes, margins and, where the owner "
    "may, internal directories.",
)
TERRITORY_WRITE = register_scope(
    "territory:write", "Import population margins (owner must be allowed to)."
)
