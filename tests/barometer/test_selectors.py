"""Results selectors: datasets, margins (and how they are collapsed), one engine run for
all waves, technical gaps, action progress, cache and query counts."""

from __future__ import annotations

import math
from unittest import mock

import numpy as np
import pytest
from django.core.cache import cache

from cocon.barometer import selectors
from cocon.barometer.models import Response
from cocon.lib import survey
from tests.barometer.conftest_results import *  # noqa: F403
from tests.barometer.conftest_results import add_responses, to_arrays
from tests.barometer.conftest_waves import tr

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _margins(world):
    # conftest: every (band, sex) cell of a commune holds population // 12
    per_cell = {"38601": 1000 // 12, "38602": 500 // 12}
    return {
        "age_band": {b: 2.0 * sum(per_cell.values()) for b in selectors.SURVEY_AGE_BANDS},
        "sex": {s: 5.0 * sum(per_cell.values()) for s in ("F", "M")},
        "commune": {c: 10.0 * v for c, v in per_cell.items()},
    }


def test_margins_are_adults_of_the_territory_when_no_commune_is_listed(world):
    barometer = mock.Mock(service=mock.Mock(organization=world.org_a))
    assert selectors.barometer_margins(barometer) == _margins(world)


def test_margins_only_of_the_communes_served(world):
    world.org_a.communes.add(world.communes[1])
    barometer = mock.Mock(service=mock.Mock(organization=world.org_a))
    margins = selectors.barometer_margins(barometer)
    assert margins["commune"] == {"38602": 410.0}
    assert margins["sex"] == {"F": 205.0, "M": 205.0}
    assert "0-14" not in margins["age_band"]


def test_wave_dataset_is_one_query_with_blanks_as_nan(results_world, django_assert_num_queries):
    wave = results_world.waves[0]
    with django_assert_num_queries(2):
        data = selectors.wave_dataset(wave)
    expected = [r for r in results_world.rows if r["wave"] == wave]
    assert len(data) == 60
    assert set(data.wave) == {"v2023"}
    assert list(data.criteria) == ["taste", "pressure", "bill"]
    assert int((~np.isnan(data.criteria["bill"])).sum()) == 5
    assert data.criteria["pressure"].tolist() == pytest.approx(
        [r["scores"].get("pressure", math.nan) for r in expected], nan_ok=True
    )
    assert sorted(data.margins["commune"].tolist()) == sorted(
        r["commune"].insee_code for r in expected
    )


def test_results_equal_a_direct_compute(results_world, world):
    results = selectors.barometer_results(results_world.barometer, public=False)
    labels = {w.pk: f"{i:03d}" for i, w in enumerate(results_world.waves)}
    direct = survey.compute(
        to_arrays(results_world.rows, labels, ["taste", "pressure", "bill"]),
        _margins(world),
        threshold=7,
        min_cell=10,
    )
    assert results.raw == direct
    assert results.notes == []
    assert results.variables == ["age_band", "sex", "commune"]
    wave2 = results.waves[1]
    assert wave2.n == 60
    assert wave2.n_eff == direct["waves"]["001"]["n_eff"]
    assert wave2.criteria[0].stats == direct["waves"]["001"]["criteria"]["taste"]
    change = next(c for c in direct["changes"] if c["criterion"] == "taste" and c["to"] == "001")
    assert wave2.criteria[0].change == change
    assert wave2.criteria[0].trend == ("up" if change["diff"] > 0 else "down")


def test_small_cells_are_suppressed(results_world):
    results = selectors.barometer_results(results_world.barometer, public=True)
    bill = results.waves[0].criteria[2]
    assert bill.stats["n"] == 5
    assert bill.suppressed and bill.stats["mean"] is None
    assert bill.change is None  # first wave: nothing to compare with
    later = results.waves[1].criteria[2]
    assert later.suppressed and later.change["diff"] is None and later.trend is None
    assert not results.waves[0].criteria[0].suppressed


def test_public_results_only_use_published_waves(results_world, world):
    results = selectors.barometer_results(results_world.barometer, public=True)
    assert [w.wave for w in results.waves] == results_world.waves[:2]
    labels = {w.pk: f"{i:03d}" for i, w in enumerate(results_world.waves[:2])}
    published = [r for r in results_world.rows if r["wave"].pk in labels]
    direct = survey.compute(
        to_arrays(published, labels, ["taste", "pressure", "bill"]), _margins(world)
    )
    assert results.raw == direct
    # only public actions
    assert [a.title for a in results.actions] == ["Réduire le goût de chlore"]


def test_gap_uses_the_indicator_value_closest_to_the_wave(results_world):
    results = selectors.barometer_results(results_world.barometer, public=False)
    first, second, _third = results.waves
    taste = first.criteria[0]
    assert taste.indicator.period == "2023"
    assert taste.gap == survey.perceived_technical_gap(
        taste.stats["satisfied"], 99.8, 95, 100, "higher"
    )
    assert second.criteria[0].indicator.period == "2024"
    assert second.criteria[0].gap["technical"] == pytest.approx(50.0)
    assert first.criteria[1].gap is None  # no technical counterpart


def test_progress_on_criteria_with_actions(results_world):
    results = selectors.barometer_results(results_world.barometer, public=False)
    assert [(p.criterion.code, p.from_wave, p.to_wave) for p in results.progress] == [
        ("taste", results_world.waves[0], results_world.waves[1]),
        ("pressure", results_world.waves[1], results_world.waves[2]),
    ]
    assert results.progress[0].change == results.waves[1].criteria[0].change
    public = selectors.barometer_results(results_world.barometer, public=True)
    assert [p.criterion.code for p in public.progress] == ["taste"]


def test_results_are_cached_until_responses_change(results_world):
    with mock.patch.object(selectors.survey, "compute", wraps=survey.compute) as spy:
        first = selectors.barometer_results(results_world.barometer, public=False)
        again = selectors.barometer_results(results_world.barometer, public=False)
        assert spy.call_count == 1
        assert again.raw == first.raw
        communes = [r["commune"] for r in results_world.rows[:2]]
        add_responses(results_world.waves[1], communes, 3, seed=9)
        changed = selectors.barometer_results(results_world.barometer, public=False)
        assert spy.call_count == 2
        assert changed.waves[1].n == 63
        results_world.barometer.threshold = 8
        selectors.barometer_results(results_world.barometer, public=False)
        assert spy.call_count == 3


def test_query_count_does_not_grow_with_responses_or_criteria(
    results_world, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        selectors.barometer_results(results_world.barometer, public=False)
    cache.clear()
    for k, wave in enumerate(results_world.waves):
        add_responses(wave, [r["commune"] for r in results_world.rows[:2]], 40, seed=20 + k)
    from cocon.barometer.models import Criterion

    for i in range(4):
        Criterion.objects.create(
            barometer=results_world.barometer, code=f"extra{i}", position=10 + i, wording="x"
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        results = selectors.barometer_results(results_world.barometer, public=False)
    assert results.waves[0].n == 100
    assert len(results.criteria) == 7


def test_empty_commune_is_collapsed_and_said(results_world, world):
    """A commune nobody answered in (in some wave) must not break the raking."""
    Response.objects.filter(wave=results_world.waves[1], commune=world.communes[1]).update(
        commune=world.communes[0]
    )
    results = selectors.barometer_results(results_world.barometer, public=False)
    assert results.error is None
    assert results.raw is not None
    assert "commune" not in results.variables
    assert results.variables == ["age_band", "sex"]
    assert tr("Too few respondents per commune: the weighting uses age and sex only.") in (
        results.notes
    )


def test_fit_margins_merges_small_communes_and_empty_bands():
    n = 40
    data = survey.Responses(
        wave=np.array(["a"] * n),
        margins={
            "age_band": np.array(["15-29", "45-59"] * (n // 2)),
            "sex": np.array(["F", "M", "M", "F"] * (n // 4)),
            "commune": np.array(["1"] * (n - 3) + ["2", "2", "3"]),
        },
        overall=np.full(n, 5.0),
        criteria={"x": np.arange(n) % 11 * 1.0},
    )
    margins = {
        "age_band": {"15-29": 10.0, "30-44": 10.0, "45-59": 10.0, "60-74": 10.0, "75+": 10.0},
        "sex": {"F": 25.0, "M": 25.0},
        "commune": {"1": 30.0, "2": 15.0, "3": 4.0, "4": 1.0},
    }
    fitted_data, fitted, notes = selectors.fit_margins(data, margins)
    assert fitted["commune"] == {"1": 30.0, "other": 20.0}
    assert fitted["age_band"] == {"15-29": 10.0, "30+": 40.0}
    assert [code for code, _params in notes] == ["communes_merged", "bands_merged"]
    assert sum(sum(c.values()) for c in fitted.values()) == pytest.approx(3 * 50.0)
    # the engine accepts the result, and the weights reproduce the collapsed margins
    result, weights = survey.compute(fitted_data, fitted, return_weights=True)
    assert weights.sum() == pytest.approx(50.0)
    assert result["waves"]["a"]["n"] == n


def test_fit_margins_without_any_usable_variable_is_unweighted():
    data = survey.Responses(
        wave=np.array(["a", "a", "b", "b"] * 5),
        margins={
            "age_band": np.array(["15-29"] * 20),
            "sex": np.array(["F"] * 20),
            "commune": np.array(["1"] * 20),
        },
        overall=np.full(20, 5.0),
        criteria={"x": np.arange(20) % 11 * 1.0},
    )
    margins = {
        "age_band": {"15-29": 5.0, "30-44": 5.0},
        "sex": {"F": 5.0, "M": 5.0},
        "commune": {"1": 6.0, "2": 4.0},
    }
    fitted_data, fitted, notes = selectors.fit_margins(data, margins)
    assert fitted == {"all": {"all": 10.0}}
    assert ("unweighted", {}) in notes
    result = survey.compute(fitted_data, fitted)
    assert result["waves"]["a"]["deff"] == pytest.approx(1.0)
