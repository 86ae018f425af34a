import json
import math
import warnings

import numpy as np
import pytest

from cocon.lib.survey import (
    Design,
    Responses,
    SurveyError,
    change,
    compute,
    holm,
    importance,
    margin_residuals,
    normal_p_value,
    perceived_technical_gap,
    quadrants,
    rake,
    rake_and_trim,
    score_stats,
    suppress,
    technical_score,
    trim_weights,
    wave_weights,
    weighted_mean,
)

SIZES = {"age": 5, "sex": 2, "commune": 7}


def random_codes(rng, n):
    return {v: rng.integers(0, k, n) for v, k in SIZES.items()}


def random_targets(rng, total=10_000.0):
    return {v: rng.dirichlet(np.ones(k) * 3) * total for v, k in SIZES.items()}


def margins_of(w, codes):
    return {v: np.bincount(c, weights=w, minlength=SIZES[v]) for v, c in codes.items()}


# --- raking ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_raked_weights_reproduce_every_margin(seed):
    rng = np.random.default_rng(seed)
    codes, targets = random_codes(rng, 3000), random_targets(rng)
    base = rng.uniform(0.5, 3, 3000)
    w = rake(codes, targets, base=base)
    assert np.all(w > 0)
    for v, m in margins_of(w, codes).items():
        assert np.max(np.abs(m - targets[v]) / targets[v]) < 1e-10


def test_rake_does_not_depend_on_row_order():
    rng = np.random.default_rng(3)
    codes, targets = random_codes(rng, 2000), random_targets(rng)
    w = rake(codes, targets)
    perm = rng.permutation(2000)
    w2 = rake({v: c[perm] for v, c in codes.items()}, targets)
    assert w2 == pytest.approx(w[perm], rel=1e-12)


def test_rake_empty_category_names_it():
    rng = np.random.default_rng(4)
    codes, targets = random_codes(rng, 500), random_targets(rng)
    codes["commune"][codes["commune"] == 3] = 2
    with pytest.raises(SurveyError, match=r"'commune'.*index 3"):
        rake(codes, targets)


def test_rake_inconsistent_totals():
    rng = np.random.default_rng(5)
    codes, targets = random_codes(rng, 500), random_targets(rng)
    targets["sex"] = targets["sex"] * 1.01
    with pytest.raises(SurveyError, match="totals disagree"):
        rake(codes, targets)


def test_rake_non_convergence():
    # all men live in commune 0, but commune 0 is smaller than the male population
    sex = np.array([0, 0, 1, 1, 1, 1])
    commune = np.array([0, 0, 0, 0, 1, 1])
    with pytest.raises(SurveyError, match="did not converge"):
        rake(
            {"sex": sex, "commune": commune},
            {"sex": np.array([60.0, 40.0]), "commune": np.array([50.0, 50.0])},
            max_iter=200,
        )


def test_rake_zero_population_with_respondents():
    with pytest.raises(SurveyError, match="zero population"):
        rake({"sex": np.array([0, 1, 1])}, {"sex": np.array([0.0, 10.0])})


def test_rake_one_margin_is_post_stratification():
    sex = np.array([0, 0, 1, 1, 1])
    base = np.array([1.0, 3.0, 1.0, 1.0, 2.0])
    w = rake({"sex": sex}, {"sex": np.array([40.0, 60.0])}, base=base)
    assert w == pytest.approx([10, 30, 15, 15, 30])


# --- trimming -------------------------------------------------------------------------------


def test_trim_caps_and_spreads_excess_evenly():
    w = np.array([1.0, 1.0, 1.0, 1.0, 16.0])  # mean 4, cap at 2 × mean = 8
    t = trim_weights(w, 2)
    assert t == pytest.approx([3.0, 3.0, 3.0, 3.0, 8.0])
    assert t.sum() == pytest.approx(w.sum())


def test_trim_then_rake_again_holds_margins():
    rng = np.random.default_rng(6)
    n = 2000
    codes = random_codes(rng, n)
    # very unbalanced sample: the 10 respondents of age band 0 get large weights
    codes["age"] = np.where(np.arange(n) < 10, 0, rng.integers(1, 5, n))
    targets = random_targets(rng)
    targets["age"] = np.array([0.2, 0.2, 0.2, 0.2, 0.2]) * targets["sex"].sum()
    raked = rake(codes, targets)
    trimmed = rake_and_trim(codes, targets, upper_multiple=3)
    assert raked.max() > 3 * raked.mean()
    assert trimmed.max() < raked.max()
    for v, m in margins_of(trimmed, codes).items():
        assert m == pytest.approx(targets[v], rel=1e-10)


def test_trim_refuses_silly_multiple():
    with pytest.raises(SurveyError):
        trim_weights(np.ones(3), 1)


# --- regression on margin indicators ---------------------------------------------------------


def row_level_residuals(u, w, codes):
    x = np.column_stack(
        [np.eye(SIZES[v])[c] for v, c in codes.items()]
    )  # rank-deficient on purpose
    sw = np.sqrt(w)
    beta = np.linalg.lstsq(x * sw[:, None], u * sw, rcond=None)[0]
    return u - x @ beta


@pytest.mark.parametrize("method", ["lstsq", "backfit"])
def test_margin_residuals_match_row_level_least_squares(method):
    rng = np.random.default_rng(7)
    n = 800
    codes = random_codes(rng, n)
    # correlated margins so that backfitting needs several sweeps
    codes["sex"] = (codes["age"] + rng.integers(0, 2, n) > 2).astype(int)
    w = rng.uniform(0.2, 5, n)
    u = rng.normal(size=n) + codes["age"] * 0.3
    got = margin_residuals(u, w, codes, [SIZES[v] for v in codes], method=method)
    assert got == pytest.approx(row_level_residuals(u, w, codes), abs=1e-10)
    # residuals are orthogonal to every indicator
    for v, c in codes.items():
        assert np.bincount(c, weights=w * got, minlength=SIZES[v]) == pytest.approx(0, abs=1e-9)


def test_single_margin_residual_is_deviation_from_cell_mean():
    cell = np.array([0, 0, 1, 1, 1])
    w = np.array([1.0, 3.0, 1.0, 1.0, 2.0])
    y = np.array([1.0, 5.0, 2.0, 4.0, 6.0])
    r = margin_residuals(y, w, {"c": cell}, [2])
    assert r == pytest.approx([-3.0, 1.0, -2.5, -0.5, 1.5])


# --- estimates ------------------------------------------------------------------------------


def test_score_stats_by_hand():
    w = np.array([1.0, 1.0, 2.0, 4.0, 2.0])
    y = np.array([8.0, 3.0, np.nan, 7.0, 5.0])
    s = score_stats(y, Design(w))
    assert s.n == 4
    assert s.mean == pytest.approx((8 + 3 + 28 + 10) / 8)
    assert s.satisfied == pytest.approx(5 / 8)
    assert s.net == pytest.approx((5 - 1) / 8)
    assert s.ci95[0] == pytest.approx(s.mean - 1.959964 * s.se)
    # domain estimation: the blank respondent still counts (z = 0) in n/(n-1) Σ z²
    total = 8.0
    z = np.array([1.0, 1.0, 0.0, 4.0, 2.0]) * np.where(np.isnan(y), 0, y - s.mean) / total
    assert s.se == pytest.approx(math.sqrt(5 / 4 * np.sum((z - z.mean()) ** 2)))


def test_score_stats_share_is_the_mean_of_the_indicator_with_calibrated_se():
    rng = np.random.default_rng(21)
    n = 500
    codes = random_codes(rng, n)
    w = rake(codes, random_targets(rng))
    y = rng.integers(0, 11, n).astype(float)
    y[rng.random(n) < 0.2] = np.nan
    d = Design.calibrated(w, codes)
    s = score_stats(y, d, threshold=8)
    share = weighted_mean(np.where(np.isnan(y), np.nan, (y >= 8).astype(float)), d)
    mean = weighted_mean(y, d)
    assert (s.satisfied, s.satisfied_se) == pytest.approx((share.mean, share.se), rel=1e-12)
    assert (s.mean, s.se) == pytest.approx((mean.mean, mean.se), rel=1e-12)
    assert s.satisfied_ci95[1] - s.satisfied_ci95[0] == pytest.approx(2 * 1.959964 * share.se)


def test_blank_answers_do_not_change_weights_or_other_estimates():
    rng = np.random.default_rng(8)
    n = 400
    codes = random_codes(rng, n)
    w = rake(codes, random_targets(rng))
    y = rng.integers(0, 11, n).astype(float)
    y_blank = y.copy()
    y_blank[:50] = np.nan
    d = Design.calibrated(w, codes)
    full, part = weighted_mean(y, d), weighted_mean(y_blank, d)
    assert part.n == n - 50
    assert part.mean == pytest.approx(np.average(y[50:], weights=w[50:]))
    assert full.mean != pytest.approx(part.mean)


def test_calibration_lowers_se_when_score_follows_margins():
    rng = np.random.default_rng(9)
    n = 3000
    codes = random_codes(rng, n)
    w = rake(codes, random_targets(rng))
    y = np.clip(codes["age"] * 2.0 + rng.normal(0, 1, n), 0, 10)
    calibrated = weighted_mean(y, Design.calibrated(w, codes)).se
    weights_only = weighted_mean(y, Design(w)).se
    assert calibrated < 0.6 * weights_only


# --- changes, Holm, quadrants, gap, suppression ----------------------------------------------


def test_holm_hand_computed():
    p = [0.01, 0.04, 0.03, 0.005]
    # sorted 0.005, 0.01, 0.03, 0.04 -> 4×, 3×, 2×, 1× then running max
    assert holm(p) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])
    assert holm([]) == []


def test_change_and_normal_p_value():
    diff, se, p = change(6.0, 0.3, 6.8, 0.4)
    assert diff == pytest.approx(0.8)
    assert se == pytest.approx(0.5)
    assert p == pytest.approx(normal_p_value(1.6))
    assert normal_p_value(1.959964) == pytest.approx(0.05, abs=1e-7)


def test_quadrants_split_at_means_ties_high():
    imp = {"a": 0.4, "b": 0.4, "c": 0.1, "d": 0.1}
    perf = {"a": 5.0, "b": 8.0, "c": 5.0, "d": 8.0}
    assert quadrants(imp, perf) == {
        "a": "concentrate_here",
        "b": "keep_up",
        "c": "low_priority",
        "d": "possible_overkill",
    }
    equal = quadrants({"a": 0.2, "b": 0.2}, {"a": 6.0, "b": 6.0})
    assert equal == {"a": "keep_up", "b": "keep_up"}
    assert quadrants({"a": None}, {"a": 5.0}) == {"a": None}


def test_technical_score_orientation():
    assert technical_score(99.5, 95, 100, "higher") == pytest.approx(90)
    assert technical_score(120, 95, 100, "higher") == 100
    assert technical_score(90, 95, 100, "higher") == 0
    # lower is better: e.g. complaints per 1000, floor 10 (score 0), target 2 (score 100)
    assert technical_score(4, 10, 2, "lower") == pytest.approx(75)
    assert technical_score(4, 2, 10, "lower") == pytest.approx(75)
    assert technical_score(1, 10, 2, "lower") == 100
    with pytest.raises(SurveyError):
        technical_score(1, 2, 2)
    with pytest.raises(SurveyError, match="direction"):
        technical_score(1, 0, 2, "sideways")


def test_perceived_technical_gap():
    g = perceived_technical_gap(0.45, 99.8, 95, 100, "higher")
    assert g["perceived"] == pytest.approx(45)
    assert g["technical"] == pytest.approx(96)
    assert g["gap"] == pytest.approx(-51)
    assert g["divergent"] is True
    assert perceived_technical_gap(0.8, 99, 95, 100)["divergent"] is False


def test_suppress():
    stats = {"n": 4, "mean": 7.0, "ci95": [6.0, 8.0]}
    assert suppress(stats, 4, 10) == {"n": 4, "mean": None, "ci95": None}
    assert suppress(stats, 10, 10) == stats


def test_importance_of_fewer_than_min_cell_is_none():
    rng = np.random.default_rng(10)
    out = importance(rng.normal(size=5), {"a": rng.normal(size=5)}, np.ones(5), min_cell=10)
    assert out == {"a": {"raw": None, "percent": None}}


def test_importance_leaves_out_a_criterion_nobody_answered():
    """A criterion not asked in a wave (all blank) must not empty the complete-answer set
    of the others: they get the same weights as without it."""
    rng = np.random.default_rng(11)
    a, b = rng.normal(size=200), rng.normal(size=200)
    y = a + 0.5 * b + rng.normal(size=200)
    with_blank = importance(y, {"a": a, "b": b, "new": np.full(200, np.nan)}, np.ones(200))
    without = importance(y, {"a": a, "b": b}, np.ones(200))
    assert with_blank["new"] == {"raw": None, "percent": None}
    assert with_blank["a"] == without["a"] and with_blank["b"] == without["b"]
    assert with_blank["a"]["raw"] > with_blank["b"]["raw"] > 0


# --- compute ----------------------------------------------------------------------------------

MARGINS = {
    "age": {"18-34": 3000.0, "35-59": 4000.0, "60+": 3000.0},
    "sex": {"F": 5200.0, "M": 4800.0},
}


def make_responses(rng, n=600, waves=("2024", "2025"), shift=0.0):
    wave = rng.choice(list(waves), n)
    age = rng.choice(list(MARGINS["age"]), n, p=[0.2, 0.4, 0.4])
    sex = rng.choice(["F", "M"], n)
    base = (age == "60+") * 1.5 + rng.normal(6, 1.5, n) + (wave == waves[-1]) * shift
    crit = {}
    for k, code in enumerate(["taste", "pressure", "price"]):
        score = np.clip(np.round(base + rng.normal(0, 1 + k, n)), 0, 10)
        score[rng.random(n) < 0.1] = np.nan
        crit[code] = score
    overall = np.clip(
        np.round(0.6 * np.nan_to_num(crit["taste"], nan=6) + 0.4 * base + rng.normal(0, 1, n)),
        0,
        10,
    )
    return Responses(wave, {"age": age, "sex": sex}, overall, crit)


def test_compute_structure_and_json():
    data = make_responses(np.random.default_rng(11), shift=1.0)
    result = compute(data, MARGINS)
    json.dumps(result)  # plain Python values only
    assert set(result) == {"waves", "changes", "importance", "quadrants"}
    assert list(result["waves"]) == ["2024", "2025"]
    wave = result["waves"]["2024"]
    assert set(wave) == {"n", "n_eff", "deff", "overall", "criteria"}
    assert wave["n"] == int(np.sum(data.wave == "2024"))
    assert set(wave["overall"]) == {"n", "mean", "se", "ci95", "satisfied", "satisfied_se", "net"}
    assert list(wave["criteria"]) == ["taste", "pressure", "price"]
    assert len(result["changes"]) == 3
    ch = result["changes"][0]
    assert (ch["criterion"], ch["from"], ch["to"]) == ("taste", "2024", "2025")
    assert ch["significant"] is True  # shift of one point on 300 respondents
    assert ch["p_adjusted"] >= ch["p_value"]
    imp = result["importance"]["2025"]
    assert sum(v["percent"] for v in imp.values()) == pytest.approx(100)
    assert imp["taste"]["raw"] == max(v["raw"] for v in imp.values())
    assert set(result["quadrants"]["2025"].values()) <= {
        "concentrate_here",
        "keep_up",
        "low_priority",
        "possible_overkill",
    }


def test_compute_weights_sum_to_population_per_wave():
    data = make_responses(np.random.default_rng(12))
    _result, w = compute(data, MARGINS, trim=3, return_weights=True)
    assert w == pytest.approx(wave_weights(data, MARGINS, trim=3))
    for label in ("2024", "2025"):
        mask = data.wave == label
        assert w[mask].sum() == pytest.approx(10_000)
        for var, cats in MARGINS.items():
            for cat, pop in cats.items():
                assert w[mask & (data.margins[var] == cat)].sum() == pytest.approx(pop, rel=1e-10)
    assert w.max() <= 3 * w.mean() * 1.5  # trimmed then re-raked: bounded


def test_compute_does_not_depend_on_row_order():
    rng = np.random.default_rng(13)
    data = make_responses(rng)
    perm = rng.permutation(len(data.wave))
    shuffled = Responses(
        data.wave[perm],
        {k: v[perm] for k, v in data.margins.items()},
        data.overall[perm],
        {k: v[perm] for k, v in data.criteria.items()},
    )
    a, wa = compute(data, MARGINS, return_weights=True)
    b, wb = compute(shuffled, MARGINS, return_weights=True)
    assert wb == pytest.approx(wa[perm], rel=1e-10)
    sa, sb = a["waves"]["2025"]["criteria"]["price"], b["waves"]["2025"]["criteria"]["price"]
    assert sb["mean"] == pytest.approx(sa["mean"], rel=1e-10)
    assert sb["se"] == pytest.approx(sa["se"], rel=1e-8)
    assert b["changes"][1]["p_adjusted"] == pytest.approx(a["changes"][1]["p_adjusted"], rel=1e-8)


def test_compute_suppresses_small_cells():
    data = make_responses(np.random.default_rng(14), n=400)
    data.criteria["price"][data.wave == "2025"] = np.nan
    keep = np.flatnonzero(data.wave == "2025")[:5]
    data.criteria["price"][keep] = 8.0
    result = compute(data, MARGINS, min_cell=10)
    price = result["waves"]["2025"]["criteria"]["price"]
    assert price["n"] == 5
    assert all(v is None for k, v in price.items() if k != "n")
    change_price = next(c for c in result["changes"] if c["criterion"] == "price")
    assert change_price["p_value"] is None and change_price["significant"] is False
    assert result["quadrants"]["2025"]["price"] is None


def test_compute_single_respondent_wave_is_suppressed_not_an_error():
    data = make_responses(np.random.default_rng(19), n=200)
    data = Responses(
        np.append(data.wave, "2026"),
        {"sex": np.append(data.margins["sex"], "F")},
        np.append(data.overall, 8.0),
        {k: np.append(v, 8.0) for k, v in data.criteria.items()},
    )
    margins = {"sex": {"F": 10_000.0}}
    data.margins["sex"][:] = "F"
    result = compute(data, margins)
    assert result["waves"]["2026"]["n"] == 1
    assert result["waves"]["2026"]["overall"]["mean"] is None
    assert [c["to"] for c in result["changes"]].count("2026") == 3


def test_compute_rejects_unknown_category():
    data = make_responses(np.random.default_rng(15), n=100)
    data.margins["sex"][3] = "X"
    with pytest.raises(SurveyError, match=r"'X'.*'sex'"):
        compute(data, MARGINS)


def test_compute_rejects_empty_category_in_a_wave():
    data = make_responses(np.random.default_rng(16), n=300)
    data.margins["age"][(data.wave == "2025") & (data.margins["age"] == "60+")] = "35-59"
    with pytest.raises(SurveyError, match=r"Wave '2025'.*'age'.*'60\+'"):
        compute(data, MARGINS)


def test_compute_rejects_score_out_of_range():
    data = make_responses(np.random.default_rng(17), n=100)
    data.criteria["taste"][7] = 11
    with pytest.raises(SurveyError, match=r"'taste'.*row 8"):
        compute(data, MARGINS)


# --- samplics cross-check ----------------------------------------------------------------------


def test_samplics_agrees_on_weights_mean_and_weights_only_se():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from samplics import PopParam, SampleWeight, TaylorEstimator

    rng = np.random.default_rng(18)
    n = 500
    codes = {"age": rng.integers(0, 3, n), "sex": rng.integers(0, 2, n)}
    targets = {"age": np.array([3000.0, 4000.0, 3000.0]), "sex": np.array([5200.0, 4800.0])}
    w = rake({k: codes[k] for k in ("age", "sex")}, targets)
    sw = SampleWeight().rake(
        samp_weight=np.ones(n),
        margins={"age": codes["age"], "sex": codes["sex"]},
        control={v: dict(enumerate(t)) for v, t in targets.items()},
        tol=1e-13,
        ctrl_tol=1e-13,
        max_iter=1000,
    )
    assert np.asarray(sw) == pytest.approx(w, rel=1e-9)
    y = rng.integers(0, 11, n).astype(float)
    est = TaylorEstimator(PopParam.mean)
    est.estimate(y=y, samp_weight=w)
    ours = weighted_mean(y, Design(w))
    assert float(np.ravel(est.point_est)[0]) == pytest.approx(ours.mean, rel=1e-12)
    assert float(np.ravel(est.stderror)[0]) == pytest.approx(ours.se, rel=1e-9)
    # samplics ignores the calibration: our calibrated SE differs (see module docstring)
    calibrated = weighted_mean(y, Design.calibrated(w, codes))
    assert calibrated.se != pytest.approx(ours.se, rel=1e-3)


def test_margin_residuals_with_sparse_huge_category_space():
    # many declared categories, few respondents: cells found by sorting, backfitting used
    rng = np.random.default_rng(20)
    n = 60
    codes = {"a": rng.integers(0, 4, n) * 25_000, "b": rng.integers(0, 3, n) * 40_000}
    w = rng.uniform(0.5, 2, n)
    u = rng.normal(size=n)
    dense = {"a": codes["a"] // 25_000, "b": codes["b"] // 40_000}
    expected = margin_residuals(u, w, dense, [4, 3], method="lstsq")
    got = margin_residuals(u, w, codes, [100_000, 100_000])
    assert got == pytest.approx(expected, abs=1e-10)
