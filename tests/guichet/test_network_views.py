"""Settings pages of the referent network and the annuaire des référents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cocon.guichet.models import Commitment, Place, Procedure, Referent, Topic
from tests.conftest import fr

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"guichet:{name}", args=args)


def login(client, guichet, role):
    client.force_login(guichet[role])
    return client


ORG_PAGES = ("settings_referents", "settings_commitment", "settings_places")


@pytest.mark.parametrize("page", ORG_PAGES)
def test_org_pages_for_admins_only(client, guichet, page):
    org_b = guichet.world.org_b.slug
    for role in ("admin_b", "platform"):
        response = login(client, guichet, role).get(url(page, org_b))
        assert response.status_code == 200, role
        assert response.content.count(b"<h1") == 1
    for role in ("admin", "ref_b", "mgr_b", "agent_b", "agent", "direction", "usager"):
        assert login(client, guichet, role).get(url(page, org_b)).status_code == 404, role
    client.logout()
    assert client.get(url(page, org_b)).status_code == 302


def test_admin_b_cannot_edit_org_a(client, guichet):
    org_a = guichet.world.org_a.slug
    c = login(client, guichet, "admin_b")
    response = c.post(
        url("settings_referents", org_a),
        {
            "action": "add",
            "referent-topic": guichet.rsa.pk,
            "referent-user": guichet["agent"].pk,
            "referent-rank": "titular",
        },
    )
    assert response.status_code == 404
    response = c.post(url("settings_referents", org_a), {"action": "remove", "referent": 1})
    assert response.status_code == 404
    assert not Referent.objects.filter(organization=guichet.world.org_a).exists()


def test_add_remove_referent_and_absence(client, guichet, django_assert_max_num_queries):
    org_b = guichet.world.org_b
    c = login(client, guichet, "admin_b")
    response = c.post(
        url("settings_referents", org_b.slug),
        {
            "action": "add",
            "referent-topic": guichet.carte_grise.pk,
            "referent-user": guichet["agent_b"].pk,
            "referent-rank": "substitute",
            "referent-manager": guichet["mgr_b"].pk,
        },
    )
    assert response.status_code == 302
    ref = Referent.objects.get(topic=guichet.carte_grise, user=guichet["agent_b"])
    assert ref.rank == "substitute" and ref.manager == guichet["mgr_b"]
    # an agent of another organization is not in the list: French error next to the field
    response = c.post(
        url("settings_referents", org_b.slug),
        {
            "action": "add",
            "referent-topic": guichet.rsa.pk,
            "referent-user": guichet["agent"].pk,
            "referent-rank": "titular",
        },
    )
    assert response.status_code == 400
    assert 'id="id_referent-user_error"' in response.content.decode()
    until = timezone.localdate() + dt.timedelta(days=5)
    response = c.post(
        url("settings_referents", org_b.slug),
        {
            "action": "absence",
            "referent": ref.pk,
            f"absence-{ref.pk}-absent_until": until.isoformat(),
        },
    )
    assert response.status_code == 302
    ref.refresh_from_db()
    assert ref.absent_until == until
    response = c.post(
        url("settings_referents", org_b.slug),
        {"action": "absence", "referent": ref.pk, f"absence-{ref.pk}-absent_until": "2001-01-01"},
    )
    assert response.status_code == 400
    assert fr("Give a date from today on, or leave empty.") in response.content.decode()
    with django_assert_max_num_queries(13):
        assert c.get(url("settings_referents", org_b.slug)).status_code == 200
    response = c.post(
        url("settings_referents", org_b.slug), {"action": "remove", "referent": ref.pk}
    )
    assert response.status_code == 302
    assert not Referent.objects.filter(pk=ref.pk).exists()


def test_commitment_page(client, guichet):
    org_b = guichet.world.org_b
    c = login(client, guichet, "admin_b")
    page = c.get(url("settings_commitment", org_b.slug)).content.decode()
    assert 'value="08:30"' in page and 'type="time"' in page
    data = {
        "commitment-hours": "24",
        "commitment-urgent_hours": "4",
        "commitment-reminder_hours": "4",
        "commitment-alsace_moselle": "on",
    }
    for day in range(5):
        data |= {f"commitment-d{day}_am_from": "09:00", f"commitment-d{day}_am_to": "12:00"}
    response = c.post(url("settings_commitment", org_b.slug), data)
    assert response.status_code == 302
    commitment = Commitment.objects.get(organization=org_b)
    assert commitment.hours == 24 and commitment.alsace_moselle
    assert commitment.opening == {str(d): [["09:00", "12:00"]] for d in range(5)}
    response = c.post(
        url("settings_commitment", org_b.slug), data | {"commitment-d0_pm_from": "14:00"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_commitment-d0_pm_to_error"' in body
    assert fr("Give both the opening and the closing time, or neither.") in body
    response = c.post(
        url("settings_commitment", org_b.slug), data | {"commitment-urgent_hours": "30"}
    )
    assert response.status_code == 400
    assert 'id="id_commitment-urgent_hours_error"' in response.content.decode()
    assert (
        fr("The urgent deadline cannot be longer than the normal one.") in response.content.decode()
    )
    only_weekend = {k: v for k, v in data.items() if "_am_" not in k} | {
        "commitment-d6_am_from": "09:00",
        "commitment-d6_am_to": "12:00",
    }
    response = c.post(url("settings_commitment", org_b.slug), only_weekend)
    assert response.status_code == 400
    assert (
        fr("Give at least one opening period from Monday to Friday.") in response.content.decode()
    )
    assert Commitment.objects.get(organization=org_b).hours == 24


def test_places_page(client, guichet, django_assert_max_num_queries):
    org_a = guichet.world.org_a
    c = login(client, guichet, "admin")
    with django_assert_max_num_queries(13):
        page = c.get(url("settings_places", org_a.slug))
    assert "Maison France services" in page.content.decode()
    response = c.post(
        url("settings_places", org_a.slug),
        {
            "place-kind": "bus_stop",
            "place-name": "Arrêt du lavoir",
            "place-commune": guichet.world.communes[1].pk,
            "place-agents": [guichet["agent"].pk],
            "place-is_active": "on",
        },
    )
    assert response.status_code == 302
    place = Place.objects.get(name="Arrêt du lavoir")
    assert list(place.agents.all()) == [guichet["agent"]]
    response = c.post(
        url("settings_places", org_a.slug),
        {
            "place": guichet.counter.pk,
            "place-kind": "counter",
            "place-name": "",
            "place-commune": guichet.world.communes[0].pk,
        },
    )
    assert response.status_code == 400
    # a place of another organization cannot be edited from here
    other = login(client, guichet, "admin_b")
    response = other.post(
        url("settings_places", guichet.world.org_b.slug),
        {
            "place": guichet.counter.pk,
            "place-kind": "counter",
            "place-name": "Volé",
            "place-commune": guichet.world.communes[0].pk,
        },
    )
    assert response.status_code == 404
    assert Place.objects.get(pk=guichet.counter.pk).name == "Maison France services"


def test_territory_page_host_admins_only(client, guichet):
    for role in ("admin_b", "agent", "ref_b"):
        assert login(client, guichet, role).get(url("settings_territory")).status_code == 404
    c = login(client, guichet, "admin")
    assert c.get(url("settings_territory")).status_code == 200
    response = c.post(
        url("settings_territory"),
        {"action": "topic", "topic-name": "Transport scolaire", "topic-is_active": "on"},
    )
    assert response.status_code == 302
    topic = Topic.objects.get(name="Transport scolaire")
    response = c.post(url("settings_territory"), {"action": "topic", "topic-name": "RSA"})
    assert response.status_code == 400
    assert fr("Another topic already has this name.") in response.content.decode()
    response = c.post(
        url("settings_territory"),
        {
            "action": "procedure",
            "procedure-name": "Carte de bus scolaire",
            "procedure-organization": guichet.world.org_a.pk,
            "procedure-topic": topic.pk,
            "procedure-is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Procedure.objects.get(name="Carte de bus scolaire").topic == topic
    response = c.post(
        url("settings_territory"),
        {"action": "topic", "theme": topic.pk, "topic-name": "Transports"},
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.name == "Transports" and not topic.is_active


def test_own_absence_page(client, guichet):
    target = url("settings_absence", guichet.titular.pk)
    for role in ("sub_b", "agent", "admin"):
        assert login(client, guichet, role).get(target).status_code == 404, role
    c = login(client, guichet, "ref_b")
    assert c.get(target).status_code == 200
    until = timezone.localdate() + dt.timedelta(days=3)
    response = c.post(target, {"absence-absent_until": until.isoformat()})
    assert response.status_code == 302
    guichet.titular.refresh_from_db()
    assert guichet.titular.absent_until == until
    response = c.post(target, {"absence-absent_until": "pas une date"})
    assert response.status_code == 400


def test_directory(client, guichet, django_assert_max_num_queries):
    Referent.objects.filter(pk=guichet.substitute.pk).update(
        absent_until=timezone.localdate() + dt.timedelta(days=2)
    )
    for role in ("agent", "agent_b", "ref_b", "admin", "platform"):
        assert login(client, guichet, role).get(url("network_directory")).status_code == 200, role
    for role in ("usager", "elu"):
        assert login(client, guichet, role).get(url("network_directory")).status_code == 404, role
    c = login(client, guichet, "agent")
    with django_assert_max_num_queries(13):
        page = c.get(url("network_directory")).content.decode()
    assert page.count("<h1") == 1
    assert "Ref B" in page and "Sub B" in page and "Mgr B" in page
    assert "absent jusqu" in page
    assert 'data-organization="departement"' in page
    page = login(client, guichet, "ref_b").get(url("network_directory")).content.decode()
    assert url("settings_absence", guichet.titular.pk) in page
    filtered = c.get(url("network_directory") + f"?theme={guichet.carte_grise.pk}").content.decode()
    assert "Ref B" not in filtered
    assert c.get(url("network_directory") + "?theme=abc").status_code == 200
