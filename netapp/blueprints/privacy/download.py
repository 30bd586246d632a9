"""The personal-data download: /me/data.json and /me/data.csv. Each domain gives its own sections
(person_hooks.download); this module writes them out and knows no domain."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime

from flask_babel import gettext as _

from netapp import person_hooks, spreadsheets
from netapp.timeutil import format_date, format_datetime, today_oslo, utcnow

MIMETYPES = {"json": "application/json", "csv": spreadsheets.CSV_MIMETYPE}


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
    return spreadsheets.to_csv(_rows(sections), [_("Del"), _("Nr."), _("Felt"), _("Verdi")])


def export_filename(fmt: str, today: date | None = None) -> str:
    return f"mine-data-{(today or today_oslo()).isoformat()}.{fmt}"

