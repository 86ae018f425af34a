"""Minutes and workshop outputs: each output becomes an idea of the process's campaign,
tied to the event."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cocon.ideas.models import Idea
from cocon.processes import services_events as services
from cocon.processes.models.events import EventOutput
from tests.conftest import fr


def _url(pworld, name="event_outputs"):
    return reverse(f"processes:{name}", args=["parc-des-berges", pworld.workshop.pk])


def test_several_sticky_notes_become_ideas(pworld, client_for):
    client = client_for("animateur")
    assert client.get(_url(pworld)).status_code == 200
    notes = (
        "- Des bancs à l'ombre le long de la rivière\n\n"
        "2. Un accès pour les poussettes et les fauteuils\n"
    )
    response = client.post(_url(pworld), {"action": "many", "kind": "sticky_note", "notes": notes})
    assert response.status_code == 302
    outputs = list(EventOutput.objects.select_related("idea").order_by("pk"))
    assert len(outputs) == 2
    idea = outputs[0].idea
    assert idea.campaign == pworld.process.campaign
    assert idea.proposal == "Des bancs à l'ombre le long de la rivière"
    assert idea.title.startswith("Des bancs")
    assert idea.problem.startswith("Issu de l’atelier « Atelier projet du parc » du ")
    assert idea.submitted_by == pworld["animateur"] and idea.on_behalf_of_user
    assert outputs[0].kind == "sticky_note" and outputs[0].created_by == pworld["animateur"]
    # listed on the event page, for everyone
    detail = client.get(
        reverse("processes:event_detail", args=["parc-des-berges", pworld.workshop.pk])
    )
    assert "Des bancs" in detail.content.decode()


def test_one_detailed_proposal(pworld, client_for):
    client = client_for("admin")
    response = client.post(
        _url(pworld),
        {
            "action": "one",
            "kind": "proposal",
            "title": "Un jardin partagé",
            "text": "Créer un jardin partagé géré par les habitants.",
            "problem": "Pas d'espace pour jardiner.",
            "benefit": "",
        },
    )
    assert response.status_code == 302
    idea = EventOutput.objects.get().idea
    assert idea.title == "Un jardin partagé" and idea.problem == "Pas d'espace pour jardiner."
    assert idea.benefit.startswith("Issu de l’atelier")


def test_a_bad_note_writes_nothing(pworld, client_for):
    client = client_for("animateur")
    response = client.post(
        _url(pworld),
        {"action": "many", "kind": "sticky_note", "notes": "Une bonne idée pour le parc\nBof"},
    )
    assert response.status_code == 400
    assert "Production n° 2" in response.content.decode()
    assert not Idea.objects.exists() and not EventOutput.objects.exists()
    response = client.post(
        _url(pworld), {"action": "many", "kind": "sticky_note", "notes": "   \n  "}
    )
    assert response.status_code == 400
    response = client.post(_url(pworld), {"action": "nothing"})
    assert response.status_code == 400


def test_process_without_campaign(pworld, client_for):
    pworld.process.campaign = None
    pworld.process.save()
    client = client_for("animateur")
    response = client.post(
        _url(pworld), {"action": "many", "kind": "sticky_note", "notes": "Des bancs à l'ombre"}
    )
    assert response.status_code == 400
    assert (
        fr("This process has no call for proposals: create it before entering outputs.")
        in response.content.decode()
    )
    assert not Idea.objects.exists()


def test_closed_campaign(pworld):
    import datetime as dt

    from django.utils import timezone

    campaign = pworld.process.campaign
    campaign.closes_on = timezone.localdate() - dt.timedelta(days=1)
    campaign.save()
    with pytest.raises(ValidationError):
        services.outputs_add(
            actor=pworld["animateur"],
            event=pworld.workshop,
            notes=[{"text": "Des bancs à l'ombre"}],
        )
    assert not Idea.objects.exists()


def test_platform_admin_when_the_campaign_refuses_them(pworld):
    campaign = pworld.process.campaign
    campaign.scope = "agents"
    campaign.save()
    outputs = services.outputs_add(
        actor=pworld["platform"],
        event=pworld.workshop,
        notes=[{"text": "Des bancs à l'ombre du parc"}],
    )
    idea = outputs[0].idea
    assert idea.campaign == campaign and idea.submitted_by == pworld["platform"]
    assert idea.versions.count() == 1


@pytest.mark.parametrize("role", ["agent", "usager", "admin_b", "agent_b"])
def test_only_those_who_manage_the_process_enter_outputs(pworld, role):
    """The ideas are recorded on the strength of `processes.manage` (not Idées' rules):
    the service checks it itself."""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.outputs_add(
            actor=pworld[role], event=pworld.workshop, notes=[{"text": "Des bancs"}]
        )
    assert not Idea.objects.exists()


def test_minutes(pworld, client_for):
    client = client_for("animateur")
    response = client.post(
        _url(pworld), {"action": "minutes", "minutes": "Vingt personnes présentes."}
    )
    assert response.status_code == 302
    pworld.workshop.refresh_from_db()
    assert pworld.workshop.minutes == "Vingt personnes présentes."


@pytest.mark.parametrize("role", ["usager", "agent", "elu", "agent_b", "admin_b"])
def test_others_cannot_enter_outputs(pworld, client_for, role):
    response = client_for(role).post(
        _url(pworld), {"action": "many", "kind": "sticky_note", "notes": "Des bancs à l'ombre"}
    )
    assert response.status_code == 403
    assert not Idea.objects.exists()
