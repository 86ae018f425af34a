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

    python3 bench/voices_capture.py
    python3 bench/voices_capture.py --duration 60 --clients 16 --workers 4 --threads 2
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from home_latency import (  # shared helpers of the bench scripts
    HOST,
    REPO,
    free_port,
    get,
    is_postgres,
    loadavg,
    machine_facts,
    percentile,
    pg_dbname,
    psql,
    stop,
    timed,
)

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


# --- CPU accounting -------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _proc_stats():
    """(pid, process group, command, CPU seconds) of every process we may read."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        yield int(entry.name), int(fields[2]), comm, (int(fields[11]) + int(fields[12])) / TICK


def cpu_snapshot(server_pgid: int) -> dict[str, float]:
    """CPU seconds used so far by the server (its process group), PostgreSQL, this
    client, and the whole machine (busy time of all cores)."""
    server = postgres = 0.0
    for _pid, pgrp, comm, seconds in _proc_stats():
        if pgrp == server_pgid:
            server += seconds
        elif comm == "postgres" or comm.startswith("postgres:"):
            postgres += seconds
    first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(x) for x in first]
    busy = (sum(ticks[:8]) - ticks[3] - ticks[4]) / TICK  # minus idle and iowait
    return {
        "server": server,
        "postgres": postgres,
        "client": time.process_time(),
        "machine": busy,
    }


# --- load ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    key: str
    status: int
    voice_id: str | None
    replayed: bool
    ms: float
    kind: str  # "first", "retry" (after the answer) or "race" (in flight at once)
    timed: bool


@dataclass
class Shared:
    port: int
    token: str
    setup: dict
    warm_until: float
    stop_at: float
    retry_fraction: float
    race_fraction: float
    outcomes: list[Outcome] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _conn(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(HOST, port, timeout=30)


def _send(conn, token: str, key: str, payload: bytes) -> None:
    conn.request(
        "POST",
        "/api/v1/voices",
        body=payload,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
    )


ERROR_BODIES: dict[str, int] = {}  # first error bodies, to show what went wrong


def _read(conn) -> tuple[int, str | None, bool]:
    resp = conn.getresponse()
    raw = resp.read()
    voice_id = None
    if resp.status == 201:
        voice_id = json.loads(raw)["id"]
    elif len(ERROR_BODIES) < 20:
        text = f"{resp.status} {raw[:300].decode(errors='replace')}"
        ERROR_BODIES[text] = ERROR_BODIES.get(text, 0) + 1
    return resp.status, voice_id, resp.getheader("Idempotent-Replayed") == "true"


def client(shared: Shared, index: int) -> None:
    rng = random.Random(index)
    conns = [_conn(shared.port), _conn(shared.port)]  # the second only for duplicates
    n = 0
    local: list[Outcome] = []
    errors: list[str] = []

    def exchange(c: int, key: str, payload: bytes, kind: str, timed_: bool) -> None:
        """Send and read one request; on a broken connection reconnect and send the
        same key again (what a real client with an Idempotency-Key does)."""
        for attempt in range(3):
            t0 = time.perf_counter()
            try:
                _send(conns[c], shared.token, key, payload)
                status, voice_id, replayed = _read(conns[c])
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{key} attempt {attempt}: {exc!r}")
                conns[c].close()
                conns[c] = _conn(shared.port)
                continue
            ms = (time.perf_counter() - t0) * 1000
            local.append(Outcome(key, status, voice_id, replayed, ms, kind, timed_))
            return
        local.append(Outcome(key, 0, None, False, 0.0, kind, timed_))

    try:
        while True:
            now = time.monotonic()
            if now >= shared.stop_at:
                break
            timed_ = now >= shared.warm_until
            n += 1
            key = f"bench-{index}-{n}-{uuid.uuid4().hex[:12]}"
            payload = json.dumps(make_body(rng, index * 1_000_000 + n, shared.setup)).encode()
            if rng.random() < shared.race_fraction:
                # two copies in flight before either answer is read; the second
                # connection is new each time (an idle one is closed by gunicorn's
                # keep-alive timeout, 2 s)
                conns[1].close()
                conns[1] = _conn(shared.port)
                t0 = time.perf_counter()
                try:
                    _send(conns[0], shared.token, key, payload)
                    _send(conns[1], shared.token, key, payload)
                    first = _read(conns[0])
                    ms0 = (time.perf_counter() - t0) * 1000
                    second = _read(conns[1])
                    ms1 = (time.perf_counter() - t0) * 1000
                except (OSError, http.client.HTTPException) as exc:
                    errors.append(f"{key} race: {exc!r}")
                    for c in (0, 1):
                        conns[c].close()
                        conns[c] = _conn(shared.port)
                    exchange(0, key, payload, "retry", timed_)  # settle the key
                    continue
                local.append(Outcome(key, first[0], first[1], first[2], ms0, "first", timed_))
                local.append(Outcome(key, second[0], second[1], second[2], ms1, "race", timed_))
                continue
            exchange(0, key, payload, "first", timed_)
            if rng.random() < shared.retry_fraction:
                exchange(0, key, payload, "retry", timed_)
    finally:
        for c in conns:
            c.close()
        with shared.lock:
            shared.outcomes.extend(local)
            shared.transport_errors.extend(errors)


def verify(outcomes: list[Outcome], db_refs: list[str], db_keys: int) -> dict:
    by_key: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_key.setdefault(o.key, []).append(o)
    non_2xx = [o for o in outcomes if not 200 <= o.status < 300]
    inconsistent = []  # a key answered with two different ids
    bad_replay_flag = []  # a repeated key whose second answer is not flagged as replayed
    for key, answers in by_key.items():
        ids = {o.voice_id for o in answers if o.voice_id}
        if len(ids) > 1:
            inconsistent.append(key)
        if len(answers) > 1 and sum(1 for o in answers if o.replayed) != len(answers) - 1:
            bad_replay_flag.append(key)
    ids_returned = {o.voice_id for o in outcomes if o.voice_id}
    db = set(db_refs)
    return {
        "requests": len(outcomes),
        "distinct_keys": len(by_key),
        "repeated_keys": sum(1 for a in by_key.values() if len(a) > 1),
        "non_2xx": len(non_2xx),
        "non_2xx_statuses": sorted({o.status for o in non_2xx}),
        "keys_with_two_ids": len(inconsistent),
        "repeats_not_flagged_replayed": len(bad_replay_flag),
        "voices_in_db": len(db_refs),  # created during the run (demo voices excluded)
        "idempotency_keys_in_db": db_keys,
        "ids_returned_missing_in_db": len(ids_returned - db),
        "voices_in_db_never_returned": len(db - ids_returned),
    }


def psql_value(url: str, sql: str) -> str:
    return subprocess.run(
        ["psql", url, "-Atc", sql], check=True, capture_output=True, text=True
    ).stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=DEFAULT_DB, help=f"default {DEFAULT_DB}")
    ap.add_argument("--duration", type=float, default=30.0, help="timed seconds (default 30)")
    ap.add_argument("--warmup", type=float, default=3.0, help="untimed seconds first (default 3)")
    ap.add_argument("--clients", type=int, default=12, help="client threads (default 12)")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    ap.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    ap.add_argument("--retry-fraction", type=float, default=0.10, help="default 0.10")
    ap.add_argument("--race-fraction", type=float, default=0.02, help="default 0.02")
    ap.add_argument("--target", type=float, default=200.0, help="voices/s to reach (200)")
    ap.add_argument(
        "--cocon",
        default=str(REPO / ".venv" / "bin" / "cocon"),
        help="cocon executable of the venv to run (default: this checkout's .venv)",
    )
    ap.add_argument("--keep-db", action="store_true", help="do not drop the database")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args()

    if not is_postgres(args.database_url):
        sys.exit("this benchmark needs PostgreSQL (--database-url postgres://…)")
    if not shutil.which("psql"):
        sys.exit("psql not found")
    cocon = Path(args.cocon).absolute()
    if not cocon.exists():
        sys.exit(f"{cocon} not found: run `make install` first (or pass --cocon)")
    name = pg_dbname(args.database_url)
    data_dir = Path(tempfile.mkdtemp(prefix="cocon-bench-capture-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(COCON_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", DATABASE_URL=args.database_url)

    print("## Machine")
    facts = machine_facts(cocon.parent / "python", args.database_url)
    for k, v in facts.items():
        print(f"- {k}: {v}")
    print(f"- Date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    load_before = loadavg()
    print(f"- Load average before (1/5/15 min): {load_before}")
    print()
    print(f"## Setup (PostgreSQL database {name}, COCON_DATA_DIR={data_dir})")

    log_path = data_dir / "bench-voices-capture.log"
    server = None
    created_db = False
    ok = False
    try:
        with open(log_path, "w") as log:
            psql(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            psql(args.database_url, f'CREATE DATABASE "{name}"')
            created_db = True
            timed("cocon migrate", [str(cocon), "migrate", "--no-input"], env, log)
            timed("cocon demo load", [str(cocon), "demo", "load"], env, log)
            out = subprocess.run(
                [str(cocon), "shell", "-c", SETUP],
                env=env,
                cwd=data_dir,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            setup = json.loads(next(ln for ln in out.splitlines() if ln.startswith("SETUP "))[6:])
            print(
                f"  routing rules and token for {AGENT}: {len(setup['services'])} services, "
                f"{len(setup['communes'])} communes"
            )

            before = int(
                psql_value(args.database_url, "SELECT coalesce(max(id), 0) FROM voices_voice")
            )  # the demo's own voices are not the run's
            port = free_port()
            cmd = [
                str(cocon),
                "serve",
                "--host",
                HOST,
                "--port",
                str(port),
                "--no-collectstatic",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
            ]
            log.write(f"\n$ {' '.join(cmd)}\n")
            log.flush()
            server = subprocess.Popen(
                cmd,
                env=env,
                cwd=data_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"server exited with {server.returncode}; see {log_path}")
                try:
                    if get(port, "/healthz", timeout=5)[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"/healthz not 200 within 60 s; see {log_path}")
                time.sleep(0.1)
            print(f"  command: {' '.join(cmd)}")
            print(
                f"  load: {args.clients} keep-alive clients, {args.warmup:g} s warm-up + "
                f"{args.duration:g} s timed, retries {args.retry_fraction:.0%}, "
                f"concurrent duplicates {args.race_fraction:.0%}"
            )

            start = time.monotonic()
            shared = Shared(
                port=port,
                token=setup["token"],
                setup=setup,
                warm_until=start + args.warmup,
                stop_at=start + args.warmup + args.duration,
                retry_fraction=args.retry_fraction,
                race_fraction=args.race_fraction,
            )
            threads = [
                threading.Thread(target=client, args=(shared, i), daemon=True)
                for i in range(args.clients)
            ]
            for t in threads:
                t.start()
            time.sleep(max(0.0, shared.warm_until - time.monotonic()))
            cpu_start = cpu_snapshot(server.pid)
            time.sleep(max(0.0, shared.stop_at - time.monotonic()))
            cpu_end = cpu_snapshot(server.pid)
            for t in threads:
                t.join(timeout=args.warmup + args.duration + 120)
            load_after = loadavg()
            stop(server)
            server = None

            refs = psql_value(
                args.database_url, f"SELECT reference FROM voices_voice WHERE id > {before}"
            ).split()
            keys = int(psql_value(args.database_url, "SELECT count(*) FROM api_idempotencykey"))
            check = verify(shared.outcomes, refs, keys)
            ok = True
    except (RuntimeError, subprocess.CalledProcessError, OSError, StopIteration) as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr)
        print(f"(data dir kept: {data_dir})", file=sys.stderr)
        with contextlib.suppress(OSError):
            print("\n".join(log_path.read_text().splitlines()[-30:]), file=sys.stderr)
        return 1
    finally:
        if server is not None:
            stop(server)
        if created_db and not args.keep_db:
            try:
                psql(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                print("  dropped the benchmark database")
            except subprocess.CalledProcessError as exc:
                print(f"  could not drop the benchmark database: {exc}", file=sys.stderr)
        if ok:
            shutil.rmtree(data_dir, ignore_errors=True)

    timed_out = [o for o in shared.outcomes if o.timed]
    timed_keys = {o.key for o in timed_out}
    first = sorted(o.ms for o in timed_out if o.kind == "first" and o.status == 201)
    replays = sorted(o.ms for o in timed_out if o.kind != "first" and o.status == 201)
    cpu = {k: cpu_end[k] - cpu_start[k] for k in cpu_start}
    n_timed = max(1, len(timed_out))
    cpu_ms = {k: v * 1000 / n_timed for k, v in cpu.items()}
    results = {
        "cpu_ms_per_request": cpu_ms,
        "workers": args.workers,
        "threads": args.threads,
        "clients": args.clients,
        "duration_s": args.duration,
        "req_per_s": len(timed_out) / args.duration,
        "voices_per_s": len(timed_keys) / args.duration,
        "first_p50_ms": percentile(first, 50),
        "first_p95_ms": percentile(first, 95),
        "first_p99_ms": percentile(first, 99),
        "first_mean_ms": statistics.fmean(first) if first else float("nan"),
        "replay_p50_ms": percentile(replays, 50),
        "replay_p95_ms": percentile(replays, 95),
        "replay_p99_ms": percentile(replays, 99),
        "transport_errors": len(shared.transport_errors),
        "check": check,
        "machine": facts,
        "loadavg_before": load_before,
        "loadavg_after": load_after,
    }
    print()
    print(f"## Results ({args.duration:g} s timed, after {args.warmup:g} s warm-up)")
    print(
        f"  throughput: {results['req_per_s']:.1f} requests/s, "
        f"{results['voices_per_s']:.1f} distinct voices/s"
    )
    print(
        f"  latency of first sends (ms): p50 {results['first_p50_ms']:.1f}  "
        f"p95 {results['first_p95_ms']:.1f}  p99 {results['first_p99_ms']:.1f}  "
        f"mean {results['first_mean_ms']:.1f}  (n={len(first)})"
    )
    print(
        f"  latency of replays (ms):     p50 {results['replay_p50_ms']:.1f}  "
        f"p95 {results['replay_p95_ms']:.1f}  p99 {results['replay_p99_ms']:.1f}  "
        f"(n={len(replays)})"
    )
    print(
        "  CPU per request (ms): server {server:.1f}, PostgreSQL {postgres:.1f}, "
        "this client {client:.1f}, whole machine {machine:.1f} "
        "(2 cores give 2000 ms per second)".format(**cpu_ms)
    )
    print(f"  load average before → after: {load_before} → {load_after}")
    print("  whole run (warm-up included):")
    for k, v in check.items():
        print(f"    {k}: {v}")
    for text, n in list(ERROR_BODIES.items())[:5]:
        print(f"    error answer (×{n} among the first ones): {text}")
    if shared.transport_errors:
        print(f"    transport errors (resent with the same key): {len(shared.transport_errors)}")
        for line in shared.transport_errors[:5]:
            print(f"      {line}")
    print()
    print(
        "| Workers × threads | Clients | Seconds | req/s | voices/s | p50 (ms) | p95 (ms) "
        "| p99 (ms) | replay p50 (ms) | errors | voices in DB = keys |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    consistent = (
        check["voices_in_db"] == check["distinct_keys"] == check["idempotency_keys_in_db"]
        and check["keys_with_two_ids"] == 0
        and check["ids_returned_missing_in_db"] == 0
        and check["voices_in_db_never_returned"] == 0
        and check["repeats_not_flagged_replayed"] == 0
    )
    print(
        f"| {args.workers} × {args.threads} | {args.clients} | {args.duration:g} "
        f"| {results['req_per_s']:.1f} | {results['voices_per_s']:.1f} "
        f"| {results['first_p50_ms']:.1f} | {results['first_p95_ms']:.1f} "
        f"| {results['first_p99_ms']:.1f} | {results['replay_p50_ms']:.1f} "
        f"| {check['non_2xx']} | {'yes' if consistent else 'NO'} "
        f"({check['voices_in_db']} = {check['distinct_keys']}) |"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    status = 0
    if check["non_2xx"] or not consistent:
        print("FAILED: errors or inconsistent idempotency (see above)", file=sys.stderr)
        status = 2
    if results["voices_per_s"] < args.target:
        print(f"below the target of {args.target:g} voices/s", file=sys.stderr)
        status = status or 3
    return status


if __name__ == "__main__":
    sys.exit(main())
