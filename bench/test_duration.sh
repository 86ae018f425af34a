#!/usr/bin/env bash
# Wall-clock duration of `make test` in this checkout, on SQLite then on PostgreSQL.
#
#   bench/test_duration.sh
#   PG_URL=postgres://postgres@127.0.0.1:5432/test bench/test_duration.sh   (the default)
#
# `make install-dev` runs first, untimed, so the figures are the suite (ruff, the
# migrations check and pytest), not an installation. Each run's output goes to a log;
# the script prints the duration, the exit code, the pytest summary line and how long
# each step echoed by make took. PostgreSQL must accept the URL's credentials
# (here: trust auth on 127.0.0.1:5432); Django creates and drops its own test_* database.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
LOGDIR="$(mktemp -d /tmp/cocon-test-duration.XXXXXX)"

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "date: $(date '+%Y-%m-%d %H:%M:%S %Z')   commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- 2>/dev/null || echo ' (+ uncommitted changes)')"
echo "logs: $LOGDIR"

t="$EPOCHREALTIME"
if ! make install-dev >"$LOGDIR/install-dev.log" 2>&1; then
    echo "make install-dev failed; see $LOGDIR/install-dev.log"
    tail -n 20 "$LOGDIR/install-dev.log"
    exit 1
fi
echo "make install-dev (untimed prerequisite): $(python3 -c "print(f'{$EPOCHREALTIME - $t:.1f}')") s"

steps() {  # per-step durations from a timestamped make log; $1 log, $2 end time
    python3 - "$1" "$2" <<'PY'
import re, sys
log, end = sys.argv[1], float(sys.argv[2])
steps = []
for line in open(log, encoding="utf-8", errors="replace"):
    ts, _, text = line.rstrip("\n").partition(" ")
    if re.match(r"^\S*\.venv/bin/\S+", text):
        steps.append((float(ts), text))
for i, (ts, text) in enumerate(steps):
    stop = steps[i + 1][0] if i + 1 < len(steps) else end
    print(f"    {text[:70]:<70} {stop - ts:8.1f} s")
PY
}

declare -A DUR RC SUMMARY
run() {  # $1 label, $2 DATABASE_URL ('' for SQLite)
    local label="$1" url="$2" log="$LOGDIR/$1.log" t0 t1 rc
    echo
    echo "== $label: ${url:+DATABASE_URL=$url }make test"
    t0="$EPOCHREALTIME"
    if [ -n "$url" ]; then export DATABASE_URL="$url"; else unset DATABASE_URL; fi
    make test 2>&1 | while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done >"$log"
    rc="${PIPESTATUS[0]}"
    t1="$EPOCHREALTIME"
    unset DATABASE_URL
    DUR[$label]="$(python3 -c "print(f'{$t1 - $t0:.1f}')")"
    RC[$label]="$rc"
    SUMMARY[$label]="$(cut -d' ' -f2- "$log" | grep -E '(passed|failed|error|errors|no tests ran)( |,).* in [0-9.]+s' | tail -n 1 | sed -E 's/^=+ //; s/ =+$//')"
    echo "   duration: ${DUR[$label]} s   exit code: $rc"
    echo "   pytest:   ${SUMMARY[$label]:-(no pytest summary line; see $log)}"
    steps "$log" "$t1"
    if [ "$rc" != 0 ]; then
        echo "   last lines:"
        tail -n 15 "$log" | cut -d' ' -f2- | sed 's/^/   | /'
    fi
}

run sqlite ""
if command -v pg_isready >/dev/null && ! pg_isready -q -d "$PG_URL"; then
    echo
    echo "PostgreSQL is not answering at $PG_URL; skipping that run."
    echo "(start it with: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start)"
    DUR[postgresql]="not run"; RC[postgresql]="-"; SUMMARY[postgresql]="PostgreSQL down"
else
    run postgresql "$PG_URL"
fi

echo
echo "| Database | make test (s) | exit | pytest summary |"
echo "| --- | --- | --- | --- |"
echo "| SQLite | ${DUR[sqlite]} | ${RC[sqlite]} | ${SUMMARY[sqlite]} |"
echo "| PostgreSQL | ${DUR[postgresql]} | ${RC[postgresql]} | ${SUMMARY[postgresql]} |"
[ "${RC[sqlite]}" = 0 ] && [ "${RC[postgresql]}" = 0 ]
