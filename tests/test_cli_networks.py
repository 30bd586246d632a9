"""Networks from the command line (`flask networks create|list|add-coordinator`) and the network
write functions the command and the administration pages share."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from netapp.blueprints.registry import network_services
from netapp.blueprints.registry.models import (
    County,
    Membership,
    MembershipRole,
    Network,
    Organisation,
    OrganisationKind,
)
from netapp.extensions import db
from tests import factories


def _county(number: str, name: str, *municipalities: tuple[str, str]):
    county = County(number=number, name=name)
    db.session.add(county)
    for mnr, mname in municipalities:
        factories.make_municipality(mnr, mname).county = county
    db.session.flush()
    return county


def test_create_network_checks_the_slug_and_keeps_one_default(app):
    first = network_services.create_network("Første", "forste", is_default=True)
    second = network_services.create_network("Andre", "andre", is_default=True)
    db.session.commit()
    assert not first.is_default and second.is_default
    with pytest.raises(network_services.NetworkRefused) as taken:
        network_services.create_network("Igjen", "andre")
    assert taken.value.field == "slug" and "finnes allerede" in str(taken.value)
    for bad in ("Stor Bokstav", "", "a--b", "-a", "æøå"):
        with pytest.raises(network_services.NetworkRefused):
            network_services.create_network("Navn", bad)
    with pytest.raises(network_services.NetworkRefused) as contact:
        network_services.create_network("Navn", "navn", contact_email="ikke-en-adresse")
    assert contact.value.field == "contact_email"


def test_region_from_counties_takes_municipalities_in_force(app):
    _county("11", "Rogaland", ("1103", "Stavanger"), ("1144", "Kvitsøy"))
    _county("03", "Oslo", ("0301", "Oslo"))
    ended = factories.make_municipality("1199", "Gammel kommune")
    ended.county = db.session.scalar(select(County).where(County.number == "11"))
    ended.valid_to = date(2020, 1, 1)
    ids = network_services.municipality_ids_for_counties(["11"])
    names = set(db.session.scalars(select(Organisation.name).where(Organisation.id.in_(ids))))
    assert names == {"Stavanger", "Kvitsøy"}
    with pytest.raises(network_services.NetworkRefused, match="99"):
        network_services.municipality_ids_for_counties(["99"])
    hospital = factories.make_organisation("SUS barneavdeling", OrganisationKind.HOSPITAL_DEPARTMENT)
    network = network_services.create_network("Sør-Rogaland", "sor-rogaland", region_ids=[*ids, hospital.id])
    assert [org.name for org in network.region] == ["Kvitsøy", "Stavanger"]


def test_grant_and_withdraw_coordinator_mail_the_person(app, outbox):
    network = factories.make_network("nett")
    person = factories.make_person(network, email="ny.koordinator@test.example", first_name="Nora")
    first = network_services.grant_coordinator(network, person)
    again = network_services.grant_coordinator(network, person)
    db.session.commit()
    assert first.id == again.id and first.end_date is None
    mails = outbox("ny.koordinator@test.example")
    assert len(mails) == 1 and "koordinator" in mails[0].subject and "Nora" in mails[0].body_text

    result = network_services.withdraw_coordinator(network, person)
    db.session.commit()
    assert result.changed and result.was_last and result.membership.end_date is not None
    assert len(outbox("ny.koordinator@test.example")) == 2
    assert "ikke lenger" in outbox("ny.koordinator@test.example")[1].subject
    nothing = network_services.withdraw_coordinator(network, person)
    assert not nothing.changed and len(outbox("ny.koordinator@test.example")) == 2


# ---------------------------------------------------------------- the commands


def test_networks_create_with_municipalities_and_a_county(runner):
    assert runner.invoke(args=["reference", "load"]).exit_code == 0
    result = runner.invoke(args=[
        "networks", "create", "Barnepalliasjon Sør-Rogaland", "--slug", "sor-rogaland", "--short-name", "BSR",
        "--contact-email", "Post@BSR.example", "--description", "Et nettverk.", "--county", "3",
        "--region", "1103,1108", "--region", "1144 301", "--default"])
    assert result.exit_code == 0, result.output
    network = db.session.scalar(select(Network).where(Network.slug == "sor-rogaland"))
    assert network.is_default and network.contact_email == "post@bsr.example" and network.short_name == "BSR"
    assert sorted(org.municipality_number for org in network.region) == ["0301", "1103", "1108", "1144"]
    assert "4 kommuner" in result.output  # Oslo named twice, by its county and its number, counts once

    taken = runner.invoke(args=["networks", "create", "Igjen", "--slug", "sor-rogaland"])
    assert taken.exit_code != 0 and "finnes allerede" in taken.output
    unknown = runner.invoke(args=["networks", "create", "Ukjent", "--slug", "ukjent", "--region", "9999"])
    assert unknown.exit_code != 0 and "9999" in unknown.output
    assert db.session.scalar(select(func.count(Network.id))) == 1


def test_networks_list_counts_municipalities_members_and_coordinators(runner, world):
    empty = factories.make_network("tomt")
    empty.region = [factories.make_municipality("4601", "Bergen")]
    db.session.commit()
    result = runner.invoke(args=["networks", "list"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split() for line in result.output.splitlines()[1:]}
    # world: rp, rp2 and wg are members of "nettverket", k@ coordinates it.
    assert lines["nettverket"][1:4] == ["0", "3", "1"] and "(standard)" in result.output
    assert lines["tomt"][1:4] == ["1", "0", "0"]


def test_networks_list_without_networks_says_what_to_do(runner):
    result = runner.invoke(args=["networks", "list"])
    assert result.exit_code == 0 and "networks create" in result.output


def test_add_coordinator_from_an_account_without_a_person(runner, outbox):
    network = factories.make_network("nett")
    factories.make_user("ny@test.example")
    db.session.commit()
    result = runner.invoke(args=["networks", "add-coordinator", "nett", "ny@test.example", "--first-name", "Nina"])
    assert result.exit_code == 0, result.output
    membership = db.session.scalar(select(Membership).where(Membership.network_id == network.id))
    assert membership.role == MembershipRole.COORDINATOR and membership.person.first_name == "Nina"
    assert membership.person.email == "ny@test.example"
    assert len(outbox("ny@test.example")) == 1
    again = runner.invoke(args=["networks", "add-coordinator", "nett", "ny@test.example"])
    assert again.exit_code == 0 and "allerede" in again.output
    assert len(outbox("ny@test.example")) == 1

    nobody = runner.invoke(args=["networks", "add-coordinator", "nett", "ingen@test.example"])
    assert nobody.exit_code != 0 and "users create" in nobody.output
    missing = runner.invoke(args=["networks", "add-coordinator", "finnes-ikke", "ny@test.example"])
    assert missing.exit_code != 0 and "finnes-ikke" in missing.output


def test_users_create_coordinator_once_the_network_exists(runner):
    args = ["users", "create", "--email", "k@test.example", "--role", "coordinator", "--network", "sor-rogaland",
            "--password", "et langt passord"]
    before = runner.invoke(args=args)
    assert before.exit_code != 0 and "networks create" in before.output
    assert runner.invoke(args=["networks", "create", "Sør-Rogaland", "--slug", "sor-rogaland"]).exit_code == 0
    after = runner.invoke(args=args)
    assert after.exit_code == 0, after.output
    network = db.session.scalar(select(Network).where(Network.slug == "sor-rogaland"))
    assert [m.person.email for m in network.memberships if m.role == MembershipRole.COORDINATOR] == ["k@test.example"]


def test_add_coordinator_from_the_registry_says_when_there_is_no_account(runner, outbox):
    network = factories.make_network("nett")
    factories.make_person(network, email="rita@test.example", first_name="Rita")
    db.session.commit()
    result = runner.invoke(args=["networks", "add-coordinator", "nett", "Rita@Test.example"])
    assert result.exit_code == 0, result.output
    assert "ingen konto" in result.output and "users create --email rita@test.example" in result.output
    assert len(outbox("rita@test.example")) == 1
