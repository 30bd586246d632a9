"""Privacy writes and the personal-data download. Functions flush, never commit.

Erasure removes what identifies a person and keeps the anonymous rows reports count: the person
row itself (as "Slettet person"), memberships with their dates, the workplace (and so sector and
municipality), position percentage and the workplace history. What each domain erases, and what
it adds to the download, it says in its own person_hooks.py.
"""

from __future__ import annotations

import calendar
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from netapp import audit, person_hooks
from netapp.blueprints.privacy import queries
from netapp.blueprints.registry.models import Person, PersonStatus
from netapp.extensions import db
from netapp.spreadsheets import to_csv as spreadsheet_csv
from netapp.timeutil import format_date, format_datetime, today_oslo, utcnow

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


# ---------------------------------------------------------------- the personal-data download

def personal_data(user) -> list[person_hooks.Section]:
    """Everything the installation holds about the logged-in account and its person, section by
    section as each domain gives it (person_hooks), never anyone else's record and never the
    password hash. Values are Python values; see to_json/to_csv."""
    return person_hooks.download(user, user.person)


def _json_value(value):
    """Dates for json.dumps; enums are str and need nothing."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).isoformat()  # stored as naive UTC
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def to_json(sections: list[person_hooks.Section], exported_at: datetime | None = None) -> bytes:
    document = {
        "format": "netapp-personal-data/1",
        "exported_at": _json_value(exported_at or utcnow()),
        **{section.key: section.content for section in sections},
    }
    return json.dumps(document, default=_json_value, ensure_ascii=False, indent=2).encode("utf-8")


def _csv_value(key: str, value, values) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Ja") if value else _("Nei")
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    text = str(value)  # enums are StrEnum: their stored value
    return values.get(key, {}).get(text, text)


def _rows(sections: list[person_hooks.Section]) -> Iterable[tuple[str, str, str, str]]:
    for section in sections:
        content = section.content
        if content is None or content == []:
            continue
        records = [content] if isinstance(content, dict) else content
        numbered = isinstance(content, list)
        for n, record in enumerate(records, start=1):
            for field, value in record.items():
                yield (section.label, str(n) if numbered else "", section.fields.get(field, field),
                       _csv_value(field, value, section.values))


def to_csv(sections: list[person_hooks.Section]) -> bytes:
    """One row per value: section; number within the section; field; value. Semicolon-separated
    UTF-8 with a BOM, as Excel in Norway opens it; a value that a spreadsheet would run as a
    formula gets a leading '."""
    return spreadsheet_csv(_rows(sections), [_("Del"), _("Nr."), _("Felt"), _("Verdi")])


def export_filename(fmt: str, today: date | None = None) -> str:
    return f"mine-data-{(today or today_oslo()).isoformat()}.{fmt}"

