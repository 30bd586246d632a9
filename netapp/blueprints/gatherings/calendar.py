"""An event as an iCalendar file (RFC 5545), for the participant's own calendar."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlsplit

from flask import current_app, url_for
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from netapp.blueprints.gatherings.models import Event


def _utc(value):
    return value.replace(tzinfo=UTC)


def event_ics(event: Event) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//netapp//arrangementer//NO")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    item = CalendarEvent()
    # Stable per event: a calendar that imports the file again updates the same entry.
    base = current_app.config["BASE_URL"].rstrip("/")
    item.add("uid", f"event-{event.id}@{urlsplit(base).hostname or 'netapp'}")
    item.add("dtstamp", _utc(event.updated_at or event.created_at))
    item.add("dtstart", _utc(event.starts_at))
    item.add("dtend", _utc(event.ends_at))
    item.add("summary", event.title)
    if event.location:
        item.add("location", event.location)
    description = "\n\n".join(part for part in (event.theme, event.description) if part)
    if description:
        item.add("description", description)
    item.add("url", base + url_for("gatherings.view_event", event_id=event.id))
    item.add("status", "CANCELLED" if event.cancelled_at else "CONFIRMED")
    cal.add_component(item)
    return cal.to_ical()
