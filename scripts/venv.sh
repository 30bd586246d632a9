#!/usr/bin/env bash
# Create the virtualenv (default .venv) with python3. Debian ships venv's pip bootstrap in a
# separate package (python3-venv); install it when missing, then try again.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

VENV="${1:-.venv}"
PYTHON="${PYTHON:-python3}"

have "$PYTHON" || die "$PYTHON not found; netapp needs Python 3.11 or newer"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "$("$PYTHON" --version 2>&1) is too old; netapp needs Python 3.11 or newer"

if [ -x "$VENV/bin/python" ] && [ -x "$VENV/bin/pip" ]; then
    exit 0
fi

say "Creating the virtualenv in $VENV"
if ! "$PYTHON" -m venv "$VENV" 2>/tmp/netapp-venv.err; then
    rm -rf "$VENV"
    if grep -q ensurepip /tmp/netapp-venv.err; then
        version="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        apt_install "python${version}-venv"
        "$PYTHON" -m venv "$VENV"
    else
        cat /tmp/netapp-venv.err >&2
        die "could not create the virtualenv in $VENV"
    fi
fi
rm -f /tmp/netapp-venv.err
