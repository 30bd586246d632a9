"""netapp: the platform for professional networks in paediatric palliative care."""

from __future__ import annotations

import functools
import logging
import sqlite3
from urllib.parse import urlencode

from flask import Flask, current_app, g, has_app_context, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import bindparam, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import joinedload
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import INSTANCE_DIR, config_for
from netapp import (
    cli,
    domains,
    errors,
    i18n,
    models,  # noqa: F401  (every model imported before Alembic or the app looks at the schema)
    permissions,
    security,
)
from netapp.blueprints.admin.views import bp as admin_bp
from netapp.blueprints.auth.models import User
from netapp.blueprints.auth.views import bp as auth_bp
from netapp.blueprints.evaluations.views import bp as evaluations_bp
from netapp.blueprints.gatherings.views import bp as gatherings_bp
from netapp.blueprints.joining.views import bp as joining_bp
from netapp.blueprints.look.views import bp as look_bp
from netapp.blueprints.main.views import bp as main_bp
from netapp.blueprints.privacy.views import bp as privacy_bp
from netapp.blueprints.public.views import bp as public_bp
from netapp.blueprints.registry import transfer_views  # noqa: F401  (the import's and export's routes, on registry's bp)
from netapp.blueprints.registry.views import bp as registry_bp
from netapp.cache import csrf_token, fragment, remember_token, token_column
from netapp.extensions import babel, bootstrap, csrf, db, login_manager, migrate
from netapp.look import network_look
from netapp.timeutil import format_date, format_datetime, format_time
from netapp.validators import parse_int


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=True)
    app.config.from_object(config_for(config_name))
    app.config.from_pyfile("settings.py", silent=True)
    if overrides:
        app.config.update(overrides)
    INSTANCE_DIR.mkdir(exist_ok=True)
    register_proxies(app)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    register_extensions(app)
    app.url_map.converters["int"] = DatabaseInteger
    register_blueprints(app)
    register_receivers()
    register_template_helpers(app)
    errors.register(app)
    security.register(app)
    cli.register(app)
    return app


def register_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address, scheme and host from
    the X-Forwarded-* headers they set; with none, those headers are ignored (a client could
    write them to pose as another address)."""
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL and a busy timeout on every SQLite connection, so concurrent workers wait, not fail;
    foreign keys enforced; deleted content overwritten."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    timeout = current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", 15000) if has_app_context() else 15000
    # lower() that folds æøå like PostgreSQL does, so search is case-insensitive for Norwegian names.
    dbapi_connection.create_function("lower", 1, lambda v: v.lower() if isinstance(v, str) else v, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    # Deleted rows are overwritten, not left in free pages: erased personal data and answers mixed
    # again at closing do not linger in the file or its copies.
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.close()


class DatabaseInteger(IntegerConverter):
    """<int:...> in URLs stops at what a database integer holds: a larger id is simply not found."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Europe/Oslo")
    i18n.install(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = _l("Logg inn for å se denne siden.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(identity: str):
        text, _, token = identity.partition(":")
        user_id = parse_int(text, 1)
        if user_id is None or not token:
            return None
        row = db.session.execute(_user_with_roles_select(), {"user_id": user_id}).first()
        if row is None or row[0].session_token != token:
            return None  # logged out elsewhere or password changed: the old cookie is dead
        user = row[0]
        permissions.prime(user, row[1], row[2])
        remember_token(row[3])
        return user


@functools.cache  # not `from functools import cache`: it would hide the module netapp.cache
def _user_with_roles_select():
    """The account, its person and its roles in one query, built once per process."""
    return (
        select(User, *permissions.role_columns(User.person_id), token_column())
        .options(joinedload(User.person)).where(User.id == bindparam("user_id"))
    )


def select_locale() -> str:
    """The user's own choice (profile, then cookie); never the browser's Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if "lang_override" in g:
        return g.lang_override
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = request.cookies.get("lang") if request else None
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def register_blueprints(app: Flask) -> None:
    """Each domain's blueprint, from its views module (a blueprint package's __init__.py is empty)."""
    app.register_blueprint(main_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(registry_bp, url_prefix="/registry")
    app.register_blueprint(joining_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(gatherings_bp, url_prefix="/events")
    app.register_blueprint(evaluations_bp, url_prefix="/evaluations")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(look_bp)


def register_receivers() -> None:
    """Import each blueprint's receivers.py, where a domain connects its answers to the signals
    other domains send (see netapp/blueprints/gatherings/signals.py), in name order. Blinker's
    signals belong to the process, so this connects them for every app in it, once."""
    domains.modules_named("receivers")


def url_prefix(endpoint: str, param: str) -> str:
    """The URL of an endpoint whose last part is an integer parameter, without that number: a long
    list builds its links as prefix + id instead of a full url_for() per row."""
    url = url_for(endpoint, **{param: 1})
    if not url.endswith("/1"):
        raise ValueError(f"{endpoint} does not end with <int:{param}>")
    return url[:-1]


def layout_header():
    """The navigation: the same for everyone with the same roles, name and language, on the pages
    of the same network (its name, logo and colour: netapp.look)."""
    user = current_user
    look = network_look()
    key = (tuple(permissions.roles_of(user)), permissions.takes_part(user),
           user.display_name if user.is_authenticated else "", look.key if look else None)
    return fragment("layout.header", key, lambda: render_template("_header.html", look=look))


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.globals["url_prefix"] = url_prefix
    app.jinja_env.globals["layout_header"] = layout_header
    app.jinja_env.globals["network_look"] = network_look
    # Flask-WTF offers its own csrf_token() as a global and through a context processor; ours
    # (the mark inside cached fragments) must win in both, or a cached fragment would carry the
    # first viewer's token to everyone after them.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["time"] = format_time
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def inject():
        query = urlencode(list(request.args.items(multi=True))) if request else ""
        return {
            "current_path": (request.path + ("?" + query if query else "")) if request else "/",
            **permissions.template_helpers(),
            "current_locale": str(get_locale()),
            "languages": app.config["LANGUAGES"],
            "csrf_token": csrf_token,
        }
