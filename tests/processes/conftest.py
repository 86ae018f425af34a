"""Fixtures of the Démarches: on top of the shared `world` (Agglo A leads, Département B
is involved), a public process "Parc des Berges" with its Idées campaign and three
phases (past, current, future) and one workshop next week with a capacity of 3.

The process is built with the ORM (not the service) so that every domain's tests can
use it whatever the state of the process services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from cocon.ideas.models import Campaign, Scope
from cocon.processes.models import Event, Phase, Process
from cocon.processes.models.events import EventKind
from tests.conftest import World


@dataclass
class ProcessWorld:
    world: World
    process: Process
    phases: list[Phase]
    workshop: Event

    def __getitem__(self, role: str):
        return self.world[role]


@pytest.fixture
def pworld(world) -> ProcessWorld:
    today = timezone.localdate()
    org_a = world.org_a
    campaign = Campaign.objects.create(
        territory=world.territory,
        organization=org_a,
        title="Parc des Berges : vos propositions",
        question="Quel parc voulez-vous au bord de la rivière ?",
        scope=Scope.BOTH,
        opens_on=today - dt.timedelta(days=30),
        closes_on=today + dt.timedelta(days=30),
        created_by=world["animateur"],
    )
    process = Process.objects.create(
        territory=world.territory,
        organization=org_a,
        title="Parc des Berges",
        slug="parc-des-berges",
        question="Quel parc naturel urbain voulons-nous au bord de la rivière ?",
        description="Une démarche ouverte à tous les habitants.",
        scope="Quartiers des berges",
        owner_team="Mission participation",
        sponsor=world["elu"],
        sponsor_label="Élise Élue, vice-présidente",
        template="pnu",
        campaign=campaign,
        published_at=timezone.now() - dt.timedelta(days=30),
        created_by=world["animateur"],
    )
    process.organizations.add(world.org_b)
    process.services.add(world.water)
    phases = [
        Phase.objects.create(
            process=process,
            position=1,
            title="Réunions publiques",
            starts_on=today - dt.timedelta(days=30),
            ends_on=today - dt.timedelta(days=11),
            components=["information", "events"],
        ),
        Phase.objects.create(
            process=process,
            position=2,
            title="Atelier projet",
            starts_on=today - dt.timedelta(days=10),
            ends_on=today + dt.timedelta(days=30),
            components=["events", "proposals"],
        ),
        Phase.objects.create(
            process=process,
            position=3,
            title="Livre blanc et décisions",
            starts_on=today + dt.timedelta(days=31),
            ends_on=today + dt.timedelta(days=90),
            components=["white_paper", "decision", "feedback", "actions", "charter"],
        ),
    ]
    start = timezone.now().replace(hour=18, minute=0, second=0, microsecond=0) + dt.timedelta(
        days=7
    )
    workshop = Event.objects.create(
        process=process,
        phase=phases[1],
        kind=EventKind.WORKSHOP,
        title="Atelier projet du parc",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        place="Salle des fêtes de Villebourg",
        capacity=3,
        target_mix={"usager": 2, "agent": 1},
        created_by=world["animateur"],
    )
    return ProcessWorld(world, process, phases, workshop)
