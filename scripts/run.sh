#!/usr/bin/env bash
# Serve netapp locally: migrate, load the counties and municipalities, load the demo data into an
# empty database, start the development mail catcher (127.0.0.1:8025) and the scheduler that sends
# the outbox, and serve with gunicorn at http://127.0.0.1:5000. Ctrl-C stops the server and the
# helpers started here.
# Settings: NETAPP_ENV (development), HOST, PORT, WORKERS, SCHEDULER=0 to leave the outbox alone,
# BASE_URL (the start of links in e-mails; http://HOST:PORT unless given).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

export NETAPP_ENV="${NETAPP_ENV:-development}"
BIN=.venv/bin
FLASK=("$BIN/flask" --app wsgi)
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-5000}"
WORKERS="${WORKERS:-2}"
# Links in e-mails point where this server answers, unless the address is given.
BASE_URL="${BASE_URL:-$(served_url "$HOST" "$PORT")}"
export BASE_URL
MAIL_HOST=127.0.0.1
MAIL_PORT_DEV=8025

[ -x "$BIN/gunicorn" ] || die "$BIN/gunicorn not found; run make run (it installs netapp first)"

say "Applying migrations (NETAPP_ENV=$NETAPP_ENV)"
"${FLASK[@]}" db upgrade

say "Loading Norway's counties and municipalities (changes nothing when they are current)"
"${FLASK[@]}" reference load

say "Loading the demo data if the database is empty"
"${FLASK[@]}" seed-demo --if-empty

# Background helpers started here; stopped (TERM, and waited for) when the server stops.
PIDS=()
cleanup() {
    trap - EXIT INT TERM
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_background NAME COMMAND...: start a helper; warn (and go on) when it dies at once.
start_background() {
    local name="$1" pid
    shift
    "$@" &
    pid=$!
    sleep 1
    if kill -0 "$pid" 2>/dev/null; then
        PIDS+=("$pid")
    else
        wait "$pid" 2>/dev/null || true
        warn "the $name did not start; see the message above"
    fi
}

# The catcher stands in for MAIL_SERVER only while that is the local default.
if [ "$NETAPP_ENV" = development ] && [[ "${MAIL_SERVER:-127.0.0.1}" =~ ^(127\.0\.0\.1|localhost)$ ]] \
    && [ "${MAIL_PORT:-$MAIL_PORT_DEV}" = "$MAIL_PORT_DEV" ]; then
    if port_open "$MAIL_HOST" "$MAIL_PORT_DEV"; then
        say "Mail catcher already listening on $MAIL_HOST:$MAIL_PORT_DEV; using it"
    else
        say "Starting the mail catcher on $MAIL_HOST:$MAIL_PORT_DEV (messages are printed here)"
        start_background "mail catcher" "${FLASK[@]}" devmail
    fi
fi

# The outbox is sent by the scheduler, its own process (never inside a web worker).
if [ "${SCHEDULER:-1}" != 0 ]; then
    say "Starting the scheduler (sends the outbox every minute)"
    start_background scheduler "${FLASK[@]}" scheduler
fi

if port_open "$HOST" "$PORT"; then
    die "something already listens on $HOST:$PORT; stop it, or serve elsewhere: make run PORT=5001"
fi
say "Serving netapp at http://$HOST:$PORT (Ctrl-C stops; links in e-mails start with $BASE_URL)"
# In the background and waited for, so that a signal to this script alone also stops it all.
"$BIN/gunicorn" --workers "$WORKERS" --bind "$HOST:$PORT" --access-logfile - wsgi:app &
PIDS+=("$!")
wait "$!"
