"""Export of the registry: CSV and XLSX, what each coordinator may export, and the round trip."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from netapp.blueprints.registry import services
from netapp.blueprints.registry.models import Network, Person
from netapp.extensions import db
from netapp.timeutil import today_oslo
from tests import factories
from tests.registry.test_import import build_world, person

HEADERS = ["Fornavn", "Etternavn", "E-post", "Telefon", "Yrke", "Arbeidssted", "Kommune", "Sektor",
           "Leder e-post", "Stillingsprosent", "Nettverk", "Status"]


@pytest.fixture
def world(app):
    return build_world()


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, so Excel reads æøå right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_export_has_the_import_headers_status_networks_and_is_an_attachment(client, world, login):
    coordinator = factories.make_coordinator(world.regional, "koord@x.example")
    boss = factories.make_person(first_name="Sjef", last_name="Sjefsen", email="sjef@x.example")
    factories.make_person(world.regional, first_name="Åse", last_name="Ødegård", email="ase@x.example",
                          phone="51 00 00 01", profession="Vernepleier", workplace=world.nursery, manager=boss,
                          position_percent=80)
    gone = factories.make_person(world.regional, first_name="Geir", last_name="Gått", email="geir@x.example")
    services.deactivate_person(gone)
    factories.make_person(world.group, first_name="Annen", last_name="Gruppe", email="annen@x.example")
    db.session.commit()
    login(coordinator.email)

    response = client.get("/registry/export?format=csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="register-{today_oslo().isoformat()}.csv"'
    rows = csv_rows(response.data)
    assert rows[0] == HEADERS
    by_email = {r[2]: r for r in rows[1:]}
    assert by_email["ase@x.example"] == ["Åse", "Ødegård", "ase@x.example", "51 00 00 01", "Vernepleier",
                                         "Hå barnehage", "Hå", "Oppvekst og utdanning", "sjef@x.example", "80",
                                         "regionalt", "aktiv"]
    assert by_email["geir@x.example"][-2:] == ["regionalt", "sluttet"]
    assert "annen@x.example" not in by_email  # another network's person
    assert "sjef@x.example" not in by_email  # not a member of the coordinator's network
    assert "koord@x.example" in by_email


def test_xlsx_export_has_the_same_columns(client, world, login):
    admin = factories.make_user("admin@x.example", is_admin=True)
    factories.make_person(world.regional, first_name="Kari", last_name="Vik", email="kari@x.example",
                          workplace=world.madla, position_percent=50)
    factories.make_person(world.group, first_name="Per", last_name="Vik", email="per@x.example")
    db.session.commit()
    login(admin.email)

    response = client.get("/registry/export?format=xlsx")

    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert re.fullmatch(r'attachment; filename="register-\d{4}-\d{2}-\d{2}\.xlsx"', response.headers["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    kari = next(r for r in rows if r[2] == "kari@x.example")
    assert kari[5:7] == ["Madla avlastningsbolig", "Stavanger"] and kari[9] == 50 and kari[11] == "aktiv"
    assert any(r[2] == "per@x.example" and r[10] == "gruppe" for r in rows)  # the admin sees every network


def test_values_that_look_like_formulas_are_escaped_and_come_back_unchanged(client, world, login, app):
    coordinator = factories.make_coordinator(world.regional, "koord@x.example")
    factories.make_person(world.regional, first_name="=HYPERLINK(\"http://x\")", last_name="@Sum",
                          email="formel@x.example", phone="+47 900 00 000", profession="-ingen")
    db.session.commit()
    login(coordinator.email)

    rows = csv_rows(client.get("/registry/export?format=csv").data)
    row = next(r for r in rows if r[2] == "formel@x.example")
    assert row[:5] == ["'=HYPERLINK(\"http://x\")", "'@Sum", "formel@x.example", "'+47 900 00 000", "'-ingen"]
    sheet = load_workbook(io.BytesIO(client.get("/registry/export?format=xlsx").data)).active
    cells = next(r for r in sheet.iter_rows() if r[2].value == "formel@x.example")
    assert cells[0].value == "'=HYPERLINK(\"http://x\")" and cells[0].data_type == "s"

    for fmt in ("csv", "xlsx"):
        exported = client.get(f"/registry/export?format={fmt}").data
        response = client.post("/registry/import", data={
            "file": (io.BytesIO(exported), f"eksport.{fmt}"), "network_id": str(world.regional.id),
        }, content_type="multipart/form-data", follow_redirects=True)
        page = response.get_data(as_text=True)
        assert "Alt i filen står allerede i registeret." in page, fmt
    assert person("formel@x.example").first_name == "=HYPERLINK(\"http://x\")"


def test_export_then_import_through_the_web_is_unchanged(client, demo, login):
    login("koordinator@demo.example")
    exported = client.get("/registry/export?format=csv").data
    count = len(csv_rows(exported)) - 1
    assert count > 56
    response = client.post("/registry/import", data={"file": (io.BytesIO(exported), "register.csv")},
                           content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    numbers = re.findall(r"<strong[^>]*>(\d+)</strong><br>(\w+)", page)  # the summary: 0 nye, 0 oppdateres ...
    assert dict((label, int(n)) for n, label in numbers) == {"nye": 0, "oppdateres": 0, "uendret": count, "avvist": 0}


def test_a_coordinator_cannot_export_a_network_they_do_not_coordinate(app, client, demo, login):
    stavanger = db.session.scalar(select(Network).where(Network.slug == "ressursgruppe-stavanger"))
    other = factories.make_coordinator(stavanger, "annen.koordinator@x.example")
    db.session.commit()
    login(other.email)
    assert client.get("/registry/export?format=csv&network=barnepalliasjon-sor-rogaland").status_code == 403
    own = csv_rows(client.get("/registry/export?format=csv&network=ressursgruppe-stavanger").data)
    members = {m.person_id for m in stavanger.memberships}
    assert len(own) - 1 == len(members)
    emails = {r[2] for r in own[1:]}
    assert emails == {p.email for p in db.session.scalars(select(Person).where(Person.id.in_(members)))}
    assert all("barnepalliasjon-sor-rogaland" not in r[10] for r in own[1:])  # no other network's slug leaks


def test_export_refuses_an_unknown_format_and_anonymous_users(client, world, login):
    assert client.get("/registry/export?format=csv").status_code == 302
    coordinator = factories.make_coordinator(world.regional, "koord@x.example")
    db.session.commit()
    login(coordinator.email)
    assert client.get("/registry/export?format=pdf").status_code == 400
