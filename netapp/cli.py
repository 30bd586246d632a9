"""Command-line interface: users, registry, seed-demo, outbox, scheduler, devmail, backup, restore."""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from netapp import scheduler
from netapp.backup import backup_command, restore_command
from netapp.blueprints.auth import services as auth_services
from netapp.blueprints.registry.cli import reference_cli, registry_cli
from netapp.blueprints.registry.models import Network
from netapp.demo import load_demo
from netapp.extensions import db
from netapp.mail import send_due

users = AppGroup("users", help="Brukerkontoer.")
outbox = AppGroup("outbox", help="Utboksen for e-post.")


@users.command("create")
@click.option("--email", required=True, help="E-postadressen (brukernavnet).")
@click.option("--role", type=click.Choice(auth_services.ROLES), required=True)
@click.option("--network", "network_slug", help="Nettverkets kortnavn (for koordinator og ressursperson).")
@click.option("--first-name", default="", help="Fornavn, når personen ikke finnes i registeret.")
@click.option("--last-name", default="", help="Etternavn, når personen ikke finnes i registeret.")
@click.password_option(help="Passordet (spørres om når det ikke er gitt).")
def create_user(email: str, role: str, network_slug: str | None, first_name: str, last_name: str, password: str):
    """Lag en konto med en rolle; personen i registeret lages eller gjenbrukes."""
    try:
        user = auth_services.create_account(email, role, password, network_slug=network_slug,
                                            first_name=first_name, last_name=last_name)
    except auth_services.AccountRefused as exc:
        if exc.field:
            raise click.BadParameter(str(exc), param_hint=f"--{exc.field}") from None
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Konto laget for {user.email} ({role}).")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Gjør ingenting når databasen allerede har data.")
def seed_demo(if_empty: bool):
    """Last inn demodata (fiktive personer; e-post på .example)."""
    if db.session.scalar(select(func.count(Network.id))):
        if if_empty:
            click.echo("Databasen har allerede data; demodata lastes ikke.")
            return
        raise click.ClickException("Databasen har allerede data. Demodata lastes bare inn i en tom database.")
    summary = load_demo()
    db.session.commit()
    click.echo("Demodata lastet: " + ", ".join(f"{k}={v}" for k, v in summary.items()))


@outbox.command("send")
@click.option("--limit", type=int, default=None, help="Høyst så mange meldinger i denne runden.")
def outbox_send(limit: int | None):
    """Send e-post som står i kø, over én SMTP-forbindelse, og avslutt."""
    counts = send_due(limit)
    click.echo(f"sendt={counts['sent']} prøves_igjen={counts['retry']} feilet={counts['failed']}")


@click.command("scheduler")
def run_scheduler():
    """Kjør planlagte jobber (utboksen hvert minutt). Én slik prosess per installasjon."""
    scheduler.run()


@click.command("devmail")
@click.option("--host", default=None, help="Adressen å lytte på (standard: MAIL_SERVER).")
@click.option("--port", type=int, default=None, help="Porten å lytte på (standard: MAIL_PORT).")
@click.option("--directory", type=click.Path(file_okay=False), default=None,
              help="Hvor meldingene lagres som .eml (standard: instance/devmail).")
def devmail(host: str | None, port: int | None, directory: str | None):
    """Fang e-post lokalt under utvikling: vis hver melding her og lagre den som .eml."""
    # Here, not at the top: only this development command loads aiosmtpd (and asyncio).
    from netapp.devmail import serve

    cfg = current_app.config
    host = host or cfg["MAIL_SERVER"]
    port = cfg["MAIL_PORT"] if port is None else port
    directory = directory or os.path.join(current_app.instance_path, "devmail")
    try:
        serve(host, port, directory, echo=click.echo)
    except OSError as exc:  # the port is taken (another devmail?) or the address is wrong
        raise click.ClickException(f"Kan ikke lytte på {host}:{port}: {exc}") from exc


def register(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(users)
    app.cli.add_command(outbox)
    app.cli.add_command(seed_demo)
    app.cli.add_command(run_scheduler)
    app.cli.add_command(devmail)
    app.cli.add_command(registry_cli)
    app.cli.add_command(reference_cli)
