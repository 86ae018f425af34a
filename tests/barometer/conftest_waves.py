"""Fixtures of the wave tests, on top of tests/barometer/conftest.py (bworld, criteria):
an open wave of the water barometer asking the three criteria, and helpers to fill in
the questionnaire."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cocon.barometer.models import Wave, WaveStatus


@pytest.fixture
def open_wave(bworld, criteria) -> Wave:
    today = timezone.localdate()
    wave = Wave.objects.create(
        barometer=bworld.barometer,
        label="Vague 2026",
        code="2026",
        opens_on=today - dt.timedelta(days=3),
        closes_on=today + dt.timedelta(days=30),
        status=WaveStatus.OPEN,
        open_link=True,
    )
    wave.criteria.set(criteria)
    return wave


def answers(world, **overrides) -> dict[str, str]:
    """A complete questionnaire: scores for gout and prix, accueil left blank."""
    data = {
        "score_gout": "3",
        "score_prix": "8",
        "score_accueil": "",
        "overall": "6",
        "age_band": "30-44",
        "sex": "F",
        "commune": str(world.communes[0].pk),
        "occupation": "employe",
    }
    data.update(overrides)
    return data


def tr(msgid: str, *, html: bool = False, **params) -> str:
    """A message as the pages show it (French, the default language), whether or not it
    is translated yet; `html` escapes it like a template does."""
    from django.utils import translation
    from django.utils.html import escape

    with translation.override("fr"):
        text = translation.gettext(msgid)
    text = text % params if params else text
    return escape(text) if html else text
