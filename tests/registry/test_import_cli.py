"""`flask registry import` and `flask registry export` through the runner."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from netapp.blueprints.registry.models import Network
from netapp.extensions import db
from tests.registry.test_import import build_world, csv_bytes, networks_of, person, person_count, xlsx_bytes

BAD = csv_bytes("Fornavn;Etternavn;E-post;Kommune", "God;Rad;god@x.example;Stavanger",
                "Feil;Epost;ikke-epost;", "Ukjent;Kommune;uk@x.example;Atlantis")


@pytest.fixture
def world(app):
    return build_world()


def write(tmp_path, content: bytes, name: str = "personer.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_dry_run_of_a_clean_file_changes_nothing_and_succeeds(runner, world, tmp_path):
    path = write(tmp_path, csv_bytes("Fornavn;Etternavn;E-post", "Ola;Prøve;ola@x.example"))
    result = runner.invoke(args=["registry", "import", path, "--dry-run", "-v"])
    assert result.exit_code == 0, result.output
    assert "Nye: 1, oppdateres: 0, uendret: 0, avvist: 0." in result.output
    assert "Rad 2: Ola Prøve <ola@x.example>: ny" in result.output
    assert "Prøvekjøring: ingenting er lagret." in result.output
    assert person("ola@x.example") is None


def test_bad_rows_fail_both_dry_run_and_real_run_and_name_each_row(runner, world, tmp_path):
    path = write(tmp_path, BAD)
    before = person_count()
    for extra in (["--dry-run"], []):
        result = runner.invoke(args=["registry", "import", path, *extra])
        assert result.exit_code != 0
        assert "Rad 3: Feil Epost <ikke-epost>: avvist" in result.output
        assert "Ugyldig e-postadresse" in result.output
        assert "Rad 4:" in result.output and "Ukjent kommune eller organisasjon: «Atlantis»" in result.output
        assert "Ingenting er importert." in result.output
    assert person_count() == before


def test_real_import_with_network_option(runner, world, tmp_path):
    path = write(tmp_path, xlsx_bytes([["Fornavn", "Etternavn", "E-post"], ["Kari", "Gruppe", "kari@x.example"]]),
                 "liste.xlsx")
    result = runner.invoke(args=["registry", "import", path, "--network", "gruppe"])
    assert result.exit_code == 0, result.output
    assert "Importert: 1 ny, 0 oppdatert, 0 uendret." in result.output
    assert networks_of(person("kari@x.example")) == {"gruppe"}

    result = runner.invoke(args=["registry", "import", path, "--network", "finnes-ikke"])
    assert result.exit_code != 0 and "Fant ikke nettverket «finnes-ikke»" in result.output


def test_a_file_that_is_not_csv_or_xlsx_is_refused(runner, world, tmp_path):
    result = runner.invoke(args=["registry", "import", write(tmp_path, b"%PDF-1.4", "liste.pdf")])
    assert result.exit_code != 0 and "Filtypen støttes ikke" in result.output


def test_large_files_show_progress_and_a_summary(runner, world, tmp_path):
    lines = [f"Person{i};Nummer{i};p{i}@x.example;{'gruppe' if i % 2 else ''}" for i in range(600)]
    path = write(tmp_path, csv_bytes("Fornavn;Etternavn;E-post;Nettverk", *lines))
    result = runner.invoke(args=["registry", "import", path])
    assert result.exit_code == 0, result.output
    assert "Kontrollerer rader" in result.output
    assert "Importert: 600 nye, 0 oppdatert, 0 uendret." in result.output
    assert networks_of(person("p1@x.example")) == {"gruppe"} and networks_of(person("p2@x.example")) == {"regionalt"}


def test_export_then_import_as_dry_run_is_unchanged(runner, demo, tmp_path):
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"register.{fmt}"
        result = runner.invoke(args=["registry", "export", "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert f"Eksporterte {demo['persons']} personer" in result.output
        result = runner.invoke(args=["registry", "import", str(out), "--dry-run"])
        assert result.exit_code == 0, result.output
        assert f"Nye: 0, oppdateres: 0, uendret: {demo['persons']}, avvist: 0." in result.output


def test_export_of_one_network(runner, demo, tmp_path):
    out = tmp_path / "gruppe.csv"
    result = runner.invoke(args=["registry", "export", "-o", str(out), "--network", "ressursgruppe-stavanger"])
    assert result.exit_code == 0, result.output
    lines = out.read_bytes().decode("utf-8-sig").splitlines()
    group = db.session.scalar(select(Network).where(Network.slug == "ressursgruppe-stavanger"))
    assert len(lines) - 1 == len({m.person_id for m in group.memberships})
    assert all("ressursgruppe-stavanger" in line for line in lines[1:])
