"""Reads of the Baromètre's results: the responses of waves as arrays for the statistics
engine, the population margins of the communes the service serves, and the whole set of
results of a barometer (one `cocon.lib.survey.compute` call for all its waves, cached).

Every figure shown on the staff dashboard, the public page and the PDF comes from
`barometer_results`, so the three always agree with each other and with the CLI.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cocon.barometer.models import (
    SURVEY_AGE_BANDS,
    Action,
    Barometer,
    Criterion,
    IndicatorValue,
    Response,
    Wave,
    WaveStatus,
)
from cocon.lib import survey
from cocon.lib.survey import Margins, Responses, SurveyError
from cocon.territory.models import PopulationMargin

#: Communes with fewer respondents than this in some wave are merged into "other communes":
#: raking a commune of 2 respondents to its population gives them huge weights.
MIN_COMMUNE_RESPONDENTS = 5
OTHER_COMMUNES = "other"
#: Used when every margin variable had to be dropped: one category, the whole population
#: (the engine needs at least one margin; the weights are then uniform).
ALL_VARIABLE = "all"
CACHE_SECONDS = 24 * 3600
CACHE_VERSION = 1


# --- responses and margins --------------------------------------------------------------
def _dataset(waves: list[Wave], labels: list[str], codes: list[str]) -> Responses:
    """Responses of `waves` (labelled `labels`) with the criterion columns `codes`. 1 query."""
    label_of = {w.pk: lab for w, lab in zip(waves, labels, strict=True)}
    rows = list(
        Response.objects.filter(wave__in=[w.pk for w in waves])
        .order_by("pk")
        .values_list("wave_id", "age_band", "sex", "commune__insee_code", "overall", "scores")
    )
    n = len(rows)
    crit = {c: np.full(n, np.nan) for c in codes}
    overall = np.full(n, np.nan)
    wave = np.empty(n, dtype=object)
    age, sex, commune = (np.empty(n, dtype=object) for _i in range(3))
    for i, (wave_id, age_band, sex_, insee, ov, scores) in enumerate(rows):
        wave[i] = label_of[wave_id]
        age[i], sex[i], commune[i] = age_band, sex_, insee
        if ov is not None:
            overall[i] = ov
        for code, value in (scores or {}).items():
            column = crit.get(code)
            if column is not None and isinstance(value, int | float) and value is not True:
                column[i] = value
    return Responses(
        wave=wave.astype(str),
        margins={
            "age_band": age.astype(str),
            "sex": sex.astype(str),
            "commune": commune.astype(str),
        },
        overall=overall,
        criteria=crit,
    )


def wave_dataset(wave: Wave) -> Responses:
    """The responses of one wave as arrays (wave column = the wave's code), one column per
    criterion of the barometer. 2 queries (criteria, responses)."""
    codes = list(
        Criterion.objects.filter(barometer_id=wave.barometer_id).values_list("code", flat=True)
    )
    return _dataset([wave], [wave.code], codes)


def barometer_margins(barometer: Barometer) -> Margins:
    """Adult population by age band, sex and commune (INSEE code) of the communes the
    service's organization serves (the whole territory when none is listed). 2 queries."""
    organization = barometer.service.organization
    communes = list(organization.communes.values_list("pk", flat=True))
    margins = PopulationMargin.objects.filter(age_band__in=SURVEY_AGE_BANDS)
    if communes:
        margins = margins.filter(commune_id__in=communes)
    else:
        margins = margins.filter(commune__territory_id=organization.territory_id)
    out: dict[str, dict[str, float]] = {"age_band": {}, "sex": {}, "commune": {}}
    for band, sex, insee, population in margins.values_list(
        "age_band", "sex", "commune__insee_code", "population"
    ).order_by("commune__insee_code"):
        for variable, category in (("age_band", band), ("sex", sex), ("commune", insee)):
            out[variable][category] = out[variable].get(category, 0.0) + float(population)
    out["age_band"] = {b: out["age_band"][b] for b in SURVEY_AGE_BANDS if b in out["age_band"]}
    out["sex"] = dict(sorted(out["sex"].items()))
    return {v: {c: p for c, p in cats.items() if p > 0} for v, cats in out.items()}


def _take(data: Responses, keep: np.ndarray) -> Responses:
    return Responses(
        wave=data.wave[keep],
        margins={v: a[keep] for v, a in data.margins.items()},
        overall=data.overall[keep],
        criteria={c: a[keep] for c, a in data.criteria.items()},
    )


def _min_counts(data: Responses, variable: str, categories: list[str]) -> dict[str, int]:
    """Smallest number of respondents of each category over the waves."""
    waves = np.unique(data.wave)
    values = data.margins[variable]
    out = {}
    for category in categories:
        hit = values == category
        out[category] = min((int((hit & (data.wave == w)).sum()) for w in waves), default=0)
    return out


def fit_margins(
    data: Responses, margins: Margins, *, min_commune: int = MIN_COMMUNE_RESPONDENTS
) -> tuple[Responses, Margins, list[tuple[str, dict]]]:
    """Make the margins rakeable on these responses, and say how (notes as (code, params)).

    Raking fails on a category nobody answered in and is unstable on tiny ones, which is
    common for small communes. So: respondents of communes outside the margins are left
    out; communes with fewer than `min_commune` respondents in some wave are merged into
    "other communes"; if that group is still empty in a wave the commune is dropped (age ×
    sex only); an empty age band is merged with its neighbour; an empty sex drops the sex.
    """
    notes: list[tuple[str, dict]] = []
    total = max((sum(c.values()) for c in margins.values() if c), default=0.0)
    margins = {v: dict(c) for v, c in margins.items() if c}
    for variable in ("age_band", "sex", "commune"):
        if variable not in margins:
            notes.append(("no_margin", {"variable": variable}))
    outside = np.zeros(len(data), dtype=bool)
    for variable, cats in margins.items():
        outside |= ~np.isin(data.margins[variable], list(cats))
    if outside.any():
        notes.append(("outside", {"count": int(outside.sum())}))
        data = _take(data, ~outside)
    data = Responses(
        wave=data.wave,
        margins={v: data.margins[v].astype(object) for v in margins},
        overall=data.overall,
        criteria=data.criteria,
    )
    if len(data) == 0:
        return _as_str(data), margins, notes

    if "commune" in margins:
        counts = _min_counts(data, "commune", list(margins["commune"]))
        small = [c for c, k in counts.items() if k < min_commune]
        if small and len(small) < len(counts):
            merged = margins["commune"]
            merged[OTHER_COMMUNES] = sum(merged.pop(c) for c in small)
            data.margins["commune"][np.isin(data.margins["commune"], small)] = OTHER_COMMUNES
            notes.append(("communes_merged", {"count": len(small), "min": min_commune}))
            counts = _min_counts(data, "commune", list(merged))
        if len(small) == len(counts) or min(counts.values()) == 0:
            del margins["commune"]
            notes.append(("commune_dropped", {}))

    if "age_band" in margins:
        bands = list(margins["age_band"])
        groups = [[b] for b in bands]
        while len(groups) > 1:
            counts = _min_counts(data, "age_band", bands)
            empty = next((i for i, g in enumerate(groups) if sum(counts[b] for b in g) == 0), None)
            if empty is None:
                break
            other = empty + 1 if empty + 1 < len(groups) else empty - 1
            lo, hi = sorted((empty, other))
            groups[lo : hi + 1] = [groups[lo] + groups[hi]]
        if len(groups) < len(bands):
            new: dict[str, float] = {}
            for group in groups:
                label = group[0] if len(group) == 1 else _band_label(group)
                new[label] = sum(margins["age_band"][b] for b in group)
                data.margins["age_band"][np.isin(data.margins["age_band"], group)] = label
            margins["age_band"] = new
            notes.append(("bands_merged", {"bands": ", ".join(new)}))
        counts = _min_counts(data, "age_band", list(margins["age_band"]))
        if len(margins["age_band"]) == 1 or min(counts.values()) == 0:
            del margins["age_band"]
            notes.append(("age_dropped", {}))

    if "sex" in margins:
        counts = _min_counts(data, "sex", list(margins["sex"]))
        if min(counts.values()) == 0:
            del margins["sex"]
            notes.append(("sex_dropped", {}))

    if not margins:
        margins = {ALL_VARIABLE: {"all": float(total) or float(len(data))}}
        data.margins[ALL_VARIABLE] = np.full(len(data), "all", dtype=object)
        notes.append(("unweighted", {}))
    data = Responses(
        wave=data.wave,
        margins={v: data.margins[v] for v in margins},
        overall=data.overall,
        criteria=data.criteria,
    )
    return _as_str(data), margins, notes


def _band_label(group: list[str]) -> str:
    first = group[0].split("-")[0].rstrip("+")
    last = group[-1]
    return f"{first}+" if last.endswith("+") else f"{first}-{last.split('-')[-1]}"


def _as_str(data: Responses) -> Responses:
    return Responses(
        wave=data.wave,
        margins={v: a.astype(str) for v, a in data.margins.items()},
        overall=data.overall,
        criteria=data.criteria,
    )


def note_text(code: str, params: dict) -> str:
    """The method note of one margin adjustment, for people (English source, translated)."""
    texts = {
        "no_margin": _("No population figures for “%(variable)s”: not used in the weighting."),
        "outside": _("%(count)s respondents live outside the communes served and are left out."),
        "communes_merged": _(
            "%(count)s communes with fewer than %(min)s respondents in a wave are grouped "
            "as “other communes” for the weighting."
        ),
        "commune_dropped": _(
            "Too few respondents per commune: the weighting uses age and sex only."
        ),
        "bands_merged": _("Age bands without respondents merged with their neighbour: %(bands)s."),
        "age_dropped": _("Too few respondents per age band: age is not used in the weighting."),
        "sex_dropped": _("A sex has no respondent in a wave: sex is not used in the weighting."),
        "unweighted": _("No usable population margin: results are not weighted."),
    }
    return texts[code] % params


# --- results ----------------------------------------------------------------------------
@dataclass
class CriterionResult:
    criterion: Criterion
    stats: dict | None = None  # STATS of the engine (suppressed figures are None)
    change: dict | None = None  # change from the previous wave (engine's "changes" entry)
    importance: dict | None = None
    quadrant: str | None = None
    gap: dict | None = None  # perceived vs technical
    indicator: IndicatorValue | None = None
    asked: bool = True  # False: the wave did not ask this criterion

    @property
    def suppressed(self) -> bool:
        return self.stats is None or self.stats.get("mean") is None

    @property
    def satisfied_pct(self) -> float | None:
        s = self.stats and self.stats.get("satisfied")
        return None if s is None else 100 * s

    @property
    def trend(self) -> str | None:
        """ "up", "down" or "flat" compared with the previous wave (None: not comparable)."""
        diff = self.change and self.change.get("diff")
        if diff is None:
            return None
        diff = round(diff, 2)  # as displayed: "-0,00" would be a down arrow on nothing
        return "up" if diff > 0 else "down" if diff < 0 else "flat"

    @property
    def diff_display(self) -> str:
        diff = self.change and self.change.get("diff")
        if diff is None:
            return ""
        diff = round(diff, 2) + 0.0  # + 0.0 turns -0.0 into 0.0
        return ("+" if diff > 0 else "") + number_format(diff, 2)

    @property
    def p_adjusted_display(self) -> str:
        p = self.change and self.change.get("p_adjusted")
        if p is None:
            return ""
        return "< " + number_format(0.001, 3) if p < 0.001 else number_format(p, 3)

    @property
    def net_pct(self) -> float | None:
        s = self.stats and self.stats.get("net")
        return None if s is None else 100 * s


@dataclass
class WaveResult:
    wave: Wave
    label: str
    n: int = 0
    n_eff: float | None = None
    deff: float | None = None
    overall: dict | None = None
    criteria: list[CriterionResult] = field(default_factory=list)

    @property
    def margin_of_error(self) -> float | None:
        """Half-width of the 95 % interval of a 50 % share, in points: the plain-language
        margin of error of the wave."""
        if not self.n_eff:
            return None
        return 100 * survey.Z95 * math.sqrt(0.25 / self.n_eff)


@dataclass
class Progress:
    """Change of a criterion from the wave after which actions were decided to the next."""

    criterion: Criterion
    actions: list[Action]
    from_wave: Wave
    to_wave: Wave
    result: CriterionResult  # the criterion's result in `to_wave` (its change, its trend)

    @property
    def change(self) -> dict:
        return self.result.change or {}


@dataclass
class BarometerResults:
    barometer: Barometer
    criteria: list[Criterion]
    waves: list[WaveResult]
    raw: dict | None
    notes: list[str]
    variables: list[str]
    actions: list[Action]
    progress: list[Progress]
    error: str | None = None

    @property
    def latest(self) -> WaveResult | None:
        with_answers = [w for w in self.waves if w.n]
        return with_answers[-1] if with_answers else None

    def evolution(self) -> list[tuple[Criterion, list[float | None]]]:
        """Mean of each criterion over the waves (None when suppressed)."""
        out = []
        for i, criterion in enumerate(self.criteria):
            out.append(
                (
                    criterion,
                    [w.criteria[i].stats and w.criteria[i].stats.get("mean") for w in self.waves],
                )
            )
        return out


def _cache_key(barometer, waves, counts, criteria, margins) -> str:
    payload = json.dumps(
        [
            CACHE_VERSION,
            barometer.pk,
            barometer.threshold,
            barometer.min_cell,
            barometer.trim,
            [(w.pk, *counts.get(w.pk, (0, 0))) for w in waves],
            [c.code for c in criteria],
            margins,
        ],
        sort_keys=True,
    )
    return "barometer:results:" + hashlib.sha256(payload.encode()).hexdigest()


def _compute(barometer, waves, labels, criteria, margins) -> dict:
    """What goes in the cache: the engine's output and the margin notes."""
    data = _dataset(waves, labels, [c.code for c in criteria])
    data, fitted, notes = fit_margins(data, margins)
    if len(data) == 0:
        return {"raw": None, "notes": notes, "variables": list(fitted), "error": None}
    try:
        raw = survey.compute(
            data,
            fitted,
            threshold=barometer.threshold,
            trim=barometer.trim,
            min_cell=barometer.min_cell,
        )
    except SurveyError as exc:
        return {"raw": None, "notes": notes, "variables": list(fitted), "error": str(exc)}
    return {"raw": raw, "notes": notes, "variables": list(fitted), "error": None}


def _closest_value(values: list[IndicatorValue], wave: Wave) -> IndicatorValue | None:
    """The value whose period starts closest to the wave (the later one on a tie)."""
    if not values:
        return None
    day = wave.closes_on
    return min(
        values, key=lambda v: (abs((v.period_start - day).days), -v.period_start.toordinal())
    )


def barometer_results(barometer: Barometer, *, public: bool) -> BarometerResults:
    """Every result of the barometer: one engine run over all its waves (only the
    published ones when `public`), technical gaps and action progress. About 9 queries
    whatever the number of responses or criteria; the engine's output is cached."""
    waves = list(barometer.waves.order_by("opens_on", "pk"))
    if public:
        waves = [w for w in waves if w.status == WaveStatus.PUBLISHED]
    criteria = list(barometer.criteria.order_by("position", "pk"))
    counts = {
        row["wave_id"]: (row["n"], row["last"])
        for row in Response.objects.filter(wave__in=[w.pk for w in waves])
        .values("wave_id")
        .annotate(n=Count("pk"), last=Max("pk"))
        .order_by()
    }
    labels = [f"{i:03d}" for i in range(len(waves))]
    margins = barometer_margins(barometer)
    key = _cache_key(barometer, waves, counts, criteria, margins)
    computed = cache.get(key)
    if computed is None:
        computed = _compute(barometer, waves, labels, criteria, margins)
        cache.set(key, computed, CACHE_SECONDS)
    raw = computed["raw"]

    values: dict[int, list[IndicatorValue]] = defaultdict(list)
    technical = [c.pk for c in criteria if c.has_technical]
    if technical:
        for value in IndicatorValue.objects.filter(criterion_id__in=technical):
            values[value.criterion_id].append(value)
    actions = list(
        Action.objects.filter(barometer=barometer, **({"is_public": True} if public else {}))
        .select_related("criterion", "from_wave")
        .order_by("criterion__position", "due_on", "pk")
    )

    asked: dict[int, set[int]] = defaultdict(set)  # waves with no list ask every criterion
    for wave_id, criterion_id in Wave.criteria.through.objects.filter(
        wave_id__in=[w.pk for w in waves]
    ).values_list("wave_id", "criterion_id"):
        asked[wave_id].add(criterion_id)
    changes = {}
    if raw:
        for entry in raw["changes"]:
            changes[(entry["to"], entry["criterion"])] = entry
    wave_results = []
    for wave, label in zip(waves, labels, strict=True):
        wr = WaveResult(wave=wave, label=label, n=counts.get(wave.pk, (0, 0))[0])
        block = raw["waves"].get(label) if raw else None
        if block:
            wr.n, wr.n_eff, wr.deff, wr.overall = (
                block["n"],
                block["n_eff"],
                block["deff"],
                block["overall"],
            )
        wave_asked = asked.get(wave.pk)
        for criterion in criteria:
            cr = CriterionResult(criterion, asked=wave_asked is None or criterion.pk in wave_asked)
            if block:
                cr.stats = block["criteria"].get(criterion.code)
                cr.change = changes.get((label, criterion.code))
                cr.importance = raw["importance"].get(label, {}).get(criterion.code)
                cr.quadrant = raw["quadrants"].get(label, {}).get(criterion.code)
                cr.indicator = _closest_value(values.get(criterion.pk, []), wave)
                satisfied = cr.stats and cr.stats.get("satisfied")
                if cr.indicator is not None and satisfied is not None:
                    cr.gap = survey.perceived_technical_gap(
                        satisfied,
                        cr.indicator.value,
                        criterion.floor,
                        criterion.target,
                        criterion.direction,
                    )
            wr.criteria.append(cr)
        wave_results.append(wr)

    progress = []
    position = {w.pk: i for i, w in enumerate(waves)}
    decided: dict[tuple[int, int], list[Action]] = defaultdict(list)
    for action in actions:
        if action.from_wave_id in position:
            decided[(action.criterion_id, action.from_wave_id)].append(action)
    by_pk = {c.pk: i for i, c in enumerate(criteria)}
    for (criterion_id, wave_id), items in sorted(
        decided.items(), key=lambda kv: (position[kv[0][1]], by_pk.get(kv[0][0], 0))
    ):
        k = position[wave_id]
        if k + 1 >= len(waves) or criterion_id not in by_pk:
            continue
        result = wave_results[k + 1].criteria[by_pk[criterion_id]]
        if result.change is not None:
            progress.append(
                Progress(criteria[by_pk[criterion_id]], items, waves[k], waves[k + 1], result)
            )

    return BarometerResults(
        barometer=barometer,
        criteria=criteria,
        waves=wave_results,
        raw=raw,
        notes=[note_text(code, params) for code, params in computed["notes"]],
        variables=computed["variables"],
        actions=actions,
        progress=progress,
        error=computed["error"],
    )


def published_barometers():
    """Barometers whose public page is published, with service and organization. 1 query."""
    return (
        Barometer.objects.filter(is_published=True)
        .select_related("service__organization")
        .order_by("service__organization__name", "title")
    )


def staff_barometers(grants):
    """The barometers of the person's organizations (all of them for platform admins),
    the staff list and the "Mon espace" panel read the same set."""
    qs = Barometer.objects.select_related("service__organization").annotate(
        n_criteria=Count("criteria", distinct=True),
        n_answers=Count("first_round_answers", distinct=True),
        n_overdue=Count(
            "actions",
            filter=Q(
                actions__due_on__lt=timezone.localdate(),
                actions__status__in=("planned", "in_progress"),
            ),
            distinct=True,
        ),
    )
    if not grants.is_platform_admin:
        qs = qs.filter(service__organization_id__in=grants.member_organization_ids)
    return qs.order_by("service__organization__name", "title")
