#!/usr/bin/env python3
"""CPU and SQL statements per voice capture (`POST /api/v1/voices`), in-process.

A benchmark, not a test. Where `bench/voices_capture.py` measures the whole server under
load, this one runs the captures in one process through Django's test client (full
middleware stack, django-ninja, the real view) against PostgreSQL, one at a time, and
reports per capture:

- the CPU time of this process (`time.process_time()`: Django, ORM, ninja, client);
- the CPU time of the PostgreSQL backend serving the connection (from /proc);
- the number of SQL statements (transaction control included), counted with
  `connection.execute_wrapper` (cheap: no DEBUG query log);
- with --steps, the inclusive CPU time of the main steps (token lookup, territory,
  grants, routing, capture, notification fan-out, idempotency), measured by wrapping
  those functions (the wrappers themselves cost a few µs each).

The bodies are those of bench/voices_capture.py (same mix: half routed, 40 % with a
commune, 30 % with a contact, 20 % with a profile), each with its own Idempotency-Key.

    python3 bench/voices_capture_profile.py --setup      # (re)create cocon_profile, demo
    python3 bench/voices_capture_profile.py -n 500 --steps
    python3 bench/voices_capture_profile.py -n 300 --sql  # print one capture's statements

Needs PostgreSQL reachable with --database-url (trust auth on 127.0.0.1) and the
project's venv (run it with .venv/bin/python or python3: it re-executes itself in the
venv). The database is kept between runs (--setup recreates it).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV_PY = REPO / ".venv" / "bin" / "python"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cocon_profile"
DATA_DIR = Path("/tmp/cocon-profile-data")
TICK = os.sysconf("SC_CLK_TCK")


def setup_database(url: str) -> None:
    sys.path.insert(0, str(HERE))
    from home_latency import pg_dbname, psql

    name = pg_dbname(url)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(COCON_DATA_DIR=str(DATA_DIR), DATABASE_URL=url)
    psql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(url, f'CREATE DATABASE "{name}"')
    # this checkout's cocon (REPO first on the path), with the running interpreter
    env["PYTHONPATH"] = str(REPO)
    cocon = [sys.executable, "-c", "import sys; from cocon.cli import main; sys.exit(main())"]
    for args in (["migrate", "--no-input"], ["demo", "load"]):
        t0 = time.perf_counter()
        subprocess.run(
            [*cocon, *args], env=env, cwd=DATA_DIR, check=True, stdout=subprocess.DEVNULL
        )
        print(f"  {' '.join(args):<24} {time.perf_counter() - t0:6.1f} s")


def backend_cpu(pid: int) -> float:
    raw = Path(f"/proc/{pid}/stat").read_text()
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICK


class StatementCounter:
    """A `connection.execute_wrapper` counting SQL statements (keeping them if `keep`)."""

    def __init__(self, keep: bool = False):
        self.count = 0
        self.keep = keep
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        if self.keep:
            self.statements.append(sql)
        return execute(sql, params, many, context)


class Steps:
    """Inclusive CPU time of wrapped functions (outermost call only per name)."""

    def __init__(self):
        self.total: dict[str, float] = {}
        self.active: set[str] = set()

    def timed(self, fn, label: str):
        """`fn`, adding its CPU time to `label` (not twice when it calls itself)."""

        def timed_fn(*args, **kwargs):
            if label in self.active:
                return fn(*args, **kwargs)
            self.active.add(label)
            t0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.total[label] = self.total.get(label, 0.0) + time.process_time() - t0
                self.active.discard(label)

        return timed_fn

    def wrap(self, owner, attr: str, label: str) -> None:
        fn = getattr(owner, attr)
        wrapper = self.timed(fn, label)
        inner = getattr(fn, "__wrapped__", None)
        # e.g. @transaction.atomic: callers may use __wrapped__
        wrapper.__wrapped__ = self.timed(inner, label) if inner is not None else fn
        setattr(owner, attr, wrapper)


def install_steps() -> Steps:
    import cocon.api.auth as auth
    import cocon.api.idempotency as idem
    import cocon.voices.api as vapi
    import cocon.voices.services as vs
    from cocon.accounts.grants import Grants
    from cocon.core import history, notifications
    from cocon.territory import selectors as ts

    steps = Steps()
    steps.wrap(auth, "authenticate_bearer", "token lookup (authenticate_bearer)")
    steps.wrap(ts, "current_territory_or_404", "current_territory_or_404()")
    steps.wrap(Grants, "for_user", "grants (Grants.for_user)")
    steps.wrap(vs, "suggest_route", "routing (suggest_route)")
    steps.wrap(vs, "voice_capture", "voice_capture (all)")
    steps.wrap(vs, "suggest_theme", "  suggest_theme")
    steps.wrap(vs, "_due_dates", "  _due_dates")
    steps.wrap(vs, "validate_capture", "  validate_capture")
    steps.wrap(history, "record", "  history.record")
    steps.wrap(vs, "_notify_new", "  _notify_new (staff fan-out)")
    steps.wrap(notifications, "notify", "    notify()")
    steps.wrap(vs, "service_staff", "    service_staff()")
    steps.wrap(idem, "run_once", "run_once (idempotency + create)")
    steps.wrap(vapi, "out", "response body (out)")
    # voices.api imported these names directly
    vapi.run_once = idem.run_once
    return steps


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=DEFAULT_DB)
    ap.add_argument("--setup", action="store_true", help="(re)create the database and demo")
    ap.add_argument("-n", type=int, default=300, help="timed captures (default 300)")
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=3, help="timed rounds; best is reported")
    ap.add_argument("--steps", action="store_true", help="CPU per step (wrapped functions)")
    ap.add_argument("--sql", action="store_true", help="print the statements of one capture")
    ap.add_argument("--replays", type=int, default=50, help="timed replays of a known key")
    args = ap.parse_args()

    # to compare with another checkout (e.g. `git archive HEAD | tar -x -C /tmp/head`),
    # run that copy of this script with this venv's python and its own --database-url
    if Path(sys.prefix).resolve() != (REPO / ".venv").resolve() and VENV_PY.exists():
        os.execv(str(VENV_PY), [str(VENV_PY), __file__, *sys.argv[1:]])
    if args.setup:
        setup_database(args.database_url)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.pop("DEBUG", None)
    os.environ.setdefault("COCON_DATA_DIR", str(DATA_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cocon.settings")
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(HERE))
    import logging

    import django

    django.setup()
    devnull = open(os.devnull, "w")  # noqa: SIM115 - the log lines are formatted, not shown
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)
    import json

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from voices_capture import SETUP, make_body

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(SETUP, {})  # routing rules if missing, a token for the front-desk agent
    setup = json.loads(
        next(ln for ln in out.getvalue().splitlines() if ln.startswith("SETUP "))[6:]
    )
    print(f"outbox mode: {settings.OUTBOX_MODE}; database: {connection.vendor}")

    steps = install_steps() if args.steps else None
    counter = StatementCounter(keep=args.sql)
    statements = counter.statements

    client = Client(HTTP_HOST="127.0.0.1")
    auth = f"Bearer {setup['token']}"
    rng = random.Random(42)
    n_body = [0]

    def one(key: str | None = None, body: dict | None = None):
        n_body[0] += 1
        body = body or make_body(rng, n_body[0], setup)
        key = key or f"profile-{uuid.uuid4().hex}"
        response = client.post(
            "/api/v1/voices",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=auth,
            HTTP_IDEMPOTENCY_KEY=key,
        )
        if response.status_code != 201:
            raise SystemExit(f"{response.status_code}: {response.content[:500]!r}")
        return key, body

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_backend_pid()" if connection.vendor == "postgresql" else "SELECT 0"
        )
        backend = cursor.fetchone()[0]
    for _ in range(args.warmup):
        one()

    rounds = []
    for _r in range(args.repeat):
        if steps:
            steps.total.clear()
        counter.count = 0
        pg0 = backend_cpu(backend) if backend else 0.0
        t0 = time.process_time()
        w0 = time.perf_counter()
        with connection.execute_wrapper(counter):
            for _ in range(args.n):
                one()
        cpu = time.process_time() - t0
        wall = time.perf_counter() - w0
        pg = (backend_cpu(backend) - pg0) if backend else 0.0
        rounds.append(
            {
                "cpu_ms": cpu * 1000 / args.n,
                "pg_ms": pg * 1000 / args.n,
                "wall_ms": wall * 1000 / args.n,
                "statements": counter.count / args.n,
                "steps": dict(steps.total) if steps else {},
            }
        )
        print(
            f"round: {rounds[-1]['cpu_ms']:.2f} ms CPU (Python), {rounds[-1]['pg_ms']:.2f} ms "
            f"PostgreSQL backend, {rounds[-1]['wall_ms']:.2f} ms wall, "
            f"{rounds[-1]['statements']:.2f} statements per capture"
        )
    best = min(rounds, key=lambda r: r["cpu_ms"])
    print()
    print(
        f"## {args.n} captures × {args.repeat} rounds: best round "
        f"{best['cpu_ms']:.2f} ms Python CPU + {best['pg_ms']:.2f} ms PostgreSQL CPU per capture, "
        f"{best['statements']:.2f} statements (median of rounds "
        f"{statistics.median(r['cpu_ms'] for r in rounds):.2f} ms)"
    )
    if steps:
        print()
        print("| Step (inclusive) | CPU ms per capture |")
        print("| --- | --- |")
        for label, seconds in best["steps"].items():
            print(f"| {label} | {seconds * 1000 / args.n:.2f} |")

    # replays of one key (a client retrying after a lost answer)
    key, body = one()
    counter.count = 0
    t0 = time.process_time()
    with connection.execute_wrapper(counter):
        for _ in range(args.replays):
            client.post(
                "/api/v1/voices",
                data=json.dumps(body),
                content_type="application/json",
                HTTP_AUTHORIZATION=auth,
                HTTP_IDEMPOTENCY_KEY=key,
            )
    print(
        f"\nreplays: {(time.process_time() - t0) * 1000 / args.replays:.2f} ms CPU, "
        f"{counter.count / args.replays:.2f} statements each"
    )

    if args.sql:
        statements.clear()
        with connection.execute_wrapper(counter):
            body = make_body(rng, 1, setup)
            body.pop("service", None)
            body["organization"] = "agglo-val-de-lise"
            body["contact"] = {"email": "x@exemple.fr", "consent": True}
            one(body=body)
        print("\n## Statements of one routed capture with a contact")
        for i, sql in enumerate(statements, 1):
            print(f"{i:2}. {sql[:220]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
