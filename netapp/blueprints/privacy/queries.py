"""Reusable selects for privacy: a person's own data, retention lists and the counts erasure keeps."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from netapp.blueprints.registry.models import (
    Membership,
    Organisation,
    Person,
    PersonStatus,
    Workplace,
)
from netapp.extensions import db

# ---------------------------------------------------------------- a person's own data

def registrations_of(person_id: int | None, emails: set[str]) -> list:
    """Registrations made by this person: linked to the person, or sent from one of their addresses."""
    from netapp.blueprints.joining.models import Registration

    conditions = []
    if person_id is not None:
        conditions.append(Registration.person_id == person_id)
    if emails:
        conditions.append(func.lower(Registration.email).in_(sorted(emails)))
    if not conditions:
        return []
    return list(db.session.scalars(
        select(Registration)
        .options(joinedload(Registration.network), joinedload(Registration.workplace).joinedload(Workplace.organisation))
        .where(or_(*conditions))
        .order_by(Registration.created_at, Registration.id)
    ))


def event_registrations_of(person_id: int) -> list:
    """(title, network name, starts_at, registered_at, attended) of the person's event registrations."""
    from netapp.blueprints.gatherings.models import Event, EventRegistration
    from netapp.blueprints.registry.models import Network

    return list(db.session.execute(
        select(Event.title, Network.name, Event.starts_at, EventRegistration.registered_at, EventRegistration.attended)
        .join(Event, Event.id == EventRegistration.event_id).join(Network, Network.id == Event.network_id)
        .where(EventRegistration.person_id == person_id)
        .order_by(Event.starts_at, Event.id)
    ))


def questionnaires_answered_by(person_id: int) -> list:
    """(title, network name) of the questionnaires the person has answered; what they answered is
    anonymous and linked to nobody, so it is not theirs to download."""
    from netapp.blueprints.evaluations.models import Questionnaire, ResponseReceipt
    from netapp.blueprints.registry.models import Network

    return list(db.session.execute(
        select(Questionnaire.title, Network.name)
        .join(ResponseReceipt, ResponseReceipt.questionnaire_id == Questionnaire.id)
        .join(Network, Network.id == Questionnaire.network_id)
        .where(ResponseReceipt.person_id == person_id)
        .order_by(Questionnaire.id)
    ))


def invitations_to(emails: set[str]) -> list:
    from netapp.blueprints.joining.models import Invitation

    if not emails:
        return []
    return list(db.session.scalars(
        select(Invitation).options(joinedload(Invitation.network))
        .where(func.lower(Invitation.email).in_(sorted(emails)))
        .order_by(Invitation.created_at, Invitation.id)
    ))


def messages_to(emails: set[str]) -> list:
    from netapp.mail import OutboxMessage

    if not emails:
        return []
    return list(db.session.scalars(
        select(OutboxMessage).where(func.lower(OutboxMessage.to_address).in_(sorted(emails)))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    ))


def changes_by(user_id: int) -> list:
    """The audit log's entries for changes this account made (field names only, never values)."""
    from netapp.audit import AuditEvent

    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == user_id).order_by(AuditEvent.created_at, AuditEvent.id)
    ))


def workplaces_led_by(person_id: int) -> list[Workplace]:
    return list(db.session.scalars(
        select(Workplace).options(joinedload(Workplace.organisation))
        .where(Workplace.leader_id == person_id).order_by(Workplace.name)
    ))


# ---------------------------------------------------------------- retention

def _left_between(visible_clause, after: date | None, until: date):
    query = select(Person).where(
        visible_clause, Person.status == PersonStatus.LEFT, Person.left_on.is_not(None), Person.left_on <= until,
    )
    if after is not None:
        query = query.where(Person.left_on > after)
    return query


def due_for_erasure(visible_clause, cutoff: date):
    """Persons who left on or before `cutoff` and are not erased yet, oldest first (ready to paginate)."""
    return (
        _left_between(visible_clause, None, cutoff)
        .options(joinedload(Person.workplace).joinedload(Workplace.organisation))
        .order_by(Person.left_on, Person.id)
    )


def due_soon(visible_clause, cutoff: date, until: date):
    """Persons whose retention period ends after `cutoff` but no later than `until`."""
    return (
        _left_between(visible_clause, cutoff, until)
        .options(joinedload(Person.workplace).joinedload(Workplace.organisation))
        .order_by(Person.left_on, Person.id)
    )


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def due_ids(visible_clause, cutoff: date, limit: int) -> list[int]:
    return list(db.session.scalars(
        _left_between(visible_clause, None, cutoff).with_only_columns(Person.id).order_by(Person.id).limit(limit)
    ))


# ---------------------------------------------------------------- what erasure keeps

def member_counts(network_id: int, start: date, end: date) -> dict[tuple[str, str], int]:
    """Members of a network at any time in [start, end], per organisation (municipality) and sector.

    Counts memberships, whatever the person's status, so erased persons still count for the
    periods they were members: the anonymous rows reports rely on.
    """
    rows = db.session.execute(
        select(Organisation.name, Workplace.sector, func.count(func.distinct(Membership.person_id)))
        .join(Person, Person.id == Membership.person_id)
        .join(Workplace, Person.workplace_id == Workplace.id)
        .join(Organisation, Workplace.organisation_id == Organisation.id)
        .where(
            Membership.network_id == network_id,
            or_(Membership.start_date.is_(None), Membership.start_date <= end),
            or_(Membership.end_date.is_(None), Membership.end_date >= start),
        )
        .group_by(Organisation.name, Workplace.sector)
    ).all()
    return {(org, sector.value if sector else "unknown"): n for org, sector, n in rows}
