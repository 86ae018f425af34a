"""Shared fixtures: a small territory with two organizations and one named person per role.

Organization A ("agglo") and organization B ("departement") share nothing, so that tests
can prove cross-organization isolation; tests that need a share create it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.hashers import make_password

from cocon.accounts.models import AgentProfile, Category, Role, RoleKind, User
from cocon.territory.models import (
    Commune,
    Direction,
    OpeningHours,
    Organization,
    OrganizationKind,
    PopulationMargin,
    Service,
    Territory,
)

PASSWORD = "correct-horse-battery-42"
_HASH: list[str] = []


def password_hash() -> str:
    """One argon2 hash for every fixture account (hashing is deliberately slow)."""
    if not _HASH:
        _HASH.append(make_password(PASSWORD))
    return _HASH[0]


def make_user(email: str, name: str, **fields) -> User:
    user = User.objects.create_user(email=email, full_name=name, **fields)
    user.password = password_hash()
    user.save(update_fields=["password"])
    return user


@dataclass
class World:
    territory: Territory
    org_a: Organization
    org_b: Organization
    direction_a: Direction
    water: Service
    waste: Service
    hr: Service
    social_b: Service
    communes: list[Commune]
    users: dict[str, User]

    def __getitem__(self, role: str) -> User:
        return self.users[role]


@pytest.fixture(autouse=True)
def _fresh_reference_caches():
    """Per-process caches of reference data (cocon.core.refcache) start empty in every
    test: a rolled-back test's territory, themes or rules must not leak into the next."""
    from cocon.core import refcache

    refcache.clear()
    yield
    refcache.clear()


@pytest.fixture
def world(db) -> World:
    territory = Territory.objects.create(name="Pays de Test", slug="test")
    communes = [
        Commune.objects.create(
            territory=territory,
            insee_code="38601",
            name="Villebourg",
            postal_code="38500",
            population=1000,
        ),
        Commune.objects.create(
            territory=territory,
            insee_code="38602",
            name="Saint-Essai",
            postal_code="38510",
            population=500,
        ),
    ]
    for commune in communes:
        half = commune.population // 12
        for band in ("0-14", "15-29", "30-44", "45-59", "60-74", "75+"):
            for sex in ("F", "M"):
                PopulationMargin.objects.create(
                    commune=commune, age_band=band, sex=sex, population=half
                )
    org_a = Organization.objects.create(
        territory=territory, kind=OrganizationKind.EPCI, name="Agglo de Test", slug="agglo"
    )
    org_b = Organization.objects.create(
        territory=territory,
        kind=OrganizationKind.DEPARTEMENT,
        name="Département de Test",
        slug="departement",
    )
    territory.host_organization = org_a
    territory.save()
    direction_a = Direction.objects.create(
        organization=org_a, name="Environnement", slug="environnement"
    )
    water = Service.objects.create(
        organization=org_a,
        direction=direction_a,
        name="Eau",
        slug="eau",
        mission="L'eau potable.",
        email="eau@test.fr",
        internal_phone="1234",
    )
    waste = Service.objects.create(
        organization=org_a, direction=direction_a, name="Déchets", slug="dechets"
    )
    hr = Service.objects.create(
        organization=org_a, name="Ressources humaines", slug="rh", is_public=False
    )
    social_b = Service.objects.create(
        organization=org_b, name="Action sociale", slug="social", internal_email="interne@dep.fr"
    )
    OpeningHours.objects.create(service=water, weekday=0, opens=dt.time(8, 30), closes=dt.time(12))
    users: dict[str, User] = {"usager": make_user("usager@test.fr", "Ulysse Usager")}

    def agent(key, org, service, category="C", **flags):
        user = make_user(f"{key}@test.fr", key.replace("_", " ").title())
        AgentProfile.objects.create(
            user=user,
            organization=org,
            service=service,
            job_title="Agent",
            category=category,
            **flags,
        )
        users[key] = user
        return user

    agent("agent", org_a, water, front_line=True)
    manager = agent("manager", org_a, water, "A")
    Role.objects.create(user=manager, organization=org_a, kind=RoleKind.MANAGER).services.add(water)
    direction = agent("direction", org_a, None, "A")
    Role.objects.create(user=direction, organization=org_a, kind=RoleKind.DIRECTION, title="DGS")
    elu = make_user("elu@test.fr", "Élise Élue")
    Role.objects.create(
        user=elu, organization=org_a, kind=RoleKind.ELU, title="Vice-présidente à l'eau"
    ).services.add(water)
    users["elu"] = elu
    expert = agent("expert", org_a, water, "A")
    Role.objects.create(
        user=expert, organization=org_a, kind=RoleKind.EXPERT, topics="eau, marchés publics"
    )
    animateur = agent("animateur", org_a, None, "B")
    Role.objects.create(user=animateur, organization=org_a, kind=RoleKind.ANIMATEUR)
    admin = agent("admin", org_a, None, "A")
    Role.objects.create(user=admin, organization=org_a, kind=RoleKind.ADMIN)
    users["platform"] = User.objects.create_superuser(
        email="root@test.fr", full_name="Root", password=None
    )
    users["platform"].password = password_hash()
    users["platform"].save()
    agent("agent_b", org_b, social_b)
    admin_b = agent("admin_b", org_b, None, "A")
    Role.objects.create(user=admin_b, organization=org_b, kind=RoleKind.ADMIN)
    assert Category.C == "C"
    return World(territory, org_a, org_b, direction_a, water, waste, hr, social_b, communes, users)


ROLES = ["usager", "agent", "manager", "direction", "elu", "expert", "animateur", "admin"]


@pytest.fixture
def client_for(client, world):
    """client_for("manager") → the test client logged in as the fixture's manager."""

    def login_as(role: str):
        client.force_login(world[role])
        return client

    return login_as


def fr(msgid: str, **params) -> str:
    """The French text of a message, asserting it is translated (not the English msgid)."""
    from django.utils import translation
    from django.utils.html import escape

    with translation.override("fr"):
        text = translation.gettext(msgid)
    assert text != msgid, f"no French translation for {msgid!r}"
    if "%(" in text and not params:
        return escape(text)  # caller compares the part before the first placeholder
    return escape(text % params if params else text)
