"""Fixtures of the results tests: a published water barometer with three waves (two
published), seeded responses, a technical indicator and an action plan.

Import with `from tests.barometer.conftest_results import *` (no conftest of its own)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pytest

from cocon.barometer.models import (
    SURVEY_AGE_BANDS,
    Action,
    ActionStatus,
    Barometer,
    Criterion,
    IndicatorValue,
    Response,
    ResponseSource,
    Wave,
    WaveStatus,
)
from cocon.lib.survey import Responses

__all__ = ["ResultsWorld", "add_responses", "results_world", "to_arrays"]


@dataclass
class ResultsWorld:
    barometer: Barometer
    criteria: list[Criterion]
    waves: list[Wave]
    rows: list[dict]  # what was inserted, in insertion order


def add_responses(wave: Wave, communes, n: int, seed: int, shift: float = 0.0) -> list[dict]:
    """`n` seeded responses to `wave`; "taste" is answered by all, "pressure" by about 90 %,
    "bill" by 5 people only (a small cell)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        taste = int(np.clip(round(rng.normal(5 + shift, 2)), 0, 10))
        scores = {"taste": taste}
        if rng.random() < 0.9:
            scores["pressure"] = int(rng.integers(4, 11))
        if i < 5:
            scores["bill"] = int(rng.integers(0, 11))
        rows.append(
            {
                "age_band": SURVEY_AGE_BANDS[i % len(SURVEY_AGE_BANDS)],
                "sex": "F" if rng.random() < 0.55 else "M",
                "commune": communes[i % 3 == 0],
                "overall": int(
                    np.clip(round(0.4 * taste + 0.3 * scores.get("pressure", 6) + 2), 0, 10)
                ),
                "scores": scores,
            }
        )
    Response.objects.bulk_create(
        [
            Response(
                wave=wave,
                source=ResponseSource.IMPORT,
                age_band=r["age_band"],
                sex=r["sex"],
                commune=r["commune"],
                overall=r["overall"],
                scores=r["scores"],
            )
            for r in rows
        ]
    )
    for r in rows:
        r["wave"] = wave
    return rows


def to_arrays(rows: list[dict], label_of: dict[int, str], codes: list[str]) -> Responses:
    """The rows as the engine's input, built independently of the selectors."""
    return Responses(
        wave=np.array([label_of[r["wave"].pk] for r in rows]),
        margins={
            "age_band": np.array([r["age_band"] for r in rows]),
            "sex": np.array([r["sex"] for r in rows]),
            "commune": np.array([r["commune"].insee_code for r in rows]),
        },
        overall=np.array([float(r["overall"]) for r in rows]),
        criteria={c: np.array([float(r["scores"].get(c, np.nan)) for r in rows]) for c in codes},
    )


@pytest.fixture
def results_world(world) -> ResultsWorld:
    barometer = Barometer.objects.create(
        service=world.water,
        title="Baromètre de l'eau",
        slug="eau",
        intro="Votre avis sur l'eau du robinet.",
        explanation="L'eau a un goût de chlore parce qu'elle est désinfectée.",
        is_published=True,
    )
    criteria = [
        Criterion.objects.create(
            barometer=barometer,
            code="taste",
            position=1,
            wording="Le goût de l'eau",
            indicator_name="Conformité bactériologique",
            indicator_unit="%",
            floor=95,
            target=100,
        ),
        Criterion.objects.create(
            barometer=barometer, code="pressure", position=2, wording="La pression au robinet"
        ),
        Criterion.objects.create(
            barometer=barometer, code="bill", position=3, wording="La clarté de la facture"
        ),
    ]
    waves = []
    for year, status in (
        (2023, WaveStatus.PUBLISHED),
        (2024, WaveStatus.PUBLISHED),
        (2025, WaveStatus.CLOSED),
    ):
        waves.append(
            Wave.objects.create(
                barometer=barometer,
                label=f"Vague {year}",
                code=f"v{year}",
                opens_on=dt.date(year, 3, 1),
                closes_on=dt.date(year, 4, 30),
                status=status,
            )
        )
    rows = []
    for k, wave in enumerate(waves):
        rows += add_responses(wave, world.communes, 60, seed=k, shift=1.5 * k)
    IndicatorValue.objects.create(
        criterion=criteria[0], period="2022", period_start=dt.date(2022, 1, 1), value=99.0
    )
    IndicatorValue.objects.create(
        criterion=criteria[0], period="2023", period_start=dt.date(2023, 1, 1), value=99.8
    )
    IndicatorValue.objects.create(
        criterion=criteria[0], period="2024", period_start=dt.date(2024, 1, 1), value=97.5
    )
    Action.objects.create(
        barometer=barometer,
        criterion=criteria[0],
        title="Réduire le goût de chlore",
        owner="Régie de l'eau",
        status=ActionStatus.IN_PROGRESS,
        from_wave=waves[0],
    )
    Action.objects.create(
        barometer=barometer,
        criterion=criteria[1],
        title="Action interne sur les réducteurs",
        owner="Exploitation",
        is_public=False,
        from_wave=waves[1],
    )
    return ResultsWorld(barometer, criteria, waves, rows)
