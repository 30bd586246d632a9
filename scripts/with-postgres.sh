#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster:
#
#   scripts/with-postgres.sh COMMAND [ARG...]
#
# The cluster lives in a temporary directory, listens only on 127.0.0.1 on a free port, trusts
# loopback connections and runs with fsync off (its data is thrown away). COMMAND sees
# NETAPP_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/netapp_test. The cluster
# is stopped and its directory removed whatever happens; the exit status is COMMAND's.
# PostgreSQL comes from Debian's packages, installed when missing (as root).
set -euo pipefail
. "$(dirname "$0")/lib.sh"  # no cd: COMMAND runs in the caller's directory

[ $# -gt 0 ] || die "usage: $0 COMMAND [ARG...]"

find_bindir() {
    local dir
    if have pg_config; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"; return 0
        fi
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"; return 0
        fi
    done
    if have initdb && have pg_ctl; then
        dirname "$(readlink -f "$(command -v initdb)")"; return 0
    fi
    return 1
}

BINDIR="$(find_bindir || true)"
if [ -z "$BINDIR" ]; then
    apt_install postgresql
    BINDIR="$(find_bindir)" || die "PostgreSQL was installed but initdb/pg_ctl are still not found"
fi

# PostgreSQL refuses to run as root: as root, the cluster runs as the postgres system user.
if [ "$(id -u)" -eq 0 ]; then
    PGUSER_OS=postgres
    if ! id -u "$PGUSER_OS" >/dev/null 2>&1; then
        say "Creating the postgres system user"
        useradd --system --user-group --home-dir /var/lib/postgresql --shell /usr/sbin/nologin "$PGUSER_OS"
    fi
    as_pg() { runuser -u "$PGUSER_OS" -- "$@"; }
else
    PGUSER_OS="$(id -un)"
    as_pg() { "$@"; }
fi

PGTMP="$(mktemp -d "${TMPDIR:-/tmp}/netapp-pg.XXXXXX")"
DATA="$PGTMP/data"
LOG="$PGTMP/postgres.log"
STARTED=0

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ "$STARTED" -eq 1 ]; then
        (cd "$PGTMP" && as_pg "$BINDIR/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1) \
            || warn "could not stop the PostgreSQL cluster in $PGTMP"
    fi
    rm -rf "$PGTMP"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

chmod 700 "$PGTMP"
[ "$(id -u)" -eq 0 ] && chown "$PGUSER_OS": "$PGTMP"

# C.UTF-8 when the system has it: codepoint order like SQLite, full Unicode case mapping.
LOCALE=C
if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
    LOCALE=C.UTF-8
fi

# The tools are run from the temporary directory: as postgres, they cannot read root's cwd.
(cd "$PGTMP" && as_pg "$BINDIR/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 \
    --locale="$LOCALE" --no-sync >"$PGTMP/initdb.log" 2>&1) || {
    cat "$PGTMP/initdb.log" >&2
    die "initdb failed"
}

# Another process may grab the free port between the check and the start: try a few.
PORT=""
for _ in 1 2 3 4 5; do
    candidate="$(free_port)"
    options="-c listen_addresses=127.0.0.1 -c port=$candidate -c unix_socket_directories=$PGTMP"
    options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
    if (cd "$PGTMP" && as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -o "$options" -w -t 60 start >/dev/null); then
        PORT="$candidate"
        STARTED=1
        break
    fi
done
if [ -z "$PORT" ]; then
    cat "$LOG" >&2 || true
    die "could not start PostgreSQL"
fi

# A database of its own; the initial "postgres" database when no psql is at hand.
DBNAME=postgres
PSQL="$BINDIR/psql"
[ -x "$PSQL" ] || PSQL="$(command -v psql || true)"
if [ -n "$PSQL" ]; then
    DBNAME=netapp_test
    (cd "$PGTMP" && as_pg "$PSQL" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres \
        -c "CREATE DATABASE $DBNAME") || die "could not create the database $DBNAME"
fi

say "PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (data in $PGTMP)"
export NETAPP_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/$DBNAME"

set +e
"$@"
status=$?
set -e
exit "$status"
