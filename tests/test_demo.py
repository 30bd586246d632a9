"""The demo data mirrors the network described in the final report, the same every time."""

from sqlalchemy import func, select

from netapp.blueprints.auth.models import User
from netapp.blueprints.registry.models import (
    Membership,
    MembershipRole,
    Network,
    Organisation,
    OrganisationKind,
    Person,
    PersonStatus,
    Sector,
    Workplace,
)
from netapp.extensions import db
from tests.conftest import wipe_tables


def _members(slug: str, role=MembershipRole.RESOURCE_PERSON):
    return (
        select(Person)
        .join(Membership, Membership.person_id == Person.id)
        .join(Network, Network.id == Membership.network_id)
        .where(Network.slug == slug, Membership.role == role)
    )


def test_seed_demo_mirrors_the_report(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    # seed-demo loads the reference data: all municipalities, the demo's region in its county.
    assert db.session.scalar(select(func.count()).where(Organisation.kind == OrganisationKind.MUNICIPALITY)) == 357
    region = db.session.scalar(select(Network).where(Network.slug == "barnepalliasjon-sor-rogaland")).region
    assert len(region) == 15 and {org.county.name for org in region} == {"Rogaland"}
    regional = db.session.scalars(_members("barnepalliasjon-sor-rogaland")).all()
    assert len(regional) == 56
    orgs = {p.workplace.organisation for p in regional}
    municipalities = {o.name for o in orgs if o.kind == OrganisationKind.MUNICIPALITY}
    assert len(municipalities) == 14 and "Kvitsøy" not in municipalities
    assert len({o.name for o in orgs if o.kind == OrganisationKind.HOSPITAL_DEPARTMENT}) == 5
    assert "Kreftomsorg Rogaland" in {o.name for o in orgs}
    education = [p for p in regional if p.workplace.sector == Sector.EDUCATION]
    assert 10 <= len(education) <= 12  # about a fifth
    assert all(p.manager is not None for p in regional)
    assert len(db.session.scalars(_members("barnepalliasjon-sor-rogaland", MembershipRole.WORKING_GROUP)).all()) >= 5
    assert len(db.session.scalars(_members("ressursgruppe-stavanger")).all()) == 15
    emails = db.session.scalars(select(Person.email).where(Person.email.is_not(None))).all()
    assert emails and all(e.endswith(".example") for e in emails)
    accounts = {u.email: u for u in db.session.scalars(select(User))}
    assert set(accounts) == {"admin@demo.example", "koordinator@demo.example", "leder@demo.example", "ressurs@demo.example"}
    assert accounts["admin@demo.example"].is_admin
    default = db.session.scalar(select(Network).where(Network.is_default.is_(True)))
    assert default.slug == "barnepalliasjon-sor-rogaland"
    assert db.session.scalar(select(func.count()).select_from(Person).where(Person.status == PersonStatus.LEFT)) == 3


def test_seed_demo_is_deterministic(runner):
    def snapshot():
        return (
            db.session.execute(select(Person.first_name, Person.last_name, Person.email, Person.profession,
                                      Person.position_percent, Person.public_consent).order_by(Person.id)).all(),
            db.session.execute(select(Workplace.name, Workplace.sector).order_by(Workplace.id)).all(),
        )

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    first = snapshot()
    wipe_tables()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert snapshot() == first


def test_seed_demo_only_fills_an_empty_database(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0
    assert "allerede data" in again.output
    quiet = runner.invoke(args=["seed-demo", "--if-empty"])
    assert quiet.exit_code == 0
    assert db.session.scalar(select(func.count(Network.id))) == 2
