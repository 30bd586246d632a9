"""Import through the web: upload, preview (dry run), confirm; refusals; who may import where."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from netapp.blueprints.registry.models import ImportUpload, Person
from netapp.extensions import db
from tests import factories
from tests.registry.test_import import build_world, csv_bytes, networks_of, person, person_count, xlsx_bytes

GOOD = csv_bytes("Fornavn;Etternavn;E-post;Arbeidssted;Kommune",
                 "Åse;Ødegård;ase@x.example;Hå barnehage;Hå",
                 "Nils;Nytt;nils@x.example;Nytt sted;Sandnes")


@pytest.fixture
def world(app):
    return build_world()


@pytest.fixture
def coordinator(world, login):
    user = factories.make_coordinator(world.regional, "koord@x.example")
    db.session.commit()
    login(user.email)
    return user


def upload(client, content: bytes, filename: str = "personer.csv", network=None, follow: bool = True):
    data = {"file": (io.BytesIO(content), filename)}
    if network is not None:
        data["network_id"] = str(network.id)
    return client.post("/registry/import", data=data, content_type="multipart/form-data", follow_redirects=follow)


def uploads() -> int:
    return db.session.scalar(select(func.count(ImportUpload.id)))


def test_the_form_offers_coordinated_networks_with_the_default_preselected_and_explains_columns(client, coordinator, world):
    page = client.get("/registry/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert f'<option selected value="{world.regional.id}">' in page
    assert world.group.name not in page  # not a network this coordinator runs
    for header in ("Fornavn", "Etternavn", "E-post", "Leder e-post", "Stillingsprosent", "Nettverk", "Sektor"):
        assert f"<th scope=\"row\">{header}</th>" in page
    assert "/registry/import/template?format=xlsx" in page and "/registry/import/template?format=csv" in page


def test_template_downloads_have_the_headers(client, coordinator):
    response = client.get("/registry/import/template?format=csv")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.decode("utf-8-sig").strip() == (
        "Fornavn;Etternavn;E-post;Telefon;Yrke;Arbeidssted;Kommune;Sektor;Leder e-post;Stillingsprosent;Nettverk;Status")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get("/registry/import/template?format=xlsx").data)).active
    assert [c.value for c in sheet[1]][:3] == ["Fornavn", "Etternavn", "E-post"]


def test_upload_preview_and_confirm_imports_in_one_go(client, coordinator, world):
    before = person_count()
    response = upload(client, GOOD, network=world.regional, follow=False)
    assert response.status_code == 302 and "/registry/import/" in response.location
    preview = client.get(response.location)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Gjennomgang av import" in page and "ase@x.example" in page and "Nytt sted" in page
    assert "CSV, semikolon, UTF-8 med BOM" in page
    assert person_count() == before  # the preview wrote nothing

    done = client.post(response.location, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "Importen er fullført: 2 nye, 0 oppdatert, 0 uendret." in page
    assert "1 nytt arbeidssted mangler sektor" in page
    assert done.request.path == "/registry/"
    assert networks_of(person("ase@x.example")) == {"regionalt"}
    assert uploads() == 0  # forgotten once imported


def test_a_file_with_bad_rows_shows_each_row_and_imports_nothing(client, coordinator, world):
    content = csv_bytes("Fornavn;Etternavn;E-post;Stillingsprosent",
                        "God;Rad;god@x.example;50", "Dårlig;Epost;ikke-epost;", "Dobbel;En;d@x.example;",
                        "Dobbel;To;D@x.example;", "For;Mye;mye@x.example;101")
    response = upload(client, content, network=world.regional)
    page = response.get_data(as_text=True)
    assert "4 rader er avvist. Ingenting blir importert før filen er rettet." in page
    assert "Ugyldig e-postadresse: «ikke-epost»" in page
    assert "(rad 4, 5)" in page and "fra 1 til 100" in page
    assert '<th scope="row">6</th>' in page
    assert "Importer</button>" not in page

    token = db.session.scalar(select(ImportUpload.token))
    refused = client.post(f"/registry/import/{token}", follow_redirects=True).get_data(as_text=True)
    assert "ingenting er importert" in refused
    assert person("god@x.example") is None


def test_wrong_type_and_empty_files_are_refused_on_the_form(client, coordinator, world):
    for content, name, message in [
        (b"%PDF-1.7 binary", "liste.pdf", "Filtypen støttes ikke"),
        (bytes(range(256)) * 4, "liste.csv", "ikke en tekstfil"),
        (b"", "tom.csv", "Filen er tom"),
        (b"PK\x03\x04junk", "liste.xlsx", "kan ikke leses som Excel"),
    ]:
        response = upload(client, content, name, network=world.regional)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    response = client.post("/registry/import", data={"network_id": str(world.regional.id)},
                           content_type="multipart/form-data")
    assert "Velg en fil å importere." in response.get_data(as_text=True)
    assert uploads() == 0


def test_too_many_rows_are_refused_on_the_form(client, coordinator, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 1)
    response = upload(client, GOOD, network=world.regional)
    assert "mer enn 1 rad." in response.get_data(as_text=True)
    assert uploads() == 0


@pytest.mark.parametrize("csrf", [False, True])
def test_an_oversized_upload_gets_a_clear_page_not_an_error(client, coordinator, world, app, monkeypatch, csrf):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", csrf)
    big = csv_bytes("Fornavn;Etternavn;E-post", *[f"A;B;a{i}@x.example" for i in range(200)])
    response = upload(client, big, network=world.regional)
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Filen er for stor. Største tillatte størrelse er 2 kB." in page
    assert "<h1>Importer personer</h1>" in page and 'type="file"' in page
    assert uploads() == 0


def test_xlsx_upload_through_the_web(client, coordinator, world):
    content = xlsx_bytes([["first_name", "last_name", "email"], ["Excel", "Bruker", "excel@x.example"]])
    response = upload(client, content, "liste.xlsx", network=world.regional)
    assert "Excel-arbeidsbok (.xlsx)" in response.get_data(as_text=True)
    client.post(response.request.path)
    assert person("excel@x.example") is not None


def test_a_coordinator_cannot_import_into_another_network(client, coordinator, world):
    assert upload(client, GOOD, network=world.group, follow=False).status_code == 403
    response = upload(client, csv_bytes("Fornavn;Etternavn;E-post;Nettverk", f"A;B;ab@x.example;{world.group.slug}"),
                      network=world.regional)
    assert "Du koordinerer ikke nettverket" in response.get_data(as_text=True)


def test_an_upload_belongs_to_the_one_who_made_it(client, coordinator, world, app, login):
    response = upload(client, GOOD, network=world.regional, follow=False)
    token_url = response.location
    other = factories.make_coordinator(world.regional, "annen@x.example")
    db.session.commit()
    second = app.test_client()
    login(other.email, c=second)
    assert second.get(token_url).status_code == 404
    # A confirmation of someone else's upload is told there is nothing (left) to import.
    response = second.post(token_url, follow_redirects=True)
    assert "Importen er allerede gjennomført, eller filen er ikke lenger lagret" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Person.id)).where(Person.email_normalized == "ase@x.example")) == 0
    assert uploads() == 1  # still there for its owner
    assert client.get("/registry/import/not-a-token").status_code == 404
