"""Fixtures of the Guichet: on top of the shared `world` (Agglo A, Département B), a
referent network, counters and bus stops, and a mobile legal team.

- Topics: "RSA" and "Carte grise" (territory-wide); procedures "Dossier RSA" and
  "Carte grise".
- Département B commits to 48 working hours (Mon-Fri 8:30-12:00, 13:30-17:00): RSA
  referents `ref_b` (titular) and `sub_b` (substitute), escalation manager `mgr_b`.
- Agglo A runs a bus stop at Villebourg and a counter at Saint-Essai; `agent` (the
  front-line agent of A) is named on both.
- Legal team "Équipe mobile d'accès aux droits" of Agglo A: member `juriste`, supervisor
  `direction`; everyone else (incl. `admin` and `platform`) is an outsider.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cocon.accounts.models import AgentProfile
from cocon.guichet.models import (
    Commitment,
    LegalTeam,
    Place,
    Procedure,
    Referent,
    Topic,
)
from tests.conftest import World, make_user


@dataclass
class Guichet:
    world: World
    rsa: Topic
    carte_grise: Topic
    rsa_file: Procedure
    grey_card: Procedure
    commitment_b: Commitment
    titular: Referent
    substitute: Referent
    bus_stop: Place
    counter: Place
    team: LegalTeam

    def __getitem__(self, role: str):
        return self.world[role]


@pytest.fixture
def guichet(world) -> Guichet:
    territory, org_a, org_b = world.territory, world.org_a, world.org_b
    rsa = Topic.objects.create(territory=territory, name="RSA", slug="rsa")
    carte_grise = Topic.objects.create(territory=territory, name="Carte grise", slug="carte-grise")
    rsa_file = Procedure.objects.create(
        territory=territory, name="Dossier RSA", slug="dossier-rsa", organization=org_b, topic=rsa
    )
    grey_card = Procedure.objects.create(
        territory=territory, name="Carte grise", slug="carte-grise", topic=carte_grise
    )
    commitment_b = Commitment.objects.create(organization=org_b, hours=48)

    def agent_of(key, org, service=None, category="B"):
        user = make_user(f"{key}@test.fr", key.replace("_", " ").title())
        AgentProfile.objects.create(
            user=user, organization=org, service=service, job_title="Agent", category=category
        )
        world.users[key] = user
        return user

    ref_b = agent_of("ref_b", org_b, world.social_b)
    sub_b = agent_of("sub_b", org_b, world.social_b)
    mgr_b = agent_of("mgr_b", org_b, world.social_b, "A")
    titular = Referent.objects.create(
        organization=org_b, topic=rsa, user=ref_b, rank=Referent.Rank.TITULAR, manager=mgr_b
    )
    substitute = Referent.objects.create(
        organization=org_b, topic=rsa, user=sub_b, rank=Referent.Rank.SUBSTITUTE, manager=mgr_b
    )
    bus_stop = Place.objects.create(
        organization=org_a,
        kind=Place.Kind.BUS_STOP,
        name="Bus — place de l'église",
        commune=world.communes[0],
        schedule="mardi 9 h – 12 h",
    )
    counter = Place.objects.create(
        organization=org_a,
        kind=Place.Kind.COUNTER,
        name="Maison France services",
        commune=world.communes[1],
    )
    bus_stop.agents.add(world["agent"])
    counter.agents.add(world["agent"])
    juriste = agent_of("juriste", org_a)
    team = LegalTeam.objects.create(
        organization=org_a, name="Équipe mobile d'accès aux droits", slug="equipe-mobile"
    )
    team.members.add(juriste)
    team.supervisors.add(world["direction"])
    return Guichet(
        world,
        rsa,
        carte_grise,
        rsa_file,
        grey_card,
        commitment_b,
        titular,
        substitute,
        bus_stop,
        counter,
        team,
    )
