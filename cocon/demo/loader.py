"""Load the demo territory (cocon.demo.data) into the database.

Idempotent: the territory slug is the marker, a second run changes nothing.
Deterministic: the only randomness is ``random.Random(2019)`` (the year of the study),
so two fresh databases get the same communes, margins and people.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from typing import Any, TextIO

from django.contrib.auth.hashers import make_password
from django.db import transaction

from cocon.accounts.models import AgentProfile, Role, User
from cocon.demo import data, guichet_loader, processes_loader
from cocon.territory.models import (
    Commune,
    Direction,
    OpeningHours,
    Organization,
    PopulationMargin,
    Service,
    Share,
    Territory,
)

DEMO_PASSWORD = "cocon-demo-2026"
SEED = 2019
DEMO_ACCOUNTS: list[tuple[str, str]] = [(p.account_label, p.email) for p in data.NAMED_PEOPLE]
DEMO_ACCOUNTS += guichet_loader.DEMO_ACCOUNTS
DEMO_ACCOUNTS += processes_loader.DEMO_ACCOUNTS


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def demo_users():
    """Every account the demo creates (all on the demo.cocon.test domain)."""
    return User.objects.filter(email__iendswith=data.EMAIL_DOMAIN)


def summarize(territory: Territory, *, created: bool) -> dict[str, Any]:
    services = Service.objects.filter(organization__territory=territory)
    return {
        "created": created,
        "territory": territory.name,
        "communes": territory.communes.count(),
        "organizations": territory.organizations.count(),
        "services": services.count(),
        "users": demo_users().count(),
        "population": territory.population,
    }


def load_demo(
    *,
    stdout: TextIO | None = None,
    voices: int | None = None,
    reports: int | None = None,
    barometer_respondents: int | None = None,
    ideas: int | None = None,
) -> dict[str, Any]:
    """Create the Pays du Val de Lise, its organizations and people, unless present.

    `voices`: how many demo voices (default `COCON_DEMO_VOICES`, 3000); `reports`: how
    many Signalements (default `COCON_DEMO_REPORTS`, 400); `barometer_respondents`: per
    wave of the demo barometers (default `COCON_DEMO_BAROMETER_RESPONDENTS`, 1000; 0: no
    barometer); `ideas`: how many Idées (default `COCON_DEMO_IDEAS`, 320; 0: the calls
    for ideas only); the browser tests load fewer to stay quick."""
    existing = Territory.objects.filter(slug=data.TERRITORY_SLUG).first()
    if existing is not None:
        _say(stdout, f"Le territoire « {existing.name} » est déjà chargé (already loaded).")
        return summarize(existing, created=False) | {"message": "already loaded"}

    rng = random.Random(SEED)
    with transaction.atomic():
        territory = Territory.objects.create(
            name=data.TERRITORY_NAME,
            slug=data.TERRITORY_SLUG,
            description=data.TERRITORY_DESCRIPTION,
        )
        communes = _load_communes(territory, rng)
        organizations, services, directions = _load_organizations(territory, communes)
        territory.host_organization = organizations[data.HOST_ORGANIZATION]
        territory.save(update_fields=["host_organization"])
        Share.objects.bulk_create(
            Share(owner=organizations[owner], partner=organizations[partner], scope=scope)
            for owner, partner, scope in data.SHARES
        )
        _load_people(rng, organizations, services, directions)
        from cocon.demo.voices_loader import VOICE_COUNT, load_voices

        if voices is None:
            voices = int(os.environ.get("COCON_DEMO_VOICES", VOICE_COUNT))
        voices = load_voices(territory, random.Random(SEED), count=voices)
        from cocon.demo.reports_loader import REPORT_COUNT, load_reports

        if reports is None:
            reports = int(os.environ.get("COCON_DEMO_REPORTS", REPORT_COUNT))
        reports = load_reports(territory, random.Random(SEED), count=reports)
        from cocon.demo.barometer_loader import RESPONDENT_COUNT, load_barometers

        if barometer_respondents is None:
            barometer_respondents = int(
                os.environ.get("COCON_DEMO_BAROMETER_RESPONDENTS", RESPONDENT_COUNT)
            )
        barometer_responses = load_barometers(territory, respondents=barometer_respondents)
        from cocon.demo.ideas_loader import IDEA_COUNT, load_ideas

        if ideas is None:
            ideas = int(os.environ.get("COCON_DEMO_IDEAS", IDEA_COUNT))
        ideas = load_ideas(territory, random.Random(SEED), count=ideas)
        from cocon.demo.guichet_loader import load as load_guichet

        load_guichet(territory, random.Random(SEED))  # COCON_DEMO_APPOINTMENTS, default 3000
        processes_loader.load(territory, random.Random(SEED))
        summary = summarize(territory, created=True) | {
            "message": "loaded",
            "voices": voices,
            "reports": reports,
            "barometer_responses": barometer_responses,
            "ideas": ideas,
        }
    _say(
        stdout,
        f"Territoire « {territory.name} » chargé (loaded) : {summary['communes']} communes, "
        f"{summary['population']} habitants, {summary['organizations']} organisations, "
        f"{summary['services']} services, {summary['users']} comptes, "
        f"{summary.get('voices', 0)} paroles, {summary.get('reports', 0)} signalements, "
        f"{summary.get('ideas', 0)} idées.",
    )
    return summary


def _load_communes(territory: Territory, rng: random.Random) -> dict[str, Commune]:
    Commune.objects.bulk_create(
        Commune(
            territory=territory,
            insee_code=c.insee_code,
            name=c.name,
            postal_code=c.postal_code,
            population=c.population,
            latitude=c.latitude,
            longitude=c.longitude,
        )
        for c in data.COMMUNES
    )
    # Re-read rather than trust bulk_create to set primary keys on every backend.
    by_code = {c.insee_code: c for c in territory.communes.all()}
    margins = [
        PopulationMargin(commune=by_code[c.insee_code], age_band=band, sex=sex, population=n)
        for c in data.COMMUNES  # fixed order: the generator's draws stay reproducible
        for band, sex, n in data.margins_for(c.population, c.profile, rng)
    ]
    PopulationMargin.objects.bulk_create(margins)
    return {c.name: by_code[c.insee_code] for c in data.COMMUNES}


ServiceKey = tuple[str, str]  # (organization slug, service slug)


def _load_organizations(
    territory: Territory, communes: dict[str, Commune]
) -> tuple[dict[str, Organization], dict[ServiceKey, Service], dict[ServiceKey, Direction]]:
    organizations: dict[str, Organization] = {}
    services: dict[ServiceKey, Service] = {}
    directions: dict[ServiceKey, Direction] = {}
    hours: list[OpeningHours] = []
    for spec in data.ORGANIZATIONS:
        org = Organization.objects.create(
            territory=territory,
            kind=spec.kind,
            name=spec.name,
            short_name=spec.short_name,
            slug=spec.slug,
            description=spec.description,
            website=spec.website,
            email=spec.email,
            phone=spec.phone,
            address=spec.address,
            seat=communes[spec.seat] if spec.seat else None,
            primary_color=spec.primary_color,
            accent_color=spec.accent_color,
        )
        served = spec.communes if spec.communes is not None else list(communes)
        org.communes.set([communes[name] for name in served])
        organizations[spec.slug] = org
        placed = [(None, s) for s in spec.services]
        for direction_spec in spec.directions:
            direction = Direction.objects.create(
                organization=org,
                name=direction_spec.name,
                slug=direction_spec.slug,
                description=direction_spec.description,
            )
            directions[(spec.slug, direction_spec.slug)] = direction
            placed += [(direction, s) for s in direction_spec.services]
        for direction, service_spec in placed:
            service = Service.objects.create(
                organization=org,
                direction=direction,
                name=service_spec.name,
                slug=service_spec.slug,
                mission=service_spec.mission,
                email=service_spec.email,
                phone=service_spec.phone,
                address=service_spec.address,
                is_public=service_spec.is_public,
                internal_email=service_spec.internal_email,
                internal_phone=service_spec.internal_phone,
                internal_notes=service_spec.internal_notes,
            )
            services[(spec.slug, service_spec.slug)] = service
            hours += [
                OpeningHours(
                    service=service,
                    weekday=day,
                    opens=dt.time.fromisoformat(opens),
                    closes=dt.time.fromisoformat(closes),
                )
                for day, opens, closes in data.HOURS[service_spec.hours]
            ]
    OpeningHours.objects.bulk_create(hours)
    return organizations, services, directions


def _load_people(
    rng: random.Random,
    organizations: dict[str, Organization],
    services: dict[ServiceKey, Service],
    directions: dict[ServiceKey, Direction],
) -> None:
    # One argon2 hash shared by every demo account: hashing ~100 times would take seconds.
    password = make_password(DEMO_PASSWORD)
    residents = [
        data.PersonSpec(first, last, email=data.person_email(first, last, data.RESIDENT_SUBDOMAIN))
        for first, last in data.resident_names(rng)
    ]
    for person in (*data.all_people(), *residents):
        user = _account(person, password)
        if person.agent and not AgentProfile.objects.filter(user=user).exists():
            agent = person.agent
            AgentProfile.objects.create(
                user=user,
                organization=organizations[agent.organization],
                service=services[(agent.organization, agent.service)] if agent.service else None,
                job_title=agent.job_title,
                category=agent.category,
                front_line=agent.front_line,
                peer_worker=agent.peer_worker,
            )
        for spec in person.roles:
            role = Role.objects.create(
                user=user,
                organization=organizations[spec.organization],
                kind=spec.kind,
                title=spec.title,
                direction=directions[(spec.organization, spec.direction)]
                if spec.direction
                else None,
                topics=spec.topics,
            )
            if spec.services:
                role.services.set([services[(spec.organization, s)] for s in spec.services])


def _account(person: data.PersonSpec, password: str) -> User:
    """The person's account; an existing one (same email) is reused, never overwritten."""
    email = person.address
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    create = User.objects.create_superuser if person.superuser else User.objects.create_user
    user = create(email, None, full_name=person.full_name)
    user.password = password
    user.save(update_fields=["password"])
    return user
