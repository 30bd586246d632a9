"""Column types that every domain's models share."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


def enum_type(cls: type[enum.Enum], name: str) -> Enum:
    """An enum stored as its values' strings (not the member names), checked by the database as a
    CHECK constraint with a stable name; the same on SQLite and PostgreSQL."""
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e], native_enum=False, length=32)
