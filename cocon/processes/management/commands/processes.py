"""`cocon processes retention|revisions|reminders`: the scheduled jobs of the Démarches (also run
by `cocon worker`), for installs without a worker (cron).

- `retention` (daily): names and emails of event registrants erased once due (6 months
  after the event at most, 3 months after the process closes);
- `revisions` (daily): process managers reminded once when a charter's revision date is
  reached;
- `reminders` (hourly): people registered to an event starting within 24 hours reminded
  once, with their link to cancel.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cocon.processes.services_charter import remind_revisions
from cocon.processes.services_events import erase_contacts, send_reminders


class Command(BaseCommand):
    help = (
        "Démarches jobs: retention (registrants' contacts), revisions (charter reminders), "
        "reminders (events within 24 hours)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("retention", help="erase registrants' names and emails once due")
        sub.add_parser("revisions", help="remind managers of charters due for revision")
        sub.add_parser("reminders", help="remind registrants of events within 24 hours")

    def handle(self, *args, action, **options):
        if action == "retention":
            self.stdout.write(f"{erase_contacts()} registrations anonymised")
        elif action == "reminders":
            self.stdout.write(f"{send_reminders()} registrants reminded")
        else:
            self.stdout.write(f"{remind_revisions()} charters due for revision reminded")
