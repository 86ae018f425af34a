#!/usr/bin/env bash
# Time of `make demo` from a fresh `git clone` until the home page first answers 200.
#
# Two runs, each from its own fresh clone (no .venv, no var/):
#   1. cold pip cache: PIP_CACHE_DIR points to a new, empty temp dir;
#   2. warm pip cache: a new clone again, reusing the cache filled by run 1.
# The clock starts just before `make demo PORT=<free port>` and stops when
# `curl http://127.0.0.1:<port>/` first returns 200 (polled every 0.2 s). The whole
# make process group (make, gunicorn master and workers) is then killed.
# Every line make prints is timestamped, so a per-step breakdown is printed too.
#
# Usage: bench/demo_time.sh [SOURCE_REPO]   (default: the repo holding this script)
#   DEMO_TIMEOUT=900  seconds to wait for a 200 before giving up (per run)
#   KEEP=1            keep the temp dir (clones, logs, pip cache) for inspection
# Needs: git, make, curl, python3 (3.11, as the Makefile's PYTHON), network access to
# the package index for the cold run. npm is not used by `make demo`.
set -u

SRC="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
TIMEOUT="${DEMO_TIMEOUT:-900}"
WORK="$(mktemp -d /tmp/cocon-demo-time.XXXXXX)"
CACHE="$WORK/pip-cache"
mkdir -p "$CACHE"
PGID=""

cleanup() {
    if [ -n "$PGID" ] && kill -0 -- "-$PGID" 2>/dev/null; then
        kill -TERM -- "-$PGID" 2>/dev/null
        for _ in $(seq 50); do kill -0 -- "-$PGID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL -- "-$PGID" 2>/dev/null
    fi
    PGID=""
}
on_exit() {
    cleanup
    if [ "${KEEP:-0}" = 1 ]; then echo "kept: $WORK"; else rm -rf "$WORK"; fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Per-step breakdown from the timestamped make log: a step runs from the line make
# echoes for it to the next echoed command (the last one, `cocon serve`, to the first 200).
breakdown() {  # $1 log, $2 t0, $3 t_first_200
    python3 - "$1" "$2" "$3" <<'PY'
import re, sys
log, t0, t_end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
steps = []
for line in open(log, encoding="utf-8", errors="replace"):
    ts, _, text = line.rstrip("\n").partition(" ")
    if re.match(r"^(test -x|touch |\S*\.venv/bin/\S+|python3? -m venv)", text):
        steps.append((float(ts), text))
if not steps:
    print("  (no make command lines found in the log)")
    sys.exit()
print(f"  {'step':<76} {'seconds':>8}")
print(f"  {'(clock start -> first command)':<76} {steps[0][0] - t0:8.2f}")
for i, (ts, text) in enumerate(steps):
    end = steps[i + 1][0] if i + 1 < len(steps) else t_end
    label = re.sub(r"--quiet --disable-pip-version-check ", "", text)
    label = label if len(label) <= 76 else label[:73] + "..."
    print(f"  {label:<76} {end - ts:8.2f}")
PY
}

run_once() {  # $1 label
    local label="$1" dir="$WORK/$1" port log t0 t_first="" code="" t_end now elapsed status
    git clone --quiet "$SRC" "$dir" || { echo "git clone $SRC failed"; return 1; }
    # Both runs time the same commit, even if the source repo gets new commits meanwhile.
    if [ -z "$COMMIT" ]; then COMMIT="$(git -C "$dir" rev-parse HEAD)"; fi
    git -C "$dir" checkout --quiet --detach "$COMMIT" || { echo "checkout $COMMIT failed"; return 1; }
    port="$(free_port)"
    log="$WORK/$label.log"
    echo "== $label: clone of $SRC @ $(git -C "$dir" rev-parse --short HEAD), port $port, PIP_CACHE_DIR=$CACHE ($(du -sh "$CACHE" | cut -f1))"
    echo "   load average before (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
    t0="$EPOCHREALTIME"
    # setsid: make and everything it starts (pip, gunicorn + workers) share one process group.
    (
        cd "$dir" &&
        exec setsid env -u DATABASE_URL -u COCON_DATA_DIR -u VIRTUAL_ENV PIP_CACHE_DIR="$CACHE" \
            bash -c 'make demo PORT="$0" 2>&1 | while IFS= read -r l; do printf "%s %s\n" "$EPOCHREALTIME" "$l"; done' "$port"
    ) >"$log" 2>&1 &
    PGID=$!
    status=1
    while :; do
        code="$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$port/" 2>/dev/null)"
        now="$EPOCHREALTIME"
        if [ "$code" != "000" ] && [ -z "$t_first" ]; then
            t_first="$now"
            echo "   first HTTP answer: $code after $(python3 -c "print(f'{$now - $t0:.2f}')") s"
        fi
        if [ "$code" = "200" ]; then t_end="$now"; status=0; break; fi
        if ! kill -0 "$PGID" 2>/dev/null; then
            echo "   make demo exited before the home page answered 200; last log lines:"
            tail -n 25 "$log" | cut -d' ' -f2- | sed 's/^/   | /'
            break
        fi
        elapsed="$(python3 -c "print(int($now - $t0))")"
        if [ "$elapsed" -ge "$TIMEOUT" ]; then
            echo "   no 200 from / within ${TIMEOUT}s (last status: $code); last log lines:"
            tail -n 25 "$log" | cut -d' ' -f2- | sed 's/^/   | /'
            break
        fi
        sleep 0.2
    done
    if [ "$status" = 0 ]; then
        RESULT["$label"]="$(python3 -c "print(f'{$t_end - $t0:.2f}')")"
        echo "   home page 200 after ${RESULT[$label]} s (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
        breakdown "$log" "$t0" "$t_end"
    else
        RESULT["$label"]="FAILED"
        breakdown "$log" "$t0" "$EPOCHREALTIME"
    fi
    cleanup
    echo "   pip cache after this run: $(du -sh "$CACHE" | cut -f1) in $(find "$CACHE" -type f | wc -l) files"
    return "$status"
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), $(python3 --version)"
echo "date: $(date '+%Y-%m-%d %H:%M:%S %Z')"
declare -A RESULT
COMMIT=""
rc=0
run_once cold-pip-cache || rc=1
run_once warm-pip-cache || rc=1
echo
echo "| pip cache | make demo -> first 200 on / (s) |"
echo "| --- | --- |"
echo "| cold (empty PIP_CACHE_DIR) | ${RESULT[cold-pip-cache]} |"
echo "| warm (cache of the cold run) | ${RESULT[warm-pip-cache]} |"
echo "commit: $COMMIT"
if [ "$(find "$CACHE" -type f | wc -l)" -eq 0 ]; then
    echo "NOTE: the pip cache stayed empty, so the 'warm' run had nothing to reuse (the index"
    echo "      answered without cache headers, or every package came from a local file source)."
fi
exit "$rc"
