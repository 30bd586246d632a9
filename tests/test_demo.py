"""The demo data mirrors the network described in the final report, the same every time."""

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import Date, DateTime, func, select

from netapp import timeutil
from netapp.blueprints.auth.models import User
from netapp.blueprints.gatherings.models import Event, EventRegistration
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
from netapp.demo import load_demo
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


# ---------------------------------------------------------------- the demo and today

# What is planned may lie ahead: an event and its registration deadline.
PLANNED = {("event", "starts_at"), ("event", "ends_at"), ("event", "registration_deadline")}


class _Clock(datetime):
    """datetime with a chosen now: netapp.timeutil's utcnow() and today_oslo(), which every model
    default and service asks, read it through timeutil's `datetime`."""

    moment = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)

    @classmethod
    def now(cls, tz=None):
        return cls.moment.astimezone(tz) if tz else cls.moment.replace(tzinfo=None)


@pytest.fixture
def frozen_today(monkeypatch):
    def freeze(day: date) -> datetime:
        monkeypatch.setattr(_Clock, "moment", datetime.combine(day, time(10, 0), tzinfo=UTC))
        monkeypatch.setattr(timeutil, "datetime", _Clock)
        assert timeutil.today_oslo() == day
        return timeutil.utcnow()
    return freeze


def _story() -> list[tuple]:
    """The events as days from today, with their registration and attendance counts."""
    today = timeutil.today_oslo()
    rows = db.session.execute(
        select(Event.title, Event.starts_at, func.count(EventRegistration.id), func.count(EventRegistration.attended))
        .outerjoin(EventRegistration, EventRegistration.event_id == Event.id)
        .group_by(Event.id).order_by(Event.starts_at, Event.title)
    ).all()
    return [(title, (timeutil.to_oslo(starts).date() - today).days, registered, marked)
            for title, starts, registered, marked in rows]


@pytest.mark.parametrize("day", [date(2025, 3, 10), date(2027, 11, 20)])
def test_the_demo_dates_nothing_after_today_whatever_the_day(app, frozen_today, day):
    now = frozen_today(day)
    load_demo()
    db.session.commit()
    ahead = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if (table.name, column.name) in PLANNED or not isinstance(column.type, (Date, DateTime)):
                continue
            bound = now if isinstance(column.type, DateTime) else day
            latest = db.session.scalar(select(func.max(column)).where(column > bound))
            if latest is not None:
                ahead.append(f"{table.name}.{column.name}: {latest}")
    assert not ahead, f"dated after {day}: {ahead}"

    late = db.session.execute(
        select(Event.title, EventRegistration.registered_at, Event.starts_at)
        .join(Event, Event.id == EventRegistration.event_id)
        .where(Event.starts_at < now, EventRegistration.registered_at >= Event.starts_at)
    ).all()
    assert not late, late
    assert db.session.scalar(select(func.count(EventRegistration.id)).join(Event).where(Event.starts_at < now)) > 30


def test_the_demo_tells_the_same_story_in_two_years(app, frozen_today):
    frozen_today(date(2025, 3, 10))
    first_summary = load_demo()
    db.session.commit()
    first = _story()
    left = db.session.scalars(select(Person.left_on).where(Person.status == PersonStatus.LEFT)).all()
    assert {(date(2025, 3, 10) - day).days for day in left} == {150}
    wipe_tables()

    frozen_today(date(2027, 11, 20))
    assert load_demo() == first_summary
    db.session.commit()
    assert _story() == first
    # The fixed history stays: who joined when.
    assert db.session.scalar(select(func.min(Membership.start_date))) == date(2021, 9, 1)
