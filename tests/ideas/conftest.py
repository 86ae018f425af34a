"""Fixtures of Idées: the permanent box of organization A (agents of A), a public call
for ideas of A (agents and users), a closed call, and helpers to make ideas."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cocon.ideas import services
from cocon.ideas.models import Campaign, Scope


@pytest.fixture
def box(world) -> Campaign:
    return services.permanent_box(world.org_a)


@pytest.fixture
def public_call(world) -> Campaign:
    today = timezone.localdate()
    return services.campaign_save(
        actor=world["animateur"],
        organization=world.org_a,
        title="Comment réduire les mégots dans la rue ?",
        question="Vos idées pour des rues sans mégots.",
        scope=Scope.BOTH,
        opens_on=today - dt.timedelta(days=10),
        closes_on=today + dt.timedelta(days=20),
        decisions_by=today + dt.timedelta(days=60),
        decision_calendar="Bureau communautaire de janvier.",
        services=[world.waste, world.water],
    )


@pytest.fixture
def closed_call(world) -> Campaign:
    today = timezone.localdate()
    return services.campaign_save(
        actor=world["animateur"],
        organization=world.org_a,
        title="Appel clos",
        question="Une question d'hier ?",
        scope=Scope.BOTH,
        opens_on=today - dt.timedelta(days=60),
        closes_on=today - dt.timedelta(days=1),
    )


IDEA = {
    "title": "Des cendriers de poche distribués au marché",
    "problem": "Les mégots jonchent la place du marché le samedi.",
    "proposal": "Distribuer des cendriers de poche au stand de l'agglo.",
    "benefit": "Une place propre pour les usagers du marché.",
    "decision_level": "service",
}


@pytest.fixture
def make_idea(world):
    def make(campaign, author=None, **fields):
        data = {**IDEA, **fields}
        data.setdefault("services", [world.water])
        return services.idea_submit(author=author or world["agent"], campaign=campaign, **data)

    return make


def fr_raw(msgid: str) -> str:
    """The French text of a message as services raise it (not HTML-escaped)."""
    from html import unescape

    from tests.conftest import fr

    return unescape(fr(msgid))
