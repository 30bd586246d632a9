"""Command-line interface: users, registry, seed-demo, outbox, scheduler, devmail, backup, restore."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from netapp.extensions import db

users = AppGroup("users", help="Brukerkontoer.")
outbox = AppGroup("outbox", help="Utboksen for e-post.")

ROLE_CHOICES = ["admin", "coordinator", "manager", "resource_person"]


@users.command("create")
@click.option("--email", required=True, help="E-postadressen (brukernavnet).")
@click.option("--role", type=click.Choice(ROLE_CHOICES), required=True)
@click.option("--network", "network_slug", help="Nettverkets kortnavn (for koordinator og ressursperson).")
@click.option("--first-name", default="", help="Fornavn, når personen ikke finnes i registeret.")
@click.option("--last-name", default="", help="Etternavn, når personen ikke finnes i registeret.")
@click.password_option(help="Passordet (spørres om når det ikke er gitt).")
def create_user(email: str, role: str, network_slug: str | None, first_name: str, last_name: str, password: str):
    """Lag en konto med en rolle; personen i registeret lages eller gjenbrukes."""
    from netapp.blueprints.auth import services as auth
    from netapp.blueprints.registry import services as registry
    from netapp.blueprints.registry.models import MembershipRole, Network
    from netapp.blueprints.registry.queries import person_by_email
    from netapp.validators import check_email

    normalized = check_email(email)
    if normalized is None:
        raise click.BadParameter("ikke en gyldig e-postadresse", param_hint="--email")
    if auth.find_user(normalized):
        raise click.ClickException(f"{normalized} har allerede en konto.")
    if len(password) < 10:
        raise click.ClickException("Passordet må ha minst 10 tegn.")
    network = None
    if role in ("coordinator", "resource_person"):
        query = select(Network).where(Network.slug == network_slug) if network_slug else select(Network).where(Network.is_default.is_(True))
        network = db.session.scalar(query)
        if network is None:
            raise click.ClickException("Fant ikke nettverket. Oppgi --network med et kortnavn som finnes.")
    person = None
    if role != "admin" or first_name:
        person = person_by_email(normalized)
        if person is None:
            person = registry.create_person(registry.PersonData(
                first_name=first_name or normalized.split("@")[0], last_name=last_name, email=normalized))
        if role == "coordinator":
            registry.add_membership(person, network, MembershipRole.COORDINATOR)
        elif role == "resource_person":
            registry.add_membership(person, network, MembershipRole.RESOURCE_PERSON)
        elif role == "manager":
            person.is_manager = True
    auth.create_user(normalized, person=person, is_admin=(role == "admin"), password=password)
    db.session.commit()
    click.echo(f"Konto laget for {normalized} ({role}).")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Gjør ingenting når databasen allerede har data.")
def seed_demo(if_empty: bool):
    """Last inn demodata (fiktive personer; e-post på .example)."""
    from netapp.blueprints.registry.models import Network
    from netapp.demo import load_demo

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
    from netapp.mail import send_due

    counts = send_due(limit)
    click.echo(f"sendt={counts['sent']} prøves_igjen={counts['retry']} feilet={counts['failed']}")


@click.command("scheduler")
def run_scheduler():
    """Kjør planlagte jobber (utboksen hvert minutt). Én slik prosess per installasjon."""
    from netapp.scheduler import run

    run()


@click.command("devmail")
@click.option("--host", default=None, help="Adressen å lytte på (standard: MAIL_SERVER).")
@click.option("--port", type=int, default=None, help="Porten å lytte på (standard: MAIL_PORT).")
@click.option("--directory", type=click.Path(file_okay=False), default=None,
              help="Hvor meldingene lagres som .eml (standard: instance/devmail).")
def devmail(host: str | None, port: int | None, directory: str | None):
    """Fang e-post lokalt under utvikling: vis hver melding her og lagre den som .eml."""
    import os

    from flask import current_app

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
    from netapp.backup import backup_command, restore_command
    from netapp.blueprints.registry.cli import registry_cli

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(users)
    app.cli.add_command(outbox)
    app.cli.add_command(seed_demo)
    app.cli.add_command(run_scheduler)
    app.cli.add_command(devmail)
    app.cli.add_command(registry_cli)
