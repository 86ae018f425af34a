"""The sponsoring élu and the facilitators are chosen on the edit form: an élu of the
territory's organizations, agents of the organizations of the process."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cocon.core.permissions import can
from cocon.processes import services_process


def _post(pworld, **extra):
    return {
        "title": "Parc des Berges",
        "slug": "parc-des-berges",
        "question": "Quel parc ?",
        "is_public": "on",
        "organizations": [pworld.world.org_b.pk],
        **extra,
    }


def test_edit_sets_sponsor_and_facilitators(client, pworld):
    process = pworld.process
    process.sponsor = None
    process.save()
    client.force_login(pworld["admin"])
    url = reverse("processes:edit", args=[process.slug])
    page = client.get(url).content.decode()
    assert "Élise Élue" in page  # offered as sponsor
    response = client.post(
        url,
        _post(pworld, sponsor=pworld["elu"].pk, animateurs=[pworld["agent"].pk]),
    )
    assert response.status_code == 302
    process.refresh_from_db()
    assert process.sponsor == pworld["elu"]
    assert list(process.animateurs.all()) == [pworld["agent"]]
    # named facilitator: manages the process from now on
    process = type(process).objects.prefetch_related("animateurs").get(pk=process.pk)
    assert can(pworld["agent"], "processes.manage", process)


def test_edit_refuses_a_sponsor_who_is_not_an_elu(client, pworld):
    client.force_login(pworld["admin"])
    response = client.post(
        reverse("processes:edit", args=[pworld.process.slug]),
        _post(pworld, sponsor=pworld["agent"].pk),
    )
    assert response.status_code == 400
    pworld.process.refresh_from_db()
    assert pworld.process.sponsor == pworld["elu"]


def test_service_refuses_facilitators_outside_the_process(pworld):
    pworld.process.organizations.clear()
    with pytest.raises(ValidationError) as error:
        services_process.process_update(
            pworld.process,
            actor=pworld["admin"],
            animateurs=[pworld["agent_b"]],
            sponsor=pworld["usager"],
        )
    assert set(error.value.message_dict) == {"animateurs", "sponsor"}
    assert not pworld.process.animateurs.exists()
