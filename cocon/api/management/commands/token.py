"""`cocon token create|list|revoke`: API tokens."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cocon.accounts.models import User
from cocon.api.models import ApiToken
from cocon.api.scopes import all_scopes, is_known


class Command(BaseCommand):
    help = "Create, list or revoke API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it (shown once).")
        create.add_argument("--user", required=True, help="Email of the token's owner.")
        create.add_argument(
            "--scope",
            action="append",
            required=True,
            help="A scope such as territory:read; repeat for several, or comma-separate.",
        )
        create.add_argument("--name", default="")
        create.add_argument("--days", type=int, default=None, help="Expire after N days.")
        listing = sub.add_parser("list", help="List tokens (never their value).")
        listing.add_argument("--user", default=None)
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix")
        sub.add_parser("scopes", help="List the known scopes.")

    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")(**options)

    def do_scopes(self, **options):
        for name, description in all_scopes().items():
            self.stdout.write(f"{name:20} {description}")

    def do_create(self, *, user, scope, name, days, **options):
        owner = User.objects.filter(email__iexact=user, is_active=True).first()
        if owner is None:
            raise CommandError(f"No active user with the email {user!r}.")
        scopes = sorted({s.strip() for value in scope for s in value.split(",") if s.strip()})
        unknown = [s for s in scopes if not is_known(s)]
        if unknown:
            raise CommandError(
                f"Unknown scope(s): {', '.join(unknown)}. Known: {', '.join(all_scopes())}."
            )
        expires = timezone.now() + timedelta(days=days) if days else None
        _token, raw = ApiToken.issue(user=owner, scopes=scopes, name=name, expires_at=expires)
        self.stdout.write(raw)

    def do_list(self, *, user, **options):
        tokens = ApiToken.objects.select_related("user").order_by("created_at")
        if user:
            tokens = tokens.filter(user__email__iexact=user)
        for t in tokens:
            state = "revoked" if t.revoked_at else "active"
            self.stdout.write(f"{t.prefix}…  {t.user.email}  {','.join(t.scopes)}  {state}")

    def do_revoke(self, *, prefix, **options):
        count = ApiToken.objects.filter(prefix__startswith=prefix, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not count:
            raise CommandError(f"No active token starts with {prefix!r}.")
        self.stdout.write(f"{count} token(s) revoked.")
