"""The migrations build the schema from nothing, match the models, and can be walked back.

The commands run as a user runs them (`flask --app wsgi db ...` with DATABASE_URL) in a separate
process: Alembic's env.py reconfigures logging, which must not leak into the rest of the suite.
Each case gets a fresh empty database: a SQLite file always, and a database of its own on the
PostgreSQL server when the suite runs there (the suite's database already has its tables).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from netapp.extensions import db

ROOT = Path(__file__).resolve().parents[1]
PG_TEST_URL = os.environ.get("NETAPP_TEST_DATABASE_URL", "")
KINDS = ["sqlite"] + (["postgresql"] if PG_TEST_URL.startswith("postgresql") else [])


@pytest.fixture(params=KINDS)
def empty_database(request, tmp_path):
    """The URL of a brand-new, empty database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    server = make_url(PG_TEST_URL)
    name = f"netapp_migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def flask_db(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NETAPP_TEST_DATABASE_URL"}
    env.update(NETAPP_ENV="development", DATABASE_URL=url, DEV_MAIL_CATCHER="false")
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def heads() -> set[str]:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return set(ScriptDirectory.from_config(cfg).get_heads())


def schema_of(url: str) -> tuple[set[str], set[str]]:
    """(table names, alembic revisions recorded) in the database at url."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            revisions = set()
            if "alembic_version" in tables:
                revisions = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
        return tables - {"alembic_version"}, revisions
    finally:
        engine.dispose()


def test_there_is_one_head():
    assert len(heads()) == 1, f"the migrations have several heads, merge them: {sorted(heads())}"


def test_upgrade_on_an_empty_database_reaches_head_and_matches_the_models(empty_database):
    assert schema_of(empty_database) == (set(), set())

    upgrade = flask_db(empty_database, "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr[-3000:]
    tables, revisions = schema_of(empty_database)
    assert revisions == heads()
    models = set(db.metadata.tables)
    assert not models - tables, f"models without a migration: {sorted(models - tables)}"
    assert not tables - models, f"tables the migrations make but no model has: {sorted(tables - models)}"

    check = flask_db(empty_database, "check")
    differences = [line for line in (check.stdout + check.stderr).splitlines()
                   if "ERROR" in line or ("Detected" in line and "Detected sequence" not in line)]
    assert check.returncode == 0, (
        "the models differ from the migrations; generate a revision with "
        "`flask --app wsgi db migrate -m ...` and review it:\n" + "\n".join(differences or [check.stderr[-3000:]])
    )
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_downgrade_to_base_and_upgrade_again(empty_database):
    assert flask_db(empty_database, "upgrade").returncode == 0

    downgrade = flask_db(empty_database, "downgrade", "base")
    assert downgrade.returncode == 0, downgrade.stderr[-3000:]
    assert schema_of(empty_database) == (set(), set())

    again = flask_db(empty_database, "upgrade")
    assert again.returncode == 0, again.stderr[-3000:]
    assert schema_of(empty_database) == (set(db.metadata.tables), heads())
