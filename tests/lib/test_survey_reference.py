"""Survey estimators against the values R's survey package publishes for the api and mtcars
data sets (see tests/lib/data/, copied from the shared survey-reference folder)."""

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from cocon.lib.survey import (
    Design,
    domain_mean_difference,
    rake,
    relative_weights,
    student_t_p_value,
    trim_weights_at,
    weight_stats,
    weighted_correlation,
    weighted_mean,
    weighted_total,
)

DATA = Path(__file__).parent / "data"
REL = 1e-7


def load(name: str) -> dict[str, list[str]]:
    with open(DATA / f"{name}.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return {k: [r[k] for r in rows] for k in rows[0]}


def num(values: list[str]) -> np.ndarray:
    return np.array([math.nan if v == "NA" else float(v) for v in values])


@pytest.fixture(scope="module")
def apistrat():
    return load("apistrat")


@pytest.fixture(scope="module")
def apiclus1():
    return load("apiclus1")


@pytest.fixture(scope="module")
def apisrs():
    return load("apisrs")


def test_case_1_stratified_mean(apistrat):
    d = Design(num(apistrat["pw"]), strata=np.array(apistrat["stype"]))
    est = weighted_mean(num(apistrat["api00"]), d)
    assert est.mean == pytest.approx(662.287363159321, rel=REL)
    assert est.se == pytest.approx(9.53613229692516, rel=REL)


def test_case_1b_stratified_mean_with_fpc(apistrat):
    d = Design(num(apistrat["pw"]), strata=np.array(apistrat["stype"]), fpc=num(apistrat["fpc"]))
    est = weighted_mean(num(apistrat["api00"]), d)
    assert est.mean == pytest.approx(662.287363159321, rel=REL)
    # the CSV stores fpc-derived weights rounded: agreement to 1e-8 relative
    assert est.se == pytest.approx(9.408940879434, rel=1e-7)


def test_case_1c_stratified_total(apistrat):
    d = Design(num(apistrat["pw"]), strata=np.array(apistrat["stype"]))
    est = weighted_total(num(apistrat["enroll"]), d)
    assert est.mean == pytest.approx(3687177.53243828, rel=REL)
    assert est.se == pytest.approx(117319.085968965, rel=REL)


def test_case_1d_stratified_proportion(apistrat):
    d = Design(num(apistrat["pw"]), strata=np.array(apistrat["stype"]))
    yes = (np.array(apistrat["awards"]) == "Yes").astype(float)
    est = weighted_mean(yes, d)
    assert est.mean == pytest.approx(0.638936064050579, rel=REL)
    assert est.se == pytest.approx(0.0348975177769063, rel=REL)


def test_case_2_cluster_mean(apiclus1):
    d = Design(num(apiclus1["pw"]), clusters=np.array(apiclus1["dnum"]))
    est = weighted_mean(num(apiclus1["api00"]), d)
    assert est.mean == pytest.approx(644.169398907104, rel=REL)
    assert est.se == pytest.approx(23.7790107208869, rel=REL)


def test_case_2b_cluster_mean_with_fpc(apiclus1):
    d = Design(num(apiclus1["pw"]), clusters=np.array(apiclus1["dnum"]), fpc=num(apiclus1["fpc"]))
    est = weighted_mean(num(apiclus1["api00"]), d)
    assert est.se == pytest.approx(23.5422406937812, rel=REL)


def _poststratified(apiclus1):
    stype = np.array(apiclus1["stype"])
    codes = {"stype": np.searchsorted(["E", "H", "M"], stype)}
    w = rake(codes, {"stype": np.array([4421.0, 755.0, 1018.0])}, base=num(apiclus1["pw"]))
    return stype, codes, w


def test_case_3w_poststratified_weights(apiclus1):
    stype, _, w = _poststratified(apiclus1)
    expected = {"E": 30.7013888888889, "H": 53.9285714285714, "M": 40.72}
    for cat, value in expected.items():
        assert w[stype == cat] == pytest.approx(value, rel=1e-9)


def test_case_3_poststratified_cluster_mean(apiclus1):
    _, codes, w = _poststratified(apiclus1)
    d = Design.calibrated(w, codes, clusters=np.array(apiclus1["dnum"]))
    est = weighted_mean(num(apiclus1["api00"]), d)
    assert est.mean == pytest.approx(642.310788211584, rel=REL)
    assert est.se == pytest.approx(24.1610605814973, rel=REL)
    # without the calibration residuals the SE would be the plain cluster one (different)
    plain = weighted_mean(num(apiclus1["api00"]), Design(w, clusters=np.array(apiclus1["dnum"])))
    assert abs(plain.se - est.se) > 0.01


def test_case_5_trimmed_weights(apistrat):
    w = trim_weights_at(num(apistrat["pw"]), 40)
    assert w.max() <= 40 + 1e-9
    assert w.sum() == pytest.approx(num(apistrat["pw"]).sum(), rel=1e-12)
    est = weighted_mean(num(apistrat["api00"]), Design(w, strata=np.array(apistrat["stype"])))
    assert est.mean == pytest.approx(659.349743500561, rel=REL)
    assert est.se == pytest.approx(9.06119336956428, rel=REL)


def test_weights_only_se(apisrs, apistrat):
    srs = weighted_mean(num(apisrs["api00"]), Design(num(apisrs["pw"])))
    assert srs.se == pytest.approx(9.402772170880642, rel=1e-9)
    strat = weighted_mean(num(apistrat["api00"]), Design(num(apistrat["pw"])))
    assert strat.se == pytest.approx(9.585428876373124, rel=1e-9)


def test_case_6_domain_difference_t_test(apisrs):
    group = np.array(apisrs["comp.imp"]) == "Yes"
    est = domain_mean_difference(num(apisrs["api00"]), group, Design(num(apisrs["pw"])))
    assert est.mean == pytest.approx(50.7955336101449, rel=REL)
    t = est.mean / est.se
    assert t == pytest.approx(2.73793972735426, rel=REL)
    # R svyttest: df = design degrees of freedom (n - 1) minus 1 = 198
    assert student_t_p_value(t, len(group) - 2) == pytest.approx(0.00674596667841804, rel=1e-6)


def test_kish_weight_statistics():
    ws = weight_stats(np.array([0.0, 1.0, 2.0, 3.0]))
    assert ws.n == 4
    assert ws.deff == pytest.approx(14 / 9)
    assert ws.n_eff == pytest.approx(36 / 14)
    assert round(ws.deff, 4) == 1.5556 and round(ws.n_eff, 4) == 2.5714


def test_relative_weights_mtcars():
    mt = load("mtcars")
    x = np.column_stack([num(mt[k]) for k in ("mpg", "cyl", "disp", "hp", "gear")])
    raw = relative_weights(weighted_correlation(x))
    assert raw == pytest.approx([0.2284797, 0.2221469, 0.2321744, 0.0963886], abs=1e-7)
    assert raw.sum() == pytest.approx(0.7791896, abs=1e-7)
    # unit weights give the same as no weights
    assert relative_weights(weighted_correlation(x, np.ones(len(x)))) == pytest.approx(raw)
