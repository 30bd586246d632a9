"""Networks from the command line (`flask networks create|list|add-coordinator`) and the network
write functions the command and the administration pages share."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

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
