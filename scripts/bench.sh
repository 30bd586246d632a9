#!/usr/bin/env bash
# make bench: measure netapp's main pages with wrk, with the demo data and at national scale on
# SQLite and on PostgreSQL, against a minimal Flask + SQLAlchemy page served the same way in the
# same run.
#
#   1. builds the national data set (tests/perf/build_data.py) into a fresh SQLite database and a
#      fresh PostgreSQL database (a throwaway cluster started by scripts/with-postgres.sh, as for
#      the tests), and the demo data into a SQLite database (migrations first, as a real installation);
#   2. serves each with gunicorn (2 sync workers, NETAPP_ENV=production, a throwaway SECRET_KEY)
#      on a free loopback port, logs in as a coordinator and checks that every page answers 200;
#   3. runs wrk on each page: throughput (BENCH_THREADS threads, BENCH_CONNECTIONS connections,
#      BENCH_DURATION seconds) and latency (2 connections, one per worker, BENCH_LATENCY_DURATION s);
#   4. measures each national database once more with the fragment cache off (every request renders);
#   5. prints the tables and writes them to bench-results/bench-<date>.md, with PASS/MISS per target.
# It exits 0 when targets are missed (the tables are the result); non-zero only when it cannot measure.
#
# Settings: BENCH_DURATION (10), BENCH_LATENCY_DURATION (5), BENCH_THREADS (2), BENCH_CONNECTIONS (8),
# BENCH_DATABASES ("sqlite postgresql": where the national data set is measured), BENCH_DATABASE_URL
# (an empty PostgreSQL database to use instead of the throwaway cluster), BENCH_KEEP=1 keeps the
# temporary folder (databases, server logs; the throwaway cluster goes all the same).
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."
. scripts/lib.sh

BIN=.venv/bin
DURATION="${BENCH_DURATION:-10}"
LATENCY_DURATION="${BENCH_LATENCY_DURATION:-5}"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-8}"
DATABASES="${BENCH_DATABASES:-sqlite postgresql}"
WORKERS=2
TOOL=("$BIN/python" tests/perf/benchtool.py)

for db in $DATABASES; do
    case "$db" in
        sqlite|postgresql) ;;
        *) die "BENCH_DATABASES: unknown database $db (sqlite, postgresql)" ;;
    esac
done
[ -n "${DATABASES// /}" ] || die "BENCH_DATABASES names no database (sqlite, postgresql)"
[ -x "$BIN/gunicorn" ] || die "$BIN/gunicorn not found; run make install first"
have wrk || apt_install wrk
have wrk || die "wrk is not installed"

# PostgreSQL: the whole run happens inside scripts/with-postgres.sh, which starts a throwaway
# cluster, hands its URL over in NETAPP_TEST_DATABASE_URL and removes the cluster at the end.
if [[ " $DATABASES " == *" postgresql "* ]] && [ -z "${BENCH_DATABASE_URL:-}" ]; then
    if [ -z "${BENCH_IN_THROWAWAY_POSTGRES:-}" ]; then
        exec env BENCH_IN_THROWAWAY_POSTGRES=1 bash scripts/with-postgres.sh bash "$SELF" "$@"
    fi
    BENCH_DATABASE_URL="${NETAPP_TEST_DATABASE_URL:?scripts/with-postgres.sh gave no database}"
    POSTGRES_KIND="a throwaway cluster (scripts/with-postgres.sh: fsync off, default memory settings)"
else
    POSTGRES_KIND="BENCH_DATABASE_URL"
fi
unset NETAPP_TEST_DATABASE_URL

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
# Production refuses to start without BASE_URL; no mail is sent, so any address does.
export BASE_URL="${BASE_URL:-http://127.0.0.1}"

# ---------------------------------------------------------------- data

declare -A NATIONAL_URL=([sqlite]="sqlite:///$WORK/national.sqlite3" [postgresql]="${BENCH_DATABASE_URL:-}")
DEMO_URL="sqlite:///$WORK/demo.sqlite3"

# Other work on the machine skews the numbers; the report says how busy it was.
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
for db in $DATABASES; do
    build_started=$(now_s)
    say "Applying migrations to the national database ($db)"
    DATABASE_URL="${NATIONAL_URL[$db]}" "$BIN/flask" --app wsgi db upgrade >"$WORK/migrate-national-$db.log" 2>&1 \
        || { cat "$WORK/migrate-national-$db.log"; die "migrations failed on $db"; }
    say "Building the national data set ($db)"
    DATABASE_URL="${NATIONAL_URL[$db]}" "$BIN/python" tests/perf/build_data.py --summary "$WORK/national-$db.json" 2>&1 \
        | grep -v ' INFO ' || true
    [ -s "$WORK/national-$db.json" ] || die "the national data set was not built on $db"
    echo $(( $(now_s) - build_started )) >"$WORK/build-$db.seconds"
done

say "Loading the demo data into a SQLite database"
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
"${TOOL[@]}" warm "http://127.0.0.1:$BASELINE_PORT" /

# Runs: the demo data (SQLite), then per database the national data as in production and again
# with FRAGMENT_CACHE=0 ("<db>-uncached"), so every request renders its page (what the first
# request after a change costs); its p95 is held to the same target.
RUNS=(demo)
for db in $DATABASES; do
    RUNS+=("$db" "$db-uncached")
done
for run in "${RUNS[@]}"; do
    db="${run%-uncached}" cache=1
    [ "$run" = "$db" ] || cache=0
    if [ "$run" = demo ]; then
        url="$DEMO_URL" email=koordinator@demo.example password=demo summary="$WORK/demo.json"
        title="the demo data"
    else
        url="${NATIONAL_URL[$db]}" email=koordinator@bench.example password=bench summary="$WORK/national-$db.json"
        title="the national data on $db$([ "$cache" = 1 ] || echo ', fragment cache off')"
    fi
    say "Measuring $title (${DURATION}s + ${LATENCY_DURATION}s per page)"
    measure "$run" "Baseline: minimal Flask + SQLAlchemy, 56 rows" "http://127.0.0.1:$BASELINE_PORT" / ""
    serve "netapp-$run" wsgi:app . "DATABASE_URL=$url" "FRAGMENT_CACHE=$cache"
    base="http://127.0.0.1:$PORT"
    cookie="$("${TOOL[@]}" login "$base" "$email" "$password")"
    "${TOOL[@]}" check "$base" "$cookie" "$summary"
    while IFS=$'\t' read -r label path who; do
        if [ "$who" = anonymous ]; then
            measure "$run" "$label" "$base" "$path" ""
        else
            measure "$run" "$label" "$base" "$path" "$cookie"
        fi
    done < <("${TOOL[@]}" pages "$summary")
    stop "$SERVER_PID"
done

# ---------------------------------------------------------------- report

started="$(date '+%Y-%m-%d %H:%M')"
out="bench-results/bench-$(date +%Y-%m-%d-%H%M).md"
"$BIN/python" - "$WORK" "$started" "$DURATION" "$LATENCY_DURATION" "$THREADS" "$CONNECTIONS" \
    "$WORKERS" "$LOAD_BEFORE" "$POSTGRES_KIND" "${NATIONAL_URL[postgresql]}" $DATABASES >"$WORK/meta.json" <<'PY'
import json, os, platform, subprocess, sys
from pathlib import Path

work, started, duration, latency, threads, conns, workers, load, pg_kind, pg_url, *databases = sys.argv[1:]
cpu = "unknown CPU"
for line in Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []:
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
import gunicorn
import sqlite3
wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split(" [")[0].strip() or "wrk"
versions = {"sqlite": f"SQLite {sqlite3.sqlite_version}"}
if "postgresql" in databases:
    from sqlalchemy import create_engine
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        versions["postgresql"] = f"PostgreSQL {conn.exec_driver_sql('SHOW server_version').scalar()} ({pg_kind})"
    engine.dispose()
print(json.dumps({
    "started": started, "duration": duration, "latency_duration": latency,
    "threads": threads, "connections": conns, "workers": workers, "gunicorn": gunicorn.__version__, "wrk": wrk,
    "machine": f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}", "load": load,
    "databases": databases, "versions": versions,
    "build_wall_seconds": {db: int(Path(work, f"build-{db}.seconds").read_text()) for db in databases},
    "demo": json.loads(Path(work, "demo.json").read_text()),
    "national": {db: json.loads(Path(work, f"national-{db}.json").read_text()) for db in databases},
}))
PY
echo
"${TOOL[@]}" report "$RESULTS" "$WORK/meta.json" "$out"
say "Written to $out"
