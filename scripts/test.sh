#!/usr/bin/env bash
# The whole suite on SQLite, then everything but the browser journeys (marker e2e) on a
# throwaway PostgreSQL cluster. Both parts always run; any failure fails the script.
# Extra pytest arguments: scripts/test.sh -x -k login  (or make test PYTEST_ARGS="-x -k login").
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

PYTEST="${PYTEST:-.venv/bin/pytest}"
[ -x "$PYTEST" ] || die "$PYTEST not found; run make test (it installs the test tools)"
# A hung test must not hang CI: each part is interrupted after this many seconds (pytest then
# shows where it was stuck), and killed 30 seconds later if it still runs.
TEST_TIMEOUT="${TEST_TIMEOUT:-1800}"

# The browser journeys (tests/e2e) need Debian's chromium, Java and node_modules (axe-core, vnu).
if [ -d tests/e2e ]; then
    bash scripts/install-browser-deps.sh
fi

# pytest's exit status: 0 all passed, 1 failures, 2 interrupted, 3 internal error,
# 4 usage error, 5 no tests collected. Anything but 0 is a failure here, 5 included.
explain() {
    case "$1" in
        0) echo "passed" ;;
        1) echo "FAILED (failing tests)" ;;
        2) echo "FAILED (interrupted)" ;;
        3) echo "FAILED (internal pytest error)" ;;
        4) echo "FAILED (pytest usage error)" ;;
        5) echo "FAILED (no tests were collected)" ;;
        124|137) echo "FAILED (timed out after ${TEST_TIMEOUT}s)" ;;
        *) echo "FAILED (exit status $1)" ;;
    esac
}

run_part() {
    local start status
    start="$(now_s)"
    set +e
    "$@"
    status=$?
    set -e
    LAST_SECONDS=$(( $(now_s) - start ))
    return "$status"
}

# Two workers (pytest-xdist) for the request-level tests: this is a 2-core machine. The browser
# tests run on their own, in one process, against their own server.
WORKERS="${TEST_WORKERS:-2}"
# Each part ends with its slowest tests, so the time budget (README, Tests) is watched as it grows.
DURATIONS=(--durations=20)

# The browser journeys run beside the SQLite part: they spend much of their time waiting for the
# browser and the server, which the request-level tests fill. Their output follows the SQLite part's.
started_all="$(now_s)"
e2e_log="$(mktemp)"
say "Browser journeys, accessibility and HTML checks (Chromium, SQLite), beside the SQLite part"
e2e_status=0
(
    status=0
    run_part env -u NETAPP_TEST_DATABASE_URL NETAPP_ENV=testing \
        timeout --foreground --signal=INT -k 30 "$TEST_TIMEOUT" "$PYTEST" -q -p no:cacheprovider -m e2e "${DURATIONS[@]}" "$@" \
        >"$e2e_log" 2>&1 || status=$?
    echo "$LAST_SECONDS" >"$e2e_log.seconds"
    exit "$status"
) &
e2e_pid=$!
e2e_started="$(now_s)"

say "Test suite on SQLite"
sqlite_status=0
run_part env -u NETAPP_TEST_DATABASE_URL NETAPP_ENV=testing \
    timeout --foreground --signal=INT -k 30 "$TEST_TIMEOUT" "$PYTEST" -q -n "$WORKERS" -m "not e2e" "${DURATIONS[@]}" "$@" || sqlite_status=$?
sqlite_seconds=$LAST_SECONDS

wait "$e2e_pid" || e2e_status=$?
e2e_seconds="$(cat "$e2e_log.seconds" 2>/dev/null || echo $(( $(now_s) - e2e_started )))"
echo
say "Browser journeys, accessibility and HTML checks (Chromium, SQLite)"
cat "$e2e_log"
rm -f "$e2e_log" "$e2e_log.seconds"
together_seconds=$(( $(now_s) - started_all ))

echo
say "Test suite on PostgreSQL (without the browser journeys)"
pg_status=0
# On PostgreSQL the fuzzer posts its sweep (each nasty value in each field, where a column's type
# or length matters) and 3 drawn examples per form instead of 15: the drawn ones test parsing,
# which the SQLite part covers with the full count.
run_part bash scripts/with-postgres.sh env NETAPP_ENV=testing FUZZ_EXAMPLES="${PG_FUZZ_EXAMPLES:-3}" \
    timeout --foreground --signal=INT -k 30 "$TEST_TIMEOUT" "$PYTEST" -q -n "$WORKERS" -m "not e2e" "${DURATIONS[@]}" "$@" || pg_status=$?
pg_seconds=$LAST_SECONDS

echo
say "Summary"
printf '    SQLite:     %-36s %4ss\n' "$(explain "$sqlite_status")" "$sqlite_seconds"
printf '    Browser:    %-36s %4ss (beside the SQLite part; both done after %ss)\n' "$(explain "$e2e_status")" \
    "$e2e_seconds" "$together_seconds"
printf '    PostgreSQL: %-36s %4ss\n' "$(explain "$pg_status")" "$pg_seconds"
total_seconds=$(( together_seconds + pg_seconds ))
printf '    In all:     %-36s %4ss (%dm%02ds; the budget is 9 minutes)\n' "" "$total_seconds" \
    $(( total_seconds / 60 )) $(( total_seconds % 60 ))

if [ "$sqlite_status" -ne 0 ] || [ "$e2e_status" -ne 0 ] || [ "$pg_status" -ne 0 ]; then
    exit 1
fi
