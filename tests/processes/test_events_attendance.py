"""Attendance on a phone (htmx and plain POST), walk-ins, panel composition."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cocon.processes import services_events as services
from cocon.processes.models.events import Registration
from tests.conftest import fr


def _url(pworld, name, *extra):
    return reverse(f"processes:{name}", args=["parc-des-berges", pworld.workshop.pk, *extra])


@pytest.mark.parametrize("role", ["animateur", "admin", "platform"])
def test_attendance_page_lists_people_with_needs(pworld, client_for, role):
    services.register(
        event=pworld.workshop, name="Anne", role="usager", accessibility_needs="Boucle magnétique"
    )
    services.register(event=pworld.workshop, name="Bruno", role="agent", category="C")
    response = client_for(role).get(_url(pworld, "event_attendance"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Anne" in body and "Boucle magnétique" in body and "Bruno" in body
    assert 'hx-post="' in body and 'name="attended" value="1"' in body


@pytest.mark.parametrize("role", ["usager", "agent", "elu", "expert", "agent_b", "admin_b"])
def test_others_cannot_take_attendance(pworld, client_for, role):
    registration = services.register(event=pworld.workshop, name="Anne", role="usager")
    client = client_for(role)
    assert client.get(_url(pworld, "event_attendance")).status_code == 403
    assert (
        client.post(
            _url(pworld, "event_attendance_toggle", registration.pk), {"attended": "1"}
        ).status_code
        == 403
    )
    assert (
        client.post(_url(pworld, "event_walk_in"), {"name": "X", "role": "usager"}).status_code
        == 403
    )
    registration.refresh_from_db()
    assert registration.attended is None
    assert Registration.objects.count() == 1


def test_anonymous_cannot_take_attendance(pworld, client):
    registration = services.register(event=pworld.workshop, name="Anne", role="usager")
    assert client.get(_url(pworld, "event_attendance")).status_code in (302, 403)
    assert client.post(
        _url(pworld, "event_attendance_toggle", registration.pk), {"attended": "1"}
    ).status_code in (302, 403)


def test_toggle_with_htmx_returns_the_row(pworld, client_for):
    registration = services.register(event=pworld.workshop, name="Anne", role="usager")
    client = client_for("animateur")
    response = client.post(
        _url(pworld, "event_attendance_toggle", registration.pk),
        {"attended": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith("<li") and f'id="r{registration.pk}"' in body
    assert fr("Present") in body and 'aria-pressed="true"' in body
    registration.refresh_from_db()
    assert registration.attended is True and registration.attendance_taken_at


def test_toggle_without_js_redirects(pworld, client_for):
    registration = services.register(event=pworld.workshop, name="Anne", role="usager")
    client = client_for("animateur")
    response = client.post(
        _url(pworld, "event_attendance_toggle", registration.pk), {"attended": "0"}
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#r{registration.pk}")
    registration.refresh_from_db()
    assert registration.attended is False


def test_toggle_bad_input(pworld, client_for):
    registration = services.register(event=pworld.workshop, name="Anne", role="usager")
    client = client_for("animateur")
    assert (
        client.post(
            _url(pworld, "event_attendance_toggle", registration.pk), {"attended": "maybe"}
        ).status_code
        == 400
    )
    assert (
        client.post(_url(pworld, "event_attendance_toggle", 999999), {"attended": "1"}).status_code
        == 404
    )
    services.registration_cancel(registration=registration)
    assert (
        client.post(
            _url(pworld, "event_attendance_toggle", registration.pk), {"attended": "1"}
        ).status_code
        == 400
    )
    registration.refresh_from_db()
    assert registration.attended is None


def test_walk_in(pworld, client_for):
    client = client_for("animateur")
    for i in range(3):
        services.register(event=pworld.workshop, name=f"P{i}", role="usager")
    response = client.post(
        _url(pworld, "event_walk_in"), {"name": "Zoé", "role": "agent", "category": "A"}
    )
    assert response.status_code == 302
    walk_in = Registration.objects.get(name="Zoé")
    assert (
        walk_in.walk_in
        and walk_in.attended
        and walk_in.status == "registered"
        and walk_in.category == "A"
    )
    # bad input: re-rendered with the error, nothing written
    response = client.post(_url(pworld, "event_walk_in"), {"name": "", "role": "usager"})
    assert response.status_code == 400
    response = client.post(
        _url(pworld, "event_walk_in"), {"name": "Yves", "role": "agent", "category": ""}
    )
    assert response.status_code == 400
    assert fr("Give the agent's category (A, B, C or other status).") in response.content.decode()
    assert Registration.objects.count() == 4


def test_attendance_queries_are_constant(pworld, client_for, django_assert_max_num_queries):
    client = client_for("animateur")
    url = _url(pworld, "event_attendance")
    services.register(event=pworld.workshop, name="P", role="usager")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(8):
        services.register(event=pworld.workshop, name=f"P{i}", role="usager")
    with django_assert_max_num_queries(len(one)):
        response = client.get(url)
    assert response.content.decode().count('<li class="attendance-row') == 9


def test_panel_shows_gaps_in_words(pworld, client_for, django_assert_max_num_queries):
    w = pworld.workshop  # target usager 2, agent 1, capacity 3
    services.register(event=w, name="Anne", role="usager")
    services.register(event=w, name="Bruno", role="agent", category="B")
    services.register(event=w, name="Carla", role="agent", category="C")
    services.register(event=w, name="Dan", role="usager")  # waiting
    client = client_for("animateur")
    with django_assert_max_num_queries(14):
        response = client.get(_url(pworld, "event_panel"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<caption" in body and 'scope="row"' in body
    assert (
        fr("%(counter)s person missing", counter=1).replace("%(counter)s", "1") in body
        or "il manque 1 personne" in body
    )
    assert "Agents de catégorie B" in body and "Agents de catégorie C" in body


def test_panel_after_the_event_counts_present(pworld, client_for):
    w = pworld.workshop
    a = services.register(event=w, name="Anne", role="usager")
    services.register(event=w, name="Bob", role="usager")
    w.starts_at -= dt.timedelta(days=8)
    w.ends_at -= dt.timedelta(days=8)
    w.save()
    services.attendance_set(actor=None, registration=a, attended=True)
    body = client_for("animateur").get(_url(pworld, "event_panel")).content.decode()
    usager_row = body.split("Habitant·e ou usager·ère</th>")[1].split("</tr>")[0]
    usager_row = re.sub(r"\s+", "", usager_row)
    # 2 registered, 1 present: once held, the gap counts the people present
    assert "<td>2</td><td>0</td><td>1</td><td>2</td><td><strong>ilmanque1personne" in usager_row


def test_attendance_changes_are_in_the_history(pworld, client_for):
    """Who marked whom present or absent, and when; a repeated click records nothing."""
    from cocon.core.history import history_of

    registration = services.register(event=pworld.workshop, name="Anne", role="usager")
    client = client_for("animateur")
    toggle = _url(pworld, "event_attendance_toggle", registration.pk)
    for value in ("1", "1", "0"):
        assert client.post(toggle, {"attended": value}).status_code == 302
    client.post(_url(pworld, "event_walk_in"), {"name": "Zoé", "role": "usager"})

    events = [(e.action, e.actor) for e in history_of(registration)]
    assert events == [
        ("registered", None),
        ("present", pworld["animateur"]),
        ("absent", pworld["animateur"]),
    ]
    walk_in = Registration.objects.get(name="Zoé")
    assert [(e.action, e.actor) for e in history_of(walk_in)] == [("walk_in", pworld["animateur"])]
