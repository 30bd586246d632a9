"""The gatherings' rows about a person: their event registrations, with attendance."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select

from netapp.blueprints.gatherings.models import Event, EventRegistration
from netapp.blueprints.registry.models import Network
from netapp.extensions import db
from netapp.person_hooks import Section, Subject

TABLES = ("event_registration",)

_ATTENDANCE_RANK = {True: 2, False: 1, None: 0}  # attended beats absent beats not recorded


def merge(keep, duplicate) -> None:
    """One registration per event: where both were registered, the kept one takes the better
    attendance and the earlier registration time."""
    mine = {r.event_id: r for r in db.session.scalars(
        select(EventRegistration).where(EventRegistration.person_id == keep.id))}
    for theirs in db.session.scalars(select(EventRegistration).where(EventRegistration.person_id == duplicate.id)):
        kept = mine.get(theirs.event_id)
        if kept is None:
            theirs.person_id = keep.id
            continue
        if _ATTENDANCE_RANK[theirs.attended] > _ATTENDANCE_RANK[kept.attended]:
            kept.attended = theirs.attended
        if theirs.registered_at is not None and (kept.registered_at is None or theirs.registered_at < kept.registered_at):
            kept.registered_at = theirs.registered_at
        db.session.delete(theirs)
    db.session.flush()


def erase(subject: Subject) -> None:
    """Registrations for events that have not begun are removed; past ones stay, so attendance
    counts hold (the person row stays, as an erased person)."""
    db.session.execute(delete(EventRegistration).where(
        EventRegistration.person_id == subject.person.id,
        EventRegistration.event_id.in_(select(Event.id).where(Event.starts_at > subject.now)),
    ))


def download(subject: Subject) -> list[Section]:
    rows = []
    if subject.person is not None:
        rows = [
            {"event": title, "network": network, "starts_at": starts_at, "registered_at": registered_at,
             "attended": attended}
            for title, network, starts_at, registered_at, attended in db.session.execute(
                select(Event.title, Network.name, Event.starts_at, EventRegistration.registered_at,
                       EventRegistration.attended)
                .join(Event, Event.id == EventRegistration.event_id).join(Network, Network.id == Event.network_id)
                .where(EventRegistration.person_id == subject.person.id)
                .order_by(Event.starts_at, Event.id)
            )
        ]
    return [Section(
        "event_registrations", _("Påmeldinger til arrangementer"), rows, order=60,
        fields={"event": _("Arrangement"), "network": _("Nettverk"), "starts_at": _("Starter"),
                "registered_at": _("Påmeldt"), "attended": _("Møtte")},
    )]
