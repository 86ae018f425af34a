#!/usr/bin/env python3
"""Latency of the home page `/` under the production server (`cocon serve`).

A benchmark, not a test. It:

1. prepares the target database itself: for PostgreSQL it (re)creates a dedicated
   database with psql (and drops it at the end unless --keep-db); then runs
   `cocon migrate`, `cocon demo load` and `cocon collectstatic --no-input`;
2. starts `cocon serve --no-collectstatic` on a free localhost port;
3. waits for `/healthz` to answer 200;
4. sends N warm-up requests, then N timed sequential GET `/` from one client
   (http.client, one new connection per request: no keep-alive);
5. prints p50, p95, p99, mean, min, max (ms), requests/s and a Markdown table row;
6. stops the server (SIGTERM to its process group, SIGKILL after a grace period).

Only loopback traffic; the request loop is bounded by --requests and a per-request
timeout. Needs a Cocon venv (`make install`) and, for PostgreSQL, `psql` and a server
reachable with the credentials of --database-url (e.g. trust auth on 127.0.0.1).

    python3 bench/home_latency.py                       # SQLite in a temp data dir
    python3 bench/home_latency.py --database-url postgres://postgres@127.0.0.1:5432/cocon_bench
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


# --- machine facts ------------------------------------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.lower().startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def ram_gib() -> str:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            kib = int(line.split()[1])
            return f"{kib / 1024 / 1024:.1f} GiB"
    return "unknown"


def os_name() -> str:
    for line in _read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip().strip('"')
    return platform.platform()


def loadavg() -> str:
    return " ".join(_read("/proc/loadavg").split()[:3]) or "unknown"


def run_out(cmd: list[str], **kw) -> str:
    try:
        return subprocess.run(
            cmd, capture_output=True, text=True, check=True, timeout=30, **kw
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return f"unavailable ({exc.__class__.__name__})"


def machine_facts(venv_python: Path, database_url: str | None) -> dict[str, str]:
    facts = {
        "CPU": cpu_model(),
        "Cores (logical)": str(os.cpu_count()),
        "RAM": ram_gib(),
        "OS": f"{os_name()} (kernel {platform.release()})",
        "Python (server venv)": run_out(
            [str(venv_python), "-c", "import sys;print(sys.version.split()[0])"]
        ),
        "SQLite (server venv)": run_out(
            [str(venv_python), "-c", "import sqlite3;print(sqlite3.sqlite_version)"]
        ),
        "Django": run_out([str(venv_python), "-c", "import django;print(django.get_version())"]),
        "gunicorn": run_out(
            [str(venv_python), "-c", "import gunicorn;print(gunicorn.__version__)"]
        ),
        "psql client": run_out(["psql", "--version"]) if shutil.which("psql") else "not installed",
    }
    if database_url and is_postgres(database_url):
        facts["PostgreSQL server"] = run_out(
            ["psql", admin_url(database_url), "-Atc", "SHOW server_version"]
        )
    src = venv_python.parent.parent.parent
    commit = run_out(["git", "-C", str(src), "rev-parse", "--short", "HEAD"])
    dirty = run_out(["git", "-C", str(src), "status", "--porcelain", "--untracked-files=no"])
    facts["Code"] = f"{src} @ {commit}" + (" (+ uncommitted changes)" if dirty else "")
    return facts


# --- database preparation -----------------------------------------------------------------


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql", "pgsql", "postgis"}


def admin_url(url: str) -> str:
    """Same server and credentials, maintenance database `postgres`."""
    parts = urlsplit(url)
    scheme = "postgresql"
    return urlunsplit((scheme, parts.netloc, "/postgres", parts.query, ""))


def pg_dbname(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name or not name.replace("_", "").isalnum():
        sys.exit(f"refusing database name {name!r}: use a dedicated one such as cocon_bench")
    if name in {"postgres", "template0", "template1"}:
        sys.exit(f"refusing to drop/create the system database {name!r}")
    return name


def psql(url: str, sql: str) -> None:
    env = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}
    subprocess.run(
        ["psql", admin_url(url), "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, env=env
    )


# --- helpers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def timed(label: str, cmd: list[str], env: dict[str, str], log) -> float:
    t0 = time.perf_counter()
    log.write(f"\n$ {' '.join(cmd)}\n")
    log.flush()
    res = subprocess.run(
        cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=env["COCON_DATA_DIR"]
    )
    elapsed = time.perf_counter() - t0
    if res.returncode != 0:
        raise RuntimeError(f"{label} failed (exit {res.returncode}); see {log.name}")
    print(f"  {label:<28} {elapsed:6.2f} s")
    return elapsed


def get(port: int, path: str, timeout: float = 30.0) -> tuple[int, int]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, len(body)
    finally:
        conn.close()


def percentile(sorted_values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (same as numpy's default)."""
    if not sorted_values:
        return math.nan
    k = (len(sorted_values) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def stop(proc: subprocess.Popen, grace: float = 25.0) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=grace)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


# --- main ---------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=None, help="default: SQLite in the data dir")
    ap.add_argument("--requests", type=int, default=200, help="timed requests (default 200)")
    ap.add_argument("--warmup", type=int, default=20, help="warm-up requests (default 20)")
    ap.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: serve's)")
    ap.add_argument(
        "--threads", type=int, default=None, help="threads per worker (default: serve's)"
    )
    ap.add_argument("--path", default="/", help="page to request (default /)")
    ap.add_argument("--data-dir", default=None, help="COCON_DATA_DIR (default: a new temp dir)")
    ap.add_argument(
        "--cocon",
        default=str(REPO / ".venv" / "bin" / "cocon"),
        help="cocon executable of the venv to run (default: this checkout's .venv)",
    )
    ap.add_argument("--keep-db", action="store_true", help="do not drop the PostgreSQL database")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args()

    cocon = Path(args.cocon).absolute()
    if not cocon.exists():
        sys.exit(f"{cocon} not found: run `make install` first (or pass --cocon)")
    venv_python = cocon.parent / "python"

    own_data_dir = args.data_dir is None
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="cocon-bench-")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    backend = "PostgreSQL" if args.database_url and is_postgres(args.database_url) else "SQLite"

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(COCON_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url

    print("## Machine")
    facts = machine_facts(venv_python, args.database_url)
    for k, v in facts.items():
        print(f"- {k}: {v}")
    print(f"- Date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    print(f"- Load average before (1/5/15 min): {loadavg()}  (other processes skew the numbers)")
    print()
    print(f"## Setup ({backend}, COCON_DATA_DIR={data_dir})")

    log_path = data_dir / "bench-home-latency.log"
    server = None
    created_db = False
    samples_ok = [False]  # set once the timed loop finished: keep the data dir otherwise
    results: dict = {}
    try:
        with open(log_path, "w") as log:
            if backend == "PostgreSQL":
                name = pg_dbname(args.database_url)
                psql(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                psql(args.database_url, f'CREATE DATABASE "{name}"')
                created_db = True
                print(f"  created database {name}")
            timed("cocon migrate", [str(cocon), "migrate", "--no-input"], env, log)
            timed("cocon demo load", [str(cocon), "demo", "load"], env, log)
            timed(
                "cocon collectstatic",
                [str(cocon), "collectstatic", "--no-input", "--verbosity", "0"],
                env,
                log,
            )

            port = free_port()
            cmd = [str(cocon), "serve", "--host", HOST, "--port", str(port), "--no-collectstatic"]
            if args.workers:
                cmd += ["--workers", str(args.workers)]
            if args.threads:
                cmd += ["--threads", str(args.threads)]
            log.write(f"\n$ {' '.join(cmd)}\n")
            log.flush()
            t0 = time.perf_counter()
            server = subprocess.Popen(
                cmd,
                env=env,
                cwd=data_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: stop() kills master + workers
            )
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"server exited with {server.returncode}; see {log_path}")
                try:
                    status, _ = get(port, "/healthz", timeout=5)
                    if status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"/healthz not 200 within 60 s; see {log_path}")
                time.sleep(0.1)
            print(f"  server ready (/healthz 200)   {time.perf_counter() - t0:6.2f} s  port {port}")
            banner = [ln for ln in log_path.read_text().splitlines() if "workers ×" in ln]
            workers = banner[-1].split("(")[-1].rstrip(")") if banner else args.workers or "?"
            print(f"  command: {' '.join(cmd)}")

            for _ in range(args.warmup):
                status, _ = get(port, args.path)
                if status != 200:
                    raise RuntimeError(
                        f"warm-up GET {args.path} answered {status}, not 200: nothing worth "
                        f"timing; see the traceback in {log_path}"
                    )

            samples: list[float] = []
            statuses: dict[int, int] = {}
            size = 0
            t_start = time.perf_counter()
            for _ in range(args.requests):
                t = time.perf_counter()
                status, size = get(port, args.path)
                samples.append((time.perf_counter() - t) * 1000)
                statuses[status] = statuses.get(status, 0) + 1
            wall = time.perf_counter() - t_start
            samples_ok[0] = True
    except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr)
        print(f"(data dir kept: {data_dir})", file=sys.stderr)
        try:
            print("--- last lines of the log ---", file=sys.stderr)
            print("\n".join(log_path.read_text().splitlines()[-30:]), file=sys.stderr)
        except OSError:
            pass
        return 1
    finally:
        if server is not None:
            stop(server)
        if created_db and not args.keep_db:
            try:
                psql(
                    args.database_url,
                    f'DROP DATABASE IF EXISTS "{pg_dbname(args.database_url)}" WITH (FORCE)',
                )
                print("  dropped the benchmark database")
            except subprocess.CalledProcessError as exc:
                print(f"  could not drop the benchmark database: {exc}", file=sys.stderr)
        if own_data_dir and not os.environ.get("BENCH_KEEP_DATA") and samples_ok[0]:
            shutil.rmtree(data_dir, ignore_errors=True)

    s = sorted(samples)
    results = {
        "backend": backend,
        "workers": args.workers,
        "threads": args.threads,
        "path": args.path,
        "requests": args.requests,
        "warmup": args.warmup,
        "statuses": statuses,
        "response_bytes": size,
        "p50_ms": percentile(s, 50),
        "p95_ms": percentile(s, 95),
        "p99_ms": percentile(s, 99),
        "mean_ms": statistics.fmean(s),
        "min_ms": s[0],
        "max_ms": s[-1],
        "req_per_s": args.requests / wall,
        "machine": facts,
        "loadavg_after": loadavg(),
    }
    print()
    print(f"## Results: {args.requests} sequential GET {args.path} (after {args.warmup} warm-up)")
    print(f"  statuses: {statuses}   response size: {size} bytes")
    for key in ("p50", "p95", "p99", "mean", "min", "max"):
        print(f"  {key:<5} {results[key + '_ms']:8.2f} ms")
    print(f"  throughput {results['req_per_s']:.1f} requests/s (one client, sequential)")
    print(f"  load average after (1/5/15 min): {loadavg()}")
    print()
    print(
        "| Database | Workers | Requests | p50 (ms) | p95 (ms) | p99 (ms) | mean (ms) "
        "| min (ms) | max (ms) | req/s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| {backend} | {workers} | {args.requests} | {results['p50_ms']:.2f} "
        f"| {results['p95_ms']:.2f} | {results['p99_ms']:.2f} | {results['mean_ms']:.2f} "
        f"| {results['min_ms']:.2f} | {results['max_ms']:.2f} | {results['req_per_s']:.1f} |"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    bad = sum(n for code, n in statuses.items() if code != 200)
    if bad:
        print(f"WARNING: {bad} responses were not 200", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
