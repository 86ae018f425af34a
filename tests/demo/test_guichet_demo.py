"""The demo Guichet polyvalent: referents in six organizations, the bus and its stops, a
year of appointments, questions, ~200 knowledge entries and the mobile legal team with
13 recours gracieux and 4 recours contentieux (the study's figures)."""

from __future__ import annotations

import pytest
from django.db.models import Count, F
from django.utils import timezone

from cocon.accounts.models import User
from cocon.demo.guichet_loader import DEMO_ACCOUNTS, INDICATORS
from cocon.demo.loader import load_demo
from cocon.guichet import selectors_network
from cocon.guichet.models import (
    Appointment,
    AppointmentFacet,
    AppointmentMonthFacet,
    CaseAction,
    Commitment,
    Indicator,
    KnowledgeEntry,
    LegalTeam,
    Place,
    Question,
    Referent,
    TrainingSession,
)
from cocon.lib.indicators import compile_formula
from cocon.territory.models import Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, monkeypatch) -> Territory:
    monkeypatch.setenv("COCON_DEMO_APPOINTMENTS", "3000")
    load_demo(voices=0, reports=0, barometer_respondents=0, ideas=0)
    return Territory.objects.get(slug="val-de-lise")


def test_network(demo):
    assert selectors_network.organizations_with_referents(demo) == 6
    refs = Referent.objects.filter(topic__territory=demo)
    per_pair = refs.values("organization", "topic").annotate(n=Count("id"))
    assert all(row["n"] == 2 for row in per_pair)  # a titular and a substitute everywhere
    assert not refs.filter(rank="titular", manager__isnull=True).exists()
    # every referent is an agent of the organization naming them
    assert not refs.exclude(user__agent_profile__organization=F("organization")).exists()
    assert refs.filter(absent_until__gte=timezone.localdate()).exists()
    hours = sorted(
        Commitment.objects.filter(organization__territory=demo).values_list("hours", flat=True)
    )
    assert hours == [24, 48, 48, 48, 48, 48]
    for label, email in DEMO_ACCOUNTS:
        assert User.objects.filter(email=email).exists(), label


def test_places_and_appointments(demo):
    places = Place.objects.filter(organization__territory=demo)
    stops = places.filter(kind="bus_stop")
    assert stops.count() == 6 and places.filter(kind="counter").count() == 1
    assert set(stops.values_list("commune__name", flat=True)) <= {
        "Vaulnières",
        "La Morinière",
        "Charavelle",
        "Massenay",
        "Saint-Géraud-des-Noyers",
        "Chabrelles",
    }
    appointments = Appointment.objects.filter(organization__territory=demo)
    total = appointments.count()
    assert total == 3000
    solved = appointments.filter(outcome="solved").count()
    assert 0.55 < solved / total < 0.65
    assert appointments.filter(duration__lt=5).count() == 0
    assert appointments.filter(duration__gt=60).count() == 0
    old_bus = appointments.filter(place__kind="bus_stop", age_band__in=["60-74", "75+"]).count()
    assert old_bus / appointments.filter(place__kind="bus_stop").count() > 0.5
    assert Appointment.procedures.through.objects.count() >= total
    # the dashboards' counts are rebuilt: the outcomes add up to the appointments, the
    # durations to their minutes, per day and per month
    minutes = sum(appointments.values_list("duration", flat=True))
    for model in (AppointmentFacet, AppointmentMonthFacet):
        rows = model.objects.filter(
            organization__territory=demo, dimension__in=["outcome", "duration"]
        ).values_list("dimension", "value", "count")
        assert sum(c for d, _v, c in rows if d == "outcome") == total
        assert sum(int(v) * c for d, v, c in rows if d == "duration") == minutes


def test_questions(demo):
    questions = Question.objects.filter(territory=demo)
    assert 140 <= questions.count() <= 160
    now = timezone.now()
    open_ = questions.filter(state="open")
    assert open_.count() == 2
    assert open_.filter(due_at__lt=now).count() == 1
    answered = questions.exclude(answered_at=None)
    late = [q for q in answered if not q.answered_in_time]
    assert 1 <= len(late) < answered.count() * 0.2
    assert all(q.due_at > q.asked_at for q in questions)


def test_knowledge(demo):
    entries = KnowledgeEntry.objects.filter(territory=demo)
    assert 190 <= entries.count() <= 210
    assert entries.filter(valid_until__lt=timezone.localdate()).count() == 10
    assert not entries.filter(sources="").exists()
    assert entries.filter(sources__contains="art. L262-2").exists()


def test_legal_team(demo):
    team = LegalTeam.objects.get(slug="equipe-mobile-acces-aux-droits")
    assert team.members.count() >= 2 and team.supervisors.count() == 1
    assert 35 <= team.cases.count() <= 45
    actions = CaseAction.objects.filter(team=team)
    assert actions.filter(kind="recours_gracieux").count() == 13
    assert actions.filter(kind="recours_contentieux").count() == 4
    assert TrainingSession.objects.filter(team=team).count() == 5
    assert Indicator.objects.filter(team=team).count() == 4
    for _n, _d, formula, _t in INDICATORS:
        compile_formula(formula, fields={"kind", "outcome"})
