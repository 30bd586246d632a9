"""Time helpers: stored in UTC, shown in Europe/Oslo."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def utcnow() -> datetime:
    """Naive UTC now, as stored in the database (SQLite keeps no zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


def today_oslo() -> date:
    return datetime.now(OSLO).date()


def to_oslo(value: datetime) -> datetime:
    """The time in Oslo; within an hour or two of year 1 or 9999, where Oslo's time falls outside
    what datetime holds, the time in UTC (the forms accept no such dates, see validators.DayField)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(OSLO)
    except OverflowError:
        return value.astimezone(UTC)


def from_oslo(day: date, at: time) -> datetime:
    """A wall-clock time in Oslo as the naive UTC the database stores; at the very edges of
    datetime's range (1 January of year 1, 31 December 9999), the nearest time it can hold."""
    try:
        return datetime.combine(day, at, tzinfo=OSLO).astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        return datetime.min if day.year == 1 else datetime.max


def format_time(value: datetime | None) -> str:
    return to_oslo(value).strftime("%H:%M") if value is not None else ""


def format_date(value: date | datetime | None) -> str:
    """23.11.2026, the Norwegian way, for every language of the interface."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_oslo(value).date()
    return value.strftime("%d.%m.%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return to_oslo(value).strftime("%d.%m.%Y %H:%M")
