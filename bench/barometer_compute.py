#!/usr/bin/env python3
"""The barometer's statistics at scale, and the same estimates with samplics (issue 6,
"Measured"): 1,000,000 respondents, 10 criteria, 2 waves, 3 margin variables.

What it does, in a temporary directory (removed at the end unless --keep):

1. generates the respondents with a seeded generator (same data every run): two waves of
   about half the rows each; margin variables age band (5 categories), sex (2) and commune
   (40, sizes following a Zipf-like law); the sample over-represents older people, women
   and the large communes so that raking has work to do; the overall score and the 10
   criterion scores (0-10 integers) share a latent satisfaction, with a wave effect; about
   5 % of each criterion and 1 % of the overall score are left blank; writes R.csv
   (with a respondent_id column) and M.csv (variable,category,population: 250,000 adults,
   every variable summing to that total);
2. (a) runs `cocon barometer compute --responses R.csv --margins M.csv --weights-out W.csv`
   as a subprocess: wall time, and peak resident memory of that process (its rusage from
   os.wait4, i.e. RUSAGE_CHILDREN restricted to that child); the JSON is checked to hold
   both waves;
3. (b) the statistics core alone: `cocon.lib.survey.compute` on the in-memory arrays
   (every figure of the CLI output: raking, n_eff, deff, means and shares with calibrated
   SEs, changes, Holm, importance, quadrants), then, like for like with samplics, only the
   raking and the weighted mean with its weights-only Taylor SE per criterion; the CSV
   reading and validation (`cocon.lib.survey_io.read_survey`) is timed apart;
4. (c) samplics on the same data: `SampleWeight().rake` per wave (tolerances 1e-13) and
   `TaylorEstimator(PopParam.mean)` per wave and criterion (blank answers as a domain, so
   the respondent stays in the design: same definition as Cocon's);
5. checks that the numbers agree: raked weights to 1e-8 relative, means to 1e-8, and the
   standard errors: samplics treats the raked weights as fixed, so its SE is compared
   with Cocon's weights-only SE (same formula, to 1e-8); Cocon's published SE also uses
   the residuals of the regression on the raking margins (smaller, reported beside);
6. prints a summary table, the goals (end to end < 10 s and < 2 GB, core < 3 s, Cocon at
   least 5x faster than samplics) and one JSON line (also written with --json FILE).

Each timing is repeated --repeat times (default 3): minimum and median are reported.
Other processes on the machine skew the figures (the load average is printed).

    python3 bench/barometer_compute.py                 # 1,000,000 rows
    python3 bench/barometer_compute.py --rows 100000 --repeat 5 --json out.json

It re-runs itself with the checkout's venv (.venv/bin/python) when started with another
Python; it needs numpy, polars and samplics (dev dependencies).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO))

CRITERIA = 10
AGES = ["18-29", "30-44", "45-59", "60-74", "75+"]
AGE_POP = [0.20, 0.25, 0.25, 0.19, 0.11]
AGE_SAMPLE = [0.12, 0.20, 0.26, 0.26, 0.16]  # older people answer more
SEXES = ["F", "M"]
SEX_POP = [0.52, 0.48]
SEX_SAMPLE = [0.58, 0.42]
COMMUNES = 40
ADULTS = 250_000
GOALS = {"e2e_s": 10.0, "peak_mb": 2048.0, "core_s": 3.0, "ratio": 5.0}
TOL = 1e-8


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="respondents (default 1e6)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of each step (default 3)")
    ap.add_argument("--seed", type=int, default=20240601, help="random seed")
    ap.add_argument(
        "--samplics-rows",
        type=int,
        default=None,
        help="time samplics on this many rows and extrapolate linearly (default: all rows)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args()
    if args.rows < 1000 or args.repeat < 1:
        sys.exit("--rows must be >= 1000 and --repeat >= 1")
    if Path(sys.prefix).resolve() != (REPO / ".venv").resolve() and VENV_PYTHON.exists():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(Path(__file__).resolve()), *sys.argv[1:]])

    warnings.filterwarnings("ignore", category=FutureWarning)  # "samplics is archived"
    tmp = Path(tempfile.mkdtemp(prefix="cocon-bench-barometer-"))
    try:
        results = run(args, tmp)
    finally:
        if args.keep:
            print(f"\n(kept {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    line = json.dumps(results, ensure_ascii=False)
    print()
    print(line)
    if args.json:
        Path(args.json).write_text(line + "\n")
    if not results["checks"]["all_agree"]:
        sys.exit("numbers disagree with samplics (see above)")


# --- data --------------------------------------------------------------------------------------


def generate(rows: int, seed: int):
    """(Responses, margins, polars frame of R.csv) of `rows` respondents, seeded."""
    import numpy as np
    import polars as pl

    from cocon.lib.survey import Responses

    rng = np.random.default_rng(seed)
    communes = [f"C{k + 1:02d}" for k in range(COMMUNES)]
    commune_pop = 1.0 / np.arange(1, COMMUNES + 1) ** 0.9
    commune_pop /= commune_pop.sum()
    commune_sample = commune_pop**1.2 / (commune_pop**1.2).sum()

    wave = rng.integers(0, 2, rows)
    age = rng.choice(len(AGES), rows, p=AGE_SAMPLE)
    sex = rng.choice(len(SEXES), rows, p=SEX_SAMPLE)
    commune = rng.choice(COMMUNES, rows, p=commune_sample)

    latent = rng.normal(0.0, 1.0, rows) + 0.15 * wave + 0.1 * (age - 2) + 0.1 * sex
    scores = {}
    for j in range(CRITERIA):
        code = f"q{j + 1:02d}"
        level = 4.5 + 0.3 * j + 0.2 * wave * (j % 3 - 1)
        raw = level + (0.6 + 0.1 * j) * 1.8 * latent + rng.normal(0.0, 1.6, rows)
        values = np.clip(np.rint(raw), 0, 10)
        values[rng.random(rows) < 0.05] = np.nan
        scores[code] = values
    filled = np.stack([np.nan_to_num(v, nan=5.0) for v in scores.values()])
    weights = np.linspace(1.5, 0.5, CRITERIA)[:, None]
    overall = np.clip(
        np.rint((filled * weights).sum(0) / weights.sum() + rng.normal(0, 1, rows)), 0, 10
    )
    overall[rng.random(rows) < 0.01] = np.nan

    labels = np.array(["2024", "2025"])
    data = Responses(
        wave=labels[wave],
        margins={
            "age_band": np.array(AGES)[age],
            "sex": np.array(SEXES)[sex],
            "commune": np.array(communes)[commune],
        },
        overall=overall,
        criteria=scores,
    )
    margins = {
        "age_band": dict(zip(AGES, np.array(AGE_POP) * ADULTS, strict=True)),
        "sex": dict(zip(SEXES, np.array(SEX_POP) * ADULTS, strict=True)),
        "commune": dict(zip(communes, commune_pop * ADULTS, strict=True)),
    }
    margins = {v: {c: float(p) for c, p in cats.items()} for v, cats in margins.items()}

    def as_int(values):
        return pl.Series(values).fill_nan(None).cast(pl.Int8)

    frame = pl.DataFrame(
        {
            "respondent_id": np.arange(1, rows + 1),
            "wave": data.wave,
            **{v: data.margins[v] for v in margins},
            "overall": as_int(overall),
            **{c: as_int(v) for c, v in scores.items()},
        }
    )
    return data, margins, frame


def write_files(frame, margins, tmp: Path) -> tuple[Path, Path]:
    r, m = tmp / "R.csv", tmp / "M.csv"
    frame.write_csv(r)
    with m.open("w") as out:
        out.write("variable,category,population\n")
        for variable, cats in margins.items():
            for category, population in cats.items():
                out.write(f"{variable},{category},{population!r}\n")
    return r, m


# --- measures ----------------------------------------------------------------------------------


def timed(fn, repeat: int):
    """(result of the last run, list of durations in s)."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return result, times


def run_cli(r: Path, m: Path, w: Path) -> tuple[float, float, str]:
    """Wall time (s), peak RSS (MB) and stdout of one `cocon barometer compute`."""
    cocon = REPO / ".venv" / "bin" / "cocon"
    cmd = [str(cocon), "barometer", "compute", "--responses", str(r), "--margins", str(m)]
    cmd += ["--weights-out", str(w)]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    out_path = w.with_suffix(".json")
    t0 = time.perf_counter()
    with out_path.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env, cwd=REPO)
        stderr = proc.stderr.read()
        proc.stderr.close()
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
        proc.returncode = code = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if code != 0:
        sys.exit(f"cocon barometer compute failed ({code}): {stderr.decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024, out_path.read_text()


def cocon_like_samplics(data, margins):
    """Only what samplics computes: raked weights, then mean and weights-only SE."""
    import numpy as np

    from cocon.lib import survey

    weights = survey.wave_weights(data, margins)
    out = {}
    for label in np.unique(data.wave):
        idx = np.flatnonzero(data.wave == label)
        design = survey.Design(weights[idx])
        out[str(label)] = {
            c: survey.weighted_mean(v[idx], design)
            for c, v in {"overall": data.overall, **data.criteria}.items()
        }
    return weights, out


def with_samplics(data, margins, rows: slice | None = None):
    """samplics' raked weights and (mean, SE) per wave and variable."""
    import numpy as np
    from samplics import PopParam, TaylorEstimator
    from samplics.weighting import SampleWeight

    sel = np.arange(len(data.wave)) if rows is None else np.arange(len(data.wave))[rows]
    weights = np.empty(len(sel))
    out = {}
    for label in np.unique(data.wave[sel]):
        pos = np.flatnonzero(data.wave[sel] == label)
        idx = sel[pos]
        w = SampleWeight().rake(
            samp_weight=np.ones(len(idx)),
            margins={v: data.margins[v][idx] for v in margins},
            control=margins,
            tol=1e-13,
            ctrl_tol=1e-13,
            max_iter=500,
        )
        weights[pos] = w
        est = {}
        for c, values in {"overall": data.overall, **data.criteria}.items():
            y = values[idx]
            answered = ~np.isnan(y)
            taylor = TaylorEstimator(PopParam.mean)
            # Blank answers form the other domain (value irrelevant, non-zero for samplics'
            # coefficient of variation), so that the respondent stays in the design.
            taylor.estimate(
                y=np.where(answered, y, 1.0), samp_weight=w, domain=answered.astype(np.int8)
            )
            est[c] = (float(taylor.point_est[1]), float(taylor.stderror[1]))
        out[str(label)] = est
    return weights, out


def rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-300)


def run(args, tmp: Path) -> dict:
    import numpy as np
    import polars as pl
    import samplics
    from home_latency import cpu_model, loadavg, os_name, ram_gib

    from cocon.lib import survey
    from cocon.lib.survey_io import read_survey

    facts = {
        "CPU": cpu_model(),
        "Cores (logical)": str(os.cpu_count()),
        "RAM": ram_gib(),
        "OS": f"{os_name()} (kernel {platform.release()})",
        "Python": platform.python_version(),
        "numpy / polars / samplics": f"{np.__version__} / {pl.__version__} / {samplics.__version__}"
        if hasattr(samplics, "__version__")
        else f"{np.__version__} / {pl.__version__} / samplics",
    }
    print("## Machine")
    for k, v in facts.items():
        print(f"- {k}: {v}")
    load_before = loadavg()
    print(f"- Date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    print(f"- Load average before (1/5/15 min): {load_before}")
    print()

    print(f"## Data ({args.rows:,} respondents, seed {args.seed}, in {tmp})")
    t0 = time.perf_counter()
    data, margins, frame = generate(args.rows, args.seed)
    r, m = write_files(frame, margins, tmp)
    del frame
    size = r.stat().st_size / 1e6
    print(f"  generated and written in {time.perf_counter() - t0:.1f} s: R.csv {size:.0f} MB")
    blanks = np.mean([np.isnan(v).mean() for v in data.criteria.values()])
    waves = sorted(set(data.wave.tolist()))
    print(f"  {len(data.criteria)} criteria, {blanks:.1%} blanks, waves {waves}")
    print()

    # (a) end to end
    w_path = tmp / "W.csv"
    e2e_times, peaks, output = [], [], ""
    for _ in range(args.repeat):
        wall, peak, output = run_cli(r, m, w_path)
        e2e_times.append(wall)
        peaks.append(peak)
    cli_result = json.loads(output)
    assert sorted(cli_result["waves"]) == ["2024", "2025"], "unexpected waves in the CLI output"
    weights_file = pl.read_csv(w_path)["weight"].to_numpy()

    # (b) the core
    (io_data, _), io_times = timed(lambda: read_survey(r, m), args.repeat)
    (_, core_weights), core_times = timed(
        lambda: survey.compute(data, margins, return_weights=True), args.repeat
    )
    (like_weights, like), like_times = timed(
        lambda: cocon_like_samplics(data, margins), args.repeat
    )

    # (c) samplics
    sub = None
    if args.samplics_rows and args.samplics_rows < args.rows:
        sub = slice(0, args.samplics_rows)
    (s_weights, s_est), s_times = timed(lambda: with_samplics(data, margins, sub), args.repeat)
    s_scale = args.rows / args.samplics_rows if sub is not None else 1.0

    # checks
    checks = {}
    if sub is None:
        checks["weights_rel"] = float(np.max(np.abs(like_weights / s_weights - 1)))
    else:  # samplics raked a subsample: compare with Cocon on the same rows
        sub_data = survey.Responses(
            wave=data.wave[sub],
            margins={v: a[sub] for v, a in data.margins.items()},
            overall=data.overall[sub],
            criteria={c: a[sub] for c, a in data.criteria.items()},
        )
        sub_weights, like_sub = cocon_like_samplics(sub_data, margins)
        checks["weights_rel"] = float(np.max(np.abs(sub_weights / s_weights - 1)))
    compare = like if sub is None else like_sub
    checks["cli_vs_core_weights_rel"] = float(np.max(np.abs(weights_file / core_weights - 1)))
    checks["io_same_as_memory"] = bool(
        np.array_equal(io_data.wave, data.wave)
        and all(np.array_equal(io_data.margins[v], data.margins[v]) for v in margins)
        and all(
            np.array_equal(io_data.criteria[c], data.criteria[c], equal_nan=True)
            for c in data.criteria
        )
    )
    mean_rel, se_rel, cli_mean_rel = 0.0, 0.0, 0.0
    rows = []
    for label, est in s_est.items():
        for c, (s_mean, s_se) in est.items():
            ours = compare[label][c]
            mean_rel = max(mean_rel, rel(ours.mean, s_mean))
            se_rel = max(se_rel, rel(ours.se, s_se))
            published = cli_result["waves"][label]
            published = published["overall"] if c == "overall" else published["criteria"][c]
            if sub is None:
                cli_mean_rel = max(cli_mean_rel, rel(published["mean"], s_mean))
            rows.append((label, c, s_mean, ours.mean, s_se, ours.se, published["se"]))
    checks["means_rel"] = mean_rel
    checks["se_weights_only_rel"] = se_rel
    # On a subsample the CLI (all rows) and samplics estimate different things.
    checks["cli_means_vs_samplics_rel"] = cli_mean_rel if sub is None else None
    checks["all_agree"] = bool(
        checks["weights_rel"] <= TOL
        and mean_rel <= TOL
        and se_rel <= TOL
        and cli_mean_rel <= TOL
        and checks["cli_vs_core_weights_rel"] <= 1e-12
        and checks["io_same_as_memory"]
    )

    def summary(times):
        return {"min": min(times), "median": statistics.median(times), "runs": times}

    s_min = min(s_times) * s_scale
    results = {
        "rows": args.rows,
        "criteria": CRITERIA,
        "waves": 2,
        "margins": {v: len(c) for v, c in margins.items()},
        "repeat": args.repeat,
        "e2e_s": summary(e2e_times),
        "e2e_peak_mb": max(peaks),
        "read_validate_s": summary(io_times),
        "core_s": summary(core_times),
        "core_like_samplics_s": summary(like_times),
        "samplics_s": summary([t * s_scale for t in s_times]),
        "samplics_rows": args.samplics_rows if sub is not None else args.rows,
        "samplics_extrapolated": sub is not None,
        "ratio_full_core": s_min / min(core_times),
        "ratio_like_for_like": s_min / min(like_times),
        "checks": checks,
        "machine": facts,
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
    }
    print_report(results, rows)
    return results


def print_report(res: dict, rows: list[tuple]) -> None:
    def ms(x):
        return f"{x['min']:.2f} s (median {x['median']:.2f})"

    extrap = (
        f" — timed on {res['samplics_rows']:,} rows, extrapolated linearly"
        if res["samplics_extrapolated"]
        else ""
    )
    print(
        "## Estimates (weights-only SE compared with samplics; Cocon publishes the calibrated SE)"
    )
    print(
        f"  {'wave':<5} {'var':<8} {'mean samplics':>14} {'mean Cocon':>14}"
        f" {'SE samplics':>12} {'SE Cocon w.o.':>13} {'SE calibrated':>13}"
    )
    for label, c, sm, cm, sse, cse, pse in rows:
        print(
            f"  {label:<5} {c:<8} {sm:>14.10f} {cm:>14.10f} {sse:>12.8f} {cse:>13.8f} {pse:>13.8f}"
        )
    print()
    c = res["checks"]
    print("## Agreement with samplics (max relative difference)")
    print(f"  raked weights            {c['weights_rel']:.2e}")
    cli_means = c["cli_means_vs_samplics_rel"]
    cli_means = "n/a, subsample" if cli_means is None else f"{cli_means:.2e}"
    print(f"  means                    {c['means_rel']:.2e}   (CLI output: {cli_means})")
    print(f"  SE, weights only         {c['se_weights_only_rel']:.2e}")
    print(f"  CLI weights file vs core {c['cli_vs_core_weights_rel']:.2e}")
    print(f"  CSV reader = in-memory   {c['io_same_as_memory']}")
    print(f"  all within {TOL:g}        {'yes' if c['all_agree'] else 'NO'}")
    print()
    ok = {
        "e2e": res["e2e_s"]["min"] < GOALS["e2e_s"],
        "mem": res["e2e_peak_mb"] < GOALS["peak_mb"],
        "core": res["core_s"]["min"] < GOALS["core_s"],
        "ratio": res["ratio_like_for_like"] >= GOALS["ratio"],
    }

    def mark(flag):
        return "ok" if flag else "MISSED"

    print(
        f"## Timings ({res['rows']:,} respondents, {res['criteria']} criteria, 2 waves, "
        f"margins {res['margins']}, {res['repeat']} runs each)"
    )
    print("| step | time | goal |")
    print("|---|---|---|")
    print(
        f"| `cocon barometer compute` end to end (with --weights-out) | {ms(res['e2e_s'])} "
        f"| < 10 s {mark(ok['e2e'])} |"
    )
    peak = f"{res['e2e_peak_mb']:.0f} MB"
    print(f"| peak memory of that process | {peak} | < 2048 MB {mark(ok['mem'])} |")
    print(
        f"| of which: read + validate the CSV files (in process) | {ms(res['read_validate_s'])} | |"
    )
    print(
        f"| statistics core, full output (`survey.compute`) | {ms(res['core_s'])} "
        f"| < 3 s {mark(ok['core'])} |"
    )
    like = ms(res["core_like_samplics_s"])
    print(f"| Cocon, raking + means + weights-only SE (like samplics) | {like} | |")
    print(f"| samplics, raking + means + SE{extrap} | {ms(res['samplics_s'])} | |")
    print(
        f"| ratio samplics / Cocon, like for like | {res['ratio_like_for_like']:.1f}× "
        f"| ≥ 5× {mark(ok['ratio'])} |"
    )
    full = f"{res['ratio_full_core']:.1f}×"
    print(f"| ratio samplics / Cocon full output (Cocon does more) | {full} | |")
    print()
    print(f"Load average after: {res['loadavg_after']}")


if __name__ == "__main__":
    main()
