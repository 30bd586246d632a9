"""An event as an iCalendar file (RFC 5545), for the participant's own calendar."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from netapp.blueprints.gatherings.models import Event
from netapp.mail import Attachment, absolute_url

CONTENT_TYPE = "text/calendar"
PUBLISH, CANCEL = "PUBLISH", "CANCEL"


def _utc(value):
    return value.replace(tzinfo=UTC)


def filename(event: Event) -> str:
    return f"arrangement-{event.id}.ics"


def event_ics(event: Event, method: str = PUBLISH) -> bytes:
    """The event as an iCalendar file; built in a request or outside one (jobs, e-mail).
    `method` CANCEL is the cancellation's file (sent with its e-mail): a calendar that has the
    entry marks it cancelled."""
    cal = Calendar()
    cal.add("prodid", "-//netapp//arrangementer//NO")
    cal.add("version", "2.0")
    cal.add("method", method)
    item = CalendarEvent()
    # Stable per event: a calendar that imports the file again updates the same entry, and takes
    # the new version when SEQUENCE is higher (raised when the date, time or place changes, and
    # on cancelling and restoring).
    base = current_app.config["BASE_URL"].rstrip("/")
    item.add("uid", f"event-{event.id}@{urlsplit(base).hostname or 'netapp'}")
    item.add("sequence", event.ics_sequence or 0)
    if method == CANCEL and event.network.contact_email:
        item.add("organizer", f"mailto:{event.network.contact_email}")  # iTIP's CANCEL names one
    item.add("dtstamp", _utc(event.updated_at or event.created_at))
    item.add("dtstart", _utc(event.starts_at))
    item.add("dtend", _utc(event.ends_at))
    item.add("summary", event.title)
    if event.location:
        item.add("location", event.location)
    description = "\n\n".join(part for part in (event.theme, event.description) if part)
    if description:
        item.add("description", description)
    item.add("url", absolute_url("gatherings.view_event", event_id=event.id))
    item.add("status", "CANCELLED" if event.cancelled_at or method == CANCEL else "CONFIRMED")
    cal.add_component(item)
    return cal.to_ical()


def attachment(event: Event, method: str = PUBLISH) -> Attachment:
    """The event's calendar file, to send with an e-mail."""
    return Attachment(filename(event), CONTENT_TYPE, event_ics(event, method))
