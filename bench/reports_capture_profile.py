#!/usr/bin/env python3
"""CPU and SQL statements per Open311 POST (`POST /open311/v2/requests.json`), in-process.

A benchmark, not a test: the counterpart of `bench/voices_capture_profile.py` for
Signalements. Where `bench/reports_capture.py` measures the production server under load,
this one sends the same bodies (`reports_capture.make_body`, each with its own
Idempotency-Key) one at a time through Django's test client (whole middleware stack, the
real view) to a PostgreSQL database kept by `bench/reports_data.py`, and reports per POST
the CPU time of this process, the CPU time of the PostgreSQL backend (from /proc) and the
number of SQL statements. With --profile, the functions taking the most CPU (cProfile,
cumulative); with --sql, the statements of one POST.

    python3 bench/reports_data.py                        # once: cocon_bench_reports
    python3 bench/reports_capture_profile.py -n 300
    python3 bench/reports_capture_profile.py -n 300 --profile 40
    python3 bench/reports_capture_profile.py -n 50 --sql
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV_PY = REPO / ".venv" / "bin" / "python"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cocon_bench_reports"
DATA_DIR = Path("/tmp/cocon-profile-data")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=DEFAULT_DB)
    ap.add_argument("-n", type=int, default=300, help="timed POSTs per round (default 300)")
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=3, help="timed rounds; best is reported")
    ap.add_argument("--profile", type=int, metavar="N", help="print the N costliest functions")
    ap.add_argument("--sql", action="store_true", help="print the statements of one POST")
    args = ap.parse_args()

    if Path(sys.prefix).resolve() != (REPO / ".venv").resolve() and VENV_PY.exists():
        os.execv(str(VENV_PY), [str(VENV_PY), __file__, *sys.argv[1:]])
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.pop("DEBUG", None)
    os.environ.setdefault("COCON_DATA_DIR", str(DATA_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cocon.settings")
    os.environ.update(COCON_OPEN311_RATE_PER_IP="10000000", COCON_OPEN311_RATE_PER_KEY="10000000")
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(HERE))
    import logging

    import django

    django.setup()
    devnull = open(os.devnull, "w")  # noqa: SIM115 - log lines are formatted, not shown
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from reports_capture import PATH, SETUP, make_body
    from voices_capture_profile import StatementCounter, backend_cpu

    from cocon.reports.models import Open311Client
    from cocon.territory.models import Territory

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(SETUP, {})
    setup = json.loads(
        next(ln for ln in out.getvalue().splitlines() if ln.startswith("SETUP "))[6:]
    )
    territory = Territory.objects.get(slug="val-de-lise")
    _client, api_key = Open311Client.issue(territory=territory, name="bench profile")
    print(f"outbox mode: {settings.OUTBOX_MODE}; database: {connection.vendor}")

    counter = StatementCounter(keep=args.sql)

    client = Client(HTTP_HOST="127.0.0.1")
    rng = random.Random(42)
    n_body = [0]

    def one() -> None:
        n_body[0] += 1
        body = make_body(rng, n_body[0], setup, api_key)
        response = client.post(PATH, data=body, HTTP_IDEMPOTENCY_KEY=f"p-{uuid.uuid4().hex}")
        if response.status_code != 200:
            raise SystemExit(f"{response.status_code}: {response.content[:500]!r}")

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    for _ in range(args.warmup):
        one()
    if args.sql:
        with connection.execute_wrapper(counter):
            one()
        for i, sql in enumerate(counter.statements, 1):
            print(f"{i:3}. {sql[:300]}")
        return 0

    rounds = []
    for _r in range(args.repeat):
        counter.count = 0
        pg0 = backend_cpu(backend)
        t0 = time.process_time()
        with connection.execute_wrapper(counter):
            for _ in range(args.n):
                one()
        cpu = time.process_time() - t0
        pg = backend_cpu(backend) - pg0
        rounds.append((cpu * 1000 / args.n, pg * 1000 / args.n, counter.count / args.n))
        print(
            f"round: {rounds[-1][0]:.2f} ms CPU (Python), {rounds[-1][1]:.2f} ms PostgreSQL, "
            f"{rounds[-1][2]:.2f} statements per POST"
        )
    best = min(rounds)
    print(
        f"## {args.n} POSTs × {args.repeat} rounds: best {best[0]:.2f} ms Python + "
        f"{best[1]:.2f} ms PostgreSQL CPU per POST, {best[2]:.2f} statements "
        f"(median Python {statistics.median(r[0] for r in rounds):.2f} ms)"
    )
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.n):
            one()
        profiler.disable()
        only = os.environ.get("PROFILE_FILTER", "")  # e.g. "cocon": Cocon's own functions
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(only, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
