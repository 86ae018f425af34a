"""`cocon open311 key create|list|revoke`: keys of the Open311 client applications
(the key is printed once, at creation; only its hash is stored)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from cocon.reports.models import Open311Client
from cocon.territory.models import Territory


class Command(BaseCommand):
    help = "Open311 GeoReport v2: create, list or revoke client application keys."

    def add_arguments(self, parser):
        groups = parser.add_subparsers(dest="group", required=True)
        key = groups.add_parser("key", help="Client application keys.")
        sub = key.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a client key and print it (shown once).")
        create.add_argument("--name", required=True, help="Name of the client application.")
        create.add_argument(
            "--territory", default=None, help="Territory slug (default: the only one)."
        )
        listing = sub.add_parser("list", help="List client keys (never the keys themselves).")
        listing.add_argument("--territory", default=None)
        revoke = sub.add_parser("revoke", help="Revoke a client key by its prefix or id.")
        revoke.add_argument(
            "key", nargs="?", default="", help="The first characters of the key, or the id."
        )
        revoke.add_argument(
            "--prefix",
            default="",
            help="The first characters of the key (--prefix=-Ab3 when it starts with a hyphen).",
        )
        revoke.add_argument("--territory", default=None)

    def handle(self, *args, group, action, **options):
        getattr(self, f"do_{action}")(**options)

    def territory(self, slug: str | None) -> Territory:
        if slug:
            territory = Territory.objects.filter(slug=slug).first()
            if territory is None:
                known = ", ".join(Territory.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(f"No territory {slug!r}. Known: {known}.")
            return territory
        territories = list(Territory.objects.order_by("pk")[:2])
        if not territories:
            raise CommandError("No territory yet: load one first (cocon demo load).")
        if len(territories) > 1:
            raise CommandError("Several territories: say which one with --territory SLUG.")
        return territories[0]

    def do_create(self, *, name, territory, **options):
        if not name.strip():
            raise CommandError("--name cannot be empty.")
        if len(name.strip()) > 120:
            raise CommandError("--name is 120 characters at most.")
        _client, raw = Open311Client.issue(territory=self.territory(territory), name=name)
        self.stdout.write(raw)

    def do_list(self, *, territory, **options):
        clients = (
            Open311Client.objects.filter(territory=self.territory(territory))
            .annotate(report_count=Count("reports"))
            .order_by("created_at", "pk")
        )
        for c in clients:
            state = "active" if c.is_active else "revoked"
            used = c.last_used_at.isoformat(timespec="seconds") if c.last_used_at else "never"
            self.stdout.write(
                f"{c.pk}  {c.key_prefix}…  {c.name}  {state}  "
                f"reports={c.report_count}  last used: {used}"
            )

    def do_revoke(self, *, key, prefix, territory, **options):
        clients = Open311Client.objects.filter(territory=self.territory(territory), is_active=True)
        key = (prefix or key).strip().rstrip("…")
        if not prefix and key.isdigit() and clients.filter(pk=int(key)).exists():
            matches = clients.filter(pk=int(key))
        elif len(key) >= 4:
            matches = clients.filter(key_prefix__startswith=key[:8])
        else:
            raise CommandError("Give the client's id or at least 4 characters of its key.")
        found = list(matches)
        if not found:
            raise CommandError(f"No active client key matches {key!r}.")
        if len(found) > 1:
            raise CommandError(f"{len(found)} keys match {key!r}: give more characters or the id.")
        Open311Client.objects.filter(pk=found[0].pk).update(is_active=False)
        self.stdout.write(f"Revoked: {found[0].name} ({found[0].key_prefix}…).")
