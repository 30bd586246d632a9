"""Counts are said with the right plural: every message that shows a number of things goes
through ngettext with both forms ("1 deltaker", "2 deltakere"), in Python and in templates.

The messages are extracted with Babel's own API and the same mapping as scripts/i18n.sh
(babel.cfg and its keywords), so what is checked is exactly what translators get. A message
without a plural form is counted when

- it has a placeholder named as a count: %(num)d, %(count)s, %(n)s, %(number)s, %(total)s
  (or {count} ...), or
- any placeholder stands right before a word that is a Norwegian plural: "%(days)s dager",
  "%(created)d nye".

Plain numbers that are no count of things (a page's "nr. %(id)s", "%(min)d til %(max)d", a
"%(size)s" in megabytes) pass. The templates are also scanned for a number put straight before a
plural outside any message ("{{ n }} deltakere"), which extraction cannot see.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "netapp" / "templates"
# scripts/i18n.sh: -k _l -k lazy_gettext -k lazy_ngettext:1,2, on top of Babel's defaults.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}

COUNT_NAMES = {"num", "count", "n", "number", "total", "antall"}
# Plural nouns and adjectives that follow a count in this app's messages (and a few more likely ones).
PLURALS = {
    "deltakere", "påmeldte", "personer", "ressurspersoner", "ansatte", "medlemmer", "ledere", "koordinatorer",
    "arbeidssteder", "kommuner", "fylker", "organisasjoner", "nettverk", "nettverkene", "rader", "kolonner",
    "timer", "dager", "uker", "måneder", "år", "minutter", "sekunder", "invitasjoner", "adresser",
    "arrangementer", "plasser", "søknader", "påmeldinger", "evalueringer", "e-poster", "meldinger",
    "nye", "aktive", "ledige", "avviste", "oppdaterte", "uendrede", "skriftlige",
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdif]|\{(\w+)(?:![rsa])?(?::[^}]*)?\}")
# Words that are the same in the singular (so no count before them is wrong): "svar", "spørsmål",
# "tegn" ... are simply not in PLURALS.


def _messages():
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        yield filename, lineno, message


def counted_without_plural(message: str) -> bool:
    """The rule: a placeholder named as a count, or any placeholder right before a plural word."""
    for match in PLACEHOLDER.finditer(message):
        name = match.group(1) or match.group(2)
        if name in COUNT_NAMES:
            return True
        following = re.match(r"\s+([\wæøåÆØÅ-]+)", message[match.end():])
        if following and following.group(1).lower() in PLURALS:
            return True
    return False


def test_the_rule_catches_counts_and_passes_other_numbers():
    assert counted_without_plural("%(num)d deltakere har fått e-post.")
    assert counted_without_plural("Lenken virker i %(days)s dager.")
    assert counted_without_plural("Importen er fullført: %(created)d nye.")
    assert counted_without_plural("{count} påmeldte")
    assert not counted_without_plural("Oppføring nr. %(id)s")
    assert not counted_without_plural("Skriv et tall fra %(min)d til %(max)d.")
    assert not counted_without_plural("Skriv høyst %(max)d tegn.")
    assert not counted_without_plural("Du er påmeldt %(title)s %(date)s kl. %(time)s.")


def test_every_counted_message_has_a_plural_form():
    offenders = []
    for filename, lineno, message in _messages():
        if isinstance(message, tuple):
            if len(message) > 1 and message[1]:
                continue  # ngettext: singular and plural
            message = message[0]
        if message and counted_without_plural(message):
            offenders.append(f"{filename}:{lineno}: {message!r}")
    assert not offenders, "use ngettext (both forms) for these counted messages:\n" + "\n".join(offenders)


# A Jinja expression, then (after at most a closing tag or a non-breaking space) a plural word.
NUMBER_BEFORE_PLURAL = re.compile(
    r"\{\{[^{}]*\}\}(?:\s|&nbsp;|</?\w+[^>]*>)*\s*(" + "|".join(sorted(map(re.escape, PLURALS), key=len, reverse=True))
    + r")\b", re.IGNORECASE)
PLURAL_BLOCK = re.compile(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", re.DOTALL)


def test_no_template_puts_a_number_straight_before_a_plural():
    offenders = []
    for path in sorted([*TEMPLATES.rglob("*.html"), *TEMPLATES.rglob("*.txt")]):
        text = path.read_text(encoding="utf-8")
        # {% trans count=n %} ... {% pluralize %} blocks are extracted (and checked) above.
        text = PLURAL_BLOCK.sub(lambda m: "\n" * m.group(0).count("\n"), text)
        for match in NUMBER_BEFORE_PLURAL.finditer(text):
            expression = match.group(0)
            if "_(" in expression or "gettext(" in expression:
                continue  # a translated message before the word, not a number
            line = text.count("\n", 0, match.start()) + 1
            offenders.append(f"{path.relative_to(ROOT)}:{line}: {expression.strip()}")
    assert not offenders, "put these counts through ngettext:\n" + "\n".join(offenders)


def test_both_forms_have_the_same_placeholders():
    """A translation keeps the source's placeholders in every form (tests/test_i18n.py), so the
    singular names the count as the plural does: "%(num)d deltaker", never just "én deltaker"."""
    offenders = []
    for filename, lineno, message in _messages():
        if isinstance(message, tuple) and len(message) > 1 and message[1]:
            singular, plural = (sorted(m.group(0) for m in PLACEHOLDER.finditer(form)) for form in message[:2])
            if singular != plural:
                offenders.append(f"{filename}:{lineno}: {message[:2]!r}")
    assert not offenders, "give both forms the same placeholders:\n" + "\n".join(offenders)
