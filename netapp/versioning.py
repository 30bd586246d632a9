"""Edit conflicts: every document people edit carries a version number, checked on save.

A model mixes in `Versioned`: its `version` column is SQLAlchemy's version counter
(`version_id_col`), so every UPDATE of the row through the unit of work sets the next version
and holds only WHERE the row still has the version it was read with; otherwise the flush raises
StaleDataError. Its edit form carries the version it was shown in a hidden field
(`VersionField`). The view calls the service inside `saving(obj, seen)`, so a save based on an
old version, whether the other change came long before or in the same instant, raises
`EditConflict` and changes nothing; `save_form` does both for an edit form. The view then shows
the form again (`show_conflict`): what was typed, the message beside it (the form macro shows `form.conflict`),
and the stored version in the hidden field, so that saving once more, knowingly, replaces the
other change. A change made in rows of the document's own (a questionnaire's questions) counts
with `bump`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField

from netapp.extensions import db
from netapp.validators import DB_INT_MAX, parse_int


class EditConflict(Exception):
    """The document changed after the form was shown: nothing was saved."""


class Versioned:
    """Mixin for a model edited through forms: a version counter checked by every UPDATE."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


def check(obj: Versioned, seen: int | None) -> None:
    """Refuse a save based on another version than the one stored (or on none)."""
    if seen is None or seen != obj.version:
        raise EditConflict()


def bump(obj: Versioned) -> None:
    """Count a change to the document made in rows of its own (e.g. a questionnaire's questions)."""
    obj.version = obj.version + 1


@contextmanager
def saving(obj: Versioned, seen: int | None):
    """The block changes obj (through a service) as the user saw it at version `seen`: EditConflict
    when that is not the stored version, or when another transaction changes the row before this
    one's UPDATE (the counter's WHERE matches no row). The view rolls back on EditConflict."""
    check(obj, seen)
    try:
        yield
        db.session.flush()
    except StaleDataError as error:
        raise EditConflict() from error


def save_form(obj: Versioned, form, change: Callable[[], object]) -> bool:
    """Save obj with change() (the service call) as the edit form showed it: True when saved (the
    view commits); False after EditConflict, rolled back, with the form set up to be shown again."""
    try:
        with saving(obj, form.version.data):
            change()
    except EditConflict:
        db.session.rollback()
        show_conflict(form, obj)
        return False
    return True


def conflict_message():
    return _l("Noen har lagret endringer her etter at du åpnet skjemaet, kanskje i en annen fane. "
              "Det du skrev, er ikke lagret, men står fortsatt i skjemaet. Se over det, og lagre igjen "
              "hvis det skal erstatte den andre endringen.")


class VersionField(HiddenField):
    """The version the form was shown with; None when missing or not a whole number."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "HiddenField"  # rendered as the hidden field it is (form.hidden_tag()), by every macro

    def process_formdata(self, valuelist):
        self.data = parse_int(valuelist[0], 1, DB_INT_MAX) if valuelist else None

    def _value(self):
        return "" if self.data is None else str(self.data)


def show_conflict(form, obj: Versioned) -> None:
    """Set the form up to be shown again after EditConflict (and the rollback): the message beside
    it, the typed values as they are, and the stored version, so that the next save is based on
    what is stored now."""
    form.conflict = conflict_message()
    form.version.data = obj.version
