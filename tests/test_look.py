"""A network's look: its coordinators upload a logo (PNG, or SVG cleaned of anything active) and
choose a colour that keeps the header readable; the network's pages show them, other pages not.
Statuses show as words in badges."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from netapp.blueprints.look.services import MAX_LOGO_BYTES, clean_svg
from netapp.blueprints.registry.models import Network
from netapp.extensions import db
from netapp.look import DARK_TEXT, LIGHT_TEXT, contrast_ratio, readable, text_colour_for
from tests.conftest import table_rows
from tests.matrix.look import PNG

SVG_WITH_SCRIPT = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="alert(1)">
  <script>alert('x')</script>
  <foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">hei</div></foreignObject>
  <image xlink:href="https://tracker.example/p.png" width="1" height="1"/>
  <use xlink:href="https://evil.example/sprite.svg#a"/>
  <a href="javascript:alert(1)"><rect width="1" height="1"/></a>
  <rect width="10" height="10" fill="url(https://evil.example/x)" onclick="alert(2)"/>
  <circle cx="5" cy="5" r="4" fill="#1f5c99"/>
  <use href="#c"/>
</svg>"""


def _look_url(world) -> str:
    return f"/networks/{world.network.slug}/look"


def _upload(client, url, data: bytes, filename: str, colour: str = ""):
    return client.post(url, data={"logo": (io.BytesIO(data), filename), "colour": colour},
                       content_type="multipart/form-data")


def _field_error(page: str, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', page)
    return match.group(1) if match else ""


def _network(slug: str) -> Network:
    db.session.expire_all()
    return db.session.scalar(select(Network).where(Network.slug == slug))


# ---------------------------------------------------------------- colours

def test_header_text_is_white_or_near_black_whichever_reads_better():
    assert text_colour_for("#1f4e5f") == LIGHT_TEXT
    assert text_colour_for("#ffd34d") == DARK_TEXT
    assert contrast_ratio("#ffffff", "#000000") == 21
    assert readable("#1f4e5f") and readable("#ffd34d")
    # A middle grey reaches 4.5:1 with neither.
    assert not readable("#777777")


def test_a_colour_without_readable_text_is_refused_beside_the_field(client, login, world):
    login(world.coordinator_email)
    page = client.post(_look_url(world), data={"colour": "#777777"}).get_data(as_text=True)
    assert "kontrast under 4,5:1" in _field_error(page, "colour")
    assert 'value="#777777"' in page  # what was typed stays
    assert _network("nettverket").colour is None
    page = client.post(_look_url(world), data={"colour": "blå"}).get_data(as_text=True)
    assert "#" in _field_error(page, "colour")
    response = client.post(_look_url(world), data={"colour": "#1F5C99"})
    assert response.status_code == 302
    assert _network("nettverket").colour == "#1f5c99"


# ---------------------------------------------------------------- logos

def test_a_png_logo_is_stored_and_served_with_long_caching(client, login, world):
    login(world.coordinator_email)
    assert _upload(client, _look_url(world), PNG, "logo.png").status_code == 302
    network = _network("nettverket")
    assert network.logo_type == "image/png" and network.logo == PNG
    response = client.get(f"/networks/nettverket/logo/{network.logo_hash}")
    assert response.status_code == 200 and response.data == PNG
    assert response.mimetype == "image/png"
    assert "immutable" in response.headers["Cache-Control"]
    assert client.get("/networks/nettverket/logo/0123456789abcdef").status_code == 404


def test_the_type_is_read_from_the_content_not_the_name(client, login, world):
    login(world.coordinator_email)
    page = _upload(client, _look_url(world), b"Fornavn;Etternavn\nKari;Nordmann\n", "logo.png").get_data(as_text=True)
    assert "verken et PNG- eller et SVG-bilde" in _field_error(page, "logo")
    jpeg = bytes.fromhex("ffd8ffe000104a46494600010100000100010000") + b"\x00" * 100
    page = _upload(client, _look_url(world), jpeg, "logo.svg").get_data(as_text=True)
    assert "image/jpeg" in _field_error(page, "logo")
    assert _network("nettverket").logo_hash is None


def test_a_too_large_logo_is_refused(client, login, world):
    login(world.coordinator_email)
    big = PNG + b"\x00" * MAX_LOGO_BYTES
    page = _upload(client, _look_url(world), big, "stor.png").get_data(as_text=True)
    assert "for stor" in _field_error(page, "logo")
    assert _network("nettverket").logo_hash is None


def test_an_svg_logo_loses_scripts_handlers_and_outside_references(client, login, world):
    login(world.coordinator_email)
    assert _upload(client, _look_url(world), SVG_WITH_SCRIPT, "logo.svg").status_code == 302
    network = _network("nettverket")
    assert network.logo_type == "image/svg+xml"
    stored = network.logo.decode()
    for unsafe in ("<script", "alert", "onload", "onclick", "foreignObject", "evil.example", "tracker.example",
                   "javascript:", "<image", "<a "):
        assert unsafe not in stored, unsafe
    assert "<circle" in stored and 'href="#c"' in stored  # the drawing, and a reference inside the file
    response = client.get(f"/networks/nettverket/logo/{network.logo_hash}")
    assert response.mimetype == "image/svg+xml"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_an_svg_with_entities_or_another_root_is_refused():
    import pytest

    from netapp.blueprints.look.services import LogoRefused

    laughs = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
    for data in (laughs, b"<html><body>hei</body></html>", b"<svg"):
        with pytest.raises(LogoRefused):
            clean_svg(data)


def test_a_coordinator_of_another_network_cannot_change_its_look(client, login, world):
    login("annen@test.example")
    assert client.get(_look_url(world)).status_code == 403
    assert _upload(client, _look_url(world), PNG, "logo.png", colour="#1f5c99").status_code == 403
    assert _network("nettverket").logo_hash is None


# ---------------------------------------------------------------- where the look shows

def _header(page: str) -> str:
    return page.split("<header>", 1)[1].split("</header>", 1)[0]


def test_the_logo_and_colour_show_on_the_networks_pages_and_not_on_anothers(client, login, world):
    login(world.coordinator_email)
    _upload(client, _look_url(world), PNG, "logo.png", colour="#ffd34d")
    network = _network("nettverket")
    logo = f"/networks/nettverket/logo/{network.logo_hash}"
    event = world.event(days=10, title="Fagdag om smerte", is_public=True)
    for url in ("/n/nettverket", f"/events/{event.id}", f"/n/nettverket/events/{event.id}",
                "/registry/?network=nettverket"):
        page = client.get(url).get_data(as_text=True)
        assert logo in _header(page), url
        assert network.display_name in _header(page), url
        assert "/look/ffd34d.css" in page, url
    css = client.get("/look/ffd34d.css")
    assert css.mimetype == "text/css" and DARK_TEXT in css.get_data(as_text=True)
    for url in ("/n/det-andre", "/dashboard", "/registry/"):
        page = client.get(url).get_data(as_text=True)
        assert logo not in page, url
        assert "/look/ffd34d.css" not in page, url


def test_pages_of_no_network_show_the_installations_name(app, client, world):
    app.config["INSTALLATION_NAME"] = "Barnepalliasjon Vest"
    try:
        assert "Barnepalliasjon Vest" in _header(client.get("/").get_data(as_text=True))
        assert "Barnepalliasjon Vest" not in _header(client.get("/n/nettverket").get_data(as_text=True))
    finally:
        app.config["INSTALLATION_NAME"] = ""


# ---------------------------------------------------------------- statuses as words

def test_statuses_show_as_words_in_the_event_list(client, login, world):
    world.event(days=5, title="Fullt kurs", capacity=0)
    world.event(days=6, title="Åpen samling")
    login(world.coordinator_email)
    rows = table_rows(client.get("/events/").get_data(as_text=True))
    first_cells = {row[0] for row in rows[1:]}
    assert any("Fullt kurs" in cell and "Fullt" in cell.replace("Fullt kurs", "") for cell in first_cells), first_cells
    assert any("Åpen samling" in cell and "Åpen for påmelding" in cell for cell in first_cells), first_cells


def test_an_evaluations_status_shows_as_a_word(client, login, world):
    from tests import factories

    factories.make_questionnaire(world.network, title="Evaluering av fagdagen")
    db.session.commit()
    login(world.coordinator_email)
    rows = table_rows(client.get("/evaluations/").get_data(as_text=True))
    row = next(row for row in rows if row and "Evaluering av fagdagen" in row[0])
    assert "Utkast" in row
