"""Configuration from the environment, SQLite's connection settings and the health check."""

from __future__ import annotations

import importlib
import subprocess

import pytest
from sqlalchemy import text

import config
from netapp import create_app
from netapp.extensions import db

ENV_NAMES = [
    "NETAPP_ENV", "DATABASE_URL", "SECRET_KEY", "MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS",
    "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER", "BASE_URL",
]


@pytest.fixture
def env():
    """A clean configuration environment; `env.load()` re-reads config.py as a new process would.

    The config classes read the environment when config.py is imported, so each case reloads it,
    and the original module is restored afterwards for the rest of the suite.
    """
    with pytest.MonkeyPatch.context() as mp:
        for name in ENV_NAMES:
            mp.delenv(name, raising=False)
        mp.load = lambda: importlib.reload(config)
        yield mp
    importlib.reload(config)


def make_app(name=None, tmp_path=None, **overrides):
    if tmp_path is not None:
        overrides.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'app.sqlite3'}")
    return create_app(name, overrides)


# NETAPP_ENV picks the configuration class


def test_development_is_the_default(env):
    env.load()
    assert config.config_for() is config.DevelopmentConfig
    app = create_app()
    assert not app.testing
    assert app.config["SECRET_KEY"]  # a development default, so `make run` needs nothing set


@pytest.mark.parametrize(
    ("value", "expected"),
    [("development", "DevelopmentConfig"), ("testing", "TestingConfig"), ("production", "ProductionConfig"),
     (" Production ", "ProductionConfig")],
)
def test_netapp_env_picks_the_config_class(env, value, expected):
    env.setenv("NETAPP_ENV", value)
    env.setenv("SECRET_KEY", "a-real-secret")
    env.setenv("BASE_URL", "https://netapp.kommune.example")
    env.load()
    assert config.config_for() is getattr(config, expected)


def test_testing_env_builds_a_testing_app(env):
    env.setenv("NETAPP_ENV", "testing")
    env.load()
    app = create_app()
    assert app.testing
    assert app.config["WTF_CSRF_ENABLED"] is False


def test_unknown_netapp_env_is_refused(env):
    env.setenv("NETAPP_ENV", "staging")
    env.load()
    with pytest.raises(RuntimeError, match="NETAPP_ENV"):
        config.config_for()
    with pytest.raises(RuntimeError, match="staging"):
        create_app()


# Production and its secret


def test_production_refuses_to_start_without_secret_key(env, tmp_path):
    env.setenv("NETAPP_ENV", "production")
    env.load()
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        make_app(tmp_path=tmp_path)


def test_production_starts_with_secret_key_and_secure_cookies(env, tmp_path):
    env.setenv("NETAPP_ENV", "production")
    env.setenv("SECRET_KEY", "s3cr3t-from-the-environment")
    env.setenv("BASE_URL", "https://netapp.kommune.example")
    env.load()
    app = make_app(tmp_path=tmp_path)
    assert app.config["SECRET_KEY"] == "s3cr3t-from-the-environment"
    assert app.config["BASE_URL"] == "https://netapp.kommune.example"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert not app.debug and not app.testing


@pytest.mark.parametrize("value", [None, "", "  ", "netapp.kommune.example"])
def test_production_refuses_to_start_without_base_url(env, tmp_path, value):
    env.setenv("NETAPP_ENV", "production")
    env.setenv("SECRET_KEY", "a-real-secret")
    if value is not None:
        env.setenv("BASE_URL", value)
    env.load()
    with pytest.raises(RuntimeError, match="BASE_URL"):
        make_app(tmp_path=tmp_path)


def test_base_url_links_e_mails_to_where_the_app_is_served(env, tmp_path):
    from netapp.mail import absolute_url

    env.setenv("BASE_URL", "http://127.0.0.1:5123")
    env.load()
    app = make_app("development", tmp_path=tmp_path)
    with app.app_context():
        assert absolute_url("auth.login") == "http://127.0.0.1:5123/auth/login"


@pytest.mark.parametrize(("host", "port", "url"), [
    ("127.0.0.1", "5001", "http://127.0.0.1:5001"), ("0.0.0.0", "8080", "http://127.0.0.1:8080"),
    ("netapp.local", "5000", "http://netapp.local:5000"),
])
def test_make_run_port_sets_base_url_unless_given(host, port, url):
    """scripts/run.sh (make run PORT=...) exports BASE_URL as served_url HOST PORT when none is given."""
    scripts = config.BASE_DIR / "scripts"
    derived = subprocess.run(["bash", "-c", f'. "{scripts / "lib.sh"}"; served_url "$0" "$1"', host, port],
                             capture_output=True, text=True, check=True)
    assert derived.stdout.strip() == url
    run_sh = (scripts / "run.sh").read_text(encoding="utf-8")
    assert 'BASE_URL="${BASE_URL:-$(served_url "$HOST" "$PORT")}"' in run_sh and "export BASE_URL" in run_sh


def test_development_without_base_url_takes_the_default_port(env):
    env.load()
    assert create_app("development").config["BASE_URL"] == "http://127.0.0.1:5000"


# DATABASE_URL


def test_default_database_is_sqlite_in_instance(env):
    env.load()
    uri = create_app("development").config["SQLALCHEMY_DATABASE_URI"]
    assert uri == f"sqlite:///{config.INSTANCE_DIR / 'netapp.sqlite3'}"
    assert config.INSTANCE_DIR.name == "instance"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://netapp:pw@db.example:5432/netapp", "postgresql+psycopg://netapp:pw@db.example:5432/netapp"),
        ("postgresql://netapp:pw@db.example/netapp", "postgresql+psycopg://netapp:pw@db.example/netapp"),
        ("postgresql+psycopg://netapp@localhost/netapp", "postgresql+psycopg://netapp@localhost/netapp"),
        ("sqlite:////var/lib/netapp/netapp.sqlite3", "sqlite:////var/lib/netapp/netapp.sqlite3"),
    ],
)
def test_database_url_is_honoured(env, given, used):
    env.setenv("DATABASE_URL", given)
    env.load()
    app = create_app("development")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == used
    with app.app_context():
        # psycopg 3 is the driver SQLAlchemy will load for PostgreSQL URLs.
        assert db.engine.url.drivername in {"postgresql+psycopg", "sqlite"}


# Booleans and mail settings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("TRUE", True), ("1", True), ("yes", True), (" Yes ", True),
     ("false", False), ("False", False), ("0", False), ("no", False), ("NO", False)],
)
def test_booleans_read_true_false_1_0_yes_no(env, raw, expected):
    env.setenv("MAIL_USE_TLS", raw)
    assert config.env_bool("MAIL_USE_TLS") is expected
    env.load()
    assert create_app("development").config["MAIL_USE_TLS"] is expected


def test_unset_boolean_takes_its_default(env):
    assert config.env_bool("MAIL_USE_TLS", default=True) is True
    assert config.env_bool("MAIL_USE_TLS") is False


@pytest.mark.parametrize("raw", ["maybe", "2", "ja", "tru"])
def test_garbage_boolean_is_refused(env, raw):
    env.setenv("MAIL_USE_TLS", raw)
    with pytest.raises(ValueError, match="MAIL_USE_TLS"):
        config.env_bool("MAIL_USE_TLS")
    with pytest.raises(ValueError, match="MAIL_USE_TLS"):
        env.load()  # the app cannot even be configured


def test_mail_settings_come_from_the_environment(env):
    env.setenv("MAIL_SERVER", "smtp.kommune.example")
    env.setenv("MAIL_PORT", "587")
    env.setenv("MAIL_USE_TLS", "yes")
    env.setenv("MAIL_USERNAME", "netapp")
    env.setenv("MAIL_PASSWORD", "hemmelig")
    env.setenv("MAIL_DEFAULT_SENDER", "Nettverket <post@kommune.example>")
    env.load()
    cfg = create_app("development").config
    assert cfg["MAIL_SERVER"] == "smtp.kommune.example"
    assert cfg["MAIL_PORT"] == 587
    assert cfg["MAIL_USE_TLS"] is True
    assert cfg["MAIL_USERNAME"] == "netapp"
    assert cfg["MAIL_PASSWORD"] == "hemmelig"
    assert cfg["MAIL_DEFAULT_SENDER"] == "Nettverket <post@kommune.example>"


# SQLite: WAL and a busy timeout on every connection


def _pragmas(connection) -> tuple[str, int, int]:
    return (
        connection.exec_driver_sql("PRAGMA journal_mode").scalar(),
        connection.exec_driver_sql("PRAGMA busy_timeout").scalar(),
        connection.exec_driver_sql("PRAGMA foreign_keys").scalar(),
    )


def test_sqlite_file_runs_in_wal_mode_with_busy_timeout_on_every_connection(tmp_path):
    app = make_app("testing", tmp_path=tmp_path, SQLITE_BUSY_TIMEOUT_MS=4321)
    with app.app_context():
        engine = db.engine
        assert engine.dialect.name == "sqlite"
        with engine.connect() as first, engine.connect() as second:
            assert first.connection.dbapi_connection is not second.connection.dbapi_connection
            assert _pragmas(first) == ("wal", 4321, 1)
            assert _pragmas(second) == ("wal", 4321, 1)
        engine.dispose()
        with engine.connect() as fresh:  # a brand-new connection after the pool was emptied
            assert _pragmas(fresh) == ("wal", 4321, 1)
        engine.dispose()


def test_test_database_connections_are_configured(app):
    """The suite's own database: SQLite connections get WAL and the timeout; else it is PostgreSQL."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                journal_mode, busy_timeout, _ = _pragmas(connection)
                assert (journal_mode, busy_timeout) == ("wal", app.config["SQLITE_BUSY_TIMEOUT_MS"])
    else:
        assert engine.dialect.name == "postgresql"
        assert engine.dialect.driver == "psycopg"
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1


def test_foreign_keys_stay_enforced_after_the_tables_are_emptied(app):
    """wipe_tables() runs after every test; SQLite connections must come back enforcing foreign keys."""
    from tests.conftest import wipe_tables

    wipe_tables()
    engine = db.engine
    if engine.dialect.name == "sqlite":
        with engine.connect() as first, engine.connect() as second:
            assert [_pragmas(c)[2] for c in (first, second)] == [1, 1]
    else:
        assert engine.dialect.name == "postgresql"  # PostgreSQL always enforces them


# GET /healthz


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path, kind):
    if kind == "sqlite":
        blocker = tmp_path / "not-a-directory"
        blocker.write_text("a file where the database's folder should be")
        uri = f"sqlite:///{blocker / 'netapp.sqlite3'}"
    else:
        uri = "postgresql+psycopg://netapp@127.0.0.1:1/netapp?connect_timeout=2"  # nothing listens on port 1
    app = make_app("testing", SQLALCHEMY_DATABASE_URI=uri)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.is_json
    assert response.get_json() == {"status": "error", "database": "unreachable"}
    with app.app_context():
        db.engine.dispose()


def test_healthz_answers_503_when_a_query_fails(client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
