"""Survey statistics for the satisfaction barometer (plain numpy, no Django).

What it does and why it is built this way:

* Raking (iterative proportional fitting) of each wave to the population margins. The raking
  factor of a respondent only depends on the cell of the cross-classification of all margin
  variables, so the fit runs on the (small) table of cell totals of the base weights and the
  weights are expanded once at the end: 1,000,000 respondents rake in a few tens of ms.
* Standard errors by Taylor linearization. For a calibrated (raked) sample the linearized
  variable u = d (y - ȳ) / Σ_D w (d = 1 when the respondent answered) is replaced by the
  residuals of the weighted least-squares regression of u on the indicators of all raking
  margins (Deville-Särndal / GREG linearization); z = w · residual is then summed over PSUs and
  the with-replacement formula n_h/(n_h - 1) Σ (z_hi - z̄_h)² is applied. With a single margin
  the residual is y - ȳ(cell), i.e. exactly R survey's ``svymean`` after ``postStratify``
  (reference case 3). The regression also only depends on cell totals, so it is solved on the
  cell table (exact least squares when the table is small, backfitting otherwise).
* Weights only (no strata, no clusters): variance = n/(n-1) Σ (z_i - z̄)², the usual
  with-replacement estimator of R survey and samplics.

samplics (``TaylorEstimator``) treats the raked weights as fixed sampling weights: it does not
take the calibration into account, so its SE of a raked mean is the "weights-only" SE (larger
in general than the calibrated SE computed here). The tests therefore compare with samplics the
raked weights, the means and the weights-only SE, and check the calibrated SE against R survey's
reference values instead.

Domain estimation: a blank answer (NaN) takes the respondent out of that criterion's
estimates, but the weights are not recomputed and the respondent still counts as a PSU
(linearized value 0 before the regression), as in R's ``svymean(..., na.rm=TRUE)`` on a
subset.

Changes between waves use a normal two-sided p-value (waves are independent samples) and
Holm's step-down adjustment across the criteria of one pair of waves (the overall score is not
part of the family: it is a separate question, reported in the criteria table only).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

Z95 = 1.959964
QUADRANTS = ("concentrate_here", "keep_up", "low_priority", "possible_overkill")

Margins = dict[str, dict[str, float]]


class SurveyError(ValueError):
    """Any problem with the input of the statistics (message in English, names the culprit)."""


# --------------------------------------------------------------------------------------------
# Cells of the cross-classification of the margin variables


def _cells(codes: list[np.ndarray], sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Return (cell index per respondent, category codes per cell as a (n_vars, n_cells) array).

    Only cells that contain respondents are kept, so the table has at most n rows.
    """
    n = len(codes[0]) if codes else 0
    if not codes:
        return np.zeros(n, dtype=np.intp), np.zeros((0, 1 if n else 0), dtype=np.intp)
    total = math.prod(sizes)
    if total <= max(4 * n, 1 << 16) and total < (1 << 62):
        flat = np.ravel_multi_index(tuple(codes), tuple(sizes))
        present = np.bincount(flat, minlength=total) > 0
        lookup = np.cumsum(present) - 1
        cell = lookup[flat]
        cell_flat = np.flatnonzero(present)
    else:
        stacked = np.stack(codes, axis=1)
        uniq, cell = np.unique(stacked, axis=0, return_inverse=True)
        return cell.reshape(-1).astype(np.intp), uniq.T.astype(np.intp)
    cell_codes = np.array(np.unravel_index(cell_flat, tuple(sizes)), dtype=np.intp)
    return cell.astype(np.intp), cell_codes


def _check_codes(codes: dict[str, np.ndarray], sizes: dict[str, int]) -> int:
    n = None
    for var, c in codes.items():
        c = np.asarray(c)
        if n is None:
            n = len(c)
        elif len(c) != n:
            raise SurveyError(f"Margin variable {var!r} has {len(c)} values, expected {n}.")
        if len(c) and (c.min() < 0 or c.max() >= sizes[var]):
            raise SurveyError(f"Margin variable {var!r} has a category code out of range.")
    return n or 0


# --------------------------------------------------------------------------------------------
# Raking and trimming


def rake(
    codes: dict[str, np.ndarray],
    targets: dict[str, np.ndarray],
    base: np.ndarray | None = None,
    tol: float = 1e-10,
    max_iter: int = 1000,
    labels: dict[str, list[str]] | None = None,
) -> np.ndarray:
    """Rake base weights (default 1) so that the weighted count of every category of every
    variable equals its target. ``codes[var][i]`` is the category index of respondent i.

    Raises SurveyError when a category with a positive target has no respondent, when a
    category with respondents has a zero target, when the variables' totals disagree or when
    the margins cannot be reached (max relative margin error still >= tol after max_iter).
    ``labels`` (category names per variable) only serve the error messages.
    """

    def cat(v: str, i: int) -> str:
        return repr(labels[v][i]) if labels and v in labels else f"index {i}"

    if set(codes) != set(targets):
        raise SurveyError("Raking needs the same variables in codes and targets.")
    names = list(codes)
    tgt = {v: np.asarray(targets[v], dtype=float) for v in names}
    sizes = {v: len(tgt[v]) for v in names}
    n = _check_codes(codes, sizes)
    w0 = np.ones(n) if base is None else np.asarray(base, dtype=float)
    if len(w0) != n:
        raise SurveyError(f"Base weights have {len(w0)} values, expected {n}.")
    if np.any(~np.isfinite(w0)) or np.any(w0 <= 0):
        raise SurveyError("Base weights must be positive and finite.")
    if not names:
        return w0.copy()
    totals = []
    for v in names:
        t = tgt[v]
        if np.any(~np.isfinite(t)) or np.any(t < 0):
            raise SurveyError(f"Margin variable {v!r} has a negative or missing population.")
        totals.append(t.sum())
    if totals[0] <= 0:
        raise SurveyError(f"Margin variable {names[0]!r} has a zero population total.")
    for v, tot in zip(names, totals, strict=True):
        if abs(tot - totals[0]) > 1e-6 * totals[0]:
            raise SurveyError(
                f"Margin totals disagree: {v!r} sums to {tot:g}, {names[0]!r} to {totals[0]:g}."
            )
    cell, cell_codes = _cells(
        [np.asarray(codes[v], dtype=np.intp) for v in names], [sizes[v] for v in names]
    )
    cell_w = np.bincount(cell, weights=w0, minlength=cell_codes.shape[1])
    for k, v in enumerate(names):
        sample = np.bincount(cell_codes[k], weights=cell_w, minlength=sizes[v])
        empty = (sample == 0) & (tgt[v] > 0)
        if empty.any():
            raise SurveyError(
                f"Margin variable {v!r}: category {cat(v, int(np.flatnonzero(empty)[0]))} has "
                "population but no respondent; merge it with a neighbouring category."
            )
        zero = (sample > 0) & (tgt[v] == 0)
        if zero.any():
            raise SurveyError(
                f"Margin variable {v!r}: category {cat(v, int(np.flatnonzero(zero)[0]))} has "
                "respondents but a zero population."
            )
    factor = np.ones_like(cell_w)
    positive = {v: tgt[v] > 0 for v in names}
    err = math.inf
    for _ in range(max_iter):
        for k, v in enumerate(names):
            cur = np.bincount(cell_codes[k], weights=cell_w * factor, minlength=sizes[v])
            adj = np.ones(sizes[v])
            adj[positive[v]] = tgt[v][positive[v]] / cur[positive[v]]
            factor *= adj[cell_codes[k]]
        err = 0.0
        for k, v in enumerate(names):
            cur = np.bincount(cell_codes[k], weights=cell_w * factor, minlength=sizes[v])
            p = positive[v]
            err = max(err, float(np.max(np.abs(cur[p] - tgt[v][p]) / tgt[v][p])))
        if err < tol:
            return w0 * factor[cell]
    raise SurveyError(
        f"Raking did not converge after {max_iter} iterations (max relative margin error "
        f"{err:.3g}): the margins are incompatible with the sample (e.g. a combination of "
        "categories with no respondent)."
    )


def trim_weights_at(w: np.ndarray, upper: float) -> np.ndarray:
    """Cap weights at ``upper`` and spread the excess evenly over the untrimmed units (one pass,
    like R survey's ``trimWeights(strict=FALSE)``: the result may exceed ``upper`` again)."""
    w = np.asarray(w, dtype=float)
    outside = w > upper
    if not outside.any():
        return w.copy()
    if outside.all():
        raise SurveyError(f"Every weight is above the trimming bound {upper:g}.")
    out = np.where(outside, upper, w)
    excess = w.sum() - out.sum()
    out[~outside] += excess / np.count_nonzero(~outside)
    return out


def trim_weights(w: np.ndarray, upper_multiple: float) -> np.ndarray:
    """Cap weights at ``upper_multiple`` × mean weight (see trim_weights_at)."""
    if not upper_multiple > 1:
        raise SurveyError("The trimming multiple must be greater than 1.")
    w = np.asarray(w, dtype=float)
    return trim_weights_at(w, upper_multiple * float(w.mean()))


def rake_and_trim(
    codes: dict[str, np.ndarray],
    targets: dict[str, np.ndarray],
    upper_multiple: float | None = None,
    base: np.ndarray | None = None,
    tol: float = 1e-10,
    max_iter: int = 1000,
    labels: dict[str, list[str]] | None = None,
) -> np.ndarray:
    """Rake, trim at a multiple of the mean weight, rake again (so the margins hold exactly)."""
    w = rake(codes, targets, base=base, tol=tol, max_iter=max_iter, labels=labels)
    if upper_multiple is None:
        return w
    return rake(
        codes,
        targets,
        base=trim_weights(w, upper_multiple),
        tol=tol,
        max_iter=max_iter,
        labels=labels,
    )


# --------------------------------------------------------------------------------------------
# Weight statistics and linearization


@dataclass(frozen=True)
class WeightStats:
    n: int
    n_eff: float
    deff: float


def weight_stats(w: np.ndarray) -> WeightStats:
    """Kish effective sample size (Σw)²/Σw² and weighting design effect n·Σw²/(Σw)²."""
    w = np.asarray(w, dtype=float)
    n = len(w)
    s, s2 = float(w.sum()), float(np.dot(w, w))
    if n == 0 or s2 == 0:
        return WeightStats(n, math.nan, math.nan)
    return WeightStats(n, s * s / s2, n * s2 / (s * s))


def linearized_variance(
    z: np.ndarray,
    strata: np.ndarray | None = None,
    clusters: np.ndarray | None = None,
    fpc: np.ndarray | None = None,
) -> float:
    """With-replacement variance of the total of z: per stratum, z summed by PSU then
    n_h/(n_h-1) Σ (z_hi - z̄_h)², times (1 - n_h/N_h) when ``fpc`` (population size per unit,
    constant within a stratum: PSUs for cluster designs) is given."""
    z = np.asarray(z, dtype=float)
    n = len(z)
    if n == 0:
        return math.nan
    if strata is None and clusters is None:
        if n == 1:
            return math.nan  # not estimable; suppressed in published outputs anyway
        c = z - z.mean()
        f = 1.0 if fpc is None else 1.0 - n / float(np.asarray(fpc, dtype=float).flat[0])
        return f * n / (n - 1) * float(np.dot(c, c))
    if strata is None:
        s_idx = np.zeros(n, dtype=np.intp)
    else:
        _, s_idx = np.unique(np.asarray(strata), return_inverse=True)
        s_idx = s_idx.reshape(-1)
    if clusters is None:
        psu = np.arange(n)
    else:
        _, psu = np.unique(
            np.stack([s_idx, np.unique(np.asarray(clusters), return_inverse=True)[1].ravel()], 1),
            axis=0,
            return_inverse=True,
        )
        psu = psu.reshape(-1)
    n_psu = int(psu.max()) + 1
    z_psu = np.bincount(psu, weights=z, minlength=n_psu)
    psu_stratum = np.zeros(n_psu, dtype=np.intp)
    psu_stratum[psu] = s_idx
    n_strata = int(s_idx.max()) + 1
    n_h = np.bincount(psu_stratum, minlength=n_strata).astype(float)
    if np.any(n_h == 1):
        raise SurveyError("A stratum has a single PSU: its variance cannot be estimated.")
    mean_h = np.bincount(psu_stratum, weights=z_psu, minlength=n_strata) / n_h
    ss_h = np.bincount(psu_stratum, weights=(z_psu - mean_h[psu_stratum]) ** 2, minlength=n_strata)
    factor = n_h / (n_h - 1)
    if fpc is not None:
        pop = np.zeros(n_strata)
        pop[s_idx] = np.asarray(fpc, dtype=float)
        factor = factor * (1 - n_h / pop)
    return float(np.sum(factor * ss_h))


class _CellProjector:
    """WLS projection of per-cell means on the margin indicators (additive in the categories
    of each variable), prepared once per sample and reused for every variable."""

    def __init__(
        self, cell_w: np.ndarray, cell_codes: np.ndarray, sizes: list[int], method: str = "auto"
    ):
        self.cell_w, self.cell_codes, self.sizes = cell_w, cell_codes, sizes
        if method == "auto":
            method = "lstsq" if sum(sizes) <= 1000 else "backfit"
        if method not in ("lstsq", "backfit"):
            raise SurveyError(f"Unknown regression method {method!r}.")
        self.method = method
        if method == "lstsq":
            # normal equations on the (small) indicator space, pseudo-inverted by eigh: the
            # indicators are rank-deficient (each margin's sum to 1). No SVD of the cell table:
            # LAPACK on a busy 2-core machine is the slowest part otherwise.
            self.offsets = np.cumsum([0, *sizes])
            p = int(self.offsets[-1])
            xtwx = np.zeros((p, p))
            for k, sk in enumerate(sizes):
                for m, sm in enumerate(sizes):
                    pair = np.bincount(
                        cell_codes[k] * sm + cell_codes[m], weights=cell_w, minlength=sk * sm
                    ).reshape(sk, sm)
                    o_k, o_m = self.offsets[k], self.offsets[m]
                    xtwx[o_k : o_k + sk, o_m : o_m + sm] = pair
            evals, evecs = np.linalg.eigh(xtwx)
            keep = evals > evals.max() * 1e-12 if len(evals) else evals > 0
            self.pinv = (evecs[:, keep] / evals[keep]) @ evecs[:, keep].T
        else:
            self.wsum = [
                np.bincount(cell_codes[k], weights=cell_w, minlength=s) for k, s in enumerate(sizes)
            ]

    def _project(self, ubar: np.ndarray) -> np.ndarray:
        wu = self.cell_w * ubar
        xtwu = np.concatenate(
            [
                np.bincount(c, weights=wu, minlength=s)
                for c, s in zip(self.cell_codes, self.sizes, strict=True)
            ]
        )
        beta = self.pinv @ xtwu
        fit = np.zeros(len(ubar))
        for k, c in enumerate(self.cell_codes):
            fit += beta[self.offsets[k] : self.offsets[k + 1]][c]
        return fit

    def fit(self, cell_u: np.ndarray) -> np.ndarray:
        """Fitted value per cell, given the cell totals of w·u."""
        cell_w = self.cell_w
        ubar = np.divide(cell_u, cell_w, out=np.zeros(len(cell_w)), where=cell_w > 0)
        if self.method == "lstsq":
            fit = self._project(ubar)
            return fit + self._project(ubar - fit)  # one step of iterative refinement
        # backfitting (alternating projections on each margin's indicators)
        cell_codes, sizes = self.cell_codes, self.sizes
        fit = np.zeros(len(cell_w))
        parts = [np.zeros(size) for size in sizes]
        scale = float(np.sqrt(np.dot(cell_w, ubar * ubar))) or 1.0
        for _ in range(10_000):
            change = 0.0
            for k, size in enumerate(sizes):
                resid = ubar - fit + parts[k][cell_codes[k]]
                num = np.bincount(cell_codes[k], weights=cell_w * resid, minlength=size)
                new = np.divide(num, self.wsum[k], out=np.zeros(size), where=self.wsum[k] > 0)
                delta = new - parts[k]
                fit += delta[cell_codes[k]]
                parts[k] = new
                change = max(change, float(np.sqrt(np.dot(self.wsum[k], delta * delta))))
            if change <= 1e-15 * scale:
                break
        return fit


def margin_residuals(
    u: np.ndarray,
    w: np.ndarray,
    codes: dict[str, np.ndarray] | list[np.ndarray],
    sizes: list[int] | None = None,
    method: str = "auto",
) -> np.ndarray:
    """Residuals of the weighted (w) least-squares regression of u on the indicators of every
    category of every margin variable. ``method``: "lstsq" (exact: normal equations of the
    cell table, pseudo-inverted), "backfit" (alternating projections) or "auto"."""
    cl = list(codes.values()) if isinstance(codes, dict) else list(codes)
    if not cl:
        return np.asarray(u, dtype=float) - np.dot(w, u) / np.sum(w)
    cl = [np.asarray(c, dtype=np.intp) for c in cl]
    if sizes is None:
        sizes = [int(c.max()) + 1 if len(c) else 1 for c in cl]
    cell, cell_codes = _cells(cl, sizes)
    u, w = np.asarray(u, float), np.asarray(w, float)
    n_cells = cell_codes.shape[1]
    proj = _CellProjector(
        np.bincount(cell, weights=w, minlength=n_cells), cell_codes, sizes, method
    )
    return u - proj.fit(np.bincount(cell, weights=w * u, minlength=n_cells))[cell]


# --------------------------------------------------------------------------------------------
# Estimates


@dataclass(frozen=True)
class Estimate:
    n: int
    mean: float
    se: float

    @property
    def ci95(self) -> tuple[float, float]:
        return (self.mean - Z95 * self.se, self.mean + Z95 * self.se)


@dataclass
class Design:
    """Weights of one sample plus what the variance needs (calibration cells, strata, PSUs)."""

    w: np.ndarray
    cell: np.ndarray | None = None
    cell_codes: np.ndarray | None = None
    sizes: list[int] = field(default_factory=list)
    strata: np.ndarray | None = None
    clusters: np.ndarray | None = None
    fpc: np.ndarray | None = None
    _projector: _CellProjector | None = field(default=None, init=False, repr=False)

    @classmethod
    def calibrated(
        cls, w: np.ndarray, codes: dict[str, np.ndarray], sizes: list[int] | None = None, **kw
    ) -> Design:
        cl = [np.asarray(c, dtype=np.intp) for c in codes.values()]
        if sizes is None:
            sizes = [int(c.max()) + 1 if len(c) else 1 for c in cl]
        cell, cell_codes = _cells(cl, sizes) if cl else (None, None)
        return cls(np.asarray(w, float), cell, cell_codes, list(sizes) if cl else [], **kw)

    def variance_of_total(self, u: np.ndarray) -> float:
        """Variance of Σ w·u, where u is the linearized variable per unit of weight."""
        z = self.w * u
        if self.cell is not None:
            n_cells = self.cell_codes.shape[1]
            if self._projector is None:
                cell_w = np.bincount(self.cell, weights=self.w, minlength=n_cells)
                self._projector = _CellProjector(cell_w, self.cell_codes, self.sizes)
            fit = self._projector.fit(np.bincount(self.cell, weights=z, minlength=n_cells))
            z -= self.w * fit[self.cell]
        return linearized_variance(z, self.strata, self.clusters, self.fpc)


def weighted_mean(y: np.ndarray, design: Design) -> Estimate:
    """Hájek mean of y over the respondents with an answer (NaN = out of the domain)."""
    y = np.asarray(y, dtype=float)
    answered = ~np.isnan(y)
    n = int(answered.sum())
    w = design.w
    wd = np.where(answered, w, 0.0)
    total_w = float(wd.sum())
    if n == 0 or total_w <= 0:
        return Estimate(n, math.nan, math.nan)
    y0 = np.where(answered, y, 0.0)
    mean = float(np.dot(wd, y0)) / total_w
    u = np.where(answered, (y0 - mean) / total_w, 0.0)
    var = design.variance_of_total(u)
    return Estimate(n, mean, math.sqrt(max(var, 0.0)))


def weighted_total(y: np.ndarray, design: Design) -> Estimate:
    """Horvitz-Thompson total of y (NaN counted as 0)."""
    y0 = np.nan_to_num(np.asarray(y, dtype=float))
    total = float(np.dot(design.w, y0))
    var = design.variance_of_total(y0)
    return Estimate(int(np.count_nonzero(~np.isnan(y))), total, math.sqrt(max(var, 0.0)))


def domain_mean_difference(y: np.ndarray, group: np.ndarray, design: Design) -> Estimate:
    """Mean of y in group True minus mean in group False, with its linearization SE."""
    y = np.asarray(y, dtype=float)
    group = np.asarray(group, dtype=bool)
    ok = ~np.isnan(y)
    u = np.zeros(len(y))
    means = []
    for g in (True, False):
        d = ok & (group == g)
        wd = np.where(d, design.w, 0.0)
        tw = float(wd.sum())
        if tw <= 0:
            raise SurveyError("A group of the comparison has no respondent.")
        m = float(np.dot(wd, np.where(d, y, 0.0))) / tw
        means.append(m)
        u += (1 if g else -1) * np.where(d, (np.where(d, y, 0.0) - m) / tw, 0.0)
    var = design.variance_of_total(u)
    return Estimate(int(ok.sum()), means[0] - means[1], math.sqrt(max(var, 0.0)))


@dataclass(frozen=True)
class ScoreStats:
    n: int
    mean: float
    se: float
    ci95: tuple[float, float]
    satisfied: float
    satisfied_se: float
    satisfied_ci95: tuple[float, float]
    net: float

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "mean": _f(self.mean),
            "se": _f(self.se),
            "ci95": [_f(self.ci95[0]), _f(self.ci95[1])],
            "satisfied": _f(self.satisfied),
            "satisfied_se": _f(self.satisfied_se),
            "net": _f(self.net),
        }


def score_stats(
    y: np.ndarray, design: Design, threshold: float = 7, dissatisfied_max: float = 4
) -> ScoreStats:
    """Mean, share satisfied (y >= threshold) and net satisfaction (share >= threshold minus
    share <= dissatisfied_max) of a 0-10 score, NaN = no answer. Same estimator as
    weighted_mean, sharing the passes over the data (this runs on a million rows)."""
    y = np.asarray(y, dtype=float)
    answered = ~np.isnan(y)
    n = int(np.count_nonzero(answered))
    mask = answered.astype(float)
    wd = design.w * mask
    total_w = float(wd.sum())
    if n == 0 or total_w <= 0:
        nan = math.nan
        return ScoreStats(n, nan, nan, (nan, nan), nan, nan, (nan, nan), nan)
    y0 = np.where(answered, y, 0.0)
    sat0 = (y0 >= threshold) & answered
    mean = float(np.dot(wd, y0)) / total_w
    sat = float(wd[sat0].sum()) / total_w
    dissatisfied = float(wd[(y0 <= dissatisfied_max) & answered].sum()) / total_w
    mask /= total_w
    se = math.sqrt(max(design.variance_of_total((y0 - mean) * mask), 0.0))
    sat_se = math.sqrt(max(design.variance_of_total((sat0 - sat) * mask), 0.0))
    return ScoreStats(
        n,
        mean,
        se,
        (mean - Z95 * se, mean + Z95 * se),
        sat,
        sat_se,
        (sat - Z95 * sat_se, sat + Z95 * sat_se),
        sat - dissatisfied,
    )


def _f(x: float | None) -> float | None:
    """Plain float for JSON; NaN/inf become None."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def suppress(stats: dict, n: int | None = None, min_cell: int = 10) -> dict:
    """Published outputs hide any figure computed from fewer than ``min_cell`` respondents:
    keep "n" and set every other value to None."""
    if n is None:
        n = stats.get("n", 0)
    if n >= min_cell:
        return stats
    return {k: (v if k == "n" else None) for k, v in stats.items()}


# --------------------------------------------------------------------------------------------
# Changes between waves


def normal_p_value(z: float) -> float:
    """Two-sided p-value of a standard normal statistic."""
    return math.erfc(abs(z) / math.sqrt(2))


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return h


def regularized_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b), the regularized incomplete beta function."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1 - x) / b


def student_t_p_value(t: float, df: float) -> float:
    """Two-sided p-value of a Student t statistic (design-based t-tests with df = n - 1)."""
    return regularized_beta(df / (df + t * t), df / 2, 0.5)


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values (monotone, capped at 1), in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def change(mean1: float, se1: float, mean2: float, se2: float) -> tuple[float, float, float]:
    """(difference, SE, two-sided normal p-value) from wave 1 to wave 2 (independent samples)."""
    diff = mean2 - mean1
    se = math.sqrt(se1 * se1 + se2 * se2)
    if se == 0:
        return diff, se, 1.0 if diff == 0 else 0.0
    return diff, se, normal_p_value(diff / se)


# --------------------------------------------------------------------------------------------
# Importance, quadrants, perceived versus technical


def weighted_correlation(x: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Weighted correlation matrix of the columns of x (rows = complete observations)."""
    x = np.asarray(x, dtype=float)
    w = np.ones(len(x)) if w is None else np.asarray(w, dtype=float)
    mu = w @ x / w.sum()
    c = x - mu
    cov = (c * w[:, None]).T @ c
    sd = np.sqrt(np.diag(cov))
    if np.any(sd == 0):
        raise SurveyError("A variable is constant: its correlation is undefined.")
    return cov / np.outer(sd, sd)


def relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's relative weights of predictors 1..p for the outcome in row/column 0 of the
    correlation matrix; they sum to the R² of the regression."""
    corr = np.asarray(corr, dtype=float)
    rxx = corr[1:, 1:]
    rxy = corr[1:, 0]
    evals, evecs = np.linalg.eigh(rxx)
    evals = np.clip(evals, 0.0, None)
    lam = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    beta = np.linalg.lstsq(lam, rxy, rcond=None)[0]
    return (lam * lam) @ (beta * beta)


def importance(
    overall: np.ndarray,
    criteria: dict[str, np.ndarray],
    w: np.ndarray | None = None,
    min_cell: int = 10,
) -> dict[str, dict[str, float | None]]:
    """Johnson's relative weights of the criteria for the overall score, survey-weighted, on the
    respondents who answered everything: {code: {"raw", "percent"}} (None when fewer than
    min_cell complete answers or a constant variable)."""
    empty = {c: {"raw": None, "percent": None} for c in criteria}
    # A criterion nobody answered (not asked in this wave) is left out rather than
    # emptying the complete-answer set for all the others.
    codes = [c for c in criteria if not np.isnan(np.asarray(criteria[c], float)).all()]
    if not codes:
        return empty
    x = np.column_stack(
        [np.asarray(overall, float)] + [np.asarray(criteria[c], float) for c in codes]
    )
    ok = ~np.isnan(x).any(axis=1)
    if ok.sum() < max(min_cell, len(codes) + 2):
        return empty
    ww = None if w is None else np.asarray(w, float)[ok]
    try:
        raw = relative_weights(weighted_correlation(x[ok], ww))
    except SurveyError:
        return empty
    r2 = float(raw.sum())
    return empty | {
        c: {"raw": _f(raw[i]), "percent": _f(100 * raw[i] / r2) if r2 > 0 else None}
        for i, c in enumerate(codes)
    }


def quadrants(
    importance_: dict[str, float | None], performance: dict[str, float | None]
) -> dict[str, str | None]:
    """Importance-performance quadrant per criterion, split at the mean importance and mean
    performance of the criteria (a value equal to the mean counts as high)."""
    ok = [c for c in importance_ if importance_[c] is not None and performance.get(c) is not None]
    out: dict[str, str | None] = dict.fromkeys(importance_)
    if not ok:
        return out
    mi = sum(importance_[c] for c in ok) / len(ok)
    mp = sum(performance[c] for c in ok) / len(ok)
    for c in ok:
        hi_i = importance_[c] >= mi
        hi_p = performance[c] >= mp
        if hi_i:
            out[c] = "keep_up" if hi_p else "concentrate_here"
        else:
            out[c] = "possible_overkill" if hi_p else "low_priority"
    return out


def technical_score(value: float, floor: float, target: float, direction: str = "higher") -> float:
    """Technical performance on 0-100: linear between the floor and the target, clipped.
    ``direction`` "higher" scores 100 at the larger bound, "lower" at the smaller one, so the
    floor and target may be given in either order."""
    if floor == target:
        raise SurveyError("The target must differ from the floor.")
    lo, hi = min(floor, target), max(floor, target)
    if direction == "higher":
        s = (value - lo) / (hi - lo)
    elif direction == "lower":
        s = (hi - value) / (hi - lo)
    else:
        raise SurveyError(f"Unknown direction {direction!r} (expected 'higher' or 'lower').")
    return 100.0 * min(1.0, max(0.0, s))


def perceived_technical_gap(
    satisfied: float,
    value: float,
    floor: float,
    target: float,
    direction: str = "higher",
    divergence: float = 20,
) -> dict[str, float | bool]:
    """Perceived (share satisfied × 100) versus technical score; divergent when they disagree by
    more than ``divergence`` points."""
    perceived = 100.0 * satisfied
    technical = technical_score(value, floor, target, direction)
    gap = perceived - technical
    return {
        "perceived": perceived,
        "technical": technical,
        "gap": gap,
        "divergent": abs(gap) > divergence,
    }


# --------------------------------------------------------------------------------------------
# Entry point


@dataclass
class Responses:
    """One row per respondent: wave label, margin categories (str), overall and criterion
    scores (float, NaN = blank)."""

    wave: np.ndarray
    margins: dict[str, np.ndarray]
    overall: np.ndarray
    criteria: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.wave)


def _encode(
    data: Responses, margins: Margins
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], list[list[str]]]:
    n = len(data.wave)
    for name, arr in [("overall", data.overall), *data.criteria.items(), *data.margins.items()]:
        if len(arr) != n:
            raise SurveyError(f"Column {name!r} has {len(arr)} values, expected {n}.")
    missing = [v for v in margins if v not in data.margins]
    if missing:
        raise SurveyError(f"Margin variable {missing[0]!r} is missing from the responses.")
    extra = [v for v in data.margins if v not in margins]
    if extra:
        raise SurveyError(f"Variable {extra[0]!r} has no population margins.")
    codes, targets, labels = {}, {}, []
    for var, cats in margins.items():
        names = list(cats)
        values = np.asarray(data.margins[var]).astype(str)
        uniq, inv = np.unique(values, return_inverse=True)
        index = {c: i for i, c in enumerate(names)}
        absent = [u for u in uniq if u not in index]
        if absent:
            raise SurveyError(
                f"Category {absent[0]!r} of variable {var!r} is absent from the margins."
            )
        remap = np.array([index[u] for u in uniq], dtype=np.intp)
        codes[var] = remap[inv.reshape(-1)]
        targets[var] = np.array([float(cats[c]) for c in names])
        labels.append(names)
    for name, arr in [("overall", data.overall), *data.criteria.items()]:
        a = np.asarray(arr, dtype=float)
        bad = ~np.isnan(a) & ((a < 0) | (a > 10))
        if bad.any():
            raise SurveyError(
                f"Column {name!r}: score {a[bad][0]:g} at row {int(np.flatnonzero(bad)[0]) + 1} "
                "is outside 0-10."
            )
    return codes, targets, labels


def _wave_weights(data: Responses, margins: Margins, trim: float | None):
    codes, targets, cat_labels = _encode(data, margins)
    names = dict(zip(codes, cat_labels, strict=True))
    waves = np.asarray(data.wave).astype(str)
    labels, wave_idx = np.unique(waves, return_inverse=True)
    wave_idx = wave_idx.reshape(-1)
    order = np.argsort(wave_idx, kind="stable")
    bounds = np.searchsorted(wave_idx[order], np.arange(len(labels) + 1))
    weights = np.empty(len(waves))
    rows = {}
    for k, label in enumerate(labels):
        idx = order[bounds[k] : bounds[k + 1]]
        sub = {v: c[idx] for v, c in codes.items()}
        try:
            weights[idx] = rake_and_trim(sub, targets, trim, labels=names)
        except SurveyError as exc:
            raise SurveyError(f"Wave {str(label)!r}: {exc}") from exc
        rows[str(label)] = (idx, sub)
    return weights, rows, targets


def wave_weights(data: Responses, margins: Margins, trim: float | None = None) -> np.ndarray:
    """Final weight of every row (input order); each wave is raked separately to the margins."""
    return _wave_weights(data, margins, trim)[0]


def compute(
    data: Responses,
    margins: Margins,
    *,
    threshold: float = 7,
    trim: float | None = None,
    min_cell: int = 10,
    dissatisfied_max: float = 4,
    return_weights: bool = False,
):
    """All barometer statistics, as the JSON structure of the CLI (plain Python values).

    With ``return_weights=True`` returns ``(result, weights)`` (weights in input row order).
    Holm's adjustment runs over the criteria of one pair of consecutive waves (not "overall").
    """
    weights, rows, targets = _wave_weights(data, margins, trim)
    sizes = [len(t) for t in targets.values()]
    overall = np.asarray(data.overall, dtype=float)
    crit = {c: np.asarray(v, dtype=float) for c, v in data.criteria.items()}
    result: dict = {"waves": {}, "changes": [], "importance": {}, "quadrants": {}}
    raw_stats: dict[str, dict[str, ScoreStats]] = {}
    for label in sorted(rows):
        idx, sub = rows[label]
        w = weights[idx]
        design = Design.calibrated(w, sub, sizes)
        ws = weight_stats(w)
        stats = {
            c: score_stats(v[idx], design, threshold, dissatisfied_max) for c, v in crit.items()
        }
        ov = score_stats(overall[idx], design, threshold, dissatisfied_max)
        raw_stats[label] = stats
        result["waves"][label] = {
            "n": ws.n,
            "n_eff": _f(ws.n_eff),
            "deff": _f(ws.deff),
            "overall": suppress(ov.as_dict(), ov.n, min_cell),
            "criteria": {c: suppress(s.as_dict(), s.n, min_cell) for c, s in stats.items()},
        }
        imp = importance(overall[idx], {c: v[idx] for c, v in crit.items()}, w, min_cell)
        result["importance"][label] = imp
        perf = {c: (s.mean if s.n >= min_cell else None) for c, s in stats.items()}
        result["quadrants"][label] = quadrants({c: v["raw"] for c, v in imp.items()}, perf)
    labels = sorted(rows)
    for a, b in itertools.pairwise(labels):
        pair = []
        for c in crit:
            s1, s2 = raw_stats[a][c], raw_stats[b][c]
            if min(s1.n, s2.n) < min_cell or not all(
                math.isfinite(x) for x in (s1.mean, s1.se, s2.mean, s2.se)
            ):
                pair.append(
                    {
                        "criterion": c,
                        "from": a,
                        "to": b,
                        "diff": None,
                        "se": None,
                        "p_value": None,
                        "p_adjusted": None,
                        "significant": False,
                    }
                )
                continue
            diff, se, p = change(s1.mean, s1.se, s2.mean, s2.se)
            pair.append(
                {
                    "criterion": c,
                    "from": a,
                    "to": b,
                    "diff": diff,
                    "se": se,
                    "p_value": p,
                    "p_adjusted": None,
                    "significant": False,
                }
            )
        tested = [e for e in pair if e["p_value"] is not None]
        for e, adj in zip(tested, holm([e["p_value"] for e in tested]), strict=True):
            e["p_adjusted"] = adj
            e["significant"] = adj < 0.05
        result["changes"].extend(pair)
    if return_weights:
        return result, weights
    return result
