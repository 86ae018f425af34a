"""Reminders before an event (hourly job `processes.event_reminders`): registered people,
once, within 24 hours of the start, with their own link to cancel."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cocon.core.models import Notification, OutboxEmail
from cocon.processes import services_events as services
from cocon.processes.models import Event, Registration
from tests.conftest import fr

Status = Registration.Status


@pytest.fixture
def event(pworld) -> Event:
    """The fixture workshop, moved to start in 20 hours, with its accessibility."""
    workshop = pworld.workshop
    workshop.starts_at = timezone.now() + dt.timedelta(hours=20)
    workshop.ends_at = workshop.starts_at + dt.timedelta(hours=3)
    workshop.accessibility = "Rampe d'accès, boucle magnétique."
    workshop.save()
    return workshop


def registration(event, *, days_before=3, **fields) -> Registration:
    data = {"name": "Anne Martin", "email": "anne@example.org", "role": "usager"}
    data.update(fields)
    return Registration.objects.create(
        event=event, created_at=event.starts_at - dt.timedelta(days=days_before), **data
    )


def linked_registration(text: str, event) -> Registration | None:
    """The registration whose personal link is in `text` (tokens carry a timestamp)."""
    prefix = reverse("processes:event_registration", args=[event.process.slug, event.pk, "X"])
    match = re.search(re.escape(prefix[:-2]) + r"([^/\s]+)/", text)
    return services.registration_from_token(match.group(1)) if match else None


def test_registered_people_are_reminded_once_with_their_link(pworld, event):
    anne = registration(event)
    user = registration(event, name="Ulysse", email="", user=pworld["usager"])
    assert services.send_reminders() == 2

    email = OutboxEmail.objects.get(to=["anne@example.org"])
    assert event.title in email.subject
    assert "Rampe d'accès" in email.body and event.place in email.body
    assert linked_registration(email.body, event) == anne
    note = Notification.objects.get(recipient=pworld["usager"], kind="processes.event")
    assert linked_registration(note.url, event) == user
    anne.refresh_from_db()
    assert anne.reminded_at is not None

    # the next runs send nothing more
    assert services.send_reminders() == 0
    assert services.send_reminders(now=timezone.now() + dt.timedelta(hours=3)) == 0
    assert OutboxEmail.objects.filter(to=["anne@example.org"]).count() == 1


def test_the_reminder_is_in_french(pworld, event):
    from django.utils import translation

    registration(event)
    with translation.override("fr"):
        services.send_reminders()
    email = OutboxEmail.objects.get(to=["anne@example.org"])
    with translation.override("fr"):
        subject = translation.gettext("Reminder: “%(event)s” starts within a day")
    assert subject.startswith("Rappel")
    expected = subject % {"event": event.title}
    assert email.subject == expected
    assert (
        fr("If you cannot come, cancel with the link: your seat goes to the next person.")
        in email.body
    )


def test_only_within_24_hours(pworld, event):
    registration(event)
    later = timezone.now() - dt.timedelta(hours=5)  # the event is then 25 hours away
    assert services.send_reminders(now=later) == 0
    assert services.send_reminders() == 1


@pytest.mark.parametrize("status", [Status.WAITING, Status.CANCELLED])
def test_waiting_or_cancelled_are_not_reminded(pworld, event, status):
    registration(event, status=status)
    assert services.send_reminders() == 0
    assert not OutboxEmail.objects.exists()


def test_cancelled_or_past_event_reminds_nobody(pworld, event):
    registration(event)
    Event.objects.filter(pk=event.pk).update(cancelled_at=timezone.now())
    assert services.send_reminders() == 0
    Event.objects.filter(pk=event.pk).update(
        cancelled_at=None, starts_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert services.send_reminders() == 0
    assert not OutboxEmail.objects.exists()


def test_registered_less_than_a_day_ahead_is_not_reminded(pworld, event):
    registration(event, days_before=0.5)  # just read their confirmation
    assert services.send_reminders() == 0


def test_erased_contact_is_marked_without_a_message(pworld, event):
    anonymous = registration(event, email="", name="Participant·e n° 1")
    assert services.send_reminders() == 0
    anonymous.refresh_from_db()
    assert anonymous.reminded_at is not None
    assert not OutboxEmail.objects.exists()


def test_a_freed_seat_goes_to_the_waiting_list(pworld, event, client):
    """The point of the link: the reminded person cancels, the first waiting person is
    promoted and told."""
    anne = registration(event)
    registration(event, name="Bruno", email="bruno@example.org", status=Status.WAITING)
    services.send_reminders()
    response = client.post(
        reverse(
            "processes:event_registration_cancel",
            args=[event.process.slug, event.pk, services.registration_token(anne)],
        )
    )
    assert response.status_code == 302
    assert Registration.objects.get(name="Bruno").status == Status.REGISTERED
    assert OutboxEmail.objects.filter(to=["bruno@example.org"]).exists()


def test_command_runs_the_job(pworld, event):
    registration(event)
    out = StringIO()
    call_command("processes", "reminders", stdout=out)
    assert out.getvalue().startswith("1 ")
