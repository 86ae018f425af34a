"""Retention of registrants' contacts, GDPR, participants, participation figures and
the public section of the process page."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone

from cocon.core import schedule
from cocon.core.gdpr import erase_person, export_person
from cocon.processes import selectors_events as selectors
from cocon.processes import services_events as services
from cocon.processes.models.events import Event, Registration


def _past_event(pworld, days=200, **kw):
    start = timezone.now() - dt.timedelta(days=days)
    return Event.objects.create(
        process=pworld.process,
        kind="meeting",
        title=kw.get("title", "Réunion passée"),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Mairie",
        target_mix=kw.get("target_mix", {}),
    )


def test_erase_on_is_six_months_after_the_event_or_three_after_closing(pworld):
    r = services.register(event=pworld.workshop, name="Anne", email="a@ex.fr", role="usager")
    assert r.contact_erase_on == timezone.localtime(pworld.workshop.ends_at).date() + dt.timedelta(
        days=183
    )
    pworld.process.closed_at = timezone.now()
    pworld.process.save()
    event = Event.objects.get(pk=pworld.workshop.pk)
    assert services.contact_erase_on(event) == timezone.localdate() + dt.timedelta(days=92)


def test_daily_job_erases_contacts_when_due(pworld):
    assert "processes.erase_event_contacts" in schedule._DAILY
    keep = services.register(
        event=pworld.workshop, name="Anne", email="a@ex.fr", role="usager", email_consent=True
    )
    old = _past_event(pworld)
    due = Registration.objects.create(
        event=old,
        name="Bruno",
        email="b@ex.fr",
        role="usager",
        contact_erase_on=timezone.localdate() - dt.timedelta(days=1),
    )
    assert services.erase_contacts() == 1
    due.refresh_from_db()
    keep.refresh_from_db()
    assert due.name == f"Participant·e n° {due.pk}" and due.email == "" and not due.email_consent
    assert keep.name == "Anne" and keep.email == "a@ex.fr"
    assert services.erase_contacts() == 0  # idempotent
    # the process closed more than three months ago: erased whatever the stored date
    pworld.process.closed_at = timezone.now() - dt.timedelta(days=100)
    pworld.process.save()
    assert services.erase_contacts() == 1
    keep.refresh_from_db()
    assert keep.email == "" and keep.name.startswith("Participant·e n° ")


def test_gdpr_export_and_erasure(pworld):
    user = pworld["usager"]
    services.register(
        event=pworld.workshop,
        user=user,
        name="Ulysse",
        email="u@ex.fr",
        role="usager",
        accessibility_needs="Boucle",
    )
    data = export_person(user)["processes_events"]
    assert data["registrations"][0]["event"] == "Atelier projet du parc"
    assert data["registrations"][0]["accessibility_needs"] == "Boucle"
    erase_person(user)
    r = Registration.objects.get()
    assert r.user_id is None and r.email == "" and r.accessibility_needs == ""
    assert r.name == f"Participant·e n° {r.pk}"
    assert r.role == "usager"  # still counted in the figures


def test_participants_for_the_synthesis(pworld):
    w = pworld.workshop
    services.register(event=w, user=pworld["usager"], name="Ulysse", email="u@ex.fr", role="usager")
    services.register(event=w, name="Anne", email="a@ex.fr", email_consent=True, role="usager")
    services.register(event=w, name="Bruno", email="b@ex.fr", role="usager")  # no consent
    services.register(event=w, name="Waiting", email="w@ex.fr", email_consent=True, role="usager")
    other = _past_event(pworld, days=5)
    Registration.objects.create(
        event=other, name="Anne", email="a@ex.fr", email_consent=True, role="usager"
    )
    Registration.objects.create(event=other, user=pworld["usager"], name="Ulysse", role="usager")
    people = selectors.participants(pworld.process)
    assert {"user_id": pworld["usager"].pk, "name": "Ulysse", "email": ""} in people
    assert {"user_id": None, "name": "Anne", "email": "a@ex.fr"} in people
    assert {"user_id": None, "name": "Bruno", "email": ""} in people
    assert len(people) == 3  # waiting list left out, Anne and Ulysse once


def test_participation_figures(pworld, django_assert_max_num_queries):
    w = pworld.workshop
    commune = pworld.world.communes[0]
    a = services.register(event=w, name="A", role="usager", age_band="30-44", commune=commune)
    services.register(event=w, name="B", role="agent", category="C")
    services.attendance_set(actor=None, registration=a, attended=True)
    services.walk_in_add(actor=None, event=w, name="E", role="elu")
    services.outputs_add(
        actor=pworld["animateur"], event=w, notes=[{"text": "Des bancs à l'ombre"}]
    )
    with django_assert_max_num_queries(3):
        figures = selectors.participation_figures(pworld.process)
    assert figures["events"] == 1 and figures["events_held"] == 0 and figures["outputs"] == 1
    assert figures["registrations"] == 3 and figures["present"] == 2
    assert (
        figures["by_role"]["usager"]["registered"] == 1
        and figures["by_role"]["usager"]["present"] == 1
    )
    assert (
        figures["by_role"]["elu"]["present"] == 1
        and figures["by_role"]["expert"]["registered"] == 0
    )
    assert figures["by_age_band"] == {"30-44": 1}
    assert figures["by_commune"] == {
        commune.pk: {"name": "Villebourg", "insee_code": "38601", "present": 1}
    }


def test_public_section(pworld, django_assert_max_num_queries):
    services.register(event=pworld.workshop, name="Anne Secrète", role="usager")
    past = _past_event(pworld, days=3, title="Balade passée", target_mix={"usager": 4})
    r = Registration.objects.create(event=past, name="Bruno Secret", role="usager", attended=True)
    assert r
    with django_assert_max_num_queries(2):
        section = selectors.public_section(pworld.process, None)
    assert [e.title for e in section["events_upcoming"]] == ["Atelier projet du parc"]
    assert [e.title for e in section["events_past"]] == ["Balade passée"]
    html = render_to_string("processes/events/_public.html", {"process": pworld.process, **section})
    assert "Atelier projet du parc" in html and "Balade passée" in html
    assert "Secret" not in html
    assert "/inscription/" in html
    assert "1/4" in html  # present usagers against the target


def test_public_section_is_empty_without_events(pworld):
    pworld.workshop.delete()
    assert selectors.public_section(pworld.process, None) == {}
    assert (
        render_to_string("processes/events/_public.html", {"process": pworld.process}).strip() == ""
    )
