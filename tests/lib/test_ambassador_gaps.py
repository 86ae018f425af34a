"""Explaining unmet draw targets and the days a mission commitment expects (pure)."""

import pytest

from cocon.lib import ambassador_gaps


def test_gap_lib_correlated_pool_needs_no_candidate():
    gaps = ambassador_gaps.unmet(
        {"category": {"A": -1, "C": 1}},
        {"category": {"A": 2, "C": 2}},
        {"category": {"A": 1, "C": 3}},
        {"category": {"A": 4, "C": 5}},
    )
    assert len(gaps) == 1 and gaps[0].candidates_needed == 0 and gaps[0].missing == 1


def test_expected_days():
    assert ambassador_gaps.expected_days(0, 3, 16) == 0
    assert ambassador_gaps.expected_days(61, 3, 16) == pytest.approx(6.0, abs=0.1)
    assert ambassador_gaps.expected_days(10_000, 3, 16) == 48.0


def test_unmet_reports_the_candidates_missing_and_the_share_reachable():
    gaps = ambassador_gaps.unmet(
        {"category": {"A": -3, "B": 0, "C": 3}},
        {"category": {"A": 4, "B": 3, "C": 3}},
        {"category": {"A": 1, "B": 3, "C": 6}},
        {"category": {"A": 1, "B": 5, "C": 9}},
    )
    assert [(g.value, g.missing, g.candidates_needed) for g in gaps] == [("A", 3, 3)]
    assert gaps[0].max_share(10) == 10
