"""Events, staff side: list, create, edit (bad input), cancel (people told), permissions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cocon.core.models import Notification, OutboxEmail
from cocon.processes import services_events as services
from cocon.processes.models.events import Event, Registration
from tests.conftest import fr

STAFF_OK = ["animateur", "admin", "platform"]
STAFF_NO = ["usager", "agent", "manager", "direction", "elu", "expert", "agent_b", "admin_b"]


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _post(pworld, **over):
    start = pworld.workshop.starts_at + dt.timedelta(days=1)
    data = {
        "kind": "walk",
        "title": "Balade des berges",
        "description": "",
        "phase": pworld.phases[1].pk,
        "starts_at": _local(start),
        "ends_at": _local(start + dt.timedelta(hours=2)),
        "place": "Pont de la rivière",
        "online_url": "",
        "accessibility": "Chemin plat",
        "capacity": "10",
        "registration_open": "on",
        "target_usager": "5",
        "target_agent": "2",
        "target_elu": "1",
        "minutes": "",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("role", STAFF_OK)
def test_staff_create_an_event(pworld, client_for, role):
    client = client_for(role)
    url = reverse("processes:event_create", args=["parc-des-berges"])
    assert client.get(url).status_code == 200
    response = client.post(url, _post(pworld))
    event = Event.objects.get(title="Balade des berges")
    assert response.status_code == 302
    assert response.url == reverse("processes:event_detail", args=["parc-des-berges", event.pk])
    assert event.target_mix == {"usager": 5, "agent": 2, "elu": 1}
    assert event.capacity == 10 and event.phase == pworld.phases[1] and event.registration_open


@pytest.mark.parametrize("role", STAFF_NO)
def test_others_may_not_manage_events(pworld, client_for, role):
    client = client_for(role)
    w = pworld.workshop
    for name, args in [
        ("event_list", ["parc-des-berges"]),
        ("event_create", ["parc-des-berges"]),
        ("event_edit", ["parc-des-berges", w.pk]),
        ("event_cancel", ["parc-des-berges", w.pk]),
        ("event_attendance", ["parc-des-berges", w.pk]),
        ("event_panel", ["parc-des-berges", w.pk]),
        ("event_outputs", ["parc-des-berges", w.pk]),
    ]:
        assert client.get(reverse(f"processes:{name}", args=args)).status_code == 403, name
    assert (
        client.post(
            reverse("processes:event_create", args=["parc-des-berges"]), _post(pworld)
        ).status_code
        == 403
    )
    assert not Event.objects.filter(title="Balade des berges").exists()


def test_anonymous_may_not_manage_events(pworld, client):
    response = client.get(reverse("processes:event_list", args=["parc-des-berges"]))
    assert response.status_code in (302, 403)
    response = client.post(
        reverse("processes:event_create", args=["parc-des-berges"]), _post(pworld)
    )
    assert response.status_code in (302, 403)
    assert not Event.objects.filter(title="Balade des berges").exists()


def test_event_list_queries_are_constant(pworld, client_for, django_assert_max_num_queries):
    client = client_for("animateur")
    url = reverse("processes:event_list", args=["parc-des-berges"])
    client.get(url)
    for i in range(5):
        Event.objects.create(
            process=pworld.process,
            kind="meeting",
            title=f"Réunion {i}",
            starts_at=pworld.workshop.starts_at,
            ends_at=pworld.workshop.ends_at,
            place="Mairie",
        )
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert len(re.findall(r"Réunion \d<", response.content.decode())) == 5


@pytest.mark.parametrize(
    "over, field, message",
    [
        ({"ends_at": "@start-1h"}, "ends_at", "The event ends before it starts."),
        ({"place": "", "online_url": ""}, "place", "Give a place or an online link."),
        ({"target_usager": "-2"}, None, "Targets cannot be negative."),
        ({"title": ""}, "title", None),
        ({"kind": "party"}, "kind", None),
    ],
)
def test_bad_input_is_refused(pworld, client_for, over, field, message):
    client = client_for("animateur")
    start = pworld.workshop.starts_at + dt.timedelta(days=1)
    if over.get("ends_at") == "@start-1h":
        over = {"ends_at": _local(start - dt.timedelta(hours=1))}
    response = client.post(
        reverse("processes:event_create", args=["parc-des-berges"]), _post(pworld, **over)
    )
    assert response.status_code == 400
    if message:
        assert fr(message) in response.content.decode()
    assert not Event.objects.filter(title="Balade des berges").exists()


def test_event_outside_its_phase_names_the_phase_dates(pworld, client_for):
    client = client_for("animateur")
    phase = pworld.phases[0]  # past phase
    response = client.post(
        reverse("processes:event_create", args=["parc-des-berges"]), _post(pworld, phase=phase.pk)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        fr(
            "The event must take place during its phase “%(phase)s”, from %(start)s to %(end)s."
        ).split("%(")[0]
        in body
    )
    assert "Réunions publiques" in body
    assert str(phase.starts_on.day) in body and str(phase.ends_on.year) in body
    assert not Event.objects.filter(title="Balade des berges").exists()


def test_capacity_cannot_go_below_registered(pworld, client_for):
    w = pworld.workshop
    for i in range(3):
        services.register(event=w, name=f"P{i}", role="usager")
    client = client_for("animateur")
    url = reverse("processes:event_edit", args=["parc-des-berges", w.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        _post(
            pworld,
            title=w.title,
            starts_at=_local(w.starts_at),
            ends_at=_local(w.ends_at),
            capacity="2",
        ),
    )
    assert response.status_code == 400
    assert (
        fr("%(n)s people are already registered: the capacity cannot be lower than that.", n=3)
        in response.content.decode()
    )
    w.refresh_from_db()
    assert w.capacity == 3


def test_raising_capacity_promotes_the_waiting_list(pworld, client_for):
    w = pworld.workshop
    for i in range(4):
        services.register(event=w, name=f"P{i}", role="usager", email=f"p{i}@ex.fr")
    assert Registration.objects.filter(event=w, status="waiting").count() == 1
    before = OutboxEmail.objects.filter(to=["p3@ex.fr"]).count()
    client = client_for("animateur")
    response = client.post(
        reverse("processes:event_edit", args=["parc-des-berges", w.pk]),
        _post(
            pworld,
            title=w.title,
            starts_at=_local(w.starts_at),
            ends_at=_local(w.ends_at),
            capacity="4",
        ),
    )
    assert response.status_code == 302
    assert Registration.objects.filter(event=w, status="registered").count() == 4
    assert OutboxEmail.objects.filter(to=["p3@ex.fr"]).count() == before + 1


def test_cancel_tells_registered_people(pworld, client_for):
    w = pworld.workshop
    services.register(event=w, user=pworld["usager"], name="Ulysse", role="usager")
    services.register(event=w, name="Anne", email="anne@ex.fr", role="usager")
    client = client_for("animateur")
    url = reverse("processes:event_cancel", args=["parc-des-berges", w.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Salle indisponible"})
    assert response.status_code == 302
    w.refresh_from_db()
    assert w.cancelled_at and not w.registration_open
    assert Notification.objects.filter(recipient=pworld["usager"], kind="processes.event").exists()
    assert OutboxEmail.objects.filter(
        to=["anne@ex.fr"], body__contains="Salle indisponible"
    ).exists()
    # twice: refused, 400
    assert client.post(url, {"reason": ""}).status_code == 400


def test_private_process_events_are_hidden(pworld, client_for, client):
    pworld.process.is_public = False
    pworld.process.save()
    url = reverse("processes:event_detail", args=["parc-des-berges", pworld.workshop.pk])
    assert client.get(url).status_code == 404
    assert client_for("usager").get(url).status_code == 404
    assert client_for("agent_b").get(url).status_code == 200  # Département B is involved


def test_event_of_another_process_is_404(pworld, client_for):
    client = client_for("animateur")
    assert (
        client.get(reverse("processes:event_detail", args=["parc-des-berges", 99999])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("processes:event_detail", args=["autre", pworld.workshop.pk])
        ).status_code
        == 404
    )
