#!/usr/bin/env python3
"""Sustained report creations per second through Open311 (`POST
/open311/v2/requests.json` with an api_key) under the production server (`cocon serve`)
and PostgreSQL, with client retries.

A benchmark, not a test. It:

1. (re)creates the dedicated database `cocon_bench_reports` (dropped at the end unless
   --keep-db; --reuse-db takes a database kept by bench/reports_data.py or an earlier
   run), runs `cocon migrate`, `cocon demo load` and loads --reports reports (default
   500,000, bench/reports_data.py) so that every insert pays for realistic indexes;
   then issues an Open311 key with `cocon open311 key create`;
2. starts `cocon serve --no-collectstatic` (default 2 workers × 4 threads) with the
   Open311 POST rate limits raised (COCON_OPEN311_RATE_PER_IP / _PER_KEY: one
   client address sends everything here, where real clients are many);
3. drives it for --duration seconds (after --warmup) from --clients threads with
   keep-alive connections: form-encoded bodies as an application sends them (a
   category of the demo, a point up to 1.5 km from a commune centre or, for 10 %, an
   `address_string` naming the commune only, the extra question of the leak category,
   an email for 30 %). The implementation honours an `Idempotency-Key` header (not in
   the specification), so every request carries a new key; --retry-fraction of the
   answers are followed by the same key and body again (a retry after a lost answer),
   and --race-fraction of the requests are sent twice at once on two connections (a
   409 "being processed" answer is retried after 50 ms, as a client should). With
   --no-idempotency-key the retries are sent without a key: what happens then is
   counted, not hidden (each retry is a second report);
4. checks that every answer was 200/201 (409s retried), that a repeated key got the
   first answer's service_request_id, and that the database holds exactly one report
   per distinct key (none lost, none duplicated);
5. prints requests/s, distinct reports/s, latency p50/p95/p99 of first sends and of
   retries, the CPU time per request of the server, PostgreSQL, this client and the
   whole machine (from /proc, as bench/voices_capture.py), the load average, and a
   Markdown row. Exit 2 on errors or inconsistency, 3 below --target (150 reports/s).

    python3 bench/reports_capture.py                     # about 6 minutes (load included)
    python3 bench/reports_capture.py --reuse-db --duration 60
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import capture_driver as driver  # the HTTP load driver shared with voices_capture.py
from common import add_args, bench_env, checked_cocon, print_machine
from home_latency import REPO, pg_dbname
from reports_data import DEFAULT_REPORTS

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cocon_bench_reports"
PATH = "/open311/v2/requests.json"

# Run inside `cocon shell`: what the bodies need (categories, communes).
SETUP = """
import json
from cocon.reports.models import Category
from cocon.territory.models import Territory
t = Territory.objects.get(slug="val-de-lise")
print("SETUP " + json.dumps({
    "categories": list(Category.objects.filter(territory=t, is_active=True)
                       .values_list("code", flat=True)),
    "communes": [[c.name, c.postal_code, c.latitude, c.longitude]
                 for c in t.communes.order_by("insee_code")],
}))
"""

TEXTS = [
    "Nid-de-poule profond devant le numéro {n}, les voitures font des écarts.",
    "Le lampadaire est éteint depuis plusieurs jours ({n}).",
    "Dépôt sauvage de sacs et d'encombrants au coin de la rue ({n}).",
    "Fuite d'eau sur le trottoir, ça coule jusqu'au caniveau ({n}).",
    "Tags sur le mur de l'école côté rue ({n}).",
    "Branche cassée au-dessus de l'allée du parc ({n}).",
    "Panneau stop couché au carrefour ({n}).",
]


def make_body(rng: random.Random, n: int, setup: dict, key: str) -> dict:
    code = rng.choice(setup["categories"])
    name, postal, lat, lon = rng.choice(setup["communes"])
    body = {
        "api_key": key,
        "service_code": code,
        "description": rng.choice(TEXTS).format(n=n) + f" [{uuid.uuid4().hex[:8]}]",
    }
    if rng.random() < 0.1 and code != "personne-en-difficulte":
        body["address_string"] = f"place de la Mairie, {postal} {name}"
    else:
        r = 0.0135 * rng.random() ** 0.5  # up to ~1.5 km, in degrees of latitude
        body["lat"] = f"{lat + r * rng.uniform(-0.7, 0.7):.6f}"
        body["long"] = f"{lon + r * rng.uniform(-0.7, 0.7) * 1.4:.6f}"
    if code == "fuite-eau":
        body["attribute[emplacement]"] = rng.choice(["chaussee", "trottoir", "compteur"])
    if rng.random() < 0.3:
        body["email"] = f"habitant{n}@exemple.fr"
    return body


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_args(ap, DEFAULT_DB, in_process=False)
    ap.add_argument("--reports", type=int, default=DEFAULT_REPORTS, help="reports loaded first")
    ap.add_argument("--reuse-db", action="store_true", help="use a database kept earlier")
    ap.add_argument("--keep-db", action="store_true", help="do not drop the database")
    driver.add_load_args(ap)
    ap.add_argument(
        "--no-idempotency-key",
        action="store_true",
        help="send retries without Idempotency-Key (each retry is then a new report)",
    )
    ap.add_argument("--target", type=float, default=150.0, help="reports/s to reach (150)")
    args = ap.parse_args()

    cocon = checked_cocon(args)
    url = args.database_url
    data_dir = Path(tempfile.mkdtemp(prefix="cocon-bench-reports-capture-"))
    env = bench_env(url, data_dir)
    # one address and one key send everything here; real clients are many
    env.update(COCON_OPEN311_RATE_PER_IP="10000000", COCON_OPEN311_RATE_PER_KEY="10000000")
    facts, load_before = print_machine(cocon.parent / "python", url)
    print(f"## Setup (PostgreSQL database {pg_dbname(url)}, COCON_DATA_DIR={data_dir})")

    def prepare(log) -> dict:
        if not args.reuse_db:
            loader = [str(cocon.parent / "python"), str(REPO / "bench" / "reports_data.py")]
            subprocess.run(
                [*loader, "--inner", "--reports", str(args.reports)],
                env=env,
                cwd=data_dir,
                check=True,
            )
        api_key = subprocess.run(
            [str(cocon), "open311", "key", "create", "--name", "bench reports_capture"],
            env=env,
            cwd=data_dir,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()[-1]
        setup = driver.shell_json(cocon, SETUP, env, data_dir)
        setup["api_key"] = api_key
        setup["before"] = int(
            driver.psql_value(url, "SELECT coalesce(max(voice_id), 0) FROM reports_report")
        )
        setup["existing"] = int(driver.psql_value(url, "SELECT count(*) FROM reports_report"))
        print(f"  {setup['existing']} reports already there; Open311 key issued")
        return setup

    def load_for(setup: dict) -> dict:
        return {
            "path": PATH,
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "build": lambda rng, n: urlencode(make_body(rng, n, setup, setup["api_key"])).encode(),
            "read_ref": lambda raw: json.loads(raw)[0]["service_request_id"],
            "created": (200, 201),
            "send_key": not args.no_idempotency_key,
            "retry_conflicts": True,
        }

    def collect(setup: dict) -> list[str]:
        return driver.psql_value(
            url,
            "SELECT v.reference FROM reports_report r JOIN voices_voice v "
            f"ON v.id = r.voice_id WHERE r.voice_id > {setup['before']}",
        ).split()

    run = driver.session(
        args,
        cocon,
        env,
        data_dir,
        "bench-reports-capture.log",
        create_db=not args.reuse_db,
        prepare=prepare,
        load_for=load_for,
        collect=collect,
        note=f", Idempotency-Key {'no' if args.no_idempotency_key else 'yes'}",
    )
    if run is None:
        return 1
    load, window, setup, refs = run
    existing = setup["existing"]
    check = driver.verify(load.outcomes, refs, "reports", ok=(200, 201))
    results = driver.summary(load, args, window, check, facts, load_before)
    # without a key, every request is a report; with one, every distinct key
    created = results["requests_timed"] if args.no_idempotency_key else results["keys_timed"]
    results["per_s"] = results["reports_per_s"] = created / args.duration
    results["idempotency_key"] = not args.no_idempotency_key
    results["reports_before"] = existing
    driver.print_summary(results, load, "reports created/s", "retries")
    cpu_ms = results["cpu_ms_per_request"]
    if args.no_idempotency_key:
        consistent = check["failed"] == 0 and check["refs_returned_missing_in_db"] == 0
        expected = check["requests"]
    else:
        consistent = (
            check["failed"] == 0
            and check["keys_with_two_refs"] == 0
            and check["reports_in_db"] == check["distinct_keys"]
            and check["refs_returned_missing_in_db"] == 0
            and check["reports_in_db_never_returned"] == 0
        )
        expected = check["distinct_keys"]
    print()
    print(
        "| Workers × threads | Clients | Reports before | Seconds | req/s | reports/s "
        "| p50 (ms) | p95 (ms) | p99 (ms) | retry p50 (ms) | errors | 409 retried "
        "| reports in DB = expected | CPU ms/req server, PG, machine | load avg before → after |"
    )
    print("|" + " --- |" * 15)
    print(
        f"| {args.workers} × {args.threads} | {args.clients} | {existing} | {args.duration:g} "
        f"| {results['req_per_s']:.1f} | {results['reports_per_s']:.1f} "
        f"| {results['first_p50_ms']:.1f} | {results['first_p95_ms']:.1f} "
        f"| {results['first_p99_ms']:.1f} | {results['repeat_p50_ms']:.1f} "
        f"| {check['failed']} | {check['conflicts_409_retried']} "
        f"| {'yes' if consistent and check['reports_in_db'] == expected else 'NO'} "
        f"({check['reports_in_db']} = {expected}) "
        f"| {cpu_ms['server']:.1f}, {cpu_ms['postgres']:.1f}, {cpu_ms['machine']:.1f} "
        f"| {load_before} → {results['loadavg_after']} |"
    )
    return driver.finish(args, results, consistent, "reports")


if __name__ == "__main__":
    sys.exit(main())
