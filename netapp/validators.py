"""Shared form validators and text normalisation."""

from email_validator import EmailNotValidError, validate_email
from flask import request
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError


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
    from wtforms.fields.choices import SelectChoice

    return [SelectChoice(value, label) for value, label in pairs]


def int_arg(name: str) -> int | None:
    """A positive whole number from the query string, or None (absent, not a number, too long)."""
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def like_pattern(term: str) -> str:
    """A case-insensitive LIKE pattern (use with escape="\\" against a lower-cased column) that
    finds the term anywhere, with LIKE's own wildcards taken literally."""
    return "%" + term.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
