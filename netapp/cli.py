"""Command-line interface: users, networks, registry, reference, seed-demo, outbox, scheduler, devmail,
backup, restore."""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import ngettext
from sqlalchemy import func, select

from netapp import scheduler
from netapp.backup import backup_command, restore_command
from netapp.blueprints.auth import services as auth_services
from netapp.blueprints.registry import network_services
from netapp.blueprints.registry import services as registry_services
from netapp.blueprints.registry.cli import reference_cli, registry_cli
from netapp.blueprints.registry.models import (
    Membership,
    MembershipRole,
    Network,
    Organisation,
    OrganisationKind,
    network_region,
)
from netapp.blueprints.registry.queries import person_by_email
from netapp.blueprints.registry.reference import load_reference_data
from netapp.demo import load_demo
from netapp.extensions import db
from netapp.mail import send_due

users = AppGroup("users", help="Brukerkontoer.")
outbox = AppGroup("outbox", help="Utboksen for e-post.")
networks = AppGroup("networks", help="Nettverk: lage, liste, gi koordinatorrollen.")


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


def _split(values: tuple[str, ...]) -> list[str]:
    """Repeated options and comma- or space-separated lists alike: --region 1103,1108 --region 1124."""
    return [part for value in values for part in value.replace(",", " ").split()]


def _municipality_ids(numbers: list[str]) -> list[int]:
    rows = dict(db.session.execute(
        select(Organisation.municipality_number, Organisation.id).where(
            Organisation.municipality_number.in_(numbers), Organisation.kind == OrganisationKind.MUNICIPALITY,
            Organisation.valid_to.is_(None))
    ).all()) if numbers else {}
    unknown = [n for n in numbers if n not in rows]
    if unknown:
        raise click.BadParameter(
            f"fant ingen gjeldende kommune med nummer {', '.join(unknown)}. Er fylker og kommuner lastet inn "
            "(«flask --app wsgi reference load»)?", param_hint="--region")
    return [rows[n] for n in numbers]


def _network_or_fail(slug: str) -> Network:
    network = db.session.scalar(select(Network).where(Network.slug == slug))
    if network is None:
        raise click.ClickException(f"Fant ikke nettverket «{slug}». Se dem som finnes med «flask --app wsgi networks list».")
    return network


@networks.command("create")
@click.argument("name")
@click.option("--slug", required=True, help="Kortnavnet i adressen, for eksempel sor-rogaland (a–z, 0–9, bindestrek).")
@click.option("--short-name", default="", help="Kort visningsnavn, for eksempel Barnepalliasjon Sør-Rogaland.")
@click.option("--contact-email", default=None, help="Nettverkets kontaktadresse.")
@click.option("--description", default="", help="Hva nettverket er, vist på nettverkets sider.")
@click.option("--region", "regions", multiple=True, help="Kommunenummer i regionen (kan gjentas, eller skilles med komma).")
@click.option("--county", "counties", multiple=True, help="Fylkesnummer: alle gjeldende kommuner i fylket (kan gjentas).")
@click.option("--default", "is_default", is_flag=True, help="Gjør nettverket til standardnettverket.")
def networks_create(name: str, slug: str, short_name: str, contact_email: str | None, description: str,
                    regions: tuple[str, ...], counties: tuple[str, ...], is_default: bool):
    """Lag et nettverk med navn, region og kontaktadresse."""
    region_ids = _municipality_ids([number.zfill(4) for number in _split(regions)])
    try:
        region_ids += network_services.municipality_ids_for_counties(_split(counties))
        network = network_services.create_network(
            name, slug, short_name=short_name, description=description, contact_email=contact_email,
            region_ids=region_ids, is_default=is_default)
    except network_services.NetworkRefused as exc:
        hint = {"slug": "--slug", "name": "NAME", "short_name": "--short-name", "contact_email": "--contact-email",
                "counties": "--county"}.get(exc.field)
        raise click.BadParameter(str(exc), param_hint=hint) from None
    db.session.commit()
    default = " Det er standardnettverket." if network.is_default else ""
    municipalities = ngettext("%(num)d kommune", "%(num)d kommuner", len(network.region))
    click.echo(f"Nettverket «{network.name}» ({network.slug}) er laget med {municipalities}.{default}")


@networks.command("list")
def networks_list():
    """Vis nettverkene med antall kommuner, medlemmer og koordinatorer."""
    def current(*roles):
        return (select(func.count(func.distinct(Membership.person_id))).where(
            Membership.network_id == Network.id, Membership.role.in_(roles), Membership.end_date.is_(None))
            .scalar_subquery())

    region = select(func.count()).select_from(network_region).where(network_region.c.network_id == Network.id)
    rows = db.session.execute(
        select(Network.slug, Network.name, Network.is_default, region.scalar_subquery(),
               current(MembershipRole.RESOURCE_PERSON, MembershipRole.WORKING_GROUP),
               current(MembershipRole.COORDINATOR))
        .order_by(Network.is_default.desc(), Network.name)
    ).all()
    if not rows:
        click.echo("Ingen nettverk ennå. Lag et med «flask --app wsgi networks create NAVN --slug KORTNAVN».")
        return
    width = max(len(row.slug) for row in rows)
    click.echo(f"{'Kortnavn':<{width}}  {'Kommuner':>8}  {'Medlemmer':>9}  {'Koordinatorer':>13}  Navn")
    for slug, name, is_default, municipalities, members, coordinators in rows:
        mark = " (standard)" if is_default else ""
        click.echo(f"{slug:<{width}}  {municipalities:>8}  {members:>9}  {coordinators:>13}  {name}{mark}")


@networks.command("add-coordinator")
@click.argument("slug")
@click.argument("email")
@click.option("--first-name", default="", help="Fornavn, når personen må lages fra kontoen.")
@click.option("--last-name", default="", help="Etternavn, når personen må lages fra kontoen.")
def networks_add_coordinator(slug: str, email: str, first_name: str, last_name: str):
    """Gi personen (eller kontoen) med e-postadressen koordinatorrollen i nettverket; personen får e-post om det."""
    network = _network_or_fail(slug)
    person = person_by_email(email)
    account = auth_services.find_user(email)
    if person is None and account is not None and account.person is not None:
        person = account.person
    if person is None:
        if account is None:
            raise click.ClickException(
                f"Fant ingen person eller konto med adressen {email.strip()}. Lag kontoen med "
                f"«flask --app wsgi users create --email {email.strip()} --role coordinator --network {slug}».")
        person = registry_services.create_person(registry_services.PersonData(
            first_name=first_name or account.email.split("@")[0], last_name=last_name, email=account.email))
    if account is not None and account.person_id is None:
        account.person = person
    already = db.session.scalar(select(Membership.id).where(
        Membership.network_id == network.id, Membership.person_id == person.id,
        Membership.role == MembershipRole.COORDINATOR, Membership.end_date.is_(None)))
    try:
        network_services.grant_coordinator(network, person)
    except network_services.NetworkRefused as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    if already:
        click.echo(f"{person.full_name} er allerede koordinator for {network.name}.")
    else:
        click.echo(f"{person.full_name} er nå koordinator for {network.name}, og får e-post om det.")
    if account is None:
        click.echo(f"{person.full_name} har ingen konto ennå. Lag den med «flask --app wsgi users create "
                   f"--email {person.email} --role coordinator --network {network.slug}».")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Gjør ingenting når databasen allerede har data.")
def seed_demo(if_empty: bool):
    """Last inn fylker og kommuner og demodata (fiktive personer; e-post på .example)."""
    if db.session.scalar(select(func.count(Network.id))):
        if if_empty:
            click.echo("Databasen har allerede data; demodata lastes ikke.")
            return
        raise click.ClickException("Databasen har allerede data. Demodata lastes bare inn i en tom database.")
    load_reference_data()
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
    app.cli.add_command(networks)
    app.cli.add_command(outbox)
    app.cli.add_command(seed_demo)
    app.cli.add_command(run_scheduler)
    app.cli.add_command(devmail)
    app.cli.add_command(registry_cli)
    app.cli.add_command(reference_cli)
