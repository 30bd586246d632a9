#!/usr/bin/env bash
# make bench: measure netapp's main pages with wrk, with the demo data and at national scale,
# against a minimal Flask + SQLAlchemy page served the same way in the same run.
#
#   1. builds the national data set (tests/perf/build_data.py) into a fresh database, and the
#      demo data into another (migrations first, as a real installation);
#   2. serves each with gunicorn (2 sync workers, NETAPP_ENV=production, a throwaway SECRET_KEY)
#      on a free loopback port, logs in as a coordinator and checks that every page answers 200;
#   3. runs wrk on each page: throughput (BENCH_THREADS threads, BENCH_CONNECTIONS connections,
#      BENCH_DURATION seconds) and latency (2 connections, one per worker, BENCH_LATENCY_DURATION s);
#   4. measures the national data once more with the fragment cache off (every request renders);
#   5. prints the table and writes it to bench-results/bench-<date>.md, with PASS/MISS per target.
# It exits 0 when targets are missed (the table is the result); non-zero only when it cannot measure.
#
# Settings: BENCH_DURATION (10), BENCH_LATENCY_DURATION (5), BENCH_THREADS (2), BENCH_CONNECTIONS (8),
# BENCH_DATABASE_URL (an empty PostgreSQL database for the national data set; default: SQLite in a
# temporary folder), BENCH_KEEP=1 keeps the temporary folder (databases, server logs).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

BIN=.venv/bin
DURATION="${BENCH_DURATION:-10}"
LATENCY_DURATION="${BENCH_LATENCY_DURATION:-5}"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-8}"
WORKERS=2
TOOL=("$BIN/python" tests/perf/benchtool.py)

[ -x "$BIN/gunicorn" ] || die "$BIN/gunicorn not found; run make install first"
have wrk || apt_install wrk
have wrk || die "wrk is not installed"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/netapp-bench.XXXXXX")"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        say "Kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export NETAPP_ENV=production
SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
export SECRET_KEY
# Nothing here sends mail; keep the app away from any real server all the same.
export MAIL_SERVER=127.0.0.1 MAIL_PORT=9

# ---------------------------------------------------------------- data

NATIONAL_URL="${BENCH_DATABASE_URL:-sqlite:///$WORK/national.sqlite3}"
DEMO_URL="sqlite:///$WORK/demo.sqlite3"

# Other work on the machine skews the numbers; the report says how busy it was.
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
build_started=$(now_s)
say "Applying migrations to the national database"
DATABASE_URL="$NATIONAL_URL" "$BIN/flask" --app wsgi db upgrade >"$WORK/migrate-national.log" 2>&1 \
    || { cat "$WORK/migrate-national.log"; die "migrations failed"; }
say "Building the national data set"
DATABASE_URL="$NATIONAL_URL" "$BIN/python" tests/perf/build_data.py --summary "$WORK/national.json" 2>&1 \
    | grep -v ' INFO ' || true
[ -s "$WORK/national.json" ] || die "the national data set was not built"
build_wall=$(( $(now_s) - build_started ))

say "Loading the demo data into a second database"
DATABASE_URL="$DEMO_URL" "$BIN/flask" --app wsgi db upgrade >"$WORK/migrate-demo.log" 2>&1 \
    || { cat "$WORK/migrate-demo.log"; die "migrations failed"; }
DATABASE_URL="$DEMO_URL" "$BIN/flask" --app wsgi seed-demo >"$WORK/seed-demo.log" 2>&1 \
    || { cat "$WORK/seed-demo.log"; die "seed-demo failed"; }
DATABASE_URL="$DEMO_URL" "$BIN/python" tests/perf/build_data.py --describe-only --summary "$WORK/demo.json" \
    >/dev/null 2>&1 || die "could not describe the demo database"

# The baseline's table is created and filled before its workers start, so they do not race.
export BASELINE_DATABASE="$WORK/baseline.sqlite3"
(cd tests/perf && "../../$BIN/python" -c 'import minimal_app') >/dev/null

# ---------------------------------------------------------------- servers

# serve NAME APP DIR [ENV=VALUE...]: start gunicorn on a free port; sets PORT and SERVER_PID.
serve() {
    local name="$1" app="$2" dir="$3" i
    shift 3
    PORT="$(free_port)"
    env "$@" "$BIN/gunicorn" --workers "$WORKERS" --bind "127.0.0.1:$PORT" --chdir "$dir" "$app" \
        >"$WORK/$name.log" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    for i in $(seq 1 100); do
        if port_open 127.0.0.1 "$PORT"; then
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.2
    done
    cat "$WORK/$name.log" >&2
    die "gunicorn for $name did not start"
}

stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# ---------------------------------------------------------------- measuring

RESULTS="$WORK/results.tsv"
: >"$RESULTS"

# measure DATASET LABEL URL PATH COOKIE: one throughput and one latency run, appended to RESULTS.
measure() {
    local dataset="$1" label="$2" url="$3" path="$4" cookie="$5" kind conns secs line
    local headers=(-H "User-Agent: netapp-bench")
    [ -n "$cookie" ] && headers+=(-H "Cookie: $cookie")
    for kind in load latency; do
        if [ "$kind" = load ]; then conns="$CONNECTIONS" secs="$DURATION"; else conns=2 secs="$LATENCY_DURATION"; fi
        line="$(wrk -t"$(( THREADS < conns ? THREADS : conns ))" -c"$conns" -d"${secs}s" --timeout 10s \
            -s tests/perf/wrk_report.lua "${headers[@]}" "$url$path" | grep '^RESULT ' || true)"
        [ -n "$line" ] || die "wrk gave no result for $url$path"
        printf '%s\t%s\t%s\t%s\t%s\n' "$dataset" "$label" "$path" "$kind" "${line#RESULT }" >>"$RESULTS"
    done
    printf '    %-28s %s\n' "$label" "$(tail -n 2 "$RESULTS" | head -n 1 | sed -E 's/.*requests=([0-9]+).*/\1 requests/')"
}

serve baseline minimal_app:app tests/perf "BASELINE_DATABASE=$BASELINE_DATABASE"
BASELINE_PORT="$PORT"

# "uncached": the national data again with FRAGMENT_CACHE=0, so every request renders its page
# (what the first request after a change costs); its p95 is held to the same target.
for dataset in demo national uncached; do
    cache=1 summary="$WORK/national.json"
    if [ "$dataset" = demo ]; then
        url="$DEMO_URL" email=koordinator@demo.example password=demo summary="$WORK/demo.json"
    else
        url="$NATIONAL_URL" email=koordinator@bench.example password=bench
    fi
    [ "$dataset" = uncached ] && cache=0
    say "Measuring with the $dataset data (${DURATION}s + ${LATENCY_DURATION}s per page)"
    measure "$dataset" "Baseline: minimal Flask + SQLAlchemy, 56 rows" "http://127.0.0.1:$BASELINE_PORT" / ""
    serve "netapp-$dataset" wsgi:app . "DATABASE_URL=$url" "FRAGMENT_CACHE=$cache"
    base="http://127.0.0.1:$PORT"
    cookie="$("${TOOL[@]}" login "$base" "$email" "$password")"
    "${TOOL[@]}" check "$base" "$cookie" "$summary"
    while IFS=$'\t' read -r label path who; do
        if [ "$who" = anonymous ]; then
            measure "$dataset" "$label" "$base" "$path" ""
        else
            measure "$dataset" "$label" "$base" "$path" "$cookie"
        fi
    done < <("${TOOL[@]}" pages "$summary")
    stop "$SERVER_PID"
done

# ---------------------------------------------------------------- report

started="$(date '+%Y-%m-%d %H:%M')"
out="bench-results/bench-$(date +%Y-%m-%d-%H%M).md"
"$BIN/python" - "$WORK" "$started" "$build_wall" "$DURATION" "$LATENCY_DURATION" "$THREADS" "$CONNECTIONS" \
    "$WORKERS" "$NATIONAL_URL" "$LOAD_BEFORE" >"$WORK/meta.json" <<'PY'
import json, os, platform, subprocess, sys
from pathlib import Path

work, started, build_wall, duration, latency, threads, conns, workers, url, load = sys.argv[1:]
cpu = "unknown CPU"
for line in Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []:
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
import gunicorn
wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split(" [")[0].strip() or "wrk"
print(json.dumps({
    "started": started, "build_wall_seconds": int(build_wall), "duration": duration, "latency_duration": latency,
    "threads": threads, "connections": conns, "workers": workers, "gunicorn": gunicorn.__version__, "wrk": wrk,
    "machine": f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}", "load": load,
    "database": "PostgreSQL" if url.startswith("postgres") else "SQLite",
    "demo": json.loads(Path(work, "demo.json").read_text()),
    "national": json.loads(Path(work, "national.json").read_text()),
}))
PY
echo
"${TOOL[@]}" report "$RESULTS" "$WORK/meta.json" "$out"
say "Written to $out"
