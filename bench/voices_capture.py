#!/usr/bin/env python3
"""Sustained voice captures per second through the API (`POST /api/v1/voices`) under the
production server (`cocon serve`) and PostgreSQL, with Idempotency-Key retries.

A benchmark, not a test. It:

1. (re)creates a dedicated PostgreSQL database with psql (dropped at the end unless
   --keep-db), then runs `cocon migrate` and `cocon demo load` (the demo territory,
   with its themes, routing rules and a few thousand voices; on an older demo without
   routing rules it adds two themes and three rules to the agglomeration), plus
   an API token (scope voices:write) for the demo's front-desk agent
   (agent@demo.cocon.test), who relays voices for any service;
2. starts `cocon serve --no-collectstatic` on a free localhost port, by default with
   2 workers × 4 threads (serve's default on 2 cores): one worker per core, since the
   GIL keeps a worker's Python to one core, and a few threads to cover the time each
   request waits for PostgreSQL. On this 2-core machine 4 × 2, 3 × 4 and 2 × 2 gave
   the same throughput within noise, 2 × 8 less (docs/benchmarks.md);
3. drives it for --duration seconds (after --warmup seconds) from --clients threads,
   each with its own keep-alive `http.client` connection. Every request carries a new
   unique Idempotency-Key; after --retry-fraction of the answers the client sends the
   same key and body again (a retry after a lost answer), and for --race-fraction of
   the requests it sends the same key and body on a second connection *before* reading
   the first answer (two copies in flight at once);
4. checks: no answer other than 201, every replay came back with the first answer's id
   and `Idempotent-Replayed: true`, and the database holds exactly one voice per
   distinct key (no voice lost, none duplicated);
5. prints requests/s, distinct voices/s, latency p50/p95/p99 (ms) of first sends and of
   replays, the CPU time spent per request during the timed window by the server's
   processes, PostgreSQL, the client and the whole machine (from /proc: it tells
   whether the machine was saturated, and by whom), the machine facts and a Markdown
   table row.

Only loopback traffic; every loop is bounded by --duration and a per-request timeout;
the server's process group is stopped at the end.

With --batch N the requests go to `POST /api/v1/voices/batch`, N voices each, every
item with its own `idempotency_key` (fixed when the body is built, so a retried or
duplicated request carries the same keys): voices/s is then N × distinct requests/s,
and the checks become "every item 201, the same references for every copy of a
request, N voices in the database per distinct request".

    python3 bench/voices_capture.py
    python3 bench/voices_capture.py --duration 60 --clients 16 --workers 4 --threads 2
    python3 bench/voices_capture.py --batch 20 --clients 4
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import capture_driver as driver  # the HTTP load driver shared with reports_capture.py
from common import add_args, bench_env, checked_cocon, print_machine
from home_latency import pg_dbname

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cocon_bench"
AGENT = "agent@demo.cocon.test"
AGGLO = "agglo-val-de-lise"

# Run inside `cocon shell`: routing for the agglomeration, a token, ids for the bodies.
SETUP = f"""
import json
from cocon.accounts.models import User
from cocon.api.models import ApiToken
from cocon.territory.models import Commune, Organization, Service
from cocon.voices.models import RoutingRule, Theme
org = Organization.objects.get(slug={AGGLO!r})
services = list(Service.objects.filter(organization=org, is_public=True).order_by("pk"))
water = next(s for s in services if "eau" in s.slug)
waste = next((s for s in services if "dechet" in s.slug), services[-1])
territory = org.territory
if not RoutingRule.objects.filter(organization=org).exists():  # older demos had no routing
    t_water, _ = Theme.objects.get_or_create(territory=territory, slug="eau", defaults=dict(
        name="Eau", keywords="eau, fuite, robinet, facture d'eau, assainissement"))
    t_waste, _ = Theme.objects.get_or_create(territory=territory, slug="dechets", defaults=dict(
        name="Déchets", keywords="poubelle, ordures, collecte, encombrants, déchetterie"))
    RoutingRule.objects.create(organization=org, theme=t_water, service=water)
    RoutingRule.objects.create(organization=org, theme=t_waste, service=waste)
    RoutingRule.objects.create(organization=org, service=services[0])
token, raw = ApiToken.issue(user=User.objects.get(email={AGENT!r}), scopes=["voices:write"],
    name="bench")
print("SETUP " + json.dumps({{
    "token": raw,
    "services": [s.pk for s in services],
    "communes": list(
        Commune.objects.filter(territory=territory).values_list("insee_code", flat=True)[:20]
    ),
}}))
"""

TEXTS = [
    "Fuite d'eau devant le numéro {n}, l'eau coule sur le trottoir depuis ce matin.",
    "La poubelle jaune n'a pas été collectée cette semaine, rue {n}.",
    "Merci à l'équipe de l'accueil pour son aide sur mon dossier ({n}).",
    "Pourquoi la facture d'eau a-t-elle doublé ? Je ne comprends pas le calcul ({n}).",
    "Des encombrants sont déposés chaque soir au coin de la place ({n}).",
    "Les horaires d'ouverture ne conviennent pas aux personnes qui travaillent ({n}).",
    "Une personne âgée ne sait pas comment prendre rendez-vous en ligne ({n}).",
]
KINDS = ["complaint", "suggestion", "question", "alert", "testimony", "thanks"]
CHANNELS = ["counter", "phone", "mail", "field_walk", "bus", "workshop"]


def make_body(rng: random.Random, n: int, setup: dict) -> dict:
    body: dict = {
        "kind": rng.choice(KINDS),
        "text": rng.choice(TEXTS).format(n=n) + f" [{uuid.uuid4().hex[:8]}]",
        "channel": rng.choice(CHANNELS),
        "capture_mode": "relayed",
    }
    if rng.random() < 0.5:
        body["service"] = rng.choice(setup["services"])
    else:
        body["organization"] = AGGLO  # routed from the text
    if rng.random() < 0.4 and setup["communes"]:
        body["commune"] = rng.choice(setup["communes"])
    if rng.random() < 0.3:
        body["contact"] = {"email": f"personne{n}@exemple.fr", "consent": True}
    if rng.random() < 0.2:
        body["profile"] = {
            "age_band": "30-44",
            "sex": rng.choice("FM"),
            "occupation": "employee",
            "consent": True,
        }
    return body


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_args(ap, DEFAULT_DB, in_process=False)
    driver.add_load_args(ap)
    ap.add_argument("--target", type=float, default=200.0, help="voices/s to reach (200)")
    ap.add_argument("--keep-db", action="store_true", help="do not drop the database")
    ap.add_argument(
        "--batch", type=int, default=0, help="voices per request to /api/v1/voices/batch"
    )
    args = ap.parse_args()

    cocon = checked_cocon(args)
    url = args.database_url
    data_dir = Path(tempfile.mkdtemp(prefix="cocon-bench-capture-"))
    env = bench_env(url, data_dir)
    facts, load_before = print_machine(cocon.parent / "python", url)
    print(f"## Setup (PostgreSQL database {pg_dbname(url)}, COCON_DATA_DIR={data_dir})")

    def prepare(log) -> dict:
        setup = driver.shell_json(cocon, SETUP, env, data_dir)
        print(
            f"  routing rules and token for {AGENT}: {len(setup['services'])} services, "
            f"{len(setup['communes'])} communes"
        )
        # the demo's own voices are not the run's
        setup["before"] = int(
            driver.psql_value(url, "SELECT coalesce(max(id), 0) FROM voices_voice")
        )
        return setup

    def batch_body(rng: random.Random, n: int, setup: dict) -> bytes:
        items = []
        for i in range(args.batch):
            item = make_body(rng, n * args.batch + i, setup)
            item["idempotency_key"] = uuid.uuid4().hex  # fixed in the body: retries resend it
            items.append(item)
        return json.dumps({"items": items}).encode()

    def batch_refs(raw: bytes) -> str:
        results = json.loads(raw)["results"]
        # a failed item leaves a mark that matches nothing in the database
        return ",".join(r["voice"]["id"] if r["status"] == 201 else "!failed" for r in results)

    def load_for(setup: dict) -> dict:
        if args.batch:
            return {
                "path": "/api/v1/voices/batch",
                "headers": {
                    "Authorization": f"Bearer {setup['token']}",
                    "Content-Type": "application/json",
                },
                "build": lambda rng, n: batch_body(rng, n, setup),
                "read_ref": batch_refs,
                "created": (200,),
            }
        return {
            "path": "/api/v1/voices",
            "headers": {
                "Authorization": f"Bearer {setup['token']}",
                "Content-Type": "application/json",
            },
            "build": lambda rng, n: json.dumps(make_body(rng, n, setup)).encode(),
            "read_ref": lambda raw: json.loads(raw)["id"],
            "created": (201,),
        }

    def collect(setup: dict) -> dict:
        return {
            "refs": driver.psql_value(
                url, f"SELECT reference FROM voices_voice WHERE id > {setup['before']}"
            ).split(),
            "keys": int(driver.psql_value(url, "SELECT count(*) FROM api_idempotencykey")),
        }

    run = driver.session(
        args,
        cocon,
        env,
        data_dir,
        "bench-voices-capture.log",
        create_db=True,
        prepare=prepare,
        load_for=load_for,
        collect=collect,
    )
    if run is None:
        return 1
    load, window, _setup, db = run
    if args.batch:
        return _batch_results(args, load, window, db, facts, load_before)
    check = driver.verify(load.outcomes, db["refs"], "voices")
    check["idempotency_keys_in_db"] = db["keys"]
    # a repeated key whose later answers are not all flagged as replayed
    by_key: dict[str, list[driver.Outcome]] = {}
    for o in load.outcomes:
        by_key.setdefault(o.key, []).append(o)
    check["repeats_not_flagged_replayed"] = sum(
        1
        for answers in by_key.values()
        if len(answers) > 1 and sum(o.replayed for o in answers) != len(answers) - 1
    )
    results = driver.summary(load, args, window, check, facts, load_before)
    results["per_s"] = results["voices_per_s"] = results["keys_timed"] / args.duration
    driver.print_summary(results, load, "distinct voices/s", "replays")
    print()
    print(
        "| Workers × threads | Clients | Seconds | req/s | voices/s | p50 (ms) | p95 (ms) "
        "| p99 (ms) | replay p50 (ms) | errors | voices in DB = keys |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    consistent = (
        check["voices_in_db"] == check["distinct_keys"] == check["idempotency_keys_in_db"]
        and check["keys_with_two_refs"] == 0
        and check["refs_returned_missing_in_db"] == 0
        and check["voices_in_db_never_returned"] == 0
        and check["repeats_not_flagged_replayed"] == 0
    )
    print(
        f"| {args.workers} × {args.threads} | {args.clients} | {args.duration:g} "
        f"| {results['req_per_s']:.1f} | {results['voices_per_s']:.1f} "
        f"| {results['first_p50_ms']:.1f} | {results['first_p95_ms']:.1f} "
        f"| {results['first_p99_ms']:.1f} | {results['repeat_p50_ms']:.1f} "
        f"| {check['failed']} | {'yes' if consistent else 'NO'} "
        f"({check['voices_in_db']} = {check['distinct_keys']}) |"
    )
    return driver.finish(args, results, not check["failed"] and consistent, "voices")


def _batch_results(args, load, window, db, facts, load_before) -> int:
    """Checks and figures of a --batch run: each request's answer lists N references."""
    check = driver.verify(load.outcomes, [], "voices", ok=(200,))
    returned = {ref for o in load.outcomes if o.ref for ref in o.ref.split(",")}
    in_db = set(db["refs"])
    check.update(
        {
            "voices_in_db": len(in_db),
            "expected_voices": check["distinct_keys"] * args.batch,
            "items_failed": len({r for r in returned if r.startswith("!")}),
            "refs_returned_missing_in_db": len(returned - in_db - {"!failed"}),
            "voices_in_db_never_returned": len(in_db - returned),
            "idempotency_keys_in_db": db["keys"],
        }
    )
    results = driver.summary(load, args, window, check, facts, load_before)
    results["per_s"] = results["voices_per_s"] = results["keys_timed"] * args.batch / args.duration
    driver.print_summary(results, load, "distinct voices/s", "repeats")
    consistent = (
        check["voices_in_db"] == check["expected_voices"] == check["idempotency_keys_in_db"]
        and check["keys_with_two_refs"] == 0
        and check["refs_returned_missing_in_db"] == 0
        and check["voices_in_db_never_returned"] == 0
        and check["items_failed"] == 0
    )
    print()
    print(
        "| Workers × threads | Clients | Batch | Seconds | req/s | voices/s | p50 (ms) "
        "| p95 (ms) | p99 (ms) | errors | voices in DB = keys × batch |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| {args.workers} × {args.threads} | {args.clients} | {args.batch} "
        f"| {args.duration:g} | {results['req_per_s']:.1f} | {results['voices_per_s']:.1f} "
        f"| {results['first_p50_ms']:.1f} | {results['first_p95_ms']:.1f} "
        f"| {results['first_p99_ms']:.1f} | {check['failed']} | "
        f"{'yes' if consistent else 'NO'} ({check['voices_in_db']} = "
        f"{check['distinct_keys']} × {args.batch}) |"
    )
    return driver.finish(args, results, not check["failed"] and consistent, "voices")


if __name__ == "__main__":
    sys.exit(main())
