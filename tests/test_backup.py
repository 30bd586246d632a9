"""`flask backup` and `flask restore`: a backup restored into a fresh database holds every row.

The fresh database is of the suite's own kind: an empty SQLite file, or a new database on the
same PostgreSQL server when NETAPP_TEST_DATABASE_URL is set (dropped afterwards).
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import uuid

import psycopg
import pytest
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import inspect, select, update
from sqlalchemy.engine import make_url

from netapp import create_app
from netapp.backup import backup_command, file_kind, libpq_url, restore_command
from netapp.blueprints.registry import services
from netapp.blueprints.registry.models import Network, OrganisationKind, Person
from netapp.extensions import db

PG_URL = os.environ.get("NETAPP_TEST_DATABASE_URL", "")
KIND = "postgresql" if PG_URL.startswith("postgresql") else "sqlite"


def _register(flask_app) -> None:
    for command in (backup_command, restore_command):
        if command.name not in flask_app.cli.commands:
            flask_app.cli.add_command(command)


@pytest.fixture
def cli(app):
    _register(app)
    return app.test_cli_runner()


@pytest.fixture
def fresh_app(tmp_path):
    """A second app on a brand-new, empty database of the suite's kind."""
    name = None
    if KIND == "postgresql":
        name = f"netapp_restore_{uuid.uuid4().hex[:12]}"
        server, _ = libpq_url(make_url(PG_URL).set(database="postgres"))
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    fresh = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    _register(fresh)
    yield fresh
    with fresh.app_context():
        db.session.remove()
        db.engine.dispose()
    if name:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def in_app(flask_app, *args: str, **kwargs):
    """Run a flask command against flask_app (its own app context, so its own database)."""
    with flask_app.app_context():
        return flask_app.test_cli_runner().invoke(args=list(args), **kwargs)


def table_names() -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def table_rows() -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key."""
    rows = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(row) for row in conn.execute(select(table).order_by(*order))]
    return rows


def backup(cli, path) -> None:
    result = cli.invoke(args=["backup", "-o", str(path)])
    assert result.exit_code == 0, result.output


def test_a_backup_restored_into_a_fresh_database_has_every_table_and_row(demo, cli, fresh_app, tmp_path):
    original, original_tables = table_rows(), table_names()
    assert len(original["person"]) > 56 and original["network"] and original["user"] and original["membership"]
    path = tmp_path / "netapp.backup"

    result = cli.invoke(args=["backup", "-o", str(path)])

    assert result.exit_code == 0, result.output
    assert str(path) in result.output and "rader" in result.output
    assert re.search(rf"^\s+person\s+{len(original['person'])}$", result.output, re.MULTILINE), result.output
    assert file_kind(path) == KIND
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, "a backup holds personal data: owner only"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["netapp.backup"], "no temporary files left behind"

    with fresh_app.app_context():
        assert table_names() == set()
        result = fresh_app.test_cli_runner().invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code == 0, result.output
        assert "gjenopprettet" in result.output
        assert re.search(rf"^\s+person\s+{len(original['person'])}$", result.output, re.MULTILINE), result.output
        assert "ingen migreringsversjon" in result.output  # the suite's schema comes from create_all
        restored, restored_tables = table_rows(), table_names()
        # New rows still get free ids after a restore (PostgreSQL's sequences come along).
        services.get_or_create_organisation("Kommune lagt til etter gjenoppretting", OrganisationKind.MUNICIPALITY)
        db.session.commit()

    assert restored_tables == original_tables
    for name, rows in original.items():
        assert len(restored[name]) == len(rows), name
        assert restored[name] == rows, name


def test_the_backup_is_consistent_while_another_connection_is_writing(demo, cli, fresh_app, tmp_path):
    person = db.session.scalars(select(Person).order_by(Person.id)).first()
    person_id, first_name = person.id, person.first_name
    db.session.rollback()
    path = tmp_path / "online.backup"

    with db.engine.connect() as writer:
        transaction = writer.begin()
        writer.execute(update(Person).where(Person.id == person_id).values(first_name="Halvferdig"))
        backup(cli, path)  # neither waits for the writer nor copies its uncommitted change
        transaction.rollback()

    with fresh_app.app_context():
        assert in_app(fresh_app, "restore", str(path), "--yes").exit_code == 0
        assert db.session.get(Person, person_id).first_name == first_name


def test_backup_does_not_overwrite_an_existing_file_without_force(demo, cli, tmp_path):
    path = tmp_path / "exists.backup"
    path.write_text("noe som ikke skal overskrives")

    result = cli.invoke(args=["backup", "-o", str(path)])

    assert result.exit_code != 0
    assert "finnes allerede" in result.output and "--force" in result.output
    assert path.read_text() == "noe som ikke skal overskrives"
    assert [p.name for p in tmp_path.iterdir()] == ["exists.backup"]

    result = cli.invoke(args=["backup", "-o", str(path), "--force"])

    assert result.exit_code == 0, result.output
    assert file_kind(path) == KIND


def test_backup_into_a_folder_that_does_not_exist_is_refused(demo, cli, tmp_path):
    result = cli.invoke(args=["backup", "-o", str(tmp_path / "mangler" / "netapp.backup")])

    assert result.exit_code != 0
    assert "finnes ikke" in result.output


def _not_a_backup(case: str, path, request) -> None:
    if case == "text":
        path.write_text("fornavn;etternavn;e-post\nKari;Nordmann;kari@demo.example\n")
    elif case == "other kind":
        if KIND == "sqlite":
            path.write_bytes(b"PGDMP\x01\x0f\x00" + bytes(200))
        else:
            conn = sqlite3.connect(path)
            conn.execute("CREATE TABLE person (id INTEGER PRIMARY KEY)")
            conn.commit()
            conn.close()
    elif case == "damaged":
        header = b"SQLite format 3\x00" if KIND == "sqlite" else b"PGDMP"
        path.write_bytes(header + b"\xff" * 300)
    else:  # a real backup, of some other database
        other = request.getfixturevalue("fresh_app")
        with other.app_context():
            with db.engine.begin() as conn:
                conn.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR(50))")
                conn.exec_driver_sql("INSERT INTO notes (id, body) VALUES (1, 'handleliste')")
            assert in_app(other, "backup", "-o", str(path)).exit_code == 0


@pytest.mark.parametrize("case", ["text", "other kind", "damaged", "another database"])
def test_restore_refuses_a_file_that_is_not_a_backup_of_this_database(demo, cli, tmp_path, request, case):
    before = table_rows()
    path = tmp_path / "not-a-backup"
    _not_a_backup(case, path, request)

    result = cli.invoke(args=["restore", str(path), "--yes"])

    assert result.exit_code != 0
    assert "Error" in result.output and "gjenopprettet" not in result.output
    assert table_rows() == before


def test_restore_asks_first_and_no_leaves_the_database_as_it_is(demo, cli, tmp_path):
    path = tmp_path / "before-rename.backup"
    backup(cli, path)
    network = db.session.scalars(select(Network).order_by(Network.id)).first()
    network_id, name = network.id, network.name
    network.name = "Omdøpt etter sikkerhetskopien"
    db.session.commit()

    result = cli.invoke(args=["restore", str(path)], input="n\n")

    assert result.exit_code != 0
    assert "Fortsette?" in result.output and "ikke endret" in result.output
    db.session.remove()
    assert db.session.get(Network, network_id).name == "Omdøpt etter sikkerhetskopien"

    result = cli.invoke(args=["restore", str(path)], input="y\n")

    assert result.exit_code == 0, result.output
    db.session.remove()
    assert db.session.get(Network, network_id).name == name


@pytest.fixture
def record_revision(app):
    """record_revision(rev): the suite's database says it is at Alembic revision rev, for one test."""
    created = []

    def record(revision: str) -> None:
        assert "alembic_version" not in table_names()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
            conn.exec_driver_sql(f"INSERT INTO alembic_version (version_num) VALUES ('{revision}')")
        created.append(revision)

    yield record
    if created:
        db.session.remove()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE alembic_version")


def _script() -> ScriptDirectory:
    return ScriptDirectory(current_app.extensions["migrate"].directory)


def test_restoring_an_older_backup_says_to_run_db_upgrade(demo, cli, fresh_app, record_revision, tmp_path):
    base = _script().get_base()
    assert base not in _script().get_heads()
    record_revision(base)
    path = tmp_path / "old.backup"
    backup(cli, path)

    result = in_app(fresh_app, "restore", str(path), "--yes")

    assert result.exit_code == 0, result.output
    assert "eldre migreringsversjon" in result.output and base in result.output
    assert "flask --app wsgi db upgrade" in result.output


def test_restoring_a_current_backup_says_the_version_is_the_newest(demo, cli, fresh_app, record_revision, tmp_path):
    (head,) = _script().get_heads()
    record_revision(head)
    path = tmp_path / "current.backup"
    backup(cli, path)

    result = in_app(fresh_app, "restore", str(path), "--yes")

    assert result.exit_code == 0, result.output
    assert "nyeste migreringsversjon" in result.output and "db upgrade" not in result.output


def test_a_backup_from_a_newer_netapp_is_refused(demo, cli, fresh_app, record_revision, tmp_path):
    record_revision("0123456789ab")
    path = tmp_path / "newer.backup"
    backup(cli, path)

    result = in_app(fresh_app, "restore", str(path), "--yes")

    assert result.exit_code != 0
    assert "0123456789ab" in result.output and "nyere versjon" in result.output
    with fresh_app.app_context():
        assert table_names() == set()


def test_the_postgresql_password_is_handed_over_outside_the_command_line():
    uri, password = libpq_url("postgresql+psycopg://netapp:p%40ss%3Aord@db.example:6432/netapp?sslmode=require")

    assert uri == "postgresql://netapp@db.example:6432/netapp?sslmode=require"
    assert password == "p@ss:ord"
    assert libpq_url("postgresql+psycopg://postgres@127.0.0.1:5432/netapp") == (
        "postgresql://postgres@127.0.0.1:5432/netapp", None)
