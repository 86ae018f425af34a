"""`cocon notifications digest`: one email per person with what happened since the
last digest (run once a day, e.g. at 7:00; the worker also runs it daily)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cocon.core.notifications import send_digests


class Command(BaseCommand):
    help = "Notifications: digest (send the daily digests)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("digest", help="send the daily digest emails")

    def handle(self, *args, action, **options):
        count = send_digests()
        self.stdout.write(f"{count} digests written to the outbox")
