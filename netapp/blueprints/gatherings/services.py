"""Writes for events. Functions flush, never commit: the view owns the transaction.

A registration is one conditional INSERT ... SELECT ... RETURNING id, run after locking the event's
row (SELECT ... FOR UPDATE on PostgreSQL; SQLite takes its single write lock for the statement),
so two participants racing for the last seat cannot both get it, and a double click cannot
register twice. No row returned means a condition refused it (RETURNING rather than rowcount:
through the session on PostgreSQL, rowcount did not report the inserted row).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from netapp import audit
from netapp.blueprints.gatherings import calendar, queries, signals
from netapp.blueprints.gatherings.models import Event, EventKind, EventRegistration
from netapp.blueprints.registry.models import Network, Person
from netapp.cache import renew_token
from netapp.extensions import db
from netapp.mail import absolute_url, enqueue_each
from netapp.timeutil import from_oslo, utcnow

log = logging.getLogger(__name__)

DEADLINE_TIME = time(23, 59)  # a deadline date lasts to the end of that day in Oslo
MAIL_SOURCE = "event"  # the outbox's source_type of mail about an event (its id the source_id)


@dataclass
class EventData:
    kind: EventKind
    title: str
    day: date
    start: time
    end: time
    theme: str = ""
    description: str = ""
    location: str = ""
    registration_deadline: date | None = None
    capacity: int | None = None
    is_public: bool = False


# What EventData sets; event_changed tells receivers which of these changed.
EVENT_FIELDS = ("kind", "title", "theme", "description", "location", "starts_at", "ends_at",
                "registration_deadline", "capacity", "is_public")


def _apply(event: Event, data: EventData) -> None:
    event.kind = EventKind(data.kind)
    event.title = data.title.strip()
    event.theme = (data.theme or "").strip()
    event.description = (data.description or "").strip()
    event.location = (data.location or "").strip()
    event.starts_at = from_oslo(data.day, data.start)
    event.ends_at = from_oslo(data.day, data.end)
    event.registration_deadline = (
        from_oslo(data.registration_deadline, DEADLINE_TIME) if data.registration_deadline else None
    )
    event.capacity = data.capacity
    event.is_public = bool(data.is_public)


def create_event(network: Network, data: EventData) -> Event:
    """Create the event and announce it (signals.event_changed, created=True)."""
    event = Event(network=network)
    _apply(event, data)
    db.session.add(event)
    db.session.flush()
    log.info("event %s created in network %s", event.id, network.id)
    signals.event_changed.send(event, created=True, changed=frozenset(EVENT_FIELDS))
    return event


# A change to these is news to everyone registered: they are e-mailed, with the calendar file.
SCHEDULE_FIELDS = frozenset({"starts_at", "ends_at", "location"})


@dataclass(frozen=True)
class Schedule:
    """When and where an event was, for the change e-mail's "before"."""
    starts_at: datetime
    ends_at: datetime
    location: str


def update_event(event: Event, data: EventData) -> int:
    """Change the event's details and announce which changed (signals.event_changed). When the
    date, time or place changed, the iCalendar SEQUENCE is raised (calendars replace the entry),
    a reminder already sent is due again, and everyone registered is e-mailed the change with the
    updated calendar file, in their own language. Returns the number of those e-mails."""
    before = {name: getattr(event, name) for name in EVENT_FIELDS}
    _apply(event, data)
    changed = frozenset(name for name in EVENT_FIELDS if getattr(event, name) != before[name])
    rescheduled = bool(changed & SCHEDULE_FIELDS)
    if rescheduled:
        event.ics_sequence = (event.ics_sequence or 0) + 1
        if "starts_at" in changed:
            event.reminder_sent_at = None
    db.session.flush()
    notified = 0
    if rescheduled:
        previous = Schedule(before["starts_at"], before["ends_at"], before["location"])
        notified = enqueue_each(
            queries.recipients(event.id), lambda: _("Endret: %(title)s", title=event.title),
            "gatherings/emails/changed", event=event, previous=previous,
            link=absolute_url("gatherings.view_event", event_id=event.id),
            attachments=[calendar.attachment(event)], source=(MAIL_SOURCE, event.id))
    log.info("event %s changed%s", event.id, f", {notified} participants notified" if rescheduled else "")
    signals.event_changed.send(event, created=False, changed=changed)
    return notified


def registered_count(event_id: int) -> int:
    return db.session.scalar(select(func.count(EventRegistration.id)).where(EventRegistration.event_id == event_id))


# ---------------------------------------------------------------- registration

def _open_conditions(now: datetime):
    """The event takes registrations now: not cancelled, not started, before its deadline."""
    return and_(
        Event.cancelled_at.is_(None), Event.starts_at > now,
        or_(Event.registration_deadline.is_(None), Event.registration_deadline >= now),
    )


def closed_reason(event: Event, now: datetime | None = None) -> str | None:
    """Why nobody can register for the event now (cancelled, started, deadline passed), or None."""
    now = now or utcnow()
    if event.cancelled_at is not None:
        return _("Arrangementet er avlyst.")
    if event.starts_at <= now:
        return _("Arrangementet har allerede startet, så påmeldingen er stengt.")
    if event.registration_deadline is not None and event.registration_deadline < now:
        return _("Påmeldingsfristen har gått ut.")
    return None


def is_full(event: Event, registered: int) -> bool:
    return event.capacity is not None and registered >= event.capacity


def register(event: Event, person: Person, now: datetime | None = None) -> str | None:
    """Register the person for the event and e-mail them a confirmation; None on success,
    otherwise the reason it was refused.

    The checks and the insert are one statement, so the last seat goes to one participant only."""
    now = now or utcnow()
    # The data token's row first (every writing transaction locks it first), then the event's row.
    renew_token(db.session.connection())
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())
    taken = (
        select(func.count(EventRegistration.id)).where(EventRegistration.event_id == Event.id).scalar_subquery()
    )
    source = select(literal(event.id), literal(person.id), literal(now, type_=db.DateTime)).where(
        Event.id == event.id,
        _open_conditions(now),
        or_(Event.capacity.is_(None), taken < Event.capacity),
        ~exists().where(EventRegistration.event_id == event.id, EventRegistration.person_id == person.id),
    )
    table = EventRegistration.__table__
    inserted = db.session.execute(
        insert(table).from_select(["event_id", "person_id", "registered_at"], source).returning(table.c.id)
    ).scalar()  # the new row's id, or None when a condition refused it
    if inserted is not None:
        audit.record("create", db.session.get(EventRegistration, inserted))
        enqueue_each(
            queries.recipients(event.id, person.id), lambda: _("Påmeldt: %(title)s", title=event.title),
            "gatherings/emails/registered", event=event, link=absolute_url("gatherings.view_event", event_id=event.id),
            calendar=absolute_url("gatherings.event_calendar", event_id=event.id),
            attachments=[calendar.attachment(event)], source=(MAIL_SOURCE, event.id))
        log.info("person %s registered for event %s", person.id, event.id)
        return None
    db.session.refresh(event)
    if db.session.scalar(select(exists().where(
            EventRegistration.event_id == event.id, EventRegistration.person_id == person.id))):
        return _("Du er allerede påmeldt.")
    reason = closed_reason(event, now)
    if reason:
        return reason
    return _("Arrangementet er fullt.")


def unregister(event: Event, person: Person, now: datetime | None = None) -> str | None:
    """Withdraw the person's registration; None on success, otherwise why not."""
    now = now or utcnow()
    if event.starts_at <= now:
        return _("Arrangementet har allerede startet, så påmeldingen kan ikke trekkes.")
    registration = db.session.scalar(select(EventRegistration).where(
        EventRegistration.event_id == event.id, EventRegistration.person_id == person.id))
    if registration is None:
        return _("Du er ikke påmeldt.")
    db.session.delete(registration)
    db.session.flush()
    log.info("person %s unregistered from event %s", person.id, event.id)
    return None


def save_attendance(event: Event, shown_ids: set[int], attended_ids: set[int]) -> int | None:
    """Of this event's registrations shown on the coordinator's page (the list is paged), mark the
    checked ones as attended and the others as not; registrations on other pages keep what they
    had, and ids of other events' registrations are ignored. Returns the number who attended, or
    None when the attendance list is closed (the check holds the event's row, so a save and a
    concurrent close are one after the other)."""
    renew_token(db.session.connection())  # the token's row first, as every writing transaction
    closed_at = db.session.scalar(select(Event.attendance_closed_at).where(Event.id == event.id).with_for_update())
    if closed_at is not None:
        return None
    attended = sorted(attended_ids & shown_ids)
    if shown_ids:
        db.session.execute(
            update(EventRegistration)
            .where(EventRegistration.event_id == event.id, EventRegistration.id.in_(sorted(shown_ids)))
            .values(attended=EventRegistration.id.in_(attended) if attended else False)
            .execution_options(synchronize_session=False)
        )
        db.session.flush()
    attended = _attended_count(event.id)
    audit.record("update", event, ["attendance"])
    log.info("attendance saved for event %s", event.id)
    return attended


def _attended_count(event_id: int) -> int:
    return db.session.scalar(select(func.count(EventRegistration.id)).where(
        EventRegistration.event_id == event_id, EventRegistration.attended.is_(True)))


def attendance_closed_reason(event: Event, now: datetime | None = None) -> str | None:
    """Why the attendance list cannot be closed now (not started, cancelled, already closed), or None."""
    now = now or utcnow()
    if event.attendance_closed_at is not None:
        return _("Oppmøtelisten er allerede stengt.")
    if event.cancelled_at is not None:
        return _("Arrangementet er avlyst.")
    if event.starts_at > now:
        return _("Oppmøtelisten kan stenges når arrangementet har startet.")
    return None


def close_attendance(event: Event, now: datetime | None = None) -> int | None:
    """Close the event's attendance list: from now on who attended is final. Returns the number
    who attended, or None when it was not closed here (already closed, by an earlier or a
    concurrent request; not started; cancelled): see attendance_closed_reason.

    Claimed by one conditional UPDATE, so of concurrent requests only one announces it
    (signals.attendance_closed)."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(Event).where(Event.id == event.id, Event.attendance_closed_at.is_(None), Event.cancelled_at.is_(None),
                            Event.starts_at <= now)
        .values(attendance_closed_at=now).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.refresh(event)
        return None
    set_committed_value(event, "attendance_closed_at", now)
    attended = _attended_count(event.id)
    audit.record("update", event, ["attendance_closed_at"])
    log.info("attendance of event %s closed: %d attended", event.id, attended)
    signals.attendance_closed.send(event, closed_at=now, attended=attended)
    return attended


def cancel_event(event: Event, now: datetime | None = None) -> int | None:
    """Cancel the event, e-mail everyone registered and announce it (signals.event_cancelled).
    Returns the number of e-mails queued, or None when the event was already cancelled (by an
    earlier or a concurrent request).

    The cancellation is claimed by one conditional UPDATE, so of concurrent requests only the one
    that changed the row queues the e-mails."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(Event).where(Event.id == event.id, Event.cancelled_at.is_(None))
        .values(cancelled_at=now, ics_sequence=Event.ics_sequence + 1)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        return None
    set_committed_value(event, "cancelled_at", now)
    _reload_sequence(event)
    audit.record("update", event, ["cancelled_at"])
    notified = enqueue_each(
        queries.recipients(event.id), lambda: _("Avlyst: %(title)s", title=event.title), "gatherings/emails/cancelled",
        event=event, link=absolute_url("gatherings.view_event", event_id=event.id),
        attachments=[calendar.attachment(event, method=calendar.CANCEL)],
        source=(MAIL_SOURCE, event.id))
    log.info("event %s cancelled, %d participants notified", event.id, notified)
    signals.event_cancelled.send(event, cancelled_at=now, notified=notified)
    return notified


def _reload_sequence(event: Event) -> None:
    """The SEQUENCE a conditional UPDATE raised, without marking the event changed."""
    set_committed_value(event, "ics_sequence", db.session.scalar(select(Event.ics_sequence).where(Event.id == event.id)))


def restore_reason(event: Event, now: datetime | None = None) -> str | None:
    """Why the event cannot be restored now (not cancelled, already started), or None."""
    now = now or utcnow()
    if event.cancelled_at is None:
        return _("Arrangementet er ikke avlyst.")
    if event.starts_at <= now:
        return _("Arrangementet skulle ha startet allerede, så det kan ikke gjenopprettes.")
    return None


def restore_event(event: Event, now: datetime | None = None) -> int | None:
    """Take back the cancellation of an event that has not started: the registrations were kept,
    so everyone registered is e-mailed that it takes place after all, with the calendar file
    (SEQUENCE raised, so a calendar that took the cancellation shows it again). Returns the number
    of e-mails queued, or None when it was not restored here (see restore_reason; of concurrent
    requests only the one whose conditional UPDATE claimed it). Announced as
    signals.event_restored."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(Event).where(Event.id == event.id, Event.cancelled_at.is_not(None), Event.starts_at > now)
        .values(cancelled_at=None, ics_sequence=Event.ics_sequence + 1)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.refresh(event)
        return None
    set_committed_value(event, "cancelled_at", None)
    _reload_sequence(event)
    audit.record("update", event, ["cancelled_at"])
    notified = enqueue_each(
        queries.recipients(event.id), lambda: _("Gjennomføres likevel: %(title)s", title=event.title),
        "gatherings/emails/restored", event=event, link=absolute_url("gatherings.view_event", event_id=event.id),
        attachments=[calendar.attachment(event)], source=(MAIL_SOURCE, event.id))
    log.info("event %s restored, %d participants notified", event.id, notified)
    signals.event_restored.send(event, restored_at=now, notified=notified)
    return notified
