"""Shared form validators and text normalisation, and the one reader of numbers and dates typed
or sent by anyone: ASCII digits only, within bounds.

Python's str.isdigit(), int(), float() and strptime() accept every Unicode digit ('²' passes
isdigit() and then fails in int(); '١٢' and '１２' become 12), so a number from a form, a query
string or a file is read by parse_int() here, and the form fields below use it too.
"""

import re
from datetime import date, time

from email_validator import EmailNotValidError, validate_email
from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

DB_INT_MAX = 2**31 - 1  # the largest id or count an INTEGER column holds on PostgreSQL

_DIGITS = re.compile(r"[0-9]+")
_SIGNED = re.compile(r"-?[0-9]+")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")


def parse_int(text, lo: int | None = 0, hi: int | None = DB_INT_MAX, *, signed: bool = False) -> int | None:
    """The whole number in `text` written with the ASCII digits 0-9 (a leading minus only when
    `signed`; spaces around it are ignored, none inside), if it lies within lo..hi; else None."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if len(text) > 40 or not (_SIGNED if signed else _DIGITS).fullmatch(text):
        return None
    number = int(text)
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        return None
    return number


def parse_date(text, first_year: int = 1900, last_year: int = 2200) -> date | None:
    """A date written YYYY-MM-DD in ASCII digits (what a date input sends), in those years; else None."""
    match = _DATE.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    if not first_year <= year <= last_year:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_time(text) -> time | None:
    """A time of day written H:MM or HH:MM in ASCII digits (what a time input sends); else None."""
    match = _TIME.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        return None
    hour, minute = (int(part) for part in match.groups())
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def check_email(value: str) -> str | None:
    """The normalised address, or None when it is not a valid e-mail address."""
    value = (value or "").strip()
    if not value or len(value) > 254:
        return None
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


class ValidEmail:
    def __init__(self, message=None):
        self.message = message or _l("Skriv en gyldig e-postadresse, for eksempel navn@kommune.no.")

    def __call__(self, form, field):
        if field.data and check_email(field.data) is None:
            raise ValidationError(self.message)


def choices(pairs) -> list:
    """SelectField choices from (value, label) pairs, in the form WTForms 3.3+ expects."""
    return [SelectChoice(value, label) for value, label in pairs]


def int_arg(name: str, lo: int = 0, hi: int = DB_INT_MAX) -> int | None:
    """A whole number from the query string, or None (absent, not ASCII digits, out of bounds)."""
    return parse_int(request.args.get(name, ""), lo, hi)


def int_choice(value) -> int:
    """coerce= for SelectField and RadioField with numeric options: WTForms' int() takes '١٢' and
    '１２' as 12; this takes ASCII digits only (and the choices' own ints)."""
    if isinstance(value, int):
        return value
    number = parse_int(value)
    if number is None:
        raise ValueError("not a whole number in ASCII digits within a database integer")
    return number


# ------------------------------------------------------------------------------------------ form fields
# Each keeps what was typed when it refuses it (WTForms shows raw_data again), and puts its message
# beside the field. Make the field required with InputRequired, not DataRequired: DataRequired
# would replace the message saying what is wrong with its own.


class WholeNumberField(IntegerField):
    """IntegerField reading ASCII digits only, minimum..maximum (also given to the browser); one
    message for anything else, beside the field."""

    def __init__(self, label=None, validators=None, *, minimum: int = 0, maximum: int = DB_INT_MAX,
                 message=None, **kwargs):
        self.minimum, self.maximum = minimum, maximum
        self.message = message or _l("Skriv et tall fra %(min)d til %(max)d.", min=minimum, max=maximum)
        kwargs["render_kw"] = {"min": minimum, "max": maximum, **(kwargs.get("render_kw") or {})}
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = parse_int(valuelist[0], self.minimum, self.maximum, signed=self.minimum < 0)
        if self.data is None:
            raise ValueError(self.message)


class DayField(DateField):
    """DateField reading YYYY-MM-DD in ASCII digits (strptime reads '٢٠٢٦-11-2٣' as 23.11.2026),
    the year within first_year..last_year (the time-zone conversion fails near years 1 and 9999)."""

    def __init__(self, label=None, validators=None, *, first_year: int = 1900, last_year: int = 2200, **kwargs):
        self.first_year, self.last_year = first_year, last_year
        kwargs["render_kw"] = {"min": f"{first_year:04d}-01-01", "max": f"{last_year:04d}-12-31",
                               **(kwargs.get("render_kw") or {})}
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = parse_date(" ".join(valuelist), self.first_year, self.last_year)
        if self.data is None:
            raise ValueError(_l("Skriv en gyldig dato fra år %(first)d til %(last)d.",
                                first=self.first_year, last=self.last_year))


class ClockField(TimeField):
    """TimeField reading H:MM or HH:MM in ASCII digits."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = parse_time(" ".join(valuelist))
        if self.data is None:
            raise ValueError(_l("Skriv et klokkeslett som 09:30."))


def like_pattern(term: str) -> str:
    """A case-insensitive LIKE pattern (use with escape="\\" against a lower-cased column) that
    finds the term anywhere, with LIKE's own wildcards taken literally."""
    return "%" + term.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
