"""`cocon voices purge-contacts`: the scheduled retention job of Paroles (run daily).

Closes voices answered more than 30 days ago, then erases contact data whose
retention period (COCON_CONTACT_RETENTION_MONTHS after closure, 12 by default) ended.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cocon.voices.services import purge_contacts


class Command(BaseCommand):
    help = "Paroles maintenance: purge-contacts (retention of contact data)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("purge-contacts", help="close stale answers, erase expired contacts")

    def handle(self, *args, action, **options):
        if action == "purge-contacts":
            closed, erased = purge_contacts()
            self.stdout.write(f"{closed} voices closed automatically, {erased} contacts erased")
