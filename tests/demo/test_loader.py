"""The demo territory: realistic, complete, idempotent and reproducible."""

from __future__ import annotations

import io
import random
import re

import pytest
from django.core.management import call_command
from django.db.models import Sum

from cocon.accounts.models import AgentProfile, Role, RoleKind, User
from cocon.barometer.models import Response
from cocon.demo import data, guichet_loader, processes_loader
from cocon.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_users, load_demo
from cocon.guichet.models import Appointment, KnowledgeEntry, Place, Question
from cocon.lib import colors
from cocon.lib.population import AGE_BANDS, SEXES
from cocon.processes.models import Process
from cocon.territory.models import (
    Commune,
    Organization,
    PopulationMargin,
    Service,
    Share,
    Territory,
)
from cocon.voices.models import Voice

NAMED_EMAILS = [
    "usager@demo.cocon.test",
    "agent@demo.cocon.test",
    "manager@demo.cocon.test",
    "direction@demo.cocon.test",
    "elu@demo.cocon.test",
    "expert@demo.cocon.test",
    "animateur@demo.cocon.test",
    "admin@demo.cocon.test",
]


@pytest.fixture
def demo(db) -> Territory:
    load_demo(voices=300)  # the full 3 000 are checked once, in test_demo_voices
    return Territory.objects.get(slug="val-de-lise")


def counts() -> dict[str, int]:
    return {
        "territories": Territory.objects.count(),
        "communes": Commune.objects.count(),
        "margins": PopulationMargin.objects.count(),
        "organizations": Organization.objects.count(),
        "services": Service.objects.count(),
        "shares": Share.objects.count(),
        "users": User.objects.count(),
        "profiles": AgentProfile.objects.count(),
        "roles": Role.objects.count(),
    }


def snapshot() -> dict[str, list]:
    """Everything the generator or the data decide, in a stable order."""
    return {
        "communes": sorted(
            Commune.objects.values_list(
                "insee_code", "name", "postal_code", "population", "latitude", "longitude"
            )
        ),
        "margins": sorted(
            PopulationMargin.objects.values_list(
                "commune__insee_code", "age_band", "sex", "population"
            )
        ),
        "users": sorted(User.objects.values_list("email", "full_name", "is_superuser")),
        "profiles": sorted(
            AgentProfile.objects.values_list(
                "user__email", "organization__slug", "service__slug", "job_title", "category"
            ),
            key=repr,
        ),
        "roles": sorted(
            (
                role.user.email,
                role.kind,
                role.organization.slug,
                role.title,
                role.direction.slug if role.direction else None,
                sorted(s.slug for s in role.services.all()),
            )
            for role in Role.objects.select_related("user", "organization", "direction")
        ),
    }


# --- The data module alone ------------------------------------------------------------------
def test_data_has_31_communes_with_unassigned_insee_codes():
    codes = sorted(c.insee_code for c in data.COMMUNES)
    assert codes == [str(code) for code in range(38601, 38632)]
    assert len({c.name for c in data.COMMUNES}) == 31
    assert all(re.fullmatch(r"385\d\d", c.postal_code) for c in data.COMMUNES)
    assert 97_500 <= sum(c.population for c in data.COMMUNES) <= 98_500
    central = data.COMMUNES_BY_NAME["Montlise"]
    assert 19_000 <= central.population <= 21_000
    assert max(c.population for c in data.COMMUNES) == central.population
    assert min(c.population for c in data.COMMUNES) < 200
    for commune in data.COMMUNES:
        assert abs(commune.latitude - 45.36) < 0.15
        assert abs(commune.longitude - 5.59) < 0.2


@pytest.mark.parametrize("population", [0, 1, 7, 152, 999, 1000, 20_362])
@pytest.mark.parametrize("profile", ["urban", "periurban", "rural"])
def test_margins_sum_exactly_to_the_population(population, profile):
    cells = data.margins_for(population, profile, random.Random(3))
    assert sum(n for _band, _sex, n in cells) == population
    assert [(band, sex) for band, sex, _n in cells] == [(b, s) for b in AGE_BANDS for s in SEXES]


def test_rural_communes_are_older_than_the_central_town():
    rng = random.Random(1)

    def share_over_60(profile: str) -> float:
        cells = data.margins_for(10_000, profile, rng)
        return sum(n for band, _sex, n in cells if band in ("60-74", "75+")) / 10_000

    assert share_over_60("rural") > share_over_60("urban")


def test_data_fingerprint_is_reproducible():
    def fingerprint():
        rng = random.Random(2019)
        margins = [data.margins_for(c.population, c.profile, rng) for c in data.COMMUNES]
        return margins, data.resident_names(rng), [p.address for p in data.all_people()]

    assert fingerprint() == fingerprint()


# --- Loaded into the database ----------------------------------------------------------------
@pytest.mark.django_db
def test_population_matches_the_margins(demo):
    assert demo.communes.count() == 31
    total = demo.population
    assert 97_500 <= total <= 98_500
    margins_total = PopulationMargin.objects.filter(commune__territory=demo).aggregate(
        total=Sum("population")
    )["total"]
    assert margins_total == total
    for commune in demo.communes.prefetch_related("margins"):
        cells = list(commune.margins.all())
        assert len(cells) == len(AGE_BANDS) * len(SEXES)
        assert sum(cell.population for cell in cells) == commune.population, commune.name


@pytest.mark.django_db
def test_loading_twice_creates_nothing_new(demo):
    before = counts()
    summary = load_demo()
    assert summary["created"] is False
    assert counts() == before
    assert summary["communes"] == 31
    assert summary["users"] == before["users"]


@pytest.mark.django_db
def test_loading_is_deterministic(demo):
    first = snapshot()
    # voices protect their service and organization on purpose, survey responses their
    # commune: remove them first
    Voice.objects.filter(territory__slug="val-de-lise").delete()
    Response.objects.filter(commune__territory__slug="val-de-lise").delete()
    # so do the Guichet's questions, entries and appointments (topics, places, communes)
    Question.objects.filter(territory__slug="val-de-lise").delete()
    KnowledgeEntry.objects.filter(territory__slug="val-de-lise").delete()
    Appointment.objects.filter(organization__territory__slug="val-de-lise").delete()
    Place.objects.filter(organization__territory__slug="val-de-lise").delete()
    # and the Démarches (a process protects its organization, an action its service)
    Process.objects.filter(territory__slug="val-de-lise").delete()
    demo_users().delete()
    Territory.objects.filter(slug="val-de-lise").delete()
    assert Commune.objects.count() == 0
    assert load_demo(voices=300)["created"] is True
    assert snapshot() == first


@pytest.mark.django_db
def test_summary(db):
    summary = load_demo()
    assert summary["created"] is True
    assert summary["communes"] == 31
    assert summary["organizations"] == len(data.ORGANIZATIONS) >= 12
    assert summary["services"] == Service.objects.count() >= 25
    assert summary["users"] == User.objects.count()
    assert summary["population"] == sum(c.population for c in data.COMMUNES)


@pytest.mark.django_db
def test_organizations_and_services(demo):
    agglo = demo.host_organization
    assert agglo.name == "Val de Lise Agglomération"
    assert agglo.kind == "epci"
    assert agglo.communes.count() == 31
    assert agglo.seat.name == "Montlise"
    ville = Organization.objects.get(name="Ville de Montlise")
    assert list(ville.communes.values_list("name", flat=True)) == ["Montlise"]
    kinds = set(demo.organizations.values_list("kind", flat=True))
    assert kinds >= {"epci", "commune", "ccas", "departement", "operator", "state", "association"}
    assert not agglo.services.get(slug="ressources-humaines").is_public
    phone = re.compile(r"^04 65 71 \d\d \d\d$")
    for service in Service.objects.filter(organization__territory=demo):
        assert service.mission, service
        assert service.email.endswith(".demo.cocon.test"), service
        assert phone.match(service.phone), service
        assert service.address, service
        assert service.opening_hours.exists(), service
        assert service.direction is None or service.direction.organization == service.organization
    assert Service.objects.exclude(internal_notes="").count() >= 5


@pytest.mark.django_db
def test_every_organization_has_accessible_colours(demo):
    pairs = set()
    for org in demo.organizations.all():
        assert colors.theme_problems(org.primary_color, org.accent_color) == [], org
        org.full_clean()
        pairs.add(org.primary_color)
    assert len(pairs) == demo.organizations.count()  # distinct looks


@pytest.mark.django_db
def test_shares_leave_the_departement_alone(demo):
    agglo = Organization.objects.get(slug=data.AGGLO)
    ville = Organization.objects.get(slug=data.VILLE)
    caf = Organization.objects.get(slug=data.CAF)
    assert Share.objects.filter(owner=agglo, partner=ville, scope="services").exists()
    assert Share.objects.filter(owner=ville, partner=agglo, scope="services").exists()
    assert Share.objects.filter(owner=caf, partner=agglo, scope="directory").exists()
    departement = Organization.objects.get(kind="departement")
    assert not departement.shares_given.exists()
    assert not departement.shares_received.exists()


@pytest.mark.django_db
def test_named_accounts(demo):
    guichet_emails = [email for _label, email in guichet_loader.DEMO_ACCOUNTS]
    process_emails = [email for _label, email in processes_loader.DEMO_ACCOUNTS]
    assert [email for _label, email in DEMO_ACCOUNTS] == (
        NAMED_EMAILS + guichet_emails + process_emails
    )
    for user in User.objects.filter(email__in=guichet_emails):
        assert user.check_password(DEMO_PASSWORD), user.email
    assert User.objects.filter(email__in=guichet_emails).count() == len(guichet_emails)
    users = {u.email: u for u in User.objects.filter(email__in=NAMED_EMAILS)}
    assert set(users) == set(NAMED_EMAILS)
    assert users["admin@demo.cocon.test"].check_password(DEMO_PASSWORD)
    agglo = Organization.objects.get(slug=data.AGGLO)
    ville = Organization.objects.get(slug=data.VILLE)

    def roles(email):
        return list(Role.objects.filter(user=users[email]).order_by("organization__slug"))

    def profile(email):
        return AgentProfile.objects.filter(user=users[email]).first()

    usager = users["usager@demo.cocon.test"]
    assert usager.full_name == "Camille Martin"
    assert profile(usager.email) is None and roles(usager.email) == []
    assert not usager.is_staff and not usager.is_superuser

    agent = profile("agent@demo.cocon.test")
    assert agent.category == "C" and agent.job_title == "Agent d'accueil" and agent.front_line
    assert agent.organization == agglo and agent.service.slug == "france-services"
    assert roles("agent@demo.cocon.test") == []

    manager = profile("manager@demo.cocon.test")
    assert manager.category in ("A", "B") and manager.service.slug == "eau-assainissement"
    [role] = roles("manager@demo.cocon.test")
    assert (role.kind, role.organization) == (RoleKind.MANAGER, agglo)
    assert [s.slug for s in role.services.all()] == ["eau-assainissement"]

    direction = profile("direction@demo.cocon.test")
    assert direction.category == "A"
    assert direction.job_title == "Directrice générale des services"
    [role] = roles("direction@demo.cocon.test")
    assert (role.kind, role.organization, role.direction) == (RoleKind.DIRECTION, agglo, None)
    assert role.title == "Directrice générale des services"

    assert profile("elu@demo.cocon.test") is None
    [role] = roles("elu@demo.cocon.test")
    assert (role.kind, role.organization) == (RoleKind.ELU, agglo)
    assert role.title == "Vice-président délégué à l'eau, à l'assainissement et aux déchets"
    assert {s.slug for s in role.services.all()} == {"eau-assainissement", "dechets-collecte"}

    expert = profile("expert@demo.cocon.test")
    assert expert.job_title == "Ingénieure qualité de l'eau" and expert.category == "A"
    [role] = roles("expert@demo.cocon.test")
    assert role.kind == RoleKind.EXPERT
    assert role.topic_list == ["qualité de l'eau", "marchés publics", "assainissement"]

    animateur = profile("animateur@demo.cocon.test")
    assert animateur.organization == ville and animateur.category == "B"
    assert animateur.service.slug == "vie-des-quartiers"
    assert {(r.kind, r.organization_id) for r in roles("animateur@demo.cocon.test")} == {
        (RoleKind.ANIMATEUR, ville.pk),
        (RoleKind.ANIMATEUR, agglo.pk),
    }

    admin = users["admin@demo.cocon.test"]
    assert admin.is_superuser and admin.is_staff
    [role] = roles("admin@demo.cocon.test")
    assert (role.kind, role.organization) == (RoleKind.ADMIN, agglo)


@pytest.mark.django_db
def test_people_are_varied(demo):
    profiles = AgentProfile.objects.all()
    assert profiles.count() >= 45
    assert {"A", "B", "C"} <= set(profiles.values_list("category", flat=True))
    assert profiles.filter(peer_worker=True).count() >= 2
    assert profiles.filter(front_line=True).count() >= 20
    organizations_with_agents = set(profiles.values_list("organization__slug", flat=True))
    assert organizations_with_agents == {spec.slug for spec in data.ORGANIZATIONS}
    residents = User.objects.filter(agent_profile__isnull=True, roles__isnull=True)
    assert residents.count() >= 20
    for email in demo_users().values_list("email", flat=True):
        assert re.fullmatch(r"[a-z0-9.\-]+@([a-z0-9\-]+\.)?demo\.cocon\.test", email), email
    elus = Role.objects.filter(kind=RoleKind.ELU)
    assert elus.filter(title__startswith="Président").exists()
    assert elus.filter(title="Maire de Montlise").exists()
    # every direction has its director, most services a manager
    directions_with_services = {
        s.direction_id for s in Service.objects.filter(direction__isnull=False)
    }
    directed = set(
        Role.objects.filter(kind=RoleKind.DIRECTION, direction__isnull=False).values_list(
            "direction_id", flat=True
        )
    )
    assert directions_with_services <= directed
    managed = set(Role.objects.filter(kind=RoleKind.MANAGER).values_list("services", flat=True))
    assert len(managed) >= 0.8 * Service.objects.count()


# --- The management command -----------------------------------------------------------------
@pytest.mark.django_db
def test_command_load_if_empty_then_accounts():
    out = io.StringIO()
    call_command("demo", "load", "--if-empty", stdout=out)
    assert Commune.objects.count() == 31
    assert "31 communes" in out.getvalue()
    before = counts()

    out = io.StringIO()
    call_command("demo", "load", "--if-empty", stdout=out)
    assert "existent déjà" in out.getvalue()
    call_command("demo", "load", stdout=io.StringIO())
    assert counts() == before

    out = io.StringIO()
    call_command("demo", "accounts", stdout=out)
    text = out.getvalue()
    for email in NAMED_EMAILS:
        assert email in text
    assert DEMO_PASSWORD in text
    assert "Camille Martin" in text
    assert "http://" in text


@pytest.mark.django_db
def test_command_if_empty_leaves_other_data_alone():
    Territory.objects.create(name="Autre territoire", slug="autre")
    out = io.StringIO()
    call_command("demo", "load", "--if-empty", stdout=out)
    assert "existent déjà" in out.getvalue()
    assert not Territory.objects.filter(slug="val-de-lise").exists()


@pytest.mark.django_db
def test_command_accounts_before_loading():
    out = io.StringIO()
    call_command("demo", "accounts", stdout=out)
    assert "pas chargée" in out.getvalue()


@pytest.mark.django_db
def test_demo_voices(db):
    from django.db.models import Count

    from cocon.core.models import StatusEvent
    from cocon.demo.voices_loader import DEMO_TRACKING_CODE, VOICE_COUNT
    from cocon.voices.models import RoutingRule, Theme

    load_demo()
    demo = Territory.objects.get(slug="val-de-lise")
    # the demo's reports are voices too (kind "report"): tests/demo/test_reports_demo.py
    voices = Voice.objects.filter(territory=demo).exclude(kind="report")
    assert voices.count() == VOICE_COUNT
    modes = dict(voices.values_list("capture_mode").annotate(n=Count("id")))
    relayed_share = (modes["relayed"] + modes["observation"]) / VOICE_COUNT
    assert 0.25 < relayed_share < 0.5  # "about a third relayed by agents"
    assert voices.filter(relay__isnull=False).count() == modes["relayed"] + modes["observation"]
    answered = voices.exclude(answer="")
    assert answered.count() > VOICE_COUNT / 2
    assert all(v.answered_at >= v.created_at for v in answered[:200])
    # every voice has a history starting with its reception
    assert (
        StatusEvent.objects.filter(action="received", object_id__in=voices.values("pk")).count()
        == VOICE_COUNT
    )
    assert Theme.objects.filter(territory=demo).count() >= 10
    # every organization with public services routes its voices
    assert (
        RoutingRule.objects.filter(organization__territory=demo)
        .values("organization")
        .distinct()
        .count()
        == 12
    )
    sample = voices.first()
    assert sample.check_tracking_code(DEMO_TRACKING_CODE)
    span = (
        voices.order_by("created_at").last().created_at
        - voices.order_by("created_at").first().created_at
    )
    assert span.days > 600  # two years
