"""Scheduled work for events: a reminder to everyone registered, two days before."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from netapp.blueprints.gatherings import queries
from netapp.blueprints.gatherings.models import Event
from netapp.blueprints.gatherings.services import MAIL_SOURCE
from netapp.extensions import db
from netapp.mail import absolute_url, enqueue_each
from netapp.timeutil import utcnow

log = logging.getLogger(__name__)

REMIND_BEFORE = timedelta(days=2)


def _claim(event_id: int, now) -> bool:
    """One conditional UPDATE: of two runs, only one sends the event's reminders."""
    result = db.session.execute(
        update(Event).where(Event.id == event_id, Event.reminder_sent_at.is_(None)).values(reminder_sent_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def send_event_reminders() -> int:
    """Remind the persons registered for each event that starts within two days. Each event is
    claimed and its mail queued in one transaction (committed per event), so a reminder goes out
    once even if the job runs twice or stops half-way. Returns the number of e-mails queued."""
    now = utcnow()
    due = db.session.scalars(
        select(Event.id).where(Event.starts_at > now, Event.starts_at <= now + REMIND_BEFORE,
                               Event.cancelled_at.is_(None), Event.reminder_sent_at.is_(None))
        .order_by(Event.starts_at, Event.id)
    ).all()
    queued = 0
    for event_id in due:
        if not _claim(event_id, now):
            db.session.rollback()
            continue
        event = db.session.get(Event, event_id)
        sent = enqueue_each(
            queries.recipients(event_id), lambda title=event.title: _("Påminnelse: %(title)s", title=title),
            "gatherings/emails/reminder", event=event, link=absolute_url("gatherings.view_event", event_id=event_id),
            source=(MAIL_SOURCE, event_id))
        db.session.commit()
        queued += sent
        log.info("event %s: reminders queued for %d participant(s)", event_id, sent)
    return queued


JOBS = [
    {"func": send_event_reminders, "trigger": "cron", "minute": 17, "id": "gatherings_event_reminders",
     "name": "events: remind participants two days before"},
]
