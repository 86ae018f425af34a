"""Voices given through the public form of Paroles within a process: gathered for the
process by its collecting phase, in the same transaction as the voice; never lost when the
collection has closed in the meantime."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cocon.processes.models import Phase, Process, ProcessVoice
from cocon.voices.models import Voice
from tests.conftest import fr

ROLES = ["anonymous", "usager", "agent", "agent_b", "admin_b", "animateur", "admin", "platform"]


def give_url(process) -> str:
    return reverse("processes:voice_give", args=[process.slug])


def detail_url(process) -> str:
    return reverse("processes:detail", args=[process.slug])


def as_role(client, pworld, role):
    client.logout()
    if role != "anonymous":
        client.force_login(pworld[role])
    return client


def post_data(**extra) -> dict:
    data = {"kind": "suggestion", "text": "Des bancs à l'ombre au bord de l'eau.", "service": ""}
    data.update(extra)
    return data


@pytest.fixture
def collecting(pworld) -> Phase:
    """The current phase of the fixture process also gathers voices."""
    phase = pworld.phases[1]
    phase.components = [*phase.components, "voices"]
    phase.save(update_fields=["components"])
    return phase


@pytest.mark.parametrize("role", ROLES)
def test_everyone_who_sees_the_process_may_give_a_voice_for_it(client, pworld, collecting, role):
    client = as_role(client, pworld, role)
    page = client.get(detail_url(pworld.process)).content.decode()
    assert give_url(pworld.process) in page  # the call to action of the public page
    response = client.get(give_url(pworld.process))
    assert response.status_code == 200
    html = response.content.decode()
    assert fr("Process: %(title)s") % {"title": "Parc des Berges"} in html
    assert "Atelier projet" in html  # the collecting phase is named
    # the process's service is offered first
    assert f'<option value="{pworld.world.water.pk}" selected>' in html

    response = client.post(give_url(pworld.process), post_data())
    assert response.status_code == 302
    voice = Voice.objects.get()
    assert response["Location"] == reverse("voices:receipt", args=[voice.reference])
    link = ProcessVoice.objects.get()
    assert (link.process, link.voice, link.phase, link.linked_by) == (
        pworld.process,
        voice,
        collecting,
        None,
    )
    assert voice.service == pworld.world.water
    assert voice.author == (None if role == "anonymous" else pworld[role])


def test_counted_on_the_public_page(client, pworld, collecting):
    for n in range(2):
        client.post(give_url(pworld.process), post_data(text=f"Message numéro {n} pour le parc"))
        client.cookies.clear()
    from django.utils import translation

    with translation.override("fr"):
        gathered = translation.ngettext(
            "%(counter)s voice gathered", "%(counter)s voices gathered", 2
        ) % {"counter": 2}
    assert gathered != "2 voices gathered"
    assert gathered in client.get(detail_url(pworld.process)).content.decode()
    assert ProcessVoice.objects.filter(process=pworld.process).count() == 2


def test_bad_input_is_400_in_french_and_writes_nothing(client, pworld, collecting):
    response = client.post(give_url(pworld.process), post_data(text="", contact_email="nope"))
    assert response.status_code == 400
    html = response.content.decode()
    assert fr("Process: %(title)s") % {"title": "Parc des Berges"} in html  # still framed
    assert 'aria-invalid="true"' in html
    assert not Voice.objects.exists() and not ProcessVoice.objects.exists()


def test_a_failure_while_gathering_rolls_the_voice_back(client, pworld, collecting, monkeypatch):
    from cocon.processes import services_process

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services_process, "process_collect_voice", broken)
    with pytest.raises(RuntimeError):
        client.post(give_url(pworld.process), post_data())
    assert not Voice.objects.exists() and not ProcessVoice.objects.exists()


def test_not_collecting_the_form_is_not_offered(client, pworld):
    """No phase gathers voices today: no call to action, and the form sends back to the
    process page with a message."""
    assert give_url(pworld.process) not in client.get(detail_url(pworld.process)).content.decode()
    response = client.get(give_url(pworld.process), follow=True)
    assert response.redirect_chain == [(detail_url(pworld.process), 302)]
    assert fr("This process is not gathering voices at the moment.") in response.content.decode()


def test_collection_closed_while_writing_keeps_the_message(client, pworld, collecting):
    """The page was opened during the phase and sent after it ended: the message is taken
    as a plain voice of Paroles, not gathered, and the person is told so."""
    assert client.get(give_url(pworld.process)).status_code == 200
    Phase.objects.filter(pk=collecting.pk).update(ends_on=timezone.localdate() - dt.timedelta(1))
    response = client.post(give_url(pworld.process), post_data(), follow=True)
    assert response.status_code == 200
    assert Voice.objects.count() == 1 and not ProcessVoice.objects.exists()
    assert (
        fr(
            "The process had stopped gathering voices: your message was sent to the service "
            "as a plain message."
        )
        in response.content.decode()
    )


@pytest.mark.parametrize("state", ["closed", "unpublished"])
def test_closed_or_unpublished_process_gathers_nothing(client, pworld, collecting, state):
    field = "closed_at" if state == "closed" else "published_at"
    value = timezone.now() if state == "closed" else None
    Process.objects.filter(pk=pworld.process.pk).update(**{field: value})
    client.force_login(pworld["animateur"])  # the team still sees an unpublished process
    response = client.get(give_url(pworld.process))
    assert response.status_code == 302
    client.post(give_url(pworld.process), post_data())
    assert not ProcessVoice.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", "usager", "agent_b"])
def test_private_process_is_404_for_outsiders(client, pworld, collecting, role):
    Process.objects.filter(pk=pworld.process.pk).update(is_public=False)
    client = as_role(client, pworld, role)
    expected = 200 if role == "agent_b" else 404  # org B is involved in the process
    assert client.get(give_url(pworld.process)).status_code == expected
    if expected == 404:
        assert client.post(give_url(pworld.process), post_data()).status_code == 404
        assert not Voice.objects.exists()


def test_rate_limit_is_the_one_of_paroles(client, pworld, collecting, settings):
    settings.PUBLIC_FORM_RATE_PER_HOUR = 2
    for _ in range(2):
        assert client.post(give_url(pworld.process), post_data()).status_code == 302
        client.cookies.clear()
    response = client.post(give_url(pworld.process), post_data(text="Encore un message"))
    assert response.status_code == 429
    assert "Encore un message" in response.content.decode()  # the text is kept
    assert ProcessVoice.objects.count() == 2


def test_the_person_names_another_service(client, pworld, collecting):
    waste = pworld.world.waste
    assert client.post(give_url(pworld.process), post_data(service=waste.pk)).status_code == 302
    assert Voice.objects.get().service == waste
    assert ProcessVoice.objects.count() == 1
