"""The HTTP load driver of the capture benchmarks (bench/voices_capture.py,
bench/reports_capture.py): a shared module, not a script.

It starts `cocon serve`, drives `POST` requests from keep-alive client threads for a
timed window, each request with a new `Idempotency-Key`, a fraction sent again after the
answer (a retry after a lost answer) and a fraction sent twice at once on two
connections (two copies in flight), reads the CPU time of the server, PostgreSQL, the
client and the machine from /proc around the timed window, checks that every key got
one reference, and prints the figures. What a benchmark gives it:

- `build(rng, n) -> bytes`: the body of request n (the same body is sent again for a
  retry or a race), and the fixed headers (authentication, content type);
- `read_ref(raw) -> str`: the reference of the created record in a success answer;
- whether a 409 ("being processed": the other copy holds the key) is retried after
  50 ms as a client should (Open311) or counted as an error (the voices API).

Only loopback traffic; every loop is bounded by the window and a per-request timeout.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from home_latency import HOST, get, loadavg, percentile, stop

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


def psql_value(url: str, sql: str) -> str:
    return subprocess.run(
        ["psql", url, "-Atc", sql], check=True, capture_output=True, text=True
    ).stdout


def shell_json(cocon: Path, code: str, env: dict, cwd: Path) -> dict:
    """Run `code` in `cocon shell`; it prints one line `SETUP {json}`."""
    out = subprocess.run(
        [str(cocon), "shell", "-c", code],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(next(ln for ln in out.splitlines() if ln.startswith("SETUP "))[6:])


# --- server ---------------------------------------------------------------------------------


def start_server(
    cocon: Path, workers: int, threads: int, env: dict, cwd: Path, log, log_path: Path
) -> tuple[subprocess.Popen, int, list[str]]:
    """`cocon serve` on a free port in its own process group, once /healthz answers 200:
    (process, port, command)."""
    from home_latency import free_port

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
        str(workers),
        "--threads",
        str(threads),
    ]
    log.write(f"\n$ {' '.join(cmd)}\n")
    log.flush()
    server = subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"server exited with {server.returncode}; see {log_path}")
        try:
            if get(port, "/healthz", timeout=5)[0] == 200:
                return server, port, cmd
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop(server)
            raise RuntimeError(f"/healthz not 200 within 60 s; see {log_path}")
        time.sleep(0.1)


def print_failure(exc: Exception, data_dir: Path, log_path: Path) -> None:
    print(f"\nFAILED: {exc}", file=sys.stderr)
    print(f"(data dir kept: {data_dir})", file=sys.stderr)
    with contextlib.suppress(OSError):
        print("\n".join(log_path.read_text().splitlines()[-30:]), file=sys.stderr)


def add_load_args(ap) -> None:
    """The options of the load and the server shape, shared by both benchmarks."""
    ap.add_argument("--duration", type=float, default=30.0, help="timed seconds (default 30)")
    ap.add_argument("--warmup", type=float, default=3.0, help="untimed seconds first (default 3)")
    ap.add_argument("--clients", type=int, default=12, help="client threads (default 12)")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    ap.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    ap.add_argument("--retry-fraction", type=float, default=0.10, help="default 0.10")
    ap.add_argument("--race-fraction", type=float, default=0.02, help="default 0.02")


def session(args, cocon: Path, env: dict, data_dir: Path, log_name: str, **steps):
    """One benchmark run: (re)create the database when `create_db`, then
    `prepare(log) -> setup`, start the server, drive the load that
    `load_for(setup) -> dict` describes (the fields of `Load` that are the
    benchmark's own) for the timed window, stop the server, `collect(setup)` what the
    database holds; drop the database unless --keep-db. Returns (load, window,
    setup, collected), or None after printing why it failed."""
    from common import create_database, drop_database

    log_path = data_dir / log_name
    server = None
    created_db = False
    ok = False
    try:
        with open(log_path, "w") as log:
            if steps["create_db"]:
                created_db = True
                create_database(args.database_url, cocon, env, log)
            setup = steps["prepare"](log)
            server, port, cmd = start_server(
                cocon, args.workers, args.threads, env, data_dir, log, log_path
            )
            print(f"  command: {' '.join(cmd)}")
            print(
                f"  load: {args.clients} keep-alive clients, {args.warmup:g} s warm-up + "
                f"{args.duration:g} s timed, retries {args.retry_fraction:.0%}, "
                f"concurrent duplicates {args.race_fraction:.0%}{steps.get('note', '')}"
            )
            start = time.monotonic()
            load = Load(
                port=port,
                warm_until=start + args.warmup,
                stop_at=start + args.warmup + args.duration,
                retry_fraction=args.retry_fraction,
                race_fraction=args.race_fraction,
                **steps["load_for"](setup),
            )
            window = run(load, args.clients, server)
            stop(server)
            server = None
            collected = steps["collect"](setup)
            ok = True
    except (RuntimeError, subprocess.CalledProcessError, OSError, StopIteration) as exc:
        print_failure(exc, data_dir, log_path)
        return None
    finally:
        if server is not None:
            stop(server)
        if created_db and not args.keep_db:
            drop_database(args.database_url)
        if ok:
            shutil.rmtree(data_dir, ignore_errors=True)
    return load, window, setup, collected


# --- load -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    key: str
    status: int
    ref: str | None
    replayed: bool  # answered with `Idempotent-Replayed: true`
    ms: float
    kind: str  # "first", "retry" (after the answer) or "race" (in flight at once)
    timed: bool
    conflicts: int = 0  # 409 answers retried before this one


@dataclass
class Load:
    port: int
    path: str
    headers: dict[str, str]
    build: Callable[[random.Random, int], bytes]
    read_ref: Callable[[bytes], str]
    created: tuple[int, ...]  # the success statuses (their answers hold a reference)
    warm_until: float
    stop_at: float
    retry_fraction: float
    race_fraction: float
    send_key: bool = True  # False: retries and races are sent without Idempotency-Key
    retry_conflicts: bool = False  # retry a 409 after 50 ms instead of counting it
    outcomes: list[Outcome] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)  # first error answers, counted
    lock: threading.Lock = field(default_factory=threading.Lock)


def _conn(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(HOST, port, timeout=30)


def _send(conn, load: Load, key: str, payload: bytes) -> None:
    headers = dict(load.headers)
    if load.send_key:
        headers["Idempotency-Key"] = key
    conn.request("POST", load.path, body=payload, headers=headers)


def _read(conn, load: Load) -> tuple[int, str | None, bool]:
    resp = conn.getresponse()
    raw = resp.read()
    ref = None
    if resp.status in load.created:
        ref = load.read_ref(raw)
    elif not (resp.status == 409 and load.retry_conflicts):
        text = f"{resp.status} {raw[:300].decode(errors='replace')}"
        with load.lock:
            if len(load.errors) < 20 or text in load.errors:
                load.errors[text] = load.errors.get(text, 0) + 1
    return resp.status, ref, resp.getheader("Idempotent-Replayed") == "true"


def client(load: Load, index: int) -> None:
    rng = random.Random(index)
    conns = [_conn(load.port), _conn(load.port)]  # the second only for duplicates
    n = 0
    local: list[Outcome] = []
    errors: list[str] = []

    def exchange(c: int, key: str, payload: bytes, kind: str, timed_: bool) -> None:
        """Send and read one request; on a broken connection reconnect and send the
        same key again (what a real client with an Idempotency-Key does); a 409 is
        retried after 50 ms when the benchmark says so."""
        conflicts = 0
        t0 = time.perf_counter()
        for attempt in range(40 if load.retry_conflicts else 3):
            try:
                _send(conns[c], load, key, payload)
                status, ref, replayed = _read(conns[c], load)
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{key} attempt {attempt}: {exc!r}")
                conns[c].close()
                conns[c] = _conn(load.port)
                continue
            if status == 409 and load.retry_conflicts:
                conflicts += 1
                time.sleep(0.05)
                continue
            ms = (time.perf_counter() - t0) * 1000
            local.append(Outcome(key, status, ref, replayed, ms, kind, timed_, conflicts))
            return
        local.append(Outcome(key, 0, None, False, 0.0, kind, timed_, conflicts))

    def race(key: str, payload: bytes, timed_: bool) -> None:
        """Two copies in flight before either answer is read; the second connection is
        new each time (an idle one is closed by gunicorn's keep-alive timeout, 2 s)."""
        conns[1].close()
        conns[1] = _conn(load.port)
        t0 = time.perf_counter()
        try:
            _send(conns[0], load, key, payload)
            _send(conns[1], load, key, payload)
            first = _read(conns[0], load)
            ms0 = (time.perf_counter() - t0) * 1000
            second = _read(conns[1], load)
            ms1 = (time.perf_counter() - t0) * 1000
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{key} race: {exc!r}")
            for c in (0, 1):
                conns[c].close()
                conns[c] = _conn(load.port)
            exchange(0, key, payload, "retry", timed_)  # settle the key
            return
        for c, kind, answer, ms in ((0, "first", first, ms0), (1, "race", second, ms1)):
            if answer[0] == 409 and load.retry_conflicts:  # the other copy holds the key
                exchange(c, key, payload, kind, timed_)
            else:
                local.append(Outcome(key, *answer, ms, kind, timed_))

    try:
        while True:
            now = time.monotonic()
            if now >= load.stop_at:
                break
            timed_ = now >= load.warm_until
            n += 1
            key = f"bench-{index}-{n}-{uuid.uuid4().hex[:12]}"
            payload = load.build(rng, index * 1_000_000 + n)
            if rng.random() < load.race_fraction:
                race(key, payload, timed_)
                continue
            exchange(0, key, payload, "first", timed_)
            if rng.random() < load.retry_fraction:
                exchange(0, key, payload, "retry", timed_)
    finally:
        for c in conns:
            c.close()
        with load.lock:
            load.outcomes.extend(local)
            load.transport_errors.extend(errors)


def run(load: Load, clients: int, server: subprocess.Popen) -> dict:
    """Drive `load` from `clients` threads until its stop time; returns the CPU seconds
    spent during the timed window by the server, PostgreSQL, this client and the
    machine, and the load average right after."""
    threads = [threading.Thread(target=client, args=(load, i), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(max(0.0, load.warm_until - time.monotonic()))
    cpu_start = cpu_snapshot(server.pid)
    time.sleep(max(0.0, load.stop_at - time.monotonic()))
    cpu_end = cpu_snapshot(server.pid)
    for t in threads:
        t.join(timeout=load.stop_at - time.monotonic() + 120)
    return {
        "cpu": {k: cpu_end[k] - cpu_start[k] for k in cpu_start},
        "loadavg_after": loadavg(),
    }


# --- results --------------------------------------------------------------------------------


def verify(outcomes: list[Outcome], db_refs: list[str], noun: str, ok=(201,)) -> dict:
    """What the answers and the database say: one reference per key, every returned
    reference in the database, nothing there that was not returned."""
    by_key: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_key.setdefault(o.key, []).append(o)
    failed = [o for o in outcomes if o.status not in ok]
    two_refs = [k for k, a in by_key.items() if len({o.ref for o in a if o.ref}) > 1]
    returned = {o.ref for o in outcomes if o.ref}
    db = set(db_refs)
    return {
        "requests": len(outcomes),
        "distinct_keys": len(by_key),
        "repeated_keys": sum(1 for a in by_key.values() if len(a) > 1),
        "conflicts_409_retried": sum(o.conflicts for o in outcomes),
        "failed": len(failed),
        "failed_statuses": sorted({o.status for o in failed}),
        "keys_with_two_refs": len(two_refs),  # the same record created twice
        f"{noun}_in_db": len(db_refs),  # created during the run
        "refs_returned_missing_in_db": len(returned - db),
        f"{noun}_in_db_never_returned": len(db - returned),
    }


def summary(load: Load, args, window: dict, check: dict, facts: dict, load_before: str) -> dict:
    """Rates, latencies (first sends and repeats that succeeded) and CPU ms a request
    over the timed window, with the run's shape, checks and machine."""
    timed_out = [o for o in load.outcomes if o.timed]
    first = sorted(o.ms for o in timed_out if o.kind == "first" and o.ref)
    repeats = sorted(o.ms for o in timed_out if o.kind != "first" and o.ref)
    n_timed = max(1, len(timed_out))
    return {
        "cpu_ms_per_request": {k: v * 1000 / n_timed for k, v in window["cpu"].items()},
        "workers": args.workers,
        "threads": args.threads,
        "clients": args.clients,
        "duration_s": args.duration,
        "requests_timed": len(timed_out),
        "keys_timed": len({o.key for o in timed_out}),
        "req_per_s": len(timed_out) / args.duration,
        "first_n": len(first),
        "first_p50_ms": percentile(first, 50),
        "first_p95_ms": percentile(first, 95),
        "first_p99_ms": percentile(first, 99),
        "first_mean_ms": statistics.fmean(first) if first else float("nan"),
        "repeat_n": len(repeats),
        "repeat_p50_ms": percentile(repeats, 50),
        "repeat_p95_ms": percentile(repeats, 95),
        "repeat_p99_ms": percentile(repeats, 99),
        "transport_errors": len(load.transport_errors),
        "check": check,
        "machine": facts,
        "loadavg_before": load_before,
        "loadavg_after": window["loadavg_after"],
    }


def print_summary(results: dict, load: Load, created: str, repeats: str) -> None:
    """The lines both benchmarks print after the run (`created`: "distinct voices/s"…,
    `repeats`: what the repeated sends are called)."""
    cpu_ms = results["cpu_ms_per_request"]
    print()
    print(f"## Results ({results['duration_s']:g} s timed, after the warm-up)")
    print(f"  throughput: {results['req_per_s']:.1f} requests/s, {results['per_s']:.1f} {created}")
    print(
        f"  latency of first sends (ms): p50 {results['first_p50_ms']:.1f}  "
        f"p95 {results['first_p95_ms']:.1f}  p99 {results['first_p99_ms']:.1f}  "
        f"mean {results['first_mean_ms']:.1f}  (n={results['first_n']})"
    )
    label = f"latency of {repeats} (ms):"
    print(
        f"  {label:<29}p50 {results['repeat_p50_ms']:.1f}  "
        f"p95 {results['repeat_p95_ms']:.1f}  p99 {results['repeat_p99_ms']:.1f}  "
        f"(n={results['repeat_n']})"
    )
    print(
        "  CPU per request (ms): server {server:.1f}, PostgreSQL {postgres:.1f}, "
        "this client {client:.1f}, whole machine {machine:.1f} "
        "(2 cores give 2000 ms per second)".format(**cpu_ms)
    )
    print(
        f"  load average before → after: {results['loadavg_before']} → {results['loadavg_after']}"
    )
    print("  whole run (warm-up included):")
    for k, v in results["check"].items():
        print(f"    {k}: {v}")
    for text, count in list(load.errors.items())[:5]:
        print(f"    error answer (×{count}): {text}")
    if load.transport_errors:
        print(f"    transport errors (resent with the same key): {len(load.transport_errors)}")
        for line in load.transport_errors[:5]:
            print(f"      {line}")


def finish(args, results: dict, ok: bool, noun: str) -> int:
    """Write --json, say what failed; the exit status: 2 on errors or inconsistency, 3
    below --target `noun`/s, else 0."""
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    status = 0
    if not ok:
        print("FAILED: errors or inconsistent results (see above)", file=sys.stderr)
        status = 2
    if results["per_s"] < args.target:
        print(f"below the target of {args.target:g} {noun}/s", file=sys.stderr)
        status = status or 3
    return status
