"""`cocon worker`: background work for deployments with several web processes.

Delivers the email outbox (COCON_OUTBOX_MODE=worker) and runs scheduled jobs that
modules register. Several workers may run: rows are claimed with row locks.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from cocon.core.outbox import deliver_due
from cocon.core.schedule import run_due


class Command(BaseCommand):
    help = "Run background work (email outbox, daily jobs) until stopped; --once for one pass."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args, once, interval, **options):
        while True:
            for job in run_due():
                self.stdout.write(f"daily job done: {job}")
            sent, failed = deliver_due()
            if sent or failed:
                self.stdout.write(f"outbox: {sent} sent, {failed} failed")
            if once:
                return
            time.sleep(interval)
