"""A survey phase points to a barometer of one of the process's organizations; the
timeline links to it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cocon.barometer.models import Barometer
from cocon.processes import services_process
from cocon.processes.models import Phase
from cocon.territory.models import Organization, Service


def _rows(pworld, survey=None, components=("events",)):
    return [
        {
            "id": p.pk,
            "title": p.title,
            "description": "",
            "starts_on": p.starts_on,
            "ends_on": p.ends_on,
            "components": list(components if i == 1 else p.components),
            "survey": survey if i == 1 else None,
        }
        for i, p in enumerate(pworld.phases)
    ]


def test_survey_of_an_involved_organization_turns_the_component_on(pworld, client):
    barometer = Barometer.objects.create(
        service=pworld.world.social_b, title="Baromètre de l'accueil social", slug="accueil"
    )
    services_process.phases_save(
        pworld.process, actor=pworld["animateur"], phases=_rows(pworld, barometer)
    )
    phase = Phase.objects.get(pk=pworld.phases[1].pk)
    assert phase.survey == barometer
    assert "survey" in phase.components
    page = client.get(reverse("processes:detail", args=[pworld.process.slug])).content.decode()
    assert reverse("barometer:public", args=[barometer.pk]) in page


def test_survey_of_an_outside_organization_is_refused_and_nothing_written(pworld):
    outsider = Organization.objects.create(
        territory=pworld.world.territory, slug="autre", name="Autre", kind="commune"
    )
    service = Service.objects.create(organization=outsider, name="Accueil", slug="accueil")
    barometer = Barometer.objects.create(service=service, title="Ailleurs", slug="ailleurs")
    with pytest.raises(ValidationError) as error:
        services_process.phases_save(
            pworld.process, actor=pworld["animateur"], phases=_rows(pworld, barometer)
        )
    assert "phases.1.survey" in error.value.message_dict
    assert Phase.objects.get(pk=pworld.phases[1].pk).survey is None


def test_phases_page_offers_the_organizations_barometers(pworld, client_for):
    Barometer.objects.create(service=pworld.world.water, title="Baromètre de l'eau", slug="eau")
    page = client_for("animateur").get(reverse("processes:phases", args=[pworld.process.slug]))
    assert page.status_code == 200
    assert "Baromètre de l&#x27;eau" in page.content.decode() or "Baromètre de l'eau" in (
        page.content.decode()
    )
