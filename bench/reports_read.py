#!/usr/bin/env python3
"""Server time of the Signalements reads over 500,000 reports on PostgreSQL: the Open311
list and the public map data.

A benchmark, not a test. It:

1. (re)creates the dedicated database `cocon_bench_reports` (dropped at the end unless
   --keep-db; --reuse-db measures a database kept earlier), runs `cocon migrate`,
   `cocon demo load`, then loads --reports reports (default 500,000) with
   bench/reports_data.py (SQL `INSERT … SELECT`, then VACUUM ANALYZE);
2. times --runs requests (default 50) of each case through Django's test client,
   in-process (no HTTP server: what the server spends, middleware and JSON included),
   after one untimed warm-up, and records the SQL statements of one request:
   - Open311 `GET /open311/v2/requests.json`: the default (last 90 days), an explicit
     90-day window in the past, and `status=open&service_code=nid-de-poule` — each
     returning the specification's default page of 1,000 requests (the implementation
     caps `page_size` at 500, so the default page is the one that returns 1,000);
   - the map `GET /signalements/carte.json?bbox=…` for the whole territory (the
     territory's box), a commune view (3 km across, Montlise) and a street view
     (300 m), with the default filter (open reports) and `status=all`;
3. prints p50/p95/p99/max in ms, the statements per request and the rows returned as
   Markdown tables; with --explain, the EXPLAIN (ANALYZE, BUFFERS) of every statement
   of each case. Targets: p95 < 250 ms for Open311, < 150 ms for the map (exit 2 if
   missed).

The machine has 2 cores shared with other work: the load average before and after and
the CPU time of this process per request are printed so figures can be read despite
contention.

    python3 bench/reports_read.py                          # about 5 minutes
    python3 bench/reports_read.py --keep-db                # keep it for --reuse-db
    python3 bench/reports_read.py --reuse-db --explain
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # shared helpers of the bench scripts
from reports_data import DEFAULT_REPORTS, describe, inner_load

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cocon_bench_reports"
OPEN311_TARGET_MS = 250.0
MAP_TARGET_MS = 150.0


def cases() -> list[dict]:
    """(kind, label, url, expected rows) of every request measured."""
    import datetime as dt

    from django.utils import timezone

    from cocon.lib import geo
    from cocon.reports.services import territory_box
    from cocon.territory.models import Territory

    territory = Territory.objects.get(slug="val-de-lise")
    end = timezone.now() - dt.timedelta(days=200)
    start = end - dt.timedelta(days=90)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    window = (
        f"start_date={start.astimezone(dt.UTC).strftime(fmt)}"
        f"&end_date={end.astimezone(dt.UTC).strftime(fmt)}"
    )
    out = [
        ("open311", "requests.json (default: last 90 days)", "/open311/v2/requests.json"),
        ("open311", "requests.json, 90 days, 200 days ago", f"/open311/v2/requests.json?{window}"),
        (
            "open311",
            "requests.json?status=open&service_code=nid-de-poule",
            "/open311/v2/requests.json?status=open&service_code=nid-de-poule",
        ),
    ]
    montlise = territory.communes.get(name="Montlise")
    boxes = {
        "whole territory": territory_box(territory),
        "commune (Montlise, 3 km)": geo.box_around(montlise.latitude, montlise.longitude, 1500),
        "street (300 m)": geo.box_around(
            montlise.latitude + 0.002, montlise.longitude + 0.003, 150
        ),
    }
    for name, box in boxes.items():
        bbox = f"{box.west:.6f},{box.south:.6f},{box.east:.6f},{box.north:.6f}"
        for status in ("", "all"):
            query = f"bbox={bbox}" + (f"&status={status}" if status else "")
            label = f"map, {name}, {'status=all' if status else 'open (default)'}"
            out.append(("map", label, f"/signalements/carte.json?{query}"))
    return [{"kind": k, "label": label, "url": url} for k, label, url in out]


def _rows(kind: str, body: bytes) -> str:
    data = json.loads(body)
    if kind == "open311":
        return str(len(data))
    if data.get("mode") == "markers":
        return f"{len(data['markers'])} markers"
    return f"{len(data['clusters'])} clusters of {sum(c['count'] for c in data['clusters'])}"


def measure(runs: int, explain: bool) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    results = []
    plans: dict[str, list[str]] = {}
    n = 0

    def get(url: str):
        nonlocal n
        n += 1  # a new address each time: the map's rate limit is per address
        return client.get(url, REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")

    for case in cases():
        first = get(case["url"])  # warm-up, untimed
        if first.status_code != 200:
            raise RuntimeError(f"{case['url']}: {first.status_code} {first.content[:300]!r}")
        with CaptureQueriesContext(connection) as ctx:
            response = get(case["url"])
        statements = [q["sql"] for q in ctx.captured_queries]
        samples, cpu = [], []
        for _ in range(runs):
            c0 = time.process_time()
            t0 = time.perf_counter()
            response = get(case["url"])
            samples.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            assert response.status_code == 200
        results.append(
            {
                **case,
                **common.stats(samples),
                "cpu_ms": sum(cpu) / len(cpu),
                "statements": len(statements),
                "rows": _rows(case["kind"], response.content),
                "bytes": len(response.content),
                "runs": runs,
            }
        )
        print(f"  {case['label']}: p95 {results[-1]['p95']:.1f} ms", flush=True)
        if explain:
            plans[case["label"]] = explain_all(statements)
    return {"cases": results, "explain": plans}


def explain_all(statements: list[str]) -> list[str]:
    return [
        f"-- {sql[:300]}{'…' if len(sql) > 300 else ''}\n{common.explain(sql)}"
        for sql in statements
        if sql.lstrip("( ").upper().startswith("SELECT")
    ]


def inner(args) -> int:
    common.django_setup()
    if not args.reuse_db:
        data = inner_load(args.reports)
    else:
        data = describe()
        print("  data: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in data.items()))
    results = measure(args.runs, args.explain)
    results["data"] = data
    Path(args.results_file).write_text(json.dumps(results, default=str))
    return 0


# --- outside (system python) -----------------------------------------------------------------


def report(results: dict, runs: int) -> bool:
    ok = True
    for kind, title, target in (
        ("open311", "Open311 GET /open311/v2/requests.json", OPEN311_TARGET_MS),
        ("map", "Map GET /signalements/carte.json", MAP_TARGET_MS),
    ):
        print()
        print(f"## {title}: server time in ms over {runs} runs (target p95 < {target:g} ms)")
        print()
        print("| Case | p50 | p95 | p99 | max | CPU ms/request | SQL statements | returned |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for c in results["cases"]:
            if c["kind"] != kind:
                continue
            ok &= c["p95"] < target
            print(
                f"| {c['label']} | {c['p50']:.1f} | {c['p95']:.1f} | {c['p99']:.1f} "
                f"| {c['max']:.1f} | {c['cpu_ms']:.1f} | {c['statements']} | {c['rows']} |"
            )
    common.print_plans(results.get("explain", {}))
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_args(ap, DEFAULT_DB, in_process=True)
    ap.add_argument("--reports", type=int, default=DEFAULT_REPORTS, help="default 500,000")
    args = ap.parse_args()
    if args.inner:
        return inner(args)

    cocon = common.checked_cocon(args)
    state = Path(tempfile.mkdtemp(prefix="cocon-bench-reports-read-"))
    results = common.run_in_process(
        __file__,
        args,
        cocon,
        state,
        prepare=lambda env, log: None,
        extra=["--reports", str(args.reports)],
        label_width=18,
    )
    if results is None:
        return 1
    ok = report(results, args.runs)
    print()
    print(f"load average before → after: {results['loadavg_before']} → {results['loadavg_after']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    shutil.rmtree(state, ignore_errors=True)
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
