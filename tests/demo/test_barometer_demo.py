"""The demo barometers: water, waste collection and public transport, three waves each,
whose statistics show what the barometer is for (weighting, progress after actions, the
gap between perceived and technical quality)."""

from __future__ import annotations

import time
from collections import Counter

import numpy as np
import pytest

from cocon.barometer.models import (
    SURVEY_AGE_BANDS,
    Action,
    Barometer,
    Criterion,
    FirstRoundAnswer,
    Invitation,
    Provenance,
    Response,
    ResponseSource,
    TechnicalCriterion,
    WaveStatus,
)
from cocon.demo import barometer_loader as bl
from cocon.demo import data
from cocon.demo.loader import load_demo
from cocon.lib import survey
from cocon.territory.models import PopulationMargin

N = 150  # respondents per wave in the quick tests


def margins_of(barometer: Barometer) -> survey.Margins:
    """Adult population of the organization's communes by age band, sex and commune."""
    out: survey.Margins = {"age_band": {}, "sex": {}, "commune": {}}
    rows = PopulationMargin.objects.filter(
        commune__in=barometer.organization.communes.all(), age_band__in=SURVEY_AGE_BANDS
    ).values_list("commune__insee_code", "age_band", "sex", "population")
    for insee, band, sex, population in rows:
        for var, cat in (("age_band", band), ("sex", sex), ("commune", insee)):
            out[var][cat] = out[var].get(cat, 0) + population
    return out


def responses_of(barometer: Barometer) -> survey.Responses:
    rows = list(
        Response.objects.filter(wave__barometer=barometer)
        .order_by("pk")
        .values_list("wave__code", "age_band", "sex", "commune__insee_code", "overall", "scores")
    )
    codes = list(barometer.criteria.values_list("code", flat=True))
    nan = float("nan")
    return survey.Responses(
        wave=np.array([r[0] for r in rows]),
        margins={
            "age_band": np.array([r[1] for r in rows]),
            "sex": np.array([r[2] for r in rows]),
            "commune": np.array([r[3] for r in rows]),
        },
        overall=np.array([nan if r[4] is None else r[4] for r in rows], dtype=float),
        criteria={c: np.array([r[5].get(c, nan) for r in rows], dtype=float) for c in codes},
    )


def compute(barometer: Barometer, **kwargs):
    options = {
        "threshold": barometer.threshold,
        "trim": barometer.trim,
        "min_cell": barometer.min_cell,
    }
    return survey.compute(responses_of(barometer), margins_of(barometer), **(options | kwargs))


@pytest.fixture
def small(db) -> dict:
    return load_demo(voices=0, reports=0, barometer_respondents=N)


@pytest.mark.django_db
def test_three_barometers_on_the_agglomeration_services(small):
    assert small["barometer_responses"] == 3 * 3 * N
    barometers = Barometer.objects.select_related("service__organization")
    assert {(b.service.organization.slug, b.service.slug, b.slug) for b in barometers} == {
        (data.AGGLO, "eau-assainissement", "eau-potable"),
        (data.AGGLO, "dechets-collecte", "collecte-des-dechets"),
        (data.AGGLO, "transports-mobilite", "transports"),
    }
    for b in barometers:
        assert b.is_published and b.intro and b.explanation and b.first_round_question
        criteria = list(b.criteria.all())
        assert 9 <= len(criteria) <= 12
        assert [c.position for c in criteria] == list(range(1, len(criteria) + 1))
        # most criteria have a technical counterpart, every one of them well formed
        technical = [c for c in criteria if c.has_technical]
        assert len(technical) >= 6
        for c in technical:
            assert c.floor != c.target and c.indicator_unit and c.technical_source_id
            c.full_clean()
            values = list(c.indicator_values.values_list("period", flat=True))
            assert values == [str(y) for y in bl.INDICATOR_YEARS]
        assert {c.provenance for c in criteria} >= {Provenance.USERS, Provenance.BOTH}
        # the agents listed more technical criteria than were kept
        assert TechnicalCriterion.objects.filter(barometer=b).count() > len(technical)
        assert TechnicalCriterion.objects.filter(barometer=b, criteria=None).exists()
        # first round: a few hundred answers, mentions counted from them
        answers = FirstRoundAnswer.objects.filter(barometer=b)
        assert answers.count() == bl.FIRST_ROUND_COUNT
        assert all(1 <= len(a.items) <= 4 for a in answers)
        assert sum(c.user_mentions for c in criteria) >= bl.FIRST_ROUND_COUNT
        # action plan: done after the first waves, planned after the last one
        actions = Action.objects.filter(barometer=b)
        assert actions.count() >= 5
        assert {a.from_wave.code for a in actions} == {"2022", "2024", "2026"}
        for a in actions:
            a.full_clean()
    water = Barometer.objects.get(slug="eau-potable")
    assert water.explanation.startswith("Pourquoi l'eau a un goût de chlore ?")
    taste = water.criteria.get(code="gout")
    assert (taste.floor, taste.target, taste.direction) == (95, 100, "higher")
    assert taste.indicator_values.get(period="2025").value == 99.8
    interruptions = water.criteria.get(code="continuite")
    assert interruptions.direction == "lower" and "1 000 abonnés" in interruptions.indicator_name


@pytest.mark.django_db
def test_waves_statuses_and_responses(small):
    communes = set(Barometer.objects.first().organization.communes.values_list("pk", flat=True))
    assert len(communes) == len(data.COMMUNES)
    for b in Barometer.objects.all():
        waves = list(b.waves.order_by("opens_on"))
        assert [w.code for w in waves] == ["2022", "2024", "2026"]
        assert all(w.status == WaveStatus.PUBLISHED and w.published_at for w in waves[:2])
        last = waves[-1]
        if b.slug == "transports":
            assert last.status == WaveStatus.CLOSED and last.published_at is None
        else:
            assert last.status == WaveStatus.PUBLISHED
        codes = set(b.criteria.values_list("code", flat=True))
        for w in waves:
            assert set(w.criteria.values_list("code", flat=True)) == codes
            assert len({w.link_token for w in waves}) == 3
            rows = list(w.responses.all())
            assert len(rows) == N
            assert {r.commune_id for r in rows} == communes  # raking keeps every commune
            assert {r.age_band for r in rows} == set(SURVEY_AGE_BANDS)
            assert {r.sex for r in rows} == {"F", "M"}
            for r in rows:
                assert w.opens_on <= r.submitted_on <= w.closes_on
                assert set(r.scores) <= codes
                assert all(0 <= v <= 10 for v in r.scores.values())
            # online answers came with invitation codes, one used code per answer
            online = sum(r.source == ResponseSource.INVITATION for r in rows)
            used = Invitation.objects.filter(wave=w, used_on__isnull=False).count()
            assert used == online
            imported = [r for r in rows if r.source == ResponseSource.IMPORT]
            assert all(r.batch.rows_imported == len(imported) for r in imported)
        assert waves[0].responses.filter(source=ResponseSource.INVITATION).count() == 0
        assert waves[-1].responses.filter(source=ResponseSource.INVITATION).exists()


@pytest.mark.django_db
def test_every_wave_computes(small):
    for b in Barometer.objects.all():
        margins = margins_of(b)
        result, weights = compute(b, return_weights=True)
        assert sorted(result["waves"]) == ["2022", "2024", "2026"]
        data_ = responses_of(b)
        total = sum(margins["sex"].values())
        for code, wave in result["waves"].items():
            assert wave["n"] == N
            assert weights[data_.wave == code].sum() == pytest.approx(total)
            assert wave["overall"]["mean"] is not None
            assert set(wave["criteria"]) == set(b.criteria.values_list("code", flat=True))
        assert len(result["changes"]) == 2 * b.criteria.count()


@pytest.mark.django_db
def test_scaled_down_still_covers_every_commune(db, monkeypatch):
    """Below four respondents per commune the loader keeps four per commune, so that
    every wave can still be raked."""
    monkeypatch.setenv("COCON_DEMO_BAROMETER_RESPONDENTS", "5")
    summary = load_demo(voices=0, reports=0)
    per_wave = bl.MIN_PER_COMMUNE * len(data.COMMUNES)
    assert summary["barometer_responses"] == 9 * per_wave
    for b in Barometer.objects.all():
        result = compute(b, min_cell=1)
        assert [w["n"] for w in result["waves"].values()] == [per_wave] * 3


@pytest.mark.django_db
def test_zero_respondents_loads_no_barometer(db, monkeypatch):
    monkeypatch.setenv("COCON_DEMO_BAROMETER_RESPONDENTS", "0")
    assert load_demo(voices=0, reports=0)["barometer_responses"] == 0
    assert not Barometer.objects.exists()


@pytest.mark.django_db
def test_full_demo_tells_the_story(db):
    """About 1,000 respondents per wave, loaded in a few seconds: the raw sample is tilted
    (raking matters), the criteria that had actions progress significantly, and the water
    taste is the textbook perceived-versus-technical gap."""
    from cocon.territory.models import Territory

    load_demo(voices=0, reports=0, barometer_respondents=0)
    territory = Territory.objects.get(slug=data.TERRITORY_SLUG)
    started = time.perf_counter()
    assert bl.load_barometers(territory) == 9 * bl.RESPONDENT_COUNT
    assert time.perf_counter() - started < 20  # a few seconds; generous for slow CI

    water = Barometer.objects.get(slug="eau-potable")
    margins = margins_of(water)
    population = sum(margins["age_band"].values())
    sample = Counter(
        Response.objects.filter(wave__barometer=water, wave__code="2024").values_list(
            "age_band", flat=True
        )
    )
    old = ("60-74", "75+")
    sample_old = sum(sample[b] for b in old) / sum(sample.values())
    population_old = sum(margins["age_band"][b] for b in old) / population
    assert sample_old > population_old + 0.1  # older people answer more
    result = compute(water)
    assert all(1.1 < w["deff"] < 2.5 for w in result["waves"].values())

    changes = {(c["criterion"], c["from"]): c for c in result["changes"]}
    # after the 2024 taste campaign and the new bill: real, significant progress
    for code in ("gout", "factures"):
        assert changes[(code, "2024")]["diff"] > 0.4 and changes[(code, "2024")]["significant"]
    # after the 2022 SMS alerts on works
    assert changes[("travaux", "2022")]["significant"]
    # no action on pressure: no significant change
    assert not changes[("pression", "2022")]["significant"]
    assert not changes[("pression", "2024")]["significant"]

    taste = water.criteria.get(code="gout")
    value = taste.indicator_values.get(period="2024").value
    perceived = result["waves"]["2024"]["criteria"]["gout"]["satisfied"]
    gap = survey.perceived_technical_gap(
        perceived, value, taste.floor, taste.target, taste.direction
    )
    assert gap["technical"] > 90 and gap["perceived"] < 45
    assert gap["divergent"] and gap["gap"] < -40
    # still divergent after the campaign, though narrower
    later = survey.perceived_technical_gap(
        result["waves"]["2026"]["criteria"]["gout"]["satisfied"],
        taste.indicator_values.get(period="2026").value,
        taste.floor,
        taste.target,
    )
    assert later["divergent"] and later["gap"] > gap["gap"]
    assert result["quadrants"]["2024"]["gout"] == "concentrate_here"

    # transport: villages answer more and like the bus less, so weighting raises the mean
    transport = Barometer.objects.get(slug="transports")
    t_data = responses_of(transport)
    t_result = compute(transport)
    raw = np.nanmean(t_data.overall[t_data.wave == "2022"])
    assert t_result["waves"]["2022"]["overall"]["mean"] - raw > 0.1
    # derived importance: every criterion counts, and they are told apart
    percents = [v["percent"] for v in t_result["importance"]["2026"].values()]
    assert sum(percents) == pytest.approx(100)
    assert max(percents) > 2 * min(percents)


def test_specs_are_consistent():
    """Every action targets a criterion of its barometer and a known wave; indicator values
    cover the years; criterion codes are not reserved column names."""
    waves = {w.code for w in bl.WAVES}
    for spec in bl.BAROMETERS:
        codes = [c.code for c in spec.criteria]
        assert len(set(codes)) == len(codes)
        assert not set(codes) & {"wave", "overall", "respondent_id", "occupation", "commune"}
        assert {a.criterion for a in spec.actions} <= set(codes)
        assert {a.from_wave for a in spec.actions} <= waves
        for c in spec.criteria:
            if c.indicator:
                assert len(c.indicator.values) == len(bl.INDICATOR_YEARS)
                assert c.indicator.floor != c.indicator.target
    assert Criterion._meta.get_field("code").max_length >= max(
        len(c.code) for s in bl.BAROMETERS for c in s.criteria
    )
