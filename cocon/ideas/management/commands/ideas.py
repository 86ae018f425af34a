"""`cocon ideas remind-reviewers`: the daily job of Idées (also run by `cocon worker`).

Reminds each démineur once, two days before the deadline of their opinion, and tells
the démineur and the campaign's animateurs once when the deadline has passed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cocon.ideas.services import remind_reviewers


class Command(BaseCommand):
    help = "Idées maintenance: remind-reviewers (démineurs' deadlines)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("remind-reviewers", help="remind démineurs before and after deadlines")

    def handle(self, *args, action, **options):
        if action == "remind-reviewers":
            reminded, late = remind_reviewers()
            self.stdout.write(f"{reminded} reminders sent, {late} late opinions reported")
