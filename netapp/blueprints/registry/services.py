"""Writes to the registry. Functions flush, never commit: the caller owns the transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update

from netapp import person_hooks
from netapp.blueprints.auth.models import User
from netapp.blueprints.registry.models import (
    Assignment,
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
from netapp.timeutil import today_oslo

log = logging.getLogger(__name__)


class DuplicateEmail(ValueError):
    """Another person already has this e-mail address (in any letter case)."""


def normalize(email: str | None) -> str | None:
    value = (email or "").strip()
    return value.lower() or None


def email_taken(email: str | None, exclude_id: int | None = None) -> bool:
    norm = normalize(email)
    if norm is None:
        return False
    query = select(Person.id).where(Person.email_normalized == norm)
    if exclude_id is not None:
        query = query.where(Person.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


@dataclass
class PersonData:
    first_name: str
    last_name: str
    email: str | None = None
    phone: str = ""
    profession: str = ""
    workplace: Workplace | None = None
    manager: Person | None = None
    position_percent: int | None = None
    public_consent: bool = False


def create_person(data: PersonData, *, network: Network | None = None,
                  role: MembershipRole = MembershipRole.RESOURCE_PERSON, start: date | None = None) -> Person:
    if email_taken(data.email):
        raise DuplicateEmail(data.email)
    start = start or today_oslo()
    person = Person(
        first_name=data.first_name.strip(), last_name=data.last_name.strip(),
        email=(data.email or "").strip() or None, email_normalized=normalize(data.email),
        phone=(data.phone or "").strip(), profession=(data.profession or "").strip(),
        workplace=data.workplace, manager=data.manager, position_percent=data.position_percent,
        public_consent=bool(data.public_consent), status=PersonStatus.ACTIVE, active_from=start,
    )
    db.session.add(person)
    db.session.flush()
    db.session.add(Assignment(person=person, workplace=data.workplace, manager=data.manager, valid_from=start))
    if network is not None:
        add_membership(person, network, role, start)
    db.session.flush()
    return person


def update_person(person: Person, data: PersonData, *, on: date | None = None) -> None:
    """Change a person; a change of workplace or manager closes the current period and opens a new one."""
    if email_taken(data.email, exclude_id=person.id):
        raise DuplicateEmail(data.email)
    on = on or today_oslo()
    moved = (data.workplace is not person.workplace) or (data.manager is not person.manager)
    person.first_name = data.first_name.strip()
    person.last_name = data.last_name.strip()
    person.email = (data.email or "").strip() or None
    person.email_normalized = normalize(data.email)
    person.phone = (data.phone or "").strip()
    person.profession = (data.profession or "").strip()
    person.position_percent = data.position_percent
    person.public_consent = bool(data.public_consent)
    if moved:
        _close_assignment(person, on)
        person.workplace = data.workplace
        person.manager = data.manager
        db.session.add(Assignment(person=person, workplace=data.workplace, manager=data.manager, valid_from=on))
    db.session.flush()


def _close_assignment(person: Person, on: date) -> None:
    db.session.execute(
        update(Assignment)
        .where(Assignment.person_id == person.id, Assignment.valid_to.is_(None))
        .values(valid_to=on)
    )


def add_membership(person: Person, network: Network, role: MembershipRole, start: date | None = None) -> Membership:
    """Make the person a current member with this role; reopen an ended membership."""
    existing = db.session.scalar(
        select(Membership).where(
            Membership.person_id == person.id, Membership.network_id == network.id, Membership.role == role
        )
    )
    if existing is not None:
        existing.end_date = None
        existing.start_date = existing.start_date or start or today_oslo()
        return existing
    membership = Membership(person=person, network=network, role=role, start_date=start or today_oslo())
    db.session.add(membership)
    db.session.flush()
    return membership


def deactivate_person(person: Person, left_on: date | None = None) -> None:
    """The person has left: memberships and the current period end, the account is disabled."""
    left_on = left_on or today_oslo()
    person.status = PersonStatus.LEFT
    person.left_on = left_on
    db.session.execute(
        update(Membership).where(Membership.person_id == person.id, Membership.end_date.is_(None)).values(end_date=left_on)
    )
    _close_assignment(person, left_on)
    db.session.execute(update(User).where(User.person_id == person.id).values(is_enabled=False))
    db.session.flush()


def reactivate_person(person: Person) -> None:
    if person.status == PersonStatus.ERASED:
        raise ValueError("an erased person cannot be made active again")
    person.status = PersonStatus.ACTIVE
    person.left_on = None
    db.session.execute(update(User).where(User.person_id == person.id).values(is_enabled=True))
    db.session.flush()


def merge_persons(keep: Person, duplicate: Person) -> None:
    """Fold a duplicate record into `keep`: every domain moves its rows about the duplicate over
    (person_hooks: memberships, history, staff, leadership, registrations, event registrations with
    attendance, evaluation receipts, the account); blank fields of `keep` are filled from the
    duplicate, which is then deleted."""
    if keep.id == duplicate.id:
        raise ValueError("cannot merge a person with itself")
    take_email = duplicate.email if not keep.email and duplicate.email else None
    person_hooks.merge(keep, duplicate)
    duplicate_id = duplicate.id
    db.session.expire(duplicate)
    db.session.delete(duplicate)
    db.session.flush()
    if take_email:
        keep.email, keep.email_normalized = take_email, normalize(take_email)
        db.session.flush()
    log.info("merged person %s into %s", duplicate_id, keep.id)


# ---------------------------------------------------------------- organisations and workplaces

def get_or_create_municipality(number: str, name: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.municipality_number == number))
    if org is None:
        org = Organisation(kind=OrganisationKind.MUNICIPALITY, name=name, municipality_number=number)
        db.session.add(org)
        db.session.flush()
    return org


def get_or_create_organisation(name: str, kind: OrganisationKind) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(kind=kind, name=name)
        db.session.add(org)
        db.session.flush()
    return org


def get_or_create_workplace(organisation: Organisation, name: str, sector: Sector | None = None) -> Workplace:
    name = name.strip()
    workplace = db.session.scalar(
        select(Workplace).where(Workplace.organisation_id == organisation.id, Workplace.name == name)
    )
    if workplace is None:
        workplace = Workplace(organisation=organisation, name=name, sector=sector)
        db.session.add(workplace)
        db.session.flush()
    elif workplace.sector is None and sector is not None:
        workplace.sector = sector
    return workplace


def resolve_manager(email: str | None, name: str = "") -> Person | None:
    """The registry's person with this e-mail, or a new person marked as manager, created from name
    and e-mail. Naming someone as a manager leaves their record as it is: they are a manager by
    being named (and may be a person the one naming them may not change)."""
    norm = normalize(email)
    if norm is None:
        return None
    person = db.session.scalar(select(Person).where(Person.email_normalized == norm))
    if person is None:
        first, _, last = (name or "").strip().rpartition(" ")
        if not first:
            first, last = last, ""
        person = Person(
            first_name=first or norm.split("@")[0], last_name=last, email=email.strip(), email_normalized=norm,
            is_manager=True, status=PersonStatus.ACTIVE,
        )
        db.session.add(person)
        db.session.flush()
    return person


def update_workplace(workplace: Workplace, *, name: str, sector: Sector | str | None, leader: Person | None) -> None:
    """Rename a workplace, set its sector and its leader (None: no leader); the caller has checked
    that the leader is one the user may choose."""
    workplace.name = name.strip()
    workplace.sector = Sector(sector) if sector else None
    workplace.leader = leader
    db.session.flush()
    log.info("workplace %s: leader %s", workplace.id, leader.id if leader is not None else None)
