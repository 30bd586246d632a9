"""Privacy writes: withdrawn consent, erasure, and the retention of persons who left. Functions
flush, never commit. The personal-data download is in download.py.

Erasure removes what identifies a person and keeps the anonymous rows reports count: the person
row itself (as "Slettet person"), memberships with their dates, the workplace (and so sector and
municipality), position percentage and the workplace history. What each domain erases, it says in
its own person_hooks.py.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from netapp import audit, person_hooks
from netapp.blueprints.privacy import queries
from netapp.blueprints.registry.models import Person, PersonStatus
from netapp.extensions import db
from netapp.timeutil import today_oslo

log = logging.getLogger(__name__)

UPCOMING_MONTHS = 3
ERASE_BATCH = 200


# ---------------------------------------------------------------- dates

def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier); the 31st becomes the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class RetentionWindow:
    today: date
    months: int
    cutoff: date  # who left on or before this day is due now
    upcoming_until: date  # who left on or before this day is due within UPCOMING_MONTHS

    def due_on(self, left_on: date) -> date:
        return add_months(left_on, self.months)


def retention_window(today: date | None = None) -> RetentionWindow:
    today = today or today_oslo()
    months = int(current_app.config.get("RETENTION_MONTHS_AFTER_LEFT", 24))
    return RetentionWindow(
        today=today, months=months, cutoff=add_months(today, -months),
        upcoming_until=add_months(add_months(today, UPCOMING_MONTHS), -months),
    )


# ---------------------------------------------------------------- consent

def withdraw_consent(person: Person) -> bool:
    """No longer listed on any public page. True when something changed."""
    if not person.public_consent:
        return False
    person.public_consent = False
    db.session.flush()
    log.info("person %s withdrew consent to public listing", person.id)
    return True


# ---------------------------------------------------------------- erasure

def erase_person(person: Person, *, on: date | None = None) -> None:
    """Remove the personal data of a person; keep the anonymous rows that reports count.

    Every domain erases or anonymises its own rows (person_hooks). Among them: a current member is
    first registered as having left today (memberships end, account closes); registrations made
    from the person's addresses are anonymised (pending ones are closed as rejected), as are
    invitations to them; mail to them in the outbox, their one-time tokens and failed-login records
    are removed; the account is disabled, detached and stripped of its address. Registrations for
    events that have not begun are removed; past ones stay, so attendance counts hold.
    """
    if person.status == PersonStatus.ERASED:
        return
    person_hooks.erase(person, on=on or today_oslo())
    db.session.flush()
    audit.record("erase", person)
    log.info("person %s erased", person.id)


def erase_due(visible_clause, window: RetentionWindow | None = None, *, limit: int | None = None) -> int:
    """Erase the persons whose retention period has ended, among those `visible_clause` admits.
    Returns how many were erased; with `limit`, at most that many (the job commits per batch)."""
    window = window or retention_window()
    erased = 0
    while limit is None or erased < limit:
        batch = ERASE_BATCH if limit is None else min(ERASE_BATCH, limit - erased)
        ids = queries.due_ids(visible_clause, window.cutoff, batch)
        if not ids:
            break
        for person in db.session.scalars(select(Person).where(Person.id.in_(ids))):
            erase_person(person, on=window.today)
            erased += 1
    return erased
