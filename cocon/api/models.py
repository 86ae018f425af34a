"""API tokens: Bearer tokens with scopes, stored as SHA-256 digests."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "cocon_"


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """The raw token is shown once at creation; only its digest is kept."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=16, help_text=_("First characters, to recognise it."))
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, *, user, scopes: list[str], name: str = "", expires_at=None):
        """Create a token; returns (token, raw) — raw is never stored."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            key_digest=digest(raw),
            prefix=raw[: len(TOKEN_PREFIX) + 6],
            scopes=sorted(set(scopes)),
            expires_at=expires_at,
        )
        return token, raw

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class IdempotencyKey(models.Model):
    """`Idempotency-Key` of a write request (`cocon.api.idempotency.run_once`): the same
    key sent again in the same scope replays the first response instead of writing
    twice. The scope says who may reuse a key: "token:<id>" (REST API), "user:<id>"
    (offline field capture), "open311:<client id>". Kept 24 hours."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="one_request_per_scope_key"),
        ]

    def __str__(self) -> str:
        return self.key
