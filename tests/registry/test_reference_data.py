"""Counties and municipalities shipped with the app: loaded once, loaded again without change, and
brought to a later revision without losing what refers to an ended municipality."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from netapp.blueprints.registry.import_parse import parse_file
from netapp.blueprints.registry.import_plan import plan_import
from netapp.blueprints.registry.models import County, Organisation, OrganisationKind, ReferenceRevision
from netapp.blueprints.registry.reference import load_reference_data
from netapp.blueprints.registry.reference_data import REVISION_2024, REVISIONS, Revision
from netapp.demo import load_demo
from netapp.extensions import db
from tests import factories


def _municipalities_in_force() -> int:
    return db.session.scalar(select(func.count(Organisation.id)).where(
        Organisation.kind == OrganisationKind.MUNICIPALITY, Organisation.valid_to.is_(None)))


def _municipality(number: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.municipality_number == number))


def test_the_load_gives_357_municipalities_in_15_counties(runner):
    result = runner.invoke(args=["reference", "load"])
    assert result.exit_code == 0, result.output
    assert "2024-01-01" in result.output
    assert _municipalities_in_force() == 357
    assert db.session.scalar(select(func.count(County.id))) == 15
    for number, name, county_number, county_name in [
        ("1103", "Stavanger", "11", "Rogaland"), ("1144", "Kvitsøy", "11", "Rogaland"),
        ("0301", "Oslo", "03", "Oslo"), ("5501", "Tromsø", "55", "Troms"),
    ]:
        municipality = _municipality(number)
        assert (municipality.name, municipality.county.number, municipality.county.name) == (name, county_number, county_name)
    status = runner.invoke(args=["reference", "status"])
    assert status.exit_code == 0
    assert "2024-01-01" in status.output and "357 gjeldende" in status.output and "15 gjeldende" in status.output


def test_loading_twice_changes_nothing(runner):
    assert runner.invoke(args=["reference", "load"]).exit_code == 0
    before = db.session.execute(select(Organisation.id, Organisation.name, Organisation.county_id)
                                .order_by(Organisation.id)).all()
    loaded_at = db.session.get(ReferenceRevision, "municipalities").loaded_at
    again = runner.invoke(args=["reference", "load"])
    assert again.exit_code == 0 and "Ingenting endret" in again.output
    assert not load_reference_data().changed
    assert db.session.execute(select(Organisation.id, Organisation.name, Organisation.county_id)
                              .order_by(Organisation.id)).all() == before
    assert db.session.get(ReferenceRevision, "municipalities").loaded_at == loaded_at


def test_municipalities_already_present_are_linked_not_duplicated(app):
    # As the demo or an installation from before the reference data made them.
    stavanger = factories.make_municipality("1103", "Stavanger kommune")
    kvitsoy = Organisation(kind=OrganisationKind.MUNICIPALITY, name="Kvitsøy")  # without a number
    db.session.add(kvitsoy)
    network = factories.make_network(region=[stavanger, kvitsoy])
    workplace = factories.make_workplace(stavanger)
    db.session.commit()

    result = load_reference_data()
    db.session.commit()
    assert result.counts["linked"] == 2 and result.counts["created"] == 355
    assert _municipalities_in_force() == 357
    assert _municipality("1103").id == stavanger.id
    assert stavanger.name == "Stavanger kommune"  # the user's name stays
    assert stavanger.county.name == "Rogaland"
    assert _municipality("1144").id == kvitsoy.id
    assert {org.id for org in network.region} == {stavanger.id, kvitsoy.id}
    assert workplace.organisation_id == stavanger.id


def _merged_revision() -> Revision:
    """A later revision in which Kvitsøy and Bokn merge into a new municipality."""
    rows = tuple(row for row in REVISION_2024.municipalities if row[0] not in ("1144", "1145"))
    return Revision("2026-01-01", REVISION_2024.counties, (*rows, ("1199", "Kvitsøy og Bokn", "11")))


def test_a_later_revision_ends_merged_municipalities_and_keeps_what_refers_to_them(app):
    load_reference_data()
    kvitsoy = _municipality("1144")
    workplace = factories.make_workplace(kvitsoy, "Kvitsøy helsestasjon")
    db.session.commit()

    result = load_reference_data((*REVISIONS, _merged_revision()))
    db.session.commit()
    assert result.previous == "2024-01-01" and result.revision == "2026-01-01"
    assert result.counts["ended"] == 2 and result.counts["created"] == 1
    assert _municipality("1144").valid_to == date(2026, 1, 1)
    assert _municipality("1145").valid_to == date(2026, 1, 1)
    assert _municipality("1199").valid_to is None and _municipality("1199").county.number == "11"
    assert _municipalities_in_force() == 356
    db.session.expire_all()
    assert db.session.get(type(workplace), workplace.id).organisation.name == "Kvitsøy"
    assert db.session.get(ReferenceRevision, "municipalities").revision == "2026-01-01"
    assert not load_reference_data((*REVISIONS, _merged_revision())).changed


def test_a_revision_that_renames_a_municipality_renames_it(app):
    load_reference_data()
    renamed = tuple((n, "Kvitsøy kommune" if n == "1144" else name, c) for n, name, c in REVISION_2024.municipalities)
    result = load_reference_data((*REVISIONS, Revision("2026-01-01", REVISION_2024.counties, renamed)))
    assert result.counts["renamed"] == 1
    assert _municipality("1144").name == "Kvitsøy kommune"


def test_the_demo_region_is_linked_when_the_reference_data_comes_later(app):
    load_demo()
    db.session.commit()
    region = db.session.scalar(select(func.count()).select_from(Organisation).where(
        Organisation.kind == OrganisationKind.MUNICIPALITY))
    assert region == 15 and _municipality("1103").county.name == "Rogaland"
    stavanger_id = _municipality("1103").id
    result = load_reference_data()
    assert result.counts["created"] == 342 and result.counts["linked"] == 0
    assert _municipalities_in_force() == 357 and _municipality("1103").id == stavanger_id


def _ended_kvitsoy() -> Organisation:
    load_reference_data()
    load_reference_data((*REVISIONS, _merged_revision()))
    db.session.commit()
    return _municipality("1144")


def test_an_ended_municipality_is_no_new_choice_but_keeps_its_workplaces(client, world):
    kvitsoy = _ended_kvitsoy()
    factories.make_workplace(kvitsoy, "Kvitsøy helsestasjon")
    db.session.commit()
    page = client.get("/register").get_data(as_text=True)
    assert "Kvitsøy og Bokn" in page and ">Kvitsøy<" not in page  # no new workplace in Kvitsøy
    assert "Kvitsøy helsestasjon" in page  # the existing workplace still to choose

    header = "Fornavn;Etternavn;E-post;Arbeidssted;Kommune"
    plan = plan_import(parse_file("\r\n".join([
        header, "Ny;Person;ny@test.example;Kvitsøy skole;1144",
        "Gammel;Plass;gammel@test.example;Kvitsøy helsestasjon;Kvitsøy"]).encode("utf-8-sig"), "personer.csv"),
        network=world.network)
    new, existing = plan.rows
    assert any("ikke lenger en kommune" in error for error in new.errors)
    assert not existing.errors and existing.workplace.name == "Kvitsøy helsestasjon"
