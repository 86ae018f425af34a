"""Bearer-token authentication and scope checks for the API."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from ninja.security import HttpBearer

from cocon.api.errors import ApiError
from cocon.api.models import ApiToken, digest

LAST_USED_RESOLUTION_SECONDS = 60


def authenticate_bearer(request) -> ApiToken | None:
    """Resolve `Authorization: Bearer …`. Absent header → None (anonymous); a header with
    an unknown, revoked or expired token → 401, never silently anonymous."""
    header = request.headers.get("Authorization", "")
    if not header:
        request.user = AnonymousUser()  # the API is token-only: ignore session cookies
        return None
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise ApiError(401, "invalid_token", "Use the header `Authorization: Bearer <token>`.")
    # one query by the unique digest: the token, its user and the user's agent profile
    # (the grants read it from there instead of querying it again); then the same
    # conditions as ApiToken.objects.usable(), checked here on every request, so a
    # revoked or expired token (or a deactivated user) is refused at once.
    token = (
        ApiToken.objects.select_related("user", "user__agent_profile")
        .filter(key_digest=digest(raw.strip()))
        .first()
    )
    now = timezone.now()
    if (
        token is None
        or token.revoked_at is not None
        or not token.user.is_active
        or (token.expires_at is not None and token.expires_at <= now)
    ):
        raise ApiError(401, "invalid_token", "Unknown, revoked or expired token.")
    if (
        token.last_used_at is None
        or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    request.user = token.user
    request.api_token = token
    return token


class OptionalBearer(HttpBearer):
    """Public endpoints: anonymous allowed, a token (if sent) must be valid."""

    def __call__(self, request):
        token = authenticate_bearer(request)
        request.api_token = token
        return token or True

    def authenticate(self, request, token):  # pragma: no cover - __call__ does the work
        return None


class RequiredBearer(HttpBearer):
    def __call__(self, request):
        token = authenticate_bearer(request)
        if token is None:
            raise ApiError(401, "authentication_required", "This endpoint needs a Bearer token.")
        return token

    def authenticate(self, request, token):  # pragma: no cover
        return None


def require_scope(request, scope: str) -> None:
    token = getattr(request, "api_token", None)
    if token is None:
        raise ApiError(401, "authentication_required", "This endpoint needs a Bearer token.")
    if not token.has_scope(scope):
        raise ApiError(403, "insufficient_scope", f"This token lacks the scope `{scope}`.")
