"""Registration: anonymous and account, capacity and waiting list, duplicates, bad
input, cancellation by signed link / account / staff, promotion and notification."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cocon.core.models import Notification, OutboxEmail
from cocon.processes import services_events as services
from cocon.processes.models.events import Registration
from tests.conftest import fr


def _url(pworld, name="event_register", *extra):
    return reverse(f"processes:{name}", args=["parc-des-berges", pworld.workshop.pk, *extra])


def _data(**over):
    data = {
        "name": "Anne Habitante",
        "email": "",
        "role": "usager",
        "category": "",
        "accessibility_needs": "",
    }
    data.update(over)
    return data


def test_anonymous_registers_and_sees_what_was_recorded(pworld, client):
    commune = pworld.world.communes[0]
    response = client.post(
        _url(pworld),
        _data(
            email="Anne@Ex.fr",
            email_consent="on",
            accessibility_needs="Fauteuil roulant",
            age_band="30-44",
            commune=commune.pk,
        ),
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.status == "registered" and registration.user is None
    assert registration.email == "anne@ex.fr" and registration.email_consent
    assert registration.commune == commune and registration.age_band == "30-44"
    assert registration.contact_erase_on == timezone.localtime(
        pworld.workshop.ends_at
    ).date() + dt.timedelta(days=183)
    page = client.get(response.url)
    body = page.content.decode()
    assert page.status_code == 200
    assert fr("You are registered.") in body and "Fauteuil roulant" in body and "Villebourg" in body


def test_confirmation_is_sent_with_the_personal_link(pworld, client):
    client.post(_url(pworld), _data(email="anne@ex.fr"))
    registration = Registration.objects.get()
    email = OutboxEmail.objects.get(to=["anne@ex.fr"])
    token = services.registration_token(registration)
    assert _url(pworld, "event_registration", token) in email.body
    assert "Atelier projet du parc" in email.subject


def test_account_registration_is_prefilled_and_linked(pworld, client_for):
    client = client_for("usager")
    page = client.get(_url(pworld))
    assert 'value="Ulysse Usager"' in page.content.decode()
    response = client.post(_url(pworld), _data(name="Ulysse Usager"))
    assert response.status_code == 302
    assert Registration.objects.get().user == pworld["usager"]
    # the event page shows the registration to its owner
    detail = client.get(
        reverse("processes:event_detail", args=["parc-des-berges", pworld.workshop.pk])
    )
    assert fr("Cancel my registration") in detail.content.decode()


def test_full_event_puts_people_on_waiting_list_with_their_number(pworld, client):
    for i in range(3):
        services.register(event=pworld.workshop, name=f"P{i}", role="usager")
    client.post(_url(pworld), _data(name="Quatre"))
    response = client.post(_url(pworld), _data(name="Cinq"))
    assert response.status_code == 302
    body = client.get(response.url).content.decode()
    assert fr("Full: you are number %(n)s on the waiting list.", n=2) in body
    assert Registration.objects.filter(status="registered").count() == 3
    assert Registration.objects.filter(status="waiting").count() == 2


def test_registration_never_exceeds_capacity_at_service_level(pworld):
    regs = [
        services.register(event=pworld.workshop, name=f"P{i}", role="usager") for i in range(10)
    ]
    assert [r.status for r in regs].count("registered") == 3
    assert services.waiting_position(regs[-1]) == 7


def test_agent_role_needs_a_category(pworld, client):
    response = client.post(_url(pworld), _data(role="agent", category=""))
    assert response.status_code == 400
    assert fr("Give the agent's category (A, B, C or other status).") in response.content.decode()
    assert not Registration.objects.exists()
    assert client.post(_url(pworld), _data(role="agent", category="B")).status_code == 302
    assert Registration.objects.get().category == "B"


@pytest.mark.parametrize(
    "over, message",
    [
        ({"name": ""}, None),
        ({"role": "king"}, None),
        ({"email": "pas-un-email"}, None),
        ({"email_consent": "on"}, "Give an email address to be told by email."),
        ({"age_band": "0-3"}, None),
    ],
)
def test_bad_registration_input(pworld, client, over, message):
    response = client.post(_url(pworld), _data(**over))
    assert response.status_code == 400
    if message:
        assert fr(message) in response.content.decode()
    assert not Registration.objects.exists()


def test_commune_outside_territory_is_refused_by_the_service(pworld):
    from cocon.territory.models import Commune, Territory

    other = Territory.objects.create(name="Ailleurs", slug="ailleurs")
    commune = Commune.objects.create(territory=other, insee_code="99999", name="Loin")
    with pytest.raises(ValidationError) as exc:
        services.register(event=pworld.workshop, name="X", role="usager", commune=commune)
    assert "commune" in exc.value.message_dict
    assert not Registration.objects.exists()


def test_registering_twice_is_refused(pworld, client, client_for):
    assert client.post(_url(pworld), _data(email="anne@ex.fr")).status_code == 302
    response = client.post(_url(pworld), _data(name="Autre", email="ANNE@ex.fr"))
    assert response.status_code == 400
    assert (
        fr("Someone is already registered to this event with this email.")
        in response.content.decode()
    )
    user_client = client_for("usager")
    assert user_client.post(_url(pworld), _data()).status_code == 302
    response = user_client.post(_url(pworld), _data())
    assert response.status_code == 400
    assert fr("You are already registered to this event.") in response.content.decode()
    assert Registration.objects.count() == 2


def test_registration_closed_cancelled_or_past(pworld, client):
    w = pworld.workshop
    w.registration_open = False
    w.save()
    assert client.get(_url(pworld)).status_code == 403
    assert client.post(_url(pworld), _data()).status_code == 403
    with pytest.raises(ValidationError):
        services.register(event=w, name="X", role="usager")
    w.registration_open = True
    w.cancelled_at = timezone.now()
    w.save()
    assert client.post(_url(pworld), _data()).status_code == 403
    assert not Registration.objects.exists()


def test_private_process_registration(pworld, client, client_for):
    pworld.process.is_public = False
    pworld.process.save()
    assert client.post(_url(pworld), _data()).status_code == 404
    assert client_for("usager").post(_url(pworld), _data()).status_code == 404
    assert (
        client_for("agent_b").post(_url(pworld), _data(role="agent", category="C")).status_code
        == 302
    )


def test_rate_limit(pworld, client, settings):
    settings.PUBLIC_FORM_RATE_PER_HOUR = 2
    for i in range(2):
        assert client.post(_url(pworld), _data(name=f"N{i}")).status_code == 302
    response = client.post(_url(pworld), _data(name="Trop"))
    assert response.status_code == 429
    assert Registration.objects.count() == 2


def test_cancel_by_signed_link_promotes_and_tells_the_first_waiting(pworld, client):
    w = pworld.workshop
    first = services.register(event=w, name="Un", role="usager")
    for i in range(2):
        services.register(event=w, name=f"P{i}", role="usager")
    waiting_user = services.register(event=w, user=pworld["usager"], name="Ulysse", role="usager")
    waiting_mail = services.register(event=w, name="Bea", email="bea@ex.fr", role="usager")
    token = services.registration_token(first)
    url = _url(pworld, "event_registration_cancel", token)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    first.refresh_from_db()
    waiting_user.refresh_from_db()
    waiting_mail.refresh_from_db()
    assert first.status == "cancelled" and first.cancelled_at
    assert waiting_user.status == "registered" and waiting_mail.status == "waiting"
    assert Notification.objects.filter(recipient=pworld["usager"], kind="processes.event").exists()
    # a second cancellation frees a seat for the email-only person, told by email
    before = OutboxEmail.objects.filter(to=["bea@ex.fr"]).count()
    services.registration_cancel(registration=waiting_user)
    waiting_mail.refresh_from_db()
    assert waiting_mail.status == "registered"
    assert OutboxEmail.objects.filter(to=["bea@ex.fr"]).count() == before + 1
    # cancelling twice does nothing more
    assert client.post(url).status_code == 302
    assert Registration.objects.filter(status="registered").count() == 3


def test_bad_or_foreign_token_is_404(pworld, client):
    assert client.get(_url(pworld, "event_registration", "abc:def")).status_code == 404
    other = services.register(event=pworld.workshop, name="Un", role="usager")
    from cocon.processes.models import Event

    second = Event.objects.create(
        process=pworld.process,
        kind="meeting",
        title="Autre",
        starts_at=pworld.workshop.starts_at,
        ends_at=pworld.workshop.ends_at,
        place="Mairie",
    )
    token = services.registration_token(other)
    url = reverse("processes:event_registration", args=["parc-des-berges", second.pk, token])
    assert client.get(url).status_code == 404


def test_staff_cancels_from_attendance(pworld, client_for):
    registration = services.register(event=pworld.workshop, name="Un", role="usager")
    client = client_for("animateur")
    page = client.get(_url(pworld, "event_attendance"))
    token = services.registration_token(registration)
    cancel_url = _url(pworld, "event_registration_cancel", token)
    assert cancel_url in page.content.decode()
    response = client.post(cancel_url)
    assert response.url == _url(pworld, "event_attendance")
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_event_detail_for_anonymous(pworld, client, django_assert_max_num_queries):
    for i in range(4):
        services.register(event=pworld.workshop, name=f"P{i}", role="usager")
    url = reverse("processes:event_detail", args=["parc-des-berges", pworld.workshop.pk])
    with django_assert_max_num_queries(8):
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Salle des fêtes de Villebourg" in body
    assert fr("Full: new registrations go on the waiting list.") in body
    assert fr("Join the waiting list") in body
    assert "P0" not in body  # no names in public


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_exceed_capacity(pworld):
    """Ten people take the last seats at once: the event row lock keeps the capacity."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writes; the row lock is tested on PostgreSQL")
    barrier = threading.Barrier(10)
    errors = []

    def one(i):
        try:
            barrier.wait()
            services.register(event=pworld.workshop, name=f"P{i}", role="usager")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Registration.objects.filter(status="registered").count() == 3
    assert Registration.objects.filter(status="waiting").count() == 7
