"""Fixtures: one app and schema per test session, every table emptied after each test.

The database is a temporary SQLite file, or PostgreSQL when NETAPP_TEST_DATABASE_URL is set
(`make test` runs the suite on both).
"""

from __future__ import annotations

import os
import re
import tempfile

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from netapp import create_app
from netapp.extensions import db as _db

os.environ.setdefault("NETAPP_ENV", "testing")


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (fresh `g` and database session), as in production;
    otherwise requests would share the test's context and its cached user."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _worker_database(url: str, worker: str) -> str:
    """Parallel workers (pytest-xdist) each get their own PostgreSQL database beside the given one."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def app():
    overrides = {}
    tmpdir = None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if os.environ.get("NETAPP_TEST_DATABASE_URL") and worker:
        overrides["SQLALCHEMY_DATABASE_URI"] = _worker_database(os.environ["NETAPP_TEST_DATABASE_URL"], worker)
    elif not os.environ.get("NETAPP_TEST_DATABASE_URL"):
        tmpdir = tempfile.TemporaryDirectory(prefix="netapp-test-")
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmpdir.name}/test.sqlite3"
    app = create_app("testing", overrides)
    app.test_client_class = IsolatedClient
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    if tmpdir is not None:
        tmpdir.cleanup()


def wipe_tables() -> None:
    """Empty every table (self-references included) on SQLite and PostgreSQL."""
    _db.session.remove()
    tables = _db.metadata.sorted_tables
    with _db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # DELETE, not TRUNCATE: on tables this small it takes milliseconds where TRUNCATE takes
            # a hundred or more (it gives every table new files), after each test and fuzz example.
            # A foreign key to a table emptied later (workplace.leader_id) is cleared first.
            position = {t.name: i for i, t in enumerate(tables)}
            statements = [f'UPDATE "{t.name}" SET "{fk.parent.name}" = NULL WHERE "{fk.parent.name}" IS NOT NULL'
                          for t in tables for fk in t.foreign_keys if position[fk.column.table.name] > position[t.name]]
            statements += [f'DELETE FROM "{t.name}"' for t in reversed(tables)]
            conn.exec_driver_sql("; ".join(statements))
            # Ids start at 1 again, as after TRUNCATE ... RESTART IDENTITY.
            conn.exec_driver_sql(
                "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind = 'S' AND n.nspname = current_schema()")
            conn.commit()
        else:
            # PRAGMA foreign_keys is a no-op inside a transaction: switch it outside one.
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            for table in reversed(tables):
                conn.execute(table.delete())
            conn.commit()
            conn.exec_driver_sql("PRAGMA foreign_keys = ON")
            conn.commit()


@pytest.fixture(autouse=True)
def _clean_tables(app):
    """Each test starts from empty tables."""
    ctx = app.app_context()
    ctx.push()
    yield
    wipe_tables()
    ctx.pop()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """The demo installation (networks, 56 resource persons, demo accounts)."""
    from netapp.demo import load_demo

    summary = load_demo()
    _db.session.commit()
    return summary


class World:
    """The roles and networks most request tests need, each account with the password "demo":

    - network ("nettverket", the default) and other_network ("det-andre");
    - coordinator: k@test.example, the account of network's coordinator (coordinator_email);
    - rp (Rita Ressurs, rp@) and rp2 (Kari Annen, rp2@): resource persons of network, with
      accounts rp_user and rp2_user;
    - wg: a working-group member of network (ag@), no account;
    - outsider: a resource person of other_network only (ute@), with an account;
    - other_coordinator: annen@test.example, coordinator of other_network only;
    - admin: admin@test.example.

    `event(**fields)` adds an event (tests.factories.make_event) to network and commits.
    """

    coordinator_email = "k@test.example"

    def __init__(self):
        from netapp.blueprints.registry.models import MembershipRole
        from tests import factories

        self.network = factories.make_network("nettverket", default=True)
        self.other_network = factories.make_network("det-andre")
        self.coordinator = factories.make_coordinator(self.network, email=self.coordinator_email)
        self.rp = factories.make_person(self.network, email="rp@test.example", first_name="Rita", last_name="Ressurs")
        self.rp_user = factories.make_user(self.rp.email, person=self.rp)
        self.rp2 = factories.make_person(self.network, email="rp2@test.example", first_name="Kari", last_name="Annen")
        self.rp2_user = factories.make_user(self.rp2.email, person=self.rp2)
        self.wg = factories.make_person(self.network, MembershipRole.WORKING_GROUP, email="ag@test.example")
        self.outsider = factories.make_person(self.other_network, email="ute@test.example")
        self.outsider_user = factories.make_user(self.outsider.email, person=self.outsider)
        self.other_coordinator = factories.make_coordinator(self.other_network, email="annen@test.example")
        self.admin = factories.make_user("admin@test.example", is_admin=True)
        _db.session.commit()

    def event(self, **fields):
        from tests import factories

        event = factories.make_event(fields.pop("network", self.network), **fields)
        _db.session.commit()
        return event


@pytest.fixture
def world(app):
    """The shared roles-and-networks world (see World)."""
    return World()


@pytest.fixture
def login(client):
    """login(email, password='demo') logs the test client in and asserts it worked."""

    def do_login(email: str, password: str = "demo", c=None):
        c = c or client
        response = c.post("/auth/login", data={"email": email, "password": password})
        assert response.status_code == 302, response.data[:500]
        return c

    return do_login


@pytest.fixture
def outbox(app):
    """The messages enqueued so far, as OutboxMessage rows."""
    from sqlalchemy import select

    from netapp.mail import OutboxMessage

    def messages(to: str | None = None):
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if to:
            query = query.where(OutboxMessage.to_address == to)
        return list(_db.session.scalars(query))

    return messages


def links_in(text: str) -> list[str]:
    """The http links in an e-mail body."""
    return re.findall(r"https?://\S+", text)


def table_rows(html: str) -> list[list[str]]:
    """Each table row of a page as the texts of its cells (th and td), whitespace collapsed: what
    a reader of the table sees, whatever the markup's classes."""
    from html.parser import HTMLParser

    class Rows(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th") and self.rows:
                self.cell = []

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append(" ".join("".join(self.cell).split()))
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

    parser = Rows()
    parser.feed(html)
    return parser.rows


@pytest.fixture
def count_queries(app):
    """Context manager counting SQL statements: `with count_queries() as n: ...; n()`."""
    from contextlib import contextmanager

    @contextmanager
    def counter():
        """The fragment cache is off while counting, so the page's own queries are what is counted."""
        statements = []
        cached = app.config.get("FRAGMENT_CACHE", True)
        app.config["FRAGMENT_CACHE"] = False

        def before(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(_db.engine, "before_cursor_execute", before)
        try:
            yield lambda: len(statements)
        finally:
            event.remove(_db.engine, "before_cursor_execute", before)
            app.config["FRAGMENT_CACHE"] = cached

    return counter


def _hypothesis_profiles() -> None:
    """Hypothesis profiles for the property-based tests (tests/test_fuzz.py).

    "ci" (the default, and always when CI is set without HYPOTHESIS_PROFILE): few examples
    (FUZZ_EXAMPLES, 15; make test's PostgreSQL part sets 3), the same ones every run, no shrinking (a failure is reported at once, unsimplified), nothing
    written to .hypothesis/; "dev" and "thorough" (chosen with HYPOTHESIS_PROFILE) draw fresh
    examples each run, shrink a failure to its simplest form and remember it.
    """
    from hypothesis import HealthCheck, Phase, settings

    # The tests share one app and seeded data across examples on purpose (reseeding is slow).
    relaxed = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
               HealthCheck.filter_too_much]
    settings.register_profile("ci", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "15")), deadline=None, derandomize=True, database=None,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=relaxed,
                              print_blob=True)
    settings.register_profile("dev", max_examples=60, deadline=None, suppress_health_check=relaxed)
    settings.register_profile("thorough", max_examples=500, deadline=None, suppress_health_check=relaxed)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "ci")


_hypothesis_profiles()
