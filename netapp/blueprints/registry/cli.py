"""`flask registry import|export`: the same import and export services as the web pages;
`flask reference load|status`: the counties and municipalities shipped with the app."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from netapp.blueprints.registry.export import export_persons
from netapp.blueprints.registry.import_apply import apply_import
from netapp.blueprints.registry.import_parse import ImportFileError, parse_file
from netapp.blueprints.registry.import_plan import Action, plan_import
from netapp.blueprints.registry.models import Network, Person
from netapp.blueprints.registry.reference import load_reference_data, reference_status
from netapp.extensions import db
from netapp.timeutil import format_datetime

log = logging.getLogger(__name__)

registry_cli = AppGroup("registry", help="Import og eksport av registeret.")
reference_cli = AppGroup("reference", help="Fylker og kommuner (Statistisk sentralbyrås standard).")

PROGRESS_FROM = 500  # rows; smaller files finish before a progress bar is worth drawing


def _network(slug: str | None):
    if not slug:
        return None
    network = db.session.scalar(select(Network).where(Network.slug == slug))
    if network is None:
        raise click.ClickException(f"Fant ikke nettverket «{slug}».")
    return network


def _row_line(row) -> str:
    who = " ".join(part for part in (row.name, f"<{row.email}>" if row.email else "") if part)
    return f"Rad {row.row}: {who}".rstrip()


@registry_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Vis hva som ville skjedd, uten å lagre noe.")
@click.option("--network", "network_slug", help="Nettverket for rader uten Nettverk (ellers standardnettverket).")
@click.option("-v", "--verbose", is_flag=True, help="Vis hver rad som legges inn eller endres, ikke bare avviste.")
def import_command(file: Path, dry_run: bool, network_slug: str | None, verbose: bool):
    """Importer personer fra en CSV- eller XLSX-fil. Avslutter med status 1 når noen rad er avvist."""
    network = _network(network_slug)
    try:
        parsed = parse_file(file.read_bytes(), file.name)
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{file.name}: {parsed.description}, {len(parsed.rows)} rader.")
    if parsed.ignored:
        click.echo("Ignorerte kolonner: " + ", ".join(parsed.ignored))

    if len(parsed.rows) >= PROGRESS_FROM:
        with click.progressbar(length=len(parsed.rows), label="Kontrollerer rader") as bar:
            plan = plan_import(parsed, network=network, progress=bar.update)
    else:
        plan = plan_import(parsed, network=network)

    for row in plan.rows:
        if row.action == Action.REJECT:
            click.echo(f"{_row_line(row)}: avvist", err=True)
            for reason in row.errors:
                click.echo(f"    - {reason}", err=True)
        elif verbose and row.action in (Action.CREATE, Action.UPDATE):
            label = "ny" if row.action == Action.CREATE else "oppdateres"
            click.echo(f"{_row_line(row)}: {label}")
            for line in row.changes + row.notes:
                click.echo(f"    - {line}")
    counts = plan.counts
    summary = (f"Nye: {counts['create']}, oppdateres: {counts['update']}, uendret: {counts['unchanged']}, "
               f"avvist: {counts['reject']}.")
    if not plan.ok:
        click.echo(summary)
        click.echo("Filen har avviste rader. Ingenting er importert.", err=True)
        raise click.exceptions.Exit(1)
    if dry_run:
        db.session.rollback()
        click.echo(summary)
        click.echo("Prøvekjøring: ingenting er lagret.")
        return
    result = apply_import(plan)
    db.session.commit()
    log.info("command-line import of %s: %s", file.name, result)
    new = "ny" if result["created"] == 1 else "nye"  # the commands speak bokmål only (no catalogue)
    click.echo(f"Importert: {result['created']} {new}, {result['updated']} oppdatert, {result['unchanged']} uendret.")
    if result["workplaces"]:
        click.echo(f"Nye arbeidssteder: {result['workplaces']}, av dem uten sektor: {result['workplaces_without_sector']}.")


@registry_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Filen som skrives.")
@click.option("--network", "network_slug", help="Bare personer i dette nettverket.")
def export_command(fmt: str, output: Path, network_slug: str | None):
    """Eksporter alle personer (med status) til CSV (semikolon, UTF-8 med BOM) eller XLSX."""
    network = _network(network_slug)
    content, _filename, _mimetype, count = export_persons(fmt, Person.id.is_not(None), None, network)
    output.write_bytes(content)
    click.echo(f"Eksporterte {count} {'person' if count == 1 else 'personer'} til {output}.")


@reference_cli.command("load")
def reference_load():
    """Last inn eller oppdater fylker og kommuner til nyeste utgave. Trygt å kjøre flere ganger."""
    result = load_reference_data()
    db.session.commit()
    if not result.changed:
        click.echo(f"Fylker og kommuner er allerede etter utgaven {result.revision}. Ingenting endret.")
        return
    counts = result.counts
    click.echo(f"Fylker og kommuner etter utgaven {result.revision}"
               + (f" (før: {result.previous})." if result.previous else "."))
    click.echo(f"Kommuner: {counts['created']} nye, {counts['linked']} koblet til fylket, {counts['renamed']} nytt navn, "
               f"{counts['moved']} nytt fylke, {counts['ended']} avviklet, {counts['restored']} gjeninnført.")
    click.echo(f"Fylker: {counts['counties_created']} nye, {counts['counties_renamed']} nytt navn, "
               f"{counts['counties_ended']} avviklet.")


@reference_cli.command("status")
def reference_status_command():
    """Vis hvilken utgave av fylker og kommuner databasen har, og hvor mange."""
    status = reference_status()
    if status["revision"] is None:
        click.echo(f"Ingen utgave lastet inn. Kjør «flask --app wsgi reference load» (nyeste: {status['newest']}).")
    else:
        click.echo(f"Utgave: {status['revision']}, lastet inn {format_datetime(status['loaded_at'])}"
                   + ("" if status["revision"] == status["newest"] else f" (nyeste: {status['newest']})") + ".")
    click.echo(f"Fylker: {status['counties']} gjeldende, {status['counties_ended']} avviklet.")
    click.echo(f"Kommuner: {status['municipalities']} gjeldende, {status['municipalities_ended']} avviklet.")
