"""Backup and restore of the whole database: `flask --app wsgi backup -o FILE` / `restore FILE`.

SQLite is copied with its online backup API (a consistent snapshot while the app keeps running
in WAL mode); PostgreSQL with pg_dump/pg_restore in their custom format. A backup is written to
a temporary file beside FILE and renamed into place only when complete, readable by its owner
only (it holds personal data). A restore refuses files of the wrong kind and backups made by a
newer version of netapp, asks before replacing anything, and says whether the restored database
needs `flask db upgrade`.
"""

from __future__ import annotations

import glob
import logging
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import ngettext
from sqlalchemy import inspect
from sqlalchemy.engine import URL, Connection, Engine, make_url

from netapp.extensions import db

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"
UPGRADE_HINT = "flask --app wsgi db upgrade"
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


# --- what a backup holds -------------------------------------------------------------------------

@dataclass
class Contents:
    """Tables and their row counts, as written or restored."""

    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def lines(self) -> list[str]:
        width = max((len(name) for name in self.rows), default=0)
        return [f"  {name:<{width}}  {count:>9}" for name, count in sorted(self.rows.items())]


def count_rows(conn: Connection) -> Contents:
    """Row count of every table in the database (alembic_version included)."""
    quote = conn.dialect.identifier_preparer.quote
    return Contents({
        name: conn.exec_driver_sql(f"SELECT count(*) FROM {quote(name)}").scalar_one()
        for name in inspect(conn).get_table_names()
    })


def _sqlite_contents(raw: sqlite3.Connection) -> Contents:
    names = [row[0] for row in raw.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return Contents({
        name: raw.execute('SELECT count(*) FROM "{}"'.format(name.replace('"', '""'))).fetchone()[0]
        for name in names
    })


def _table_counts(contents) -> str:
    """"12 tabeller, 1 rad": the counts of a backup's contents, each with its plural."""
    tables = ngettext("%(num)d tabell", "%(num)d tabeller", len(contents.rows))
    rows = ngettext("%(num)d rad", "%(num)d rader", contents.total)
    return f"{tables}, {rows}"


def human_size(size: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            text = f"{size} {unit}" if unit == "B" else f"{size:.1f} {unit}"
            return text.replace(".", ",")
        size /= 1024
    raise AssertionError("unreachable")


# --- migrations ---------------------------------------------------------------------------------

def _script_directory():
    return ScriptDirectory(current_app.extensions["migrate"].directory)


def unknown_revisions(revisions: set[str]) -> set[str]:
    """The recorded Alembic revisions this code has no migration for (a newer netapp made them)."""
    known = {script.revision for script in _script_directory().walk_revisions()}
    return revisions - known


def migration_advice(revisions: set[str]) -> tuple[bool, str]:
    """(all is well, what to tell the user) for the revisions recorded in a restored database."""
    script = _script_directory()
    heads = set(script.get_heads())
    if not revisions:
        return False, ("Advarsel: databasen har ingen migreringsversjon (tabellen alembic_version mangler "
                       f"eller er tom). Sjekk skjemaet; kjør `{UPGRADE_HINT}` eller `flask --app wsgi db stamp`.")
    unknown = unknown_revisions(revisions)
    if unknown:
        return False, (f"Advarsel: migreringsversjonen {', '.join(sorted(unknown))} er ukjent for denne "
                       "versjonen av netapp. Bruk den versjonen av netapp som laget sikkerhetskopien.")
    if revisions == heads:
        return True, f"Databasen har den nyeste migreringsversjonen ({', '.join(sorted(revisions))})."
    return False, (f"Advarsel: databasen har en eldre migreringsversjon ({', '.join(sorted(revisions))}) "
                   f"enn koden ({', '.join(sorted(heads))}). Kjør `{UPGRADE_HINT}` før appen startes.")


def _recorded_revisions(conn: Connection) -> set[str]:
    if "alembic_version" not in inspect(conn).get_table_names():
        return set()
    return set(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())


# --- files --------------------------------------------------------------------------------------

def file_kind(path: Path) -> str | None:
    """'sqlite', 'postgresql' (pg_dump custom format) or None, from the file's first bytes."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError:
        return None
    if head.startswith(SQLITE_HEADER):
        return "sqlite"
    if head.startswith(PG_DUMP_HEADER):
        return "postgresql"
    return None


def _private_temp_beside(target: Path) -> Path:
    """An empty file next to target, readable by its owner only (a backup holds personal data)."""
    for n in range(1000):
        candidate = target.with_name(f".{target.name}.{os.getpid()}.{n}.tmp")
        try:
            fd = os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise click.ClickException(f"Kan ikke lage en midlertidig fil i {target.parent}.")


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _database_kind(engine: Engine) -> str:
    kind = engine.dialect.name
    if kind not in ("sqlite", "postgresql"):
        raise click.ClickException(f"Sikkerhetskopi støttes bare for SQLite og PostgreSQL, ikke {kind}.")
    return kind


def _sqlite_path(url: URL) -> str | None:
    """The database file, or None for an in-memory database."""
    database = url.database or ""
    if database in ("", ":memory:") or "mode=memory" in str(url):
        return None
    return database


# --- PostgreSQL tools ---------------------------------------------------------------------------

def libpq_url(url: URL | str) -> tuple[str, str | None]:
    """(a libpq connection URI without the password, the password) for a SQLAlchemy URL.

    The password goes to the tools through PGPASSWORD, never on the command line where any
    user of the machine could read it in the process list.
    """
    url = make_url(url)
    password = url.password
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                       database=url.database, query=url.query)
    return plain.render_as_string(hide_password=False), (str(password) if password is not None else None)


def find_pg_tool(name: str) -> str:
    """pg_dump/pg_restore: on PATH, in `pg_config --bindir`, or the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                    check=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            bindir = ""
        candidate = Path(bindir, name)
        if bindir and os.access(candidate, os.X_OK):
            return str(candidate)

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", Path(path).parent.parent.name))

    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        candidate = Path(bindir, name)
        if os.access(candidate, os.X_OK):
            return str(candidate)
    raise click.ClickException(
        f"Fant ikke {name}. Installer PostgreSQL-klientverktøyene (Debian: apt-get install postgresql-client).")


def _run_pg_tool(name: str, args: list[str], password: str | None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if password is not None:
        env["PGPASSWORD"] = password
    result = subprocess.run([find_pg_tool(name), *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise click.ClickException(f"{name} feilet (status {result.returncode}):\n{result.stderr.strip()}")
    return result


def _dump_tables(path: Path) -> set[str]:
    """The tables a pg_dump custom-format file creates (from its table of contents)."""
    listing = _run_pg_tool("pg_restore", ["--list", str(path)], None).stdout
    return set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, flags=re.MULTILINE))


def _dump_revisions(path: Path) -> set[str]:
    """The Alembic revisions recorded in a pg_dump file (its alembic_version rows)."""
    script = _run_pg_tool("pg_restore", ["--data-only", "--table=alembic_version", "--file=-", str(path)],
                          None).stdout
    revisions, in_copy = set(), False
    for line in script.splitlines():
        if line.startswith("COPY ") and "alembic_version" in line:
            in_copy = True
        elif in_copy and line == "\\.":
            in_copy = False
        elif in_copy and line:
            revisions.add(line.split("\t")[0])
    return revisions


# --- backup -------------------------------------------------------------------------------------

def backup_sqlite(engine: Engine, target: Path) -> Contents:
    """Copy the live database into target (a new file) with SQLite's online backup API."""
    path = _sqlite_path(engine.url)
    if path is not None and not Path(path).is_file():
        raise click.ClickException(f"Databasefilen {path} finnes ikke.")
    raw = engine.raw_connection()  # the app's own connection setup: busy timeout, WAL
    try:
        dest = sqlite3.connect(target)
        try:
            # One step (pages=-1) holds one read snapshot: a consistent copy while others write.
            raw.driver_connection.backup(dest)
            # The copy stands alone: no -wal/-shm files beside it.
            dest.execute("PRAGMA journal_mode = DELETE")
            check = dest.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise click.ClickException(f"Kopien er skadet: {check}")
            return _sqlite_contents(dest)
        finally:
            dest.close()
    finally:
        raw.close()


def backup_postgresql(engine: Engine, target: Path) -> Contents:
    """pg_dump --format=custom into target; the row counts come from the very snapshot dumped."""
    uri, password = libpq_url(engine.url)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            contents = count_rows(conn)
            # The exported snapshot lives as long as this transaction: pg_dump runs inside it.
            _run_pg_tool("pg_dump", ["--format=custom", f"--snapshot={snapshot}", f"--file={target}",
                                     f"--dbname={uri}"], password)
    return contents


@click.command("backup")
@click.option("-o", "--output", "output", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="Filen sikkerhetskopien skrives til.")
@click.option("--force", is_flag=True, help="Skriv over filen om den finnes.")
@with_appcontext
def backup_command(output: Path, force: bool):
    """Ta sikkerhetskopi av hele databasen mens appen kjører (SQLite: fil; PostgreSQL: pg_dump)."""
    engine = db.engine
    kind = _database_kind(engine)
    output = output.expanduser()
    if output.exists() and not force:
        raise click.ClickException(f"{output} finnes allerede. Velg et annet filnavn, eller bruk --force.")
    if not output.parent.is_dir():
        raise click.ClickException(f"Mappen {output.parent} finnes ikke.")
    temp = _private_temp_beside(output)
    try:
        contents = backup_sqlite(engine, temp) if kind == "sqlite" else backup_postgresql(engine, temp)
        os.replace(temp, output)
    finally:
        _unlink_quietly(temp)
    size = output.stat().st_size
    log.info("backup of the %s database written to %s (%d bytes)", kind, output, size)
    click.echo(f"Sikkerhetskopi ({LABELS[kind]}) skrevet til {output}: {human_size(size)}, {_table_counts(contents)}.")
    for line in contents.lines():
        click.echo(line)


# --- restore ------------------------------------------------------------------------------------

def _open_sqlite_backup(source: Path) -> sqlite3.Connection:
    conn = None
    try:
        conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        raise click.ClickException(f"{source} kan ikke leses som en SQLite-database: {exc}") from exc
    if check != "ok":
        conn.close()
        raise click.ClickException(f"{source} er skadet: {check}")
    return conn


def _inspect_sqlite_backup(source: Path) -> tuple[set[str], set[str]]:
    """(tables, recorded Alembic revisions) of a SQLite backup file."""
    conn = _open_sqlite_backup(source)
    try:
        tables = set(_sqlite_contents(conn).rows)
        revisions = set()
        if "alembic_version" in tables:
            revisions = {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
        return tables, revisions
    finally:
        conn.close()


def restore_sqlite(source: Path, path: str) -> None:
    """Copy the backup over the database file with the backup API (other connections see it whole)."""
    src = _open_sqlite_backup(source)
    try:
        timeout = current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", 15000) / 1000
        dest = sqlite3.connect(path, timeout=timeout)
        try:
            src.backup(dest)
            check = dest.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise click.ClickException(f"Databasen er skadet etter gjenopprettingen: {check}")
        except sqlite3.DatabaseError as exc:
            raise click.ClickException(f"Gjenopprettingen feilet: {exc}") from exc
        finally:
            dest.close()
    finally:
        src.close()


def restore_postgresql(source: Path, url: URL) -> None:
    uri, password = libpq_url(url)
    # --no-acl: grants name roles the target server may not have; one failure undoes it all.
    _run_pg_tool("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
                                f"--dbname={uri}", str(source)], password)


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Ikke spør før databasen erstattes.")
@with_appcontext
def restore_command(source: Path, yes: bool):
    """Erstatt hele databasen med en sikkerhetskopi laget med `backup`. Stopp gjerne appen først."""
    engine = db.engine
    kind = _database_kind(engine)
    url = engine.url
    found = file_kind(source)
    if found != kind:
        what = {"sqlite": "en SQLite-database", "postgresql": "en pg_dump-fil"}
        raise click.ClickException(
            f"{source} er ikke en sikkerhetskopi av en {LABELS[kind]}-database"
            + (f" (det er {what[found]})." if found else ".")
        )

    if kind == "sqlite":
        path = _sqlite_path(url)
        if path is None:
            raise click.ClickException("Databasen ligger bare i minnet; det er ingenting å gjenopprette til.")
        tables, revisions = _inspect_sqlite_backup(source)
    else:
        tables, revisions = _dump_tables(source), _dump_revisions(source)
    if not tables & set(db.metadata.tables):
        raise click.ClickException(f"{source} har ingen av netapps tabeller; det er ikke en sikkerhetskopi herfra.")
    unknown = unknown_revisions(revisions)
    if unknown:
        raise click.ClickException(
            f"Sikkerhetskopien har migreringsversjonen {', '.join(sorted(unknown))}, som denne versjonen av "
            "netapp ikke kjenner (den er laget av en nyere versjon). Databasen er ikke endret.")

    left_alone: set[str] = set()
    if kind == "postgresql":  # pg_restore --clean drops only what the dump holds
        with engine.connect() as conn:
            left_alone = set(inspect(conn).get_table_names()) - tables
    target = url.render_as_string(hide_password=True)
    if not yes and not click.confirm(
            f"Alt innholdet i databasen {target} erstattes med {source}. Fortsette?", default=False):
        click.echo("Avbrutt; databasen er ikke endret.")
        click.get_current_context().exit(1)

    # The app's pooled connections would keep the old file or hold locks: let them go first.
    db.session.remove()
    engine.dispose()
    if kind == "sqlite":
        restore_sqlite(source, path)
    else:
        restore_postgresql(source, url)
    engine.dispose()
    log.warning("database %s restored from %s", target, source)

    with engine.connect() as conn:
        contents = count_rows(conn)
        recorded = _recorded_revisions(conn)
    click.echo(f"Databasen er gjenopprettet fra {source}: {_table_counts(contents)}.")
    for line in contents.lines():
        click.echo(line)
    if left_alone:
        click.echo("Advarsel: disse tabellene var ikke med i sikkerhetskopien og står urørt: "
                   + ", ".join(sorted(left_alone)))
    ok, advice = migration_advice(recorded)
    click.echo(advice, err=not ok)
