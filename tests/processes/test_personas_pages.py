"""Personas: permissions, validation of the cards and of the quotes' sources (a voice
the editor may see, of the process's territory), traceability shown only to staff who
may open the voice, public section."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cocon.processes import selectors_personas, services_personas
from cocon.processes.models import ProcessVoice
from cocon.processes.models.personas import Persona, PersonaQuote
from tests.conftest import fr

ROLES_MANAGING = ["animateur", "admin", "platform"]
ROLES_NOT_MANAGING = [
    "usager",
    "agent",
    "manager",
    "direction",
    "elu",
    "expert",
    "agent_b",
    "admin_b",
]


def make_voice(territory, organization, service, text="Le sentier est trop boueux l'hiver."):
    from cocon.voices.models import Voice

    now = timezone.now()
    return Voice.objects.create(
        territory=territory,
        kind="testimony",
        text=text,
        channel="web",
        organization=organization,
        service=service,
        acknowledge_due=now + dt.timedelta(days=2),
        answer_due=now + dt.timedelta(days=15),
    )


@pytest.fixture
def persona(pworld):
    return Persona.objects.create(
        process=pworld.process,
        name="Claire, 34 ans",
        age_band="30-44",
        situation="Mère de deux enfants, habite les berges.",
        needs="Des bancs à l'ombre.",
        journey="Sort de l'école\nTraverse le parc\nS'arrête au jeu",
        position=1,
        published=True,
    )


def url(name, pworld, *args):
    return reverse(f"processes:{name}", args=[pworld.process.slug, *args])


# --- permissions -------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES_MANAGING)
def test_managers_open_the_editor(pworld, persona, client_for, role):
    client = client_for(role)
    assert client.get(url("persona_create", pworld)).status_code == 200
    assert client.get(url("persona_edit", pworld, persona.pk)).status_code == 200


@pytest.mark.parametrize("role", ROLES_NOT_MANAGING)
def test_others_may_not_edit(pworld, persona, client_for, role):
    client = client_for(role)
    assert client.get(url("persona_create", pworld)).status_code == 403
    assert client.get(url("persona_edit", pworld, persona.pk)).status_code == 403
    response = client.post(
        url("persona_quote_add", pworld, persona.pk), {"text": "x", "source_label": "y"}
    )
    assert response.status_code == 403
    assert not persona.quotes.exists()


def test_anonymous_is_sent_to_login(client, pworld, persona):
    from django.conf import settings

    response = client.get(url("persona_create", pworld))
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse(settings.LOGIN_URL) if ":" in settings.LOGIN_URL else settings.LOGIN_URL
    )
    response = client.post(url("persona_delete", pworld, persona.pk))
    assert response.status_code == 302
    assert Persona.objects.filter(pk=persona.pk).exists()


def test_published_persona_is_public_unpublished_is_not(client, pworld, persona, client_for):
    draft = Persona.objects.create(
        process=pworld.process, name="Brouillon", situation="x", position=2
    )
    response = client.get(url("persona_list", pworld))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Claire, 34 ans" in body and "Brouillon" not in body
    detail = client.get(url("persona_detail", pworld, persona.pk)).content.decode()
    assert "Traverse le parc" in detail
    assert client.get(url("persona_detail", pworld, draft.pk)).status_code == 404
    assert client_for("agent_b").get(url("persona_detail", pworld, draft.pk)).status_code == 404
    assert client_for("animateur").get(url("persona_detail", pworld, draft.pk)).status_code == 200
    assert "Brouillon" in client_for("animateur").get(url("persona_list", pworld)).content.decode()


def test_private_process_hides_its_personas(client, pworld, persona, client_for):
    pworld.process.is_public = False
    pworld.process.save()
    assert client.get(url("persona_list", pworld)).status_code == 404
    assert client.get(url("persona_detail", pworld, persona.pk)).status_code == 404
    assert client_for("usager").get(url("persona_detail", pworld, persona.pk)).status_code == 404
    # agents of an organization involved see it
    assert client_for("agent_b").get(url("persona_detail", pworld, persona.pk)).status_code == 200


def test_persona_of_another_process_is_404(pworld, persona, client_for):
    from cocon.processes.models import Process

    other = Process.objects.create(
        territory=pworld.world.territory,
        organization=pworld.world.org_a,
        title="Autre",
        slug="autre",
        question="?",
        published_at=timezone.now(),
    )
    response = client_for("animateur").get(
        reverse("processes:persona_detail", args=[other.slug, persona.pk])
    )
    assert response.status_code == 404


# --- cards ---------------------------------------------------------------------------------
def test_create_persona(pworld, client_for):
    client = client_for("animateur")
    response = client.post(
        url("persona_create", pworld),
        {
            "name": "Marcel",
            "age_band": "75+",
            "situation": "Retraité",
            "journey": " a \n\n b ",
            "published": "on",
        },
    )
    assert response.status_code == 302
    persona = Persona.objects.get(name="Marcel")
    assert persona.journey_steps() == ["a", "b"]
    assert persona.published and persona.created_by == pworld["animateur"]


def test_create_persona_bad_input(pworld, client_for):
    client = client_for("animateur")
    response = client.post(
        url("persona_create", pworld), {"name": "", "situation": "", "age_band": "12-13"}
    )
    assert response.status_code == 400
    assert not Persona.objects.exists()
    body = response.content.decode()
    assert fr("Choose an age band from the list.") in body or "Sélectionnez un choix valide" in body


def test_service_refuses_missing_fields(pworld):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services_personas.persona_create(
            process=pworld.process, actor=pworld["animateur"], name=" ", situation="", age_band="99"
        )
    assert set(exc.value.message_dict) == {"name", "situation", "age_band"}
    assert not Persona.objects.exists()


def test_edit_persona(pworld, persona, client_for):
    client = client_for("animateur")
    response = client.post(
        url("persona_edit", pworld, persona.pk),
        {"name": "Claire", "age_band": "30-44", "situation": "Nouvelle situation"},
    )
    assert response.status_code == 302
    persona.refresh_from_db()
    assert persona.situation == "Nouvelle situation" and not persona.published


# --- quotes --------------------------------------------------------------------------------
def test_quote_by_voice_reference_links_the_voice(pworld, persona, client_for):
    w = pworld.world
    voice = make_voice(w.territory, w.org_a, w.water)
    client = client_for("animateur")
    response = client.post(
        url("persona_quote_add", pworld, persona.pk),
        {"voice_reference": "v-" + voice.reference.lower(), "source_label": "entretien du 12 mars"},
    )
    assert response.status_code == 302
    quote = persona.quotes.get()
    assert quote.voice == voice and quote.text == voice.text
    assert ProcessVoice.objects.filter(process=pworld.process, voice=voice).exists()


def test_quote_picked_from_linked_voices(pworld, persona, client_for):
    w = pworld.world
    voice = make_voice(w.territory, w.org_a, w.water, text="Pas de toilettes.")
    ProcessVoice.objects.create(process=pworld.process, voice=voice)
    client = client_for("animateur")
    page = client.get(url("persona_edit", pworld, persona.pk)).content.decode()
    assert voice.reference in page
    response = client.post(
        url("persona_quote_add", pworld, persona.pk),
        {"linked_voice": voice.reference, "text": "Pas de WC"},
    )
    assert response.status_code == 302
    assert persona.quotes.get().text == "Pas de WC"


def test_quote_from_a_voice_of_another_territory_is_refused(pworld, persona, client_for):
    from cocon.territory.models import Organization, Service, Territory

    other = Territory.objects.create(name="Ailleurs", slug="ailleurs")
    org = Organization.objects.create(
        territory=other, kind="commune", name="Ailleurs", slug="ailleurs-org"
    )
    service = Service.objects.create(organization=org, name="Voirie", slug="voirie")
    voice = make_voice(other, org, service)
    client = client_for("platform")  # sees every voice: the territory check is what refuses
    response = client.post(
        url("persona_quote_add", pworld, persona.pk), {"voice_reference": voice.reference}
    )
    assert response.status_code == 400
    assert (
        fr("This voice belongs to another territory than the process.") in response.content.decode()
    )
    assert not PersonaQuote.objects.exists()
    assert not ProcessVoice.objects.exists()


def test_quote_from_a_voice_the_editor_may_not_see_is_refused(pworld, persona, client_for):
    w = pworld.world
    voice = make_voice(w.territory, w.org_b, w.social_b)  # Département B's voice
    response = client_for("animateur").post(
        url("persona_quote_add", pworld, persona.pk), {"voice_reference": voice.reference}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert fr("No voice you may see has the reference %(ref)s.", ref=voice.reference) in body
    assert voice.text not in body
    assert not PersonaQuote.objects.exists() and not ProcessVoice.objects.exists()


def test_quote_needs_a_text_and_a_source(pworld, persona, client_for):
    response = client_for("animateur").post(
        url("persona_quote_add", pworld, persona.pk), {"text": ""}
    )
    assert response.status_code == 400
    assert fr("Write the quote.") in response.content.decode()
    response = client_for("animateur").post(
        url("persona_quote_add", pworld, persona.pk), {"text": "Bonjour"}
    )
    assert response.status_code == 400
    assert not PersonaQuote.objects.exists()


def test_quote_from_a_proposal_of_another_campaign_is_refused(pworld, persona):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services_personas.quote_add(persona, actor=pworld["animateur"], text="x", idea_id=999999)
    assert "idea" in exc.value.message_dict


def test_voice_reference_shown_only_to_staff_who_may_see_it(client, pworld, persona, client_for):
    w = pworld.world
    voice = make_voice(w.territory, w.org_a, w.water)
    services_personas.quote_add(
        persona, actor=pworld["animateur"], voice_reference=voice.reference, text="Trop de boue"
    )
    detail = url("persona_detail", pworld, persona.pk)
    public = client.get(detail).content.decode()
    assert "Trop de boue" in public and voice.reference not in public
    assert voice.reference not in client_for("agent_b").get(detail).content.decode()
    staff = client_for("agent").get(detail).content.decode()  # water agent sees the voice
    assert voice.reference in staff and reverse("voices:detail", args=[voice.reference]) in staff


def test_delete_quote(pworld, persona, client_for):
    quote = services_personas.quote_add(
        persona, actor=pworld["animateur"], text="Trop de boue", source_label="atelier"
    )
    assert (
        client_for("agent_b")
        .post(url("persona_quote_delete", pworld, persona.pk, quote.pk))
        .status_code
        == 403
    )
    response = client_for("animateur").post(
        url("persona_quote_delete", pworld, persona.pk, quote.pk)
    )
    assert response.status_code == 302
    assert not PersonaQuote.objects.exists()


def test_list_query_count(client, pworld, django_assert_max_num_queries):
    for n in range(15):
        Persona.objects.create(
            process=pworld.process, name=f"P{n}", situation="s", published=True, position=n
        )
    client.get(url("persona_list", pworld))
    with django_assert_max_num_queries(12):
        assert client.get(url("persona_list", pworld)).status_code == 200


def test_public_section(pworld, persona):
    section = selectors_personas.public_section(pworld.process, None)
    assert [p.name for p in section["personas_cards"]] == ["Claire, 34 ans"]
    persona.published = False
    persona.save()
    assert selectors_personas.public_section(pworld.process, None) == {}


def test_gdpr_erases_quotes_from_own_voice(pworld, persona):
    from cocon.processes.gdpr_personas import erase_personas, export_personas

    w = pworld.world
    voice = make_voice(w.territory, w.org_a, w.water)
    voice.author = w["usager"]
    voice.save()
    services_personas.quote_add(persona, actor=pworld["animateur"], voice_reference=voice.reference)
    assert export_personas(w["usager"])["quotes_from_my_voices"][0]["voice"] == voice.reference
    erase_personas(w["usager"])
    assert not PersonaQuote.objects.exists()
