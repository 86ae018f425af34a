"""Signalements fixtures on top of the shared `world`: communes with positions, a town
hall that handles its own roads, categories routed by place, a field team."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cocon.reports.models import Category, Coverage, Team
from cocon.reports.services import report_submit
from cocon.territory.models import Organization, OrganizationKind, Service
from tests.conftest import make_user

VILLEBOURG = (45.2000, 5.7000)
SAINT_ESSAI = (45.2500, 5.7600)


@dataclass
class ReportWorld:
    mairie: Organization
    roads_a: Service  # the agglomeration's roads service (every commune but Villebourg)
    roads_m: Service  # Villebourg's own roads service
    roads: Category
    water: Category
    rough_sleeper: Category  # sensitive
    retired: Category  # inactive
    lighting: Category  # handled by nobody
    team: Team


@pytest.fixture
def rworld(world) -> ReportWorld:
    villebourg, saint_essai = world.communes
    villebourg.latitude, villebourg.longitude = VILLEBOURG
    villebourg.save()
    saint_essai.latitude, saint_essai.longitude = SAINT_ESSAI
    saint_essai.save()
    world.org_a.communes.set([villebourg, saint_essai])
    mairie = Organization.objects.create(
        territory=world.territory,
        kind=OrganizationKind.COMMUNE,
        name="Mairie de Villebourg",
        slug="mairie-villebourg",
    )
    mairie.communes.set([villebourg])
    roads_a = Service.objects.create(
        organization=world.org_a, direction=world.direction_a, name="Voirie", slug="voirie"
    )
    roads_m = Service.objects.create(organization=mairie, name="Services techniques", slug="st")
    t = world.territory
    roads = Category.objects.create(territory=t, code="voirie", name="Voirie", group="Rue")
    water = Category.objects.create(
        territory=t,
        code="eau",
        name="Fuite d'eau",
        attributes=[
            {
                "code": "where",
                "description": "Où est la fuite ?",
                "datatype": "singlevaluelist",
                "required": True,
                "order": 1,
                "values": [
                    {"key": "road", "name": "Sur la chaussée"},
                    {"key": "meter", "name": "Au compteur"},
                ],
            },
            {
                "code": "depth",
                "description": "Profondeur (cm)",
                "datatype": "number",
                "required": False,
                "order": 2,
            },
        ],
    )
    rough = Category.objects.create(
        territory=t, code="personne-a-la-rue", name="Personne à la rue", sensitive=True
    )
    retired = Category.objects.create(territory=t, code="cabines", name="Cabines", is_active=False)
    lighting = Category.objects.create(territory=t, code="eclairage", name="Éclairage")
    Coverage.objects.create(category=roads, organization=world.org_a, service=roads_a)
    Coverage.objects.create(category=roads, organization=mairie, service=roads_m)
    Coverage.objects.create(category=water, organization=world.org_a, service=world.water)
    Coverage.objects.create(category=rough, organization=world.org_b, service=world.social_b)
    Coverage.objects.create(category=retired, organization=world.org_a, service=roads_a)
    team = Team.objects.create(service=world.water, name="Équipe réseau nord")
    member = make_user("terrain@test.fr", "Théo Terrain")
    team.members.add(member)
    world.users["team_member"] = member
    return ReportWorld(mairie, roads_a, roads_m, roads, water, rough, retired, lighting, team)


@pytest.fixture
def submit(world, rworld):
    """submit(**fields) → Submitted: a pothole in Saint-Essai by default."""

    def make(**fields):
        defaults = {
            "territory": world.territory,
            "category": rworld.roads,
            "description": "Un nid-de-poule profond devant l'école.",
            "latitude": SAINT_ESSAI[0] + 0.001,
            "longitude": SAINT_ESSAI[1] + 0.001,
        }
        defaults.update(fields)
        return report_submit(**defaults)

    return make
