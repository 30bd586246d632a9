#!/usr/bin/env bash
# The message catalogues: extract every string from netapp/ (Python and Jinja2 templates, the
# .txt e-mails included), update the nb/nn/en catalogues keeping what is translated, fill the
# bokmål catalogue (the source language: msgstr = msgid), compile the .mo files (committed) and
# list what is still untranslated. Safe to re-run: with no new strings nothing changes.
#
#   scripts/i18n.sh                 extract, update, compile, report   (make translations)
#   scripts/i18n.sh extract FILE    only extract, into FILE (tests/test_i18n.py uses this)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

BIN="${BIN:-.venv/bin}"
PYBABEL="$BIN/pybabel"
PYTHON="$BIN/python"
[ -x "$PYBABEL" ] || die "$PYBABEL not found; run make translations (it installs Babel with the dev tools)"

POT=netapp/messages.pot
TRANSLATIONS=netapp/translations
LANGS=(nb nn en)

# Forms use lazy_gettext as _l; gettext/_/ngettext are Babel's defaults.
extract() {
    "$PYBABEL" --quiet extract -F babel.cfg \
        -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
        --add-location=file --sort-output --no-wrap \
        --project=netapp --version=0.1 --copyright-holder=netapp \
        -o "$1" .
}

if [ "${1:-}" = "extract" ]; then
    [ -n "${2:-}" ] || die "usage: scripts/i18n.sh extract FILE"
    extract "$2"
    exit 0
fi

say "Extracting messages from netapp/"
tmp_pot="$(mktemp)"
trap 'rm -f "$tmp_pot"' EXIT
extract "$tmp_pot"
# Keep the old template when only its creation date would change, so a re-run changes no file.
if [ -f "$POT" ] && diff -q <(grep -v '^"POT-Creation-Date:' "$POT") <(grep -v '^"POT-Creation-Date:' "$tmp_pot") >/dev/null; then
    say "No new or changed strings"
else
    cat "$tmp_pot" > "$POT"  # not cp: keep the usual file mode, not mktemp's 0600
fi

for lang in "${LANGS[@]}"; do
    po="$TRANSLATIONS/$lang/LC_MESSAGES/messages.po"
    if [ -f "$po" ]; then
        say "Updating $po"
        # No fuzzy matching: a new string stays empty (and fails tests/test_i18n.py) rather than
        # borrowing a wrong translation from a similar one.
        "$PYBABEL" --quiet update -i "$POT" -d "$TRANSLATIONS" -D messages -l "$lang" \
            --no-fuzzy-matching --ignore-obsolete --no-wrap
    else
        say "Creating $po"
        "$PYBABEL" --quiet init -i "$POT" -d "$TRANSLATIONS" -D messages -l "$lang" --no-wrap
    fi
done

# Bokmål is the language of the source strings: its translation is the string itself.
"$PYTHON" - "$TRANSLATIONS/nb/LC_MESSAGES/messages.po" <<'PY'
import sys

from babel.messages.pofile import read_po, write_po

path = sys.argv[1]
with open(path, "rb") as f:
    catalog = read_po(f, locale="nb")
filled = 0
for message in catalog:
    if not message.id:
        continue
    if message.pluralizable:
        wanted = tuple(message.id)
        if tuple(message.string) != wanted:
            message.string = wanted
            filled += 1
    elif message.string != message.id:
        message.string = message.id
        filled += 1
    message.flags.discard("fuzzy")
if filled:
    with open(path, "wb") as f:
        write_po(f, catalog, width=None, ignore_obsolete=True)
    print(f"==> Filled {filled} bokmål message(s) with their source text")
PY

say "Compiling"
"$PYBABEL" compile -d "$TRANSLATIONS" -D messages --statistics

# What still needs a translator (nn, en). Not an error here; tests/test_i18n.py fails on it.
"$PYTHON" - "$TRANSLATIONS" "${LANGS[@]}" <<'PY'
import sys

from babel.messages.pofile import read_po

root, langs = sys.argv[1], sys.argv[2:]
missing_total = 0
for lang in langs:
    with open(f"{root}/{lang}/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f, locale=lang)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id[0] if isinstance(message.id, (list, tuple)) else message.id)
    missing_total += len(missing)
    for msgid in missing:
        print(f"warning: {lang}: untranslated: {msgid!r}", file=sys.stderr)
if missing_total:
    print(f"warning: {missing_total} message(s) to translate; then run scripts/i18n.sh again", file=sys.stderr)
else:
    print("==> Every message is translated in " + ", ".join(langs))
PY
