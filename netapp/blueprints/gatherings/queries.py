"""Reusable selects for events: lists, participants, counts. Counts are computed in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, false, func, literal, or_, select, true
from sqlalchemy.orm import aliased

from netapp.blueprints.auth.models import User
from netapp.blueprints.gatherings.models import Event, EventKind, EventRegistration
from netapp.blueprints.registry.models import Network, Organisation, Person, PersonStatus, Workplace
from netapp.extensions import db
from netapp.validators import like_pattern


def registered_count(event_id_column=Event.id):
    """The number of registrations of the event, as a correlated scalar subquery."""
    return (
        select(func.count(EventRegistration.id)).where(EventRegistration.event_id == event_id_column)
        .correlate_except(EventRegistration).scalar_subquery()
    )


def recipients(event_id: int, person_id: int | None = None) -> list:
    """(email, first_name, language) of the active persons registered for the event who have an
    e-mail address (or only the given person); language is their account's choice, or None."""
    return list(db.session.execute(
        select(Person.email, Person.first_name, User.language)
        .join(EventRegistration, EventRegistration.person_id == Person.id)
        .outerjoin(User, User.person_id == Person.id)
        .where(EventRegistration.event_id == event_id, Person.status == PersonStatus.ACTIVE,
               Person.email.is_not(None), Person.email != "",
               true() if person_id is None else Person.id == person_id)
        .order_by(Person.id)
    ))


def attended_count(person_id_column):
    """The number of events the person attended, as a correlated scalar subquery."""
    return (
        select(func.count(EventRegistration.id))
        .where(EventRegistration.person_id == person_id_column, EventRegistration.attended.is_(True))
        .correlate_except(EventRegistration).scalar_subquery()
    )


def visible_clause(coordinated_ids: frozenset[int] | None, member_ids: frozenset[int]):
    """Events of the networks the user coordinates (None: all, admin) or belongs to."""
    if coordinated_ids is None:
        return true()
    ids = set(coordinated_ids) | set(member_ids)
    return Event.network_id.in_(sorted(ids)) if ids else false()


@dataclass
class EventFilters:
    when: str = "upcoming"  # or "past"
    network_id: int | None = None
    kind: str | None = None
    q: str | None = None


def filtered_events(filters: EventFilters, visible, person_id: int | None, now: datetime):
    """The events list as one query of plain columns: each row has id, title, kind, starts_at,
    ends_at, location, capacity, cancelled_at, registration_deadline, network_name, registered (count) and
    is_registered."""
    mine = (
        exists().where(EventRegistration.event_id == Event.id, EventRegistration.person_id == person_id)
        if person_id is not None else literal(False)
    )
    query = (
        select(
            Event.id, Event.title, Event.kind, Event.starts_at, Event.ends_at, Event.location, Event.capacity,
            Event.cancelled_at, Event.registration_deadline, Event.network_id, Network.name.label("network_name"),
            registered_count().label("registered"), mine.label("is_registered"),
        )
        .join(Network, Event.network_id == Network.id)
        .where(visible)
    )
    if filters.network_id:
        query = query.where(Event.network_id == filters.network_id)
    if filters.kind in {k.value for k in EventKind}:
        query = query.where(Event.kind == filters.kind)
    if filters.q:
        term = like_pattern(filters.q)
        query = query.where(or_(func.lower(Event.title).like(term, escape="\\"),
                                func.lower(Event.theme).like(term, escape="\\")))
    if filters.when == "past":
        return query.where(Event.starts_at < now).order_by(Event.starts_at.desc(), Event.id.desc())
    return query.where(Event.starts_at >= now).order_by(Event.starts_at, Event.id)


def event_counts(event_id: int) -> tuple[int, int]:
    """(registered, attended) for one event, in one query."""
    row = db.session.execute(
        select(func.count(EventRegistration.id),
               func.count(EventRegistration.id).filter(EventRegistration.attended.is_(True)))
        .where(EventRegistration.event_id == event_id)
    ).one()
    return int(row[0]), int(row[1])


def is_registered(event_id: int, person_id: int | None) -> bool:
    if person_id is None:
        return False
    return bool(db.session.scalar(select(exists().where(
        EventRegistration.event_id == event_id, EventRegistration.person_id == person_id))))


def participants(event_id: int):
    """The event's registrations with the person's name, e-mail, workplace and organisation, by name."""
    wp = aliased(Workplace)
    org = aliased(Organisation)
    return (
        select(
            EventRegistration.id, EventRegistration.registered_at, EventRegistration.attended,
            Person.id.label("person_id"), Person.first_name, Person.last_name, Person.email,
            wp.name.label("workplace_name"), org.name.label("organisation_name"),
        )
        .join(Person, EventRegistration.person_id == Person.id)
        .outerjoin(wp, Person.workplace_id == wp.id)
        .outerjoin(org, wp.organisation_id == org.id)
        .where(EventRegistration.event_id == event_id)
        .order_by(Person.last_name, Person.first_name, EventRegistration.id)
    )


def my_upcoming_registrations(person_id: int, now: datetime, limit: int = 5) -> list:
    """The person's coming registered events (id, title, starts_at, cancelled_at, network name)."""
    return db.session.execute(
        select(Event.id, Event.title, Event.starts_at, Event.cancelled_at, Network.name.label("network_name"))
        .join(EventRegistration, and_(EventRegistration.event_id == Event.id, EventRegistration.person_id == person_id))
        .join(Network, Event.network_id == Network.id)
        .where(Event.starts_at >= now)
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    ).all()


def person_events(person_id: int, network_ids: frozenset[int] | None, limit: int = 20) -> tuple[list, int, int]:
    """The events the person registered for in the given networks (None: all), newest first and
    at most `limit` of them: (rows of id, title, starts_at, cancelled_at, network_name, attended;
    how many they registered for; how many they attended), in one query however many there are
    (the totals are window counts over the whole set, taken before LIMIT)."""
    attended = case((EventRegistration.attended.is_(True), 1), else_=0)
    query = (
        select(Event.id, Event.title, Event.starts_at, Event.cancelled_at, Network.name.label("network_name"),
               EventRegistration.attended, func.count().over().label("total"),
               func.sum(attended).over().label("attended_total"))
        .join(EventRegistration, EventRegistration.event_id == Event.id)
        .join(Network, Network.id == Event.network_id)
        .where(EventRegistration.person_id == person_id,
               true() if network_ids is None else Event.network_id.in_(sorted(network_ids)))
        .order_by(Event.starts_at.desc(), Event.id.desc())
        .limit(limit)
    )
    rows = db.session.execute(query).all()
    if not rows:
        return [], 0, 0
    return rows, int(rows[0].total), int(rows[0].attended_total or 0)


def public_upcoming_events(network_id: int, now: datetime, limit: int = 20) -> list:
    """The network's coming public, not cancelled events (id, title, starts_at, location)."""
    return db.session.execute(
        select(Event.id, Event.title, Event.starts_at, Event.location)
        .where(Event.network_id == network_id, Event.is_public.is_(True), Event.cancelled_at.is_(None),
               Event.starts_at >= now)
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    ).all()
