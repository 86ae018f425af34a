"""Cross-cutting HTTP concerns: request log, security headers, language choice."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.conf import settings
from django.utils import translation

from cocon.core.logs import request_id_var

log = logging.getLogger("cocon.requests")


class RequestLogMiddleware:
    """Gives each request an id (X-Request-ID) and logs one structured line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming[:64] if incoming.isascii() and incoming else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        response["X-Request-ID"] = request_id
        user = getattr(request, "user", None)
        log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response


def tile_origin(url: str) -> str:
    """The CSP source of a map tile URL template: its origin, with `{s}` subdomains as a
    wildcard ("https://{s}.tile.example.org/{z}/{x}/{y}.png" → "https://*.tile.example.org");
    "" for a relative or empty URL (tiles served by Cocon itself are already 'self')."""
    scheme, sep, rest = (url or "").partition("://")
    host = rest.split("/", 1)[0]
    if not sep or scheme not in ("http", "https") or not host:
        return ""
    host = re.sub(r"\{[a-z]+\}", "*", host)
    return f"{scheme}://{host}" if re.fullmatch(r"[A-Za-z0-9.*:\-\[\]]+", host) else ""


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response.

    Our own pages run no inline script or style. The Django admin and the API
    documentation page rely on inline styles, so they get 'unsafe-inline' for styles only.
    """

    RELAXED_STYLE_PREFIXES = ("/admin/", "/api/docs")

    def __init__(self, get_response):
        self.get_response = get_response
        tiles = tile_origin(getattr(settings, "REPORT_TILE_URL", ""))
        img = " ".join(["'self'", "data:", *settings.CSP_IMG_EXTRA, *([tiles] if tiles else [])])
        self.policy = (
            "default-src 'self'; script-src 'self'; style-src 'self'{style}; "
            f"img-src {img}; font-src 'self'; connect-src 'self'; object-src 'none'; "
            "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        )

    def __call__(self, request):
        response = self.get_response(request)
        relaxed = request.path.startswith(self.RELAXED_STYLE_PREFIXES)
        response.headers.setdefault(
            "Content-Security-Policy",
            self.policy.format(style=" 'unsafe-inline'" if relaxed else ""),
        )
        response.headers.setdefault(
            "Permissions-Policy", "camera=(self), geolocation=(self), microphone=(self)"
        )
        return response


class LanguageMiddleware:
    """French unless the person chose otherwise (language cookie or account preference).

    The browser's Accept-Language is deliberately ignored: Cocon is a French public
    service first; English is offered by the switcher on every page.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.available:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
