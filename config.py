"""Configuration classes, chosen by NETAPP_ENV; secrets come only from the environment."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

_TRUE = {"1", "true", "yes", "on", "y"}
_FALSE = {"0", "false", "no", "off", "n", ""}


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean from true/false/1/0/yes/no; anything else is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name} must be true/false/1/0/yes/no, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw in (None, "") else int(raw)


def _database_url(default_file: str) -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / default_file}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the psycopg 3 driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret"
    # Seals answers to anonymous questionnaires while they wait to be released into the results:
    # one or more Fernet keys separated by commas (the first seals, all open). Empty: a key derived
    # from SECRET_KEY.
    ANSWER_KEY = os.environ.get("ANSWER_KEY", "")
    SQLALCHEMY_DATABASE_URI = _database_url("netapp.sqlite3")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 15000

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = env_int("MAIL_PORT", 8025)
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "netapp <ikke-svar@netapp.example>")
    MAIL_BATCH_SIZE = env_int("MAIL_BATCH_SIZE", 100)
    MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 6)
    MAIL_STALE_CLAIM_MINUTES = env_int("MAIL_STALE_CLAIM_MINUTES", 10)
    MAIL_TIMEOUT = env_int("MAIL_TIMEOUT", 30)

    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    # Who runs this installation: shown on the start page before any network exists.
    INSTALLATION_NAME = os.environ.get("INSTALLATION_NAME", "")
    INSTALLATION_CONTACT_EMAIL = os.environ.get("INSTALLATION_CONTACT_EMAIL", "")

    BABEL_DEFAULT_LOCALE = "nb"
    BABEL_DEFAULT_TIMEZONE = "Europe/Oslo"
    LANGUAGES = {"nb": "Norsk bokmål", "nn": "Norsk nynorsk", "en": "English"}

    BOOTSTRAP_SERVE_LOCAL = True
    WTF_CSRF_TIME_LIMIT = None

    MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 5 * 1024 * 1024)
    IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20000)

    # Login throttling (netapp/blueprints/auth/services.py): failures counted in the database, so
    # it holds across workers, per (account, address) pair within the window. A pair's first
    # LOGIN_FREE_FAILURES failures are free, then it waits 1, 2, 4 ... up to LOGIN_MAX_DELAY_SECONDS
    # after its last failure; one free failure only while the account has LOGIN_ACCOUNT_FAILURES
    # or the address LOGIN_ADDRESS_FAILURES failures in the window.
    LOGIN_WINDOW_MINUTES = env_int("LOGIN_WINDOW_MINUTES", 15)
    LOGIN_FREE_FAILURES = env_int("LOGIN_FREE_FAILURES", 3)
    LOGIN_ACCOUNT_FAILURES = env_int("LOGIN_ACCOUNT_FAILURES", 10)
    LOGIN_ADDRESS_FAILURES = env_int("LOGIN_ADDRESS_FAILURES", 20)
    LOGIN_MAX_DELAY_SECONDS = env_int("LOGIN_MAX_DELAY_SECONDS", 300)
    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto/-Host (werkzeug's
    # ProxyFix trusts that many); 0 ignores those headers, so a client cannot choose its address.
    TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)

    # OWASP password storage cheat sheet: Argon2id, 19 MiB, 2 iterations, 1 lane.
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1

    TOKEN_TTL_HOURS_SET_PASSWORD = env_int("TOKEN_TTL_HOURS_SET_PASSWORD", 72)
    TOKEN_TTL_HOURS_RESET = env_int("TOKEN_TTL_HOURS_RESET", 2)
    TOKEN_TTL_DAYS_MANAGER = env_int("TOKEN_TTL_DAYS_MANAGER", 30)
    TOKEN_TTL_DAYS_INVITATION = env_int("TOKEN_TTL_DAYS_INVITATION", 60)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    PAGE_SIZE = 50
    # Keep the content of the registry list, person, coverage and public network pages in each
    # worker between changes to the data (netapp/cache.py); FRAGMENT_CACHE=0 renders every time.
    FRAGMENT_CACHE = env_bool("FRAGMENT_CACHE", True)

    # Personal data of persons who left is erased this many months after their end date.
    RETENTION_MONTHS_AFTER_LEFT = env_int("RETENTION_MONTHS_AFTER_LEFT", 24)


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("NETAPP_TEST_DATABASE_URL") or "sqlite://"
    WTF_CSRF_ENABLED = False
    # Cheaper hashes keep the suite fast; the algorithm stays Argon2id.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    MAIL_PORT = 0
    BASE_URL = "http://localhost"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def validate(cls) -> None:
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production (NETAPP_ENV=production).")
        # Links in e-mails are BASE_URL + path: a guessed default would send people elsewhere.
        base_url = os.environ.get("BASE_URL", "").strip()
        if not base_url:
            raise RuntimeError("BASE_URL must be set in production (NETAPP_ENV=production): the address the "
                               "app is served at, e.g. https://netapp.kommune.no; links in e-mails start with it.")
        if not base_url.startswith(("https://", "http://")):
            raise RuntimeError(f"BASE_URL must start with https:// (or http://), not {base_url!r}.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None) -> type[Config]:
    name = (name or os.environ.get("NETAPP_ENV") or "development").strip().lower()
    if name not in CONFIGS:
        raise RuntimeError(f"NETAPP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    cls = CONFIGS[name]
    if hasattr(cls, "validate"):
        cls.validate()
    return cls
