"""Norwegian first: bokmål by default, nynorsk and English by the user's own choice, complete catalogues,
dates as 23.11.2026 in every language."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale
from sqlalchemy import select

from netapp.blueprints.registry.models import Membership, MembershipRole, Network, Person, PersonStatus
from netapp.extensions import db
from netapp.timeutil import format_date, format_datetime

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "netapp" / "translations"
LANGUAGES = ("nb", "nn", "en")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")

# A string from the navigation of base.html in each language (the skip link and the menu's label).
SKIP_LINK = {"nb": "Hopp til hovedinnholdet", "nn": "Hopp til hovudinnhaldet", "en": "Skip to main content"}
MAIN_MENU = {"nb": "Hovedmeny", "nn": "Hovudmeny", "en": "Main menu"}


def _catalogue(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def _strings(message) -> tuple[str, ...]:
    # An untranslated plural entry may come back as one empty string rather than a tuple.
    return tuple(message.string) if isinstance(message.string, (list, tuple)) else (message.string,)


def _ids(message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, (list, tuple)) else (message.id,)


def _page_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert match, "no <html lang> on the page"
    return match.group(1)


# --- the catalogues -----------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(lang):
    catalogue = _catalogue(lang)
    assert catalogue.num_plurals == 2
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 100, "the catalogue looks truncated"
    empty = [m.id for m in messages if not all(_strings(m)) or len(_strings(m)) < len(_ids(m))]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not empty, f"{lang}: messages without a translation (run scripts/i18n.sh and translate): {empty}"
    assert not fuzzy, f"{lang}: fuzzy messages (check and clear the flag): {fuzzy}"


def test_bokmal_catalogue_is_the_source_text():
    for message in _catalogue("nb"):
        if message.id:
            assert _strings(message) == _ids(message), message.id


@pytest.mark.parametrize("lang", ("nn", "en"))
def test_translations_keep_the_placeholders(lang):
    wrong = []
    for message in _catalogue(lang):
        if not message.id:
            continue
        wanted = sorted(PLACEHOLDER.findall(_ids(message)[-1]))
        for string in filter(None, _strings(message)):  # empty ones fail the test above
            if sorted(PLACEHOLDER.findall(string)) != wanted:
                wrong.append((message.id, string))
    assert not wrong, f"{lang}: placeholders differ from the source text: {wrong}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(lang):
    """The .mo files are committed: they must say what the .po file says (run scripts/i18n.sh).
    The .po file is compiled in memory the way pybabel compile does, and both are read back."""
    compiled = io.BytesIO()
    write_mo(compiled, _catalogue(lang))
    compiled.seek(0)
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo", "rb") as f:
        committed = read_mo(f)
    expected = {_ids(m): _strings(m) for m in read_mo(compiled) if m.id}
    actual = {_ids(m): _strings(m) for m in committed if m.id}
    assert len(expected) > 100
    assert actual == expected, f"{lang}: messages.mo is out of date; run scripts/i18n.sh"


def test_no_string_in_the_code_is_missing_from_the_catalogues(tmp_path):
    """Extract with the same script as `make translations`; every string found must be in each catalogue."""
    pot = tmp_path / "messages.pot"
    bin_dir = Path(sys.executable).parent  # the venv running the tests has pybabel
    if not (bin_dir / "pybabel").exists() and shutil.which("pybabel"):
        bin_dir = Path(shutil.which("pybabel")).parent
    env = {**os.environ, "BIN": str(bin_dir)}
    result = subprocess.run(["bash", str(ROOT / "scripts" / "i18n.sh"), "extract", str(pot)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    with open(pot, "rb") as f:
        extracted = {_ids(m) for m in read_po(f) if m.id}
    assert len(extracted) > 100
    for lang in LANGUAGES:
        known = {_ids(m) for m in _catalogue(lang) if m.id}
        missing = sorted(extracted - known)
        assert not missing, f"{lang}: strings in the code but not in the catalogue (run scripts/i18n.sh): {missing}"


# --- the language follows the user's choice -----------------------------------------------------

def test_bokmal_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert _page_lang(response) == "nb"
    assert SKIP_LINK["nb"] in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ("nn", "en"))
def test_chosen_language_is_kept_in_a_cookie(client, lang):
    response = client.post("/language", data={"language": lang, "next": "/"})
    assert response.status_code == 302
    assert f"lang={lang}" in response.headers["Set-Cookie"]

    response = client.get("/")
    text = response.get_data(as_text=True)
    assert _page_lang(response) == lang
    assert SKIP_LINK[lang] in text and MAIN_MENU[lang] in text
    assert SKIP_LINK["nb"] not in text

    client.post("/language", data={"language": "nb", "next": "/"})
    assert _page_lang(client.get("/")) == "nb"


def test_unknown_language_is_ignored(client):
    response = client.post("/language", data={"language": "sv", "next": "/"})
    assert response.status_code == 302
    assert "lang=" not in response.headers.get("Set-Cookie", "")
    assert _page_lang(client.get("/")) == "nb"


@pytest.mark.parametrize("header", ["en-US,en;q=0.9", "nn-NO,nn;q=0.9", "en"])
def test_browser_accept_language_is_ignored(client, header):
    response = client.get("/", headers={"Accept-Language": header})
    assert _page_lang(response) == "nb"
    assert SKIP_LINK["nb"] in response.get_data(as_text=True)


def test_profile_language_wins_over_the_cookie(client, demo, login):
    login("ressurs@demo.example")
    response = client.post("/auth/profile", data={"language": "en"})
    assert response.status_code == 302
    client.set_cookie("lang", "nn")

    response = client.get("/dashboard", headers={"Accept-Language": "nb-NO"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _page_lang(response) == "en"
    assert "Overview" in text and "Log out" in text

    client.post("/auth/logout")
    response = client.get("/")
    assert _page_lang(response) == "nn"  # logged out, the cookie decides again
    assert SKIP_LINK["nn"] in response.get_data(as_text=True)


# --- dates ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_dates_are_day_month_year_in_every_language(app, lang):
    with app.test_request_context(), force_locale(lang):
        assert format_date(date(2026, 11, 23)) == "23.11.2026"
        # Stored in UTC, shown in Oslo: 23:30 UTC on 23 November is already the 24th in Norway.
        assert format_date(datetime(2026, 11, 23, 23, 30)) == "24.11.2026"
        assert format_datetime(datetime(2026, 6, 1, 10, 5)) == "01.06.2026 12:05"
        assert app.jinja_env.from_string("{{ d|date }}").render(d=date(2026, 11, 23)) == "23.11.2026"


def test_person_page_shows_dates_as_day_month_year(client, demo, login):
    person = db.session.scalars(
        select(Person)
        .join(Membership, Membership.person_id == Person.id)
        .join(Network, Network.id == Membership.network_id)
        .where(Network.slug == "barnepalliasjon-sor-rogaland", Membership.role == MembershipRole.RESOURCE_PERSON,
               Person.status == PersonStatus.ACTIVE)
        .order_by(Person.id)
    ).first()
    person.active_from = date(2026, 11, 23)
    db.session.commit()
    person_id = person.id

    login("koordinator@demo.example")
    for lang, active_from in (("nb", "fra 23.11.2026"), ("nn", "frå 23.11.2026"), ("en", "from 23.11.2026")):
        client.post("/language", data={"language": lang, "next": "/"})
        response = client.get(f"/registry/persons/{person_id}")
        text = response.get_data(as_text=True)
        assert response.status_code == 200
        assert _page_lang(response) == lang
        assert active_from in text
        assert "2026-11-23" not in text and "11/23/2026" not in text
