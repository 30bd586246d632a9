#!/usr/bin/env bash
# What the browser tests (tests/e2e) need beyond the virtualenv:
#   - Debian's chromium, driven by Playwright (Playwright's own browser download does not work
#     here: the machine reaches package registries only),
#   - a Java runtime for the Nu Html Checker (vnu.jar),
#   - node_modules from package-lock.json: axe-core and vnu-jar.
# Debian packages are installed only when missing, and only as root (otherwise the script says
# what to install and stops). `npm ci` runs when node_modules is missing or package-lock.json
# changed since the last install. Safe to run again: it does nothing when all is in place.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

missing=()
have chromium || [ -x /usr/bin/chromium ] || missing+=(chromium)
have java || missing+=(default-jre-headless)
have npm || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
fi

# npm ci starts from an empty node_modules; the stamp records which lock file it installed.
STAMP=node_modules/.netapp-lock.sha256
wanted="$(sha256sum package-lock.json | cut -d' ' -f1)"
installed="$(cat "$STAMP" 2>/dev/null || true)"
if [ ! -d node_modules ] || [ "$wanted" != "$installed" ] \
    || [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ]; then
    say "Installing the npm test tools (axe-core, vnu-jar) from package-lock.json"
    # --ignore-scripts: vnu-jar's postinstall would fetch a Java runtime from GitHub when none is
    # found; the system's Java (installed above) is used instead, so nothing leaves the registry.
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    printf '%s\n' "$wanted" > "$STAMP"
fi
