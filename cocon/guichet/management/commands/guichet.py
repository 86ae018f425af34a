"""`cocon guichet tick|review|retention`: the scheduled jobs of the Guichet (also run by
`cocon worker`), for installs without a worker (cron).

- `tick` (hourly): reminders before the answer deadline, escalation of overdue questions
  (substitutes, then the referents' manager), erasure of expired user contacts;
- `review` (daily): owners told once of their knowledge entries past their validity date;
- `retention` (daily): legal-team cases past their erasure date erased.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cocon.guichet.services_knowledge import review_expired
from cocon.guichet.services_legal import legal_retention
from cocon.guichet.services_questions import questions_tick


class Command(BaseCommand):
    help = "Guichet jobs: tick (reminders, escalation), review (expired entries), retention."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("tick", help="remind and escalate questions, erase expired contacts")
        sub.add_parser("review", help="tell owners of knowledge entries past their validity")
        sub.add_parser("retention", help="erase legal-team cases past their erasure date")

    def handle(self, *args, action, **options):
        if action == "tick":
            done = questions_tick()
            self.stdout.write(
                f"{done['reminded']} reminded, {done['escalated']} escalated, "
                f"{done['contacts_erased']} contacts erased"
            )
        elif action == "review":
            self.stdout.write(f"{review_expired()} expired entries flagged to their owners")
        else:
            self.stdout.write(f"{legal_retention()} cases erased")
