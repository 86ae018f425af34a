"""`cocon processes retention|revisions` runs the daily jobs for cron installs."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from cocon.processes.models import Registration


def test_retention_anonymises_registrations_past_their_erasure_date(pworld):
    past = Registration.objects.create(
        event=pworld.workshop,
        name="Anne Martin",
        email="anne@example.org",
        role="usager",
        contact_erase_on=timezone.localdate() - dt.timedelta(days=1),
    )
    kept = Registration.objects.create(
        event=pworld.workshop,
        name="Bruno Petit",
        email="bruno@example.org",
        role="usager",
        contact_erase_on=timezone.localdate() + dt.timedelta(days=30),
    )
    out = StringIO()
    call_command("processes", "retention", stdout=out)
    assert out.getvalue().startswith("1 ")
    past.refresh_from_db()
    kept.refresh_from_db()
    assert past.email == "" and "Anne" not in past.name
    assert kept.email == "bruno@example.org"


def test_revisions_runs(pworld):
    out = StringIO()
    call_command("processes", "revisions", stdout=out)
    assert out.getvalue().startswith("0 ")
