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
# Each part of make test migrates its own kind of database: the SQLite part SQLite, the
# PostgreSQL part PostgreSQL (running the SQLite cases there again only cost time).
KINDS = ["postgresql"] if PG_TEST_URL.startswith("postgresql") else ["sqlite"]


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


def test_existing_responses_are_mixed_and_last_logins_keep_the_day(empty_database):
    """The revision that holds answers back rewrites the responses already stored: random ids, a
    shuffled order and one date per questionnaire, answers kept; a last login keeps its day."""
    assert flask_db(empty_database, "upgrade", "68db5dd2aa45").returncode == 0
    engine = create_engine(empty_database)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO network (id, slug, name, short_name, description, is_default, created_at) "
                              "VALUES (1, 'n', 'N', 'N', '', true, '2026-01-01 00:00:00')"))
            conn.execute(text("INSERT INTO questionnaire (id, network_id, title, intro, status, created_at) "
                              "VALUES (1, 1, 'Q', '', 'closed', '2026-01-01 00:00:00')"))
            conn.execute(text("INSERT INTO question (id, questionnaire_id, position, kind, text, required) "
                              "VALUES (1, 1, 1, 'scale', 'Nytte?', false), (2, 1, 2, 'text', 'Endre?', false)"))
            for n in range(1, 9):
                conn.execute(text("INSERT INTO response (id, questionnaire_id, submitted_on) VALUES (:n, 1, :day)"),
                             {"n": n, "day": f"2026-03-{n:02d}"})
                conn.execute(text("INSERT INTO answer (response_id, question_id, value, text) VALUES "
                                  "(:n, 1, :v, NULL), (:n, 2, NULL, :t)"), {"n": n, "v": n % 5 + 1, "t": f"svar {n}"})
            conn.execute(text('INSERT INTO "user" (id, email, is_admin, is_enabled, session_token, created_at, '
                              "last_login_at) VALUES (1, 'a@test.example', false, true, 't', '2026-01-01 00:00:00', "
                              "'2026-11-30 10:11:12')"))
        upgrade = flask_db(empty_database, "upgrade")
        assert upgrade.returncode == 0, upgrade.stderr[-3000:]
        with engine.connect() as conn:
            responses = conn.execute(text("SELECT id, released_on FROM response")).all()
            assert len(responses) == 8 and all(r.id > 2**24 for r in responses)
            assert {str(r.released_on) for r in responses} == {"2026-03-08"}
            pairs = conn.execute(text("SELECT a.value, b.text FROM answer a JOIN answer b ON a.response_id = b.response_id "
                                      "WHERE a.question_id = 1 AND b.question_id = 2")).all()
            assert sorted((v, t) for v, t in pairs) == sorted((n % 5 + 1, f"svar {n}") for n in range(1, 9))
            assert str(conn.execute(text('SELECT last_login_on FROM "user"')).scalar()) == "2026-11-30"
    finally:
        engine.dispose()
