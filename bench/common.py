"""What the PostgreSQL benchmarks share (a module, not a script): the command line and
checks, the machine header, the dedicated database, the environment of the `cocon`
commands, and for the in-process ones (bench/voices_feed.py, bench/reports_read.py)
the Django set-up, the run of the measuring half inside the venv, timing statistics
and EXPLAIN."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from home_latency import (
    REPO,
    is_postgres,
    loadavg,
    machine_facts,
    percentile,
    pg_dbname,
    psql,
    timed,
)

# --- outside Django (system python) -----------------------------------------------------------


def add_args(ap: argparse.ArgumentParser, default_db: str, *, in_process: bool) -> None:
    """--database-url, --cocon, --json; for the in-process benchmarks also --runs,
    --explain, --keep-db, --reuse-db and the hidden options of the inner half."""
    ap.add_argument("--database-url", default=default_db, help=f"default {default_db}")
    if in_process:
        ap.add_argument("--runs", type=int, default=50, help="timed runs per case (default 50)")
        ap.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE plans")
        ap.add_argument("--keep-db", action="store_true", help="do not drop the database")
        ap.add_argument("--reuse-db", action="store_true", help="measure a database kept earlier")
    ap.add_argument(
        "--cocon",
        default=str(REPO / ".venv" / "bin" / "cocon"),
        help="cocon executable of the venv to run (default: this checkout's .venv)",
    )
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    if in_process:
        ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
        ap.add_argument("--results-file", help=argparse.SUPPRESS)


def checked_cocon(args) -> Path:
    """The `cocon` executable, once PostgreSQL and psql are known to be there."""
    if not is_postgres(args.database_url):
        sys.exit("this benchmark needs PostgreSQL (--database-url postgres://…)")
    if not shutil.which("psql"):
        sys.exit("psql not found")
    cocon = Path(args.cocon).absolute()
    if not cocon.exists():
        sys.exit(f"{cocon} not found: run `make install` first (or pass --cocon)")
    return cocon


def print_machine(python: Path, url: str) -> tuple[dict, str]:
    """Print the machine facts, the date and the load average; (facts, load average)."""
    print("## Machine")
    facts = machine_facts(python, url)
    for k, v in facts.items():
        print(f"- {k}: {v}")
    print(f"- Date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    load_before = loadavg()
    print(f"- Load average before (1/5/15 min): {load_before}")
    print()
    return facts, load_before


def bench_env(url: str, data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(COCON_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", DATABASE_URL=url)
    env["PYTHONPATH"] = str(REPO)
    return env


def recreate_database(url: str) -> None:
    name = pg_dbname(url)
    psql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(url, f'CREATE DATABASE "{name}"')


def create_database(url: str, cocon: Path, env: dict, log) -> None:
    """Drop and create the dedicated database, then `cocon migrate` and `cocon demo load`."""
    recreate_database(url)
    timed("cocon migrate", [str(cocon), "migrate", "--no-input"], env, log)
    timed("cocon demo load", [str(cocon), "demo", "load"], env, log)


def drop_database(url: str) -> None:
    name = pg_dbname(url)
    try:
        psql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print("  dropped the benchmark database")
    except subprocess.CalledProcessError as exc:
        print(f"  could not drop the benchmark database: {exc}", file=sys.stderr)


def run_in_process(
    script: str, args, cocon: Path, state: Path, prepare, extra: list[str], label_width: int
) -> dict | None:
    """The outer half of an in-process benchmark: (re)create the database unless
    --reuse-db (`prepare(env, log)` may do more), run the script again with --inner in
    the venv, drop the database unless --keep-db; the inner half's results, with the
    machine facts and load averages, or None on failure."""
    python = cocon.parent / "python"
    env = bench_env(args.database_url, state)
    facts, load_before = print_machine(python, args.database_url)
    name = pg_dbname(args.database_url)
    print(f"## Setup (PostgreSQL database {name}, state in {state})")
    results_file = state / "results.json"
    log_path = state / f"bench-{Path(script).stem.replace('_', '-')}.log"
    created_db = False
    try:
        with open(log_path, "w") as log:
            if not args.reuse_db:
                created_db = True
                create_database(args.database_url, cocon, env, log)
            prepare(env, log)
            cmd = [str(python), str(Path(script).resolve()), "--inner", *extra]
            cmd += ["--runs", str(args.runs), "--results-file", str(results_file)]
            cmd += ["--explain"] if args.explain else []
            cmd += ["--reuse-db"] if args.reuse_db else []
            t0 = time.perf_counter()
            subprocess.run(cmd, env=env, cwd=state, check=True)
            print(f"  {'load and measure':<{label_width}}{time.perf_counter() - t0:6.1f} s")
    except (subprocess.CalledProcessError, OSError, RuntimeError) as exc:
        print(f"\nFAILED: {exc} (log: {log_path})", file=sys.stderr)
        return None
    finally:
        if created_db and not args.keep_db:
            drop_database(args.database_url)
    results = json.loads(results_file.read_text())
    results["machine"] = facts
    results["loadavg_before"] = load_before
    results["loadavg_after"] = loadavg()
    return results


# --- inside Django (the venv's python) ---------------------------------------------------------


def django_setup() -> None:
    """Django for the in-process benchmarks: quiet request log, and pages that link
    static files by name (no collectstatic manifest needed), as in the tests."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cocon.settings")
    import logging

    import django

    django.setup()
    logging.getLogger("cocon.requests").setLevel(logging.WARNING)
    from django.conf import settings
    from django.test.utils import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()


def sql_array(values, sql_type: str = "bigint") -> str:
    """A literal PostgreSQL array for the bulk loads: bigint, float8, text or boolean."""
    literal = {
        "bigint": lambda v: str(int(v)),
        "float8": lambda v: repr(float(v)),
        "text": lambda v: "'" + v.replace("'", "''") + "'",
        "boolean": lambda v: "true" if v else "false",
    }[sql_type]
    return "ARRAY[" + ",".join(literal(v) for v in values) + f"]::{sql_type}[]"


def stats(samples: list[float]) -> dict:
    """p50, p95, p99 and max of timings in ms."""
    s = sorted(samples)
    return {
        "p50": percentile(s, 50),
        "p95": percentile(s, 95),
        "p99": percentile(s, 99),
        "max": s[-1],
    }


def explain(sql: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one statement, as text."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cur.fetchall())


def print_plans(plans: dict[str, list[str]]) -> None:
    for label, texts in plans.items():
        print()
        print(f"## EXPLAIN ANALYZE — {label}")
        for plan in texts:
            print(plan)
            print()
