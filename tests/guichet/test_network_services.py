"""Services of the referent network: validation in French, nothing written on error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import escape

from cocon.core.permissions import can
from cocon.guichet import selectors_network as selectors
from cocon.guichet import services_network as services
from cocon.guichet.models import Commitment, Place, Procedure, Referent, Topic
from tests.conftest import fr

pytestmark = pytest.mark.django_db

MON_FRI = {d: [(dt.time(9), dt.time(12)), (dt.time(14), dt.time(17))] for d in range(5)}


def messages_of(exc) -> dict:
    return exc.value.message_dict


def test_referent_add_update_and_remove(guichet):
    org_b = guichet.world.org_b
    ref = services.referent_add(
        organization=org_b,
        topic=guichet.carte_grise,
        user=guichet["agent_b"],
        manager=guichet["mgr_b"],
    )
    assert ref.rank == Referent.Rank.TITULAR and ref.manager == guichet["mgr_b"]
    again = services.referent_add(
        organization=org_b, topic=guichet.carte_grise, user=guichet["agent_b"], rank="substitute"
    )
    assert again.pk == ref.pk and again.rank == "substitute" and again.manager is None
    assert services.referent_remove(organization=guichet.world.org_a, referent_id=ref.pk) is False
    assert services.referent_remove(organization=org_b, referent_id=ref.pk) is True
    assert not Referent.objects.filter(pk=ref.pk).exists()


def test_referent_must_be_agent_of_the_organization(guichet):
    before = Referent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.referent_add(
            organization=guichet.world.org_b,
            topic=guichet.rsa,
            user=guichet["agent"],  # an agent of A
            manager=guichet["manager"],
            rank="boss",
        )
    errors = messages_of(exc)
    assert escape(errors["user"][0]) == fr("The referent must be an agent of the organization.")
    assert set(errors) == {"user", "manager", "rank"}
    assert Referent.objects.count() == before


def test_absence_set_marks_every_topic_of_the_person(guichet):
    org_b = guichet.world.org_b
    other = services.referent_add(
        organization=org_b, topic=guichet.carte_grise, user=guichet["ref_b"]
    )
    until = timezone.localdate() + dt.timedelta(days=10)
    services.absence_set(guichet.titular, until=until)
    other.refresh_from_db()
    assert other.absent_until == until and other.is_absent()
    with pytest.raises(ValidationError) as exc:
        services.absence_set(guichet.titular, until=timezone.localdate() - dt.timedelta(days=1))
    assert "absent_until" in messages_of(exc)
    with pytest.raises(ValidationError):
        services.absence_set(guichet.titular, until=timezone.localdate() + dt.timedelta(days=400))
    services.absence_set(guichet.titular, until=None)
    other.refresh_from_db()
    assert other.absent_until is None


def test_commitment_set_and_errors(guichet):
    org_a = guichet.world.org_a
    c = services.commitment_set(
        organization=org_a, hours=24, urgent_hours=4, reminder_hours=4, opening=MON_FRI
    )
    assert c.opening["0"] == [["09:00", "12:00"], ["14:00", "17:00"]]
    assert c.opening_hours()[4][1] == (dt.time(14), dt.time(17))
    with pytest.raises(ValidationError) as exc:
        services.commitment_set(
            organization=org_a,
            hours=8,
            urgent_hours=10,
            reminder_hours=9,
            opening={5: [(dt.time(9), dt.time(12))]},
        )
    errors = messages_of(exc)
    assert set(errors) == {"urgent_hours", "reminder_hours", "opening"}
    with pytest.raises(ValidationError) as exc:
        services.commitment_set(
            organization=org_a, hours=0, urgent_hours=1, reminder_hours=1, opening=MON_FRI
        )
    assert "hours" in messages_of(exc)
    assert Commitment.objects.get(organization=org_a).hours == 24


def test_place_save(guichet):
    org_a, org_b = guichet.world.org_a, guichet.world.org_b
    place = services.place_save(
        organization=org_a,
        kind="bus_stop",
        name=" Arrêt mairie ",
        commune=guichet.world.communes[1],
        schedule="jeudi 14 h – 17 h",
        agents=[guichet["agent"]],
    )
    assert place.name == "Arrêt mairie" and list(place.agents.all()) == [guichet["agent"]]
    with pytest.raises(ValidationError) as exc:
        services.place_save(
            organization=org_a, kind="x", name="", commune=None, agents=[guichet["agent_b"]]
        )
    assert set(messages_of(exc)) == {"kind", "name", "commune", "agents"}
    with pytest.raises(ValidationError):
        services.place_save(
            organization=org_b,
            kind="counter",
            name="Vol",
            commune=guichet.world.communes[0],
            place=place,
        )
    assert Place.objects.get(pk=place.pk).organization == org_a


def test_topic_and_procedure_save(guichet):
    territory = guichet.world.territory
    topic = services.topic_save(territory=territory, name="Factures d'eau")
    assert topic.slug == "factures-deau"
    with pytest.raises(ValidationError) as exc:
        services.topic_save(territory=territory, name="rsa")
    assert "name" in messages_of(exc)
    renamed = services.topic_save(territory=territory, name="Eau", topic=topic)
    assert renamed.slug == "factures-deau" and renamed.name == "Eau"
    proc = services.procedure_save(
        territory=territory, name="Mensualisation", organization=guichet.world.org_a, topic=topic
    )
    assert proc.slug == "mensualisation"
    with pytest.raises(ValidationError):
        services.procedure_save(territory=territory, name="dossier rsa")
    assert Procedure.objects.filter(territory=territory).count() == 3
    assert Topic.objects.filter(territory=territory).count() == 3


def test_rules(guichet):
    titular = guichet.titular
    assert can(guichet["ref_b"], "guichet.set_absence", titular)
    assert can(guichet["admin_b"], "guichet.set_absence", titular)
    assert can(guichet["platform"], "guichet.set_absence", titular)
    for role in ("sub_b", "mgr_b", "admin", "agent", "usager"):
        assert not can(guichet[role], "guichet.set_absence", titular), role
    assert can(guichet["admin_b"], "guichet.configure", guichet.world.org_b)
    assert not can(guichet["admin_b"], "guichet.configure", guichet.world.org_a)


def test_directory_selector(guichet, django_assert_max_num_queries):
    services.absence_set(guichet.substitute, until=timezone.localdate())
    with django_assert_max_num_queries(3):
        entries = selectors.directory(guichet.world.territory)
    assert [e.topic.name for e in entries] == ["RSA"]
    row = entries[0].organizations[0]
    assert row.commitment == guichet.commitment_b
    assert [r.user for r in row.titulars] == [guichet["ref_b"]]
    assert row.substitutes[0].is_absent()
    assert row.managers == [guichet["mgr_b"]]
    assert selectors.organizations_with_referents(guichet.world.territory) == 1
