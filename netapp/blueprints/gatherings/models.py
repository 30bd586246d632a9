"""Events of a network (gatherings, theme days, teaching sessions, meetings) and who registered."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from netapp import audit
from netapp.blueprints.registry.models import Network, Person
from netapp.dbtypes import enum_type
from netapp.extensions import db
from netapp.timeutil import utcnow
from netapp.versioning import Versioned


class EventKind(enum.StrEnum):
    GATHERING = "gathering"  # nettverkssamling
    THEME_DAY = "theme_day"  # fagdag
    TEACHING_SESSION = "teaching_session"  # internundervisning (the competence wheel)
    WEBINAR = "webinar"
    COURSE = "course"
    WORKING_GROUP_MEETING = "working_group_meeting"
    SUMMARY_MEETING = "summary_meeting"  # oppsummeringsmøte


def kind_labels():
    return {
        EventKind.GATHERING: _l("Nettverkssamling"),
        EventKind.THEME_DAY: _l("Fagdag"),
        EventKind.TEACHING_SESSION: _l("Internundervisning"),
        EventKind.WEBINAR: _l("Webinar"),
        EventKind.COURSE: _l("Kurs"),
        EventKind.WORKING_GROUP_MEETING: _l("Arbeidsgruppemøte"),
        EventKind.SUMMARY_MEETING: _l("Oppsummeringsmøte"),
    }


@audit.track
class Event(Versioned, db.Model):
    __table_args__ = (Index("ix_event_network_starts", "network_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind, "event_kind"), default=EventKind.GATHERING)
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # UTC
    ends_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    registration_deadline: Mapped[datetime | None] = mapped_column(DateTime)  # UTC, end of the day in Oslo
    capacity: Mapped[int | None] = mapped_column(Integer)
    # Shown on the network's public page; anyone may read it, members register.
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set once, by the coordinator closing the attendance list after the start (a conditional
    # UPDATE): from then on who attended is final.
    attendance_closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set by the scheduler's reminder job when it claims the event: reminders go out once.
    reminder_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The iCalendar SEQUENCE: raised when the date, time or place changes after registrations.
    ics_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    network: Mapped[Network] = relationship()

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_attendance_closed(self) -> bool:
        return self.attendance_closed_at is not None

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title}>"


@audit.track
class EventRegistration(db.Model):
    """A person's place at an event; attended is set by the coordinator afterwards."""

    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    registered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attended: Mapped[bool | None] = mapped_column(Boolean)  # None: not recorded yet

    event: Mapped[Event] = relationship()
    person: Mapped[Person] = relationship()

    def __repr__(self) -> str:
        return f"<EventRegistration event={self.event_id} person={self.person_id}>"
