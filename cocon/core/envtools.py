"""Small helpers to read settings from environment variables."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlparse


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_email_url(url: str) -> dict:
    """Turn EMAIL_URL into Django email settings.

    smtp://user:password@host:587?tls=1 · smtps://... (implicit TLS) · console:// ·
    file:///path/to/dir · locmem:// · dummy://
    """
    parts = urlparse(url)
    scheme = parts.scheme or "console"
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "dummy":
        return {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    if scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parts.path),
        }
    if scheme in ("smtp", "smtps"):
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or (465 if scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_USE_TLS": query.get("tls", "0").lower() in ("1", "true", "yes"),
            "EMAIL_TIMEOUT": int(query.get("timeout", "20")),
        }
    raise ValueError(f"EMAIL_URL: unsupported scheme {scheme!r}")
