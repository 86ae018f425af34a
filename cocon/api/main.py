"""The REST API: /api/v1/…, OpenAPI 3 at /api/openapi.json, docs at /api/docs.

Modules add a Router in their own `api.py` and list it in ROUTERS below.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from cocon import __version__
from cocon.api.auth import OptionalBearer
from cocon.api.errors import ApiError

DESCRIPTION = """
Cocon's API. Authenticate with `Authorization: Bearer <token>`; create a token with
`cocon token create --user EMAIL --scope SCOPE`. Public resources answer without a token;
a token that is sent must be valid.

Every error has the same body:
`{"error": {"code": "...", "message": "...", "details": [{"field": "...", "line": 1,
"message": "..."}]}}` with status 400, 401, 403, 404, 422 or 429.
"""

api = NinjaAPI(
    title="Cocon API",
    version=f"1 ({__version__})",
    description=DESCRIPTION,
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=OptionalBearer(),
    urls_namespace="api",
)


def _error(request, status, code, message, details=None):
    return api.create_response(
        request,
        {"error": {"code": code, "message": message, "details": details or []}},
        status=status,
    )


@api.exception_handler(ApiError)
def on_api_error(request, exc: ApiError):
    return api.create_response(request, exc.body(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    details = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        details.append({"field": ".".join(location) or None, "message": error.get("msg", "")})
    return _error(request, 422, "validation_error", "The request is not valid.", details)


@api.exception_handler(ValidationError)
def on_django_validation_error(request, exc: ValidationError):
    if hasattr(exc, "message_dict"):
        details = [
            {"field": field, "message": str(m)}
            for field, messages in exc.message_dict.items()
            for m in messages
        ]
    else:
        details = [{"message": str(m)} for m in exc.messages]
    return _error(request, 422, "validation_error", "The request is not valid.", details)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return _error(request, 403, "forbidden", "You may not do this.")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, 401, "authentication_required", "This endpoint needs a Bearer token.")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    codes = {400: "bad_request", 405: "method_not_allowed", 429: "rate_limited"}
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


def _register_routers() -> None:
    from cocon.accounts.api import router as accounts_router
    from cocon.territory.api import router as territory_router
    from cocon.voices.api import router as voices_router

    api.add_router("/v1/", accounts_router)
    api.add_router("/v1/", territory_router)
    api.add_router("/v1/", voices_router)


_register_routers()
