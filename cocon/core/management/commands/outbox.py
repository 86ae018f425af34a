"""`cocon outbox send`: deliver pending emails once (cron-friendly); `cocon outbox
status`: counts per state."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Count

from cocon.core.models import OutboxEmail
from cocon.core.outbox import deliver_due


class Command(BaseCommand):
    help = "Email outbox: send (deliver what is due) or status."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="deliver pending emails that are due")
        send.add_argument("--limit", type=int, default=1000)
        sub.add_parser("status", help="count emails per state")

    def handle(self, *args, action, **options):
        if action == "send":
            total_sent = total_failed = 0
            while True:
                sent, failed = deliver_due(limit=options["limit"])
                total_sent += sent
                total_failed += failed
                if sent + failed < options["limit"] or sent == 0:
                    break
            self.stdout.write(f"outbox: {total_sent} sent, {total_failed} failed")
        else:
            for row in (
                OutboxEmail.objects.values("status").annotate(n=Count("id")).order_by("status")
            ):
                self.stdout.write(f"{row['status']}: {row['n']}")
