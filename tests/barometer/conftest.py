"""Baromètre fixtures on top of the shared `world` (tests/conftest.py): the water service
of organization A has a barometer, the social service of organization B has another one,
so that tests can prove cross-organization isolation.

Users of every role come from `world`: usager, agent (water, org A), manager (water),
direction, elu, expert, animateur, admin (org A), platform, agent_b and admin_b (org B).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cocon.barometer.models import Barometer, Criterion

#: Roles of organization A allowed to manage the water barometer.
MANAGING_ROLES = ["manager", "direction", "animateur", "admin", "platform"]
#: Roles of organization A that see the staff pages but do not manage the barometer
#: (agent and expert are agents of the water service: they may `contribute`).
VIEWING_ROLES = ["agent", "expert", "elu"]
#: Roles that do not see the staff pages of the water barometer at all.
OUTSIDE_ROLES = ["usager", "agent_b", "admin_b"]


@dataclass
class BaroWorld:
    barometer: Barometer  # water service, organization A
    other: Barometer  # social service, organization B


@pytest.fixture
def bworld(world) -> BaroWorld:
    barometer = Barometer.objects.create(
        service=world.water, title="Baromètre de l'eau", slug="eau", first_round_open=True
    )
    other = Barometer.objects.create(
        service=world.social_b, title="Baromètre social", slug="social"
    )
    return BaroWorld(barometer, other)


@pytest.fixture
def criteria(bworld) -> list[Criterion]:
    """Three criteria of the water barometer, the first with a technical counterpart."""
    b = bworld.barometer
    return [
        Criterion.objects.create(
            barometer=b,
            code="gout",
            position=1,
            wording="Le goût de l'eau",
            indicator_name="Conformité",
            indicator_unit="%",
            floor=90,
            target=100,
            provenance="both",
        ),
        Criterion.objects.create(barometer=b, code="prix", position=2, wording="Le prix"),
        Criterion.objects.create(barometer=b, code="accueil", position=3, wording="L'accueil"),
    ]
