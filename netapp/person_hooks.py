"""Person hooks: what each domain does with its rows about a person when two records of one person
are merged, when a person is erased, and what it adds to the person's own data download.

This module knows no domain. Each blueprint that holds rows about a person has a `person_hooks.py`,
found by its file name the way the scheduler finds `jobs.py`, and holding

    TABLES = ("event_registration",)   # the tables whose rows about a person it answers for
    def merge(keep, duplicate): ...     # fold the duplicate's rows into keep's (flush, never commit)
    def erase(subject): ...             # remove or anonymise; keep what anonymous counts need
    def download(subject): ...          # -> list[Section] for /me/data.json and /me/data.csv
    def addresses(subject): ...         # optional: the e-mail addresses the person is known by

Hooks are called in the modules' name order and must not depend on it: each reads what it needs
from the Subject, which is built before any hook runs. `merge` runs before the duplicate person
row is deleted; `erase` before the caller records the erasure.

Every table with a foreign key to person.id or user.id, and every table marked as holding personal
data (`@person_hooks.personal_data` on the model, or `info={"personal_data": True}` on a Table:
addresses, names or files with no key to a person), must be in some module's TABLES; `uncovered()` lists those that are not, and a
test fails on them, so a new domain cannot forget its rows.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import ModuleType
from typing import Any

from sqlalchemy import MetaData

from netapp import domains
from netapp.timeutil import utcnow

PERSONAL_DATA = "personal_data"  # the key in a table's info that marks it as holding personal data
PERSON_TABLES = ("person", "user")  # a foreign key to either makes a table hold rows about a person
REQUIRED = ("merge", "erase", "download")


def personal_data(model):
    """Class decorator: this model's table holds personal data without a foreign key to a person
    (addresses, names, uploaded files), so a person_hooks.py must answer for it."""
    model.__table__.info[PERSONAL_DATA] = True
    return model


@dataclass(frozen=True)
class Subject:
    """Whose rows: a person (None for an account without a person, in the download only), the
    account the download is for, and every address they are known by (lower-cased), gathered from
    the modules' `addresses` hooks before any other hook runs."""

    person: Any | None
    account: Any | None = None
    addresses: frozenset[str] = frozenset()
    on: date | None = None  # erasure: the day it takes effect
    now: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class Section:
    """One part of the personal-data download: `content` under `key` in the JSON file; in the CSV
    file its rows under `label`, each field named by `fields` and each coded value put in words by
    `values` (field -> stored value -> words). Sections are listed by `order`, then key."""

    key: str
    label: str
    content: dict | list[dict] | None
    fields: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    order: int = 1000


@functools.cache
def modules() -> tuple[ModuleType, ...]:
    """Import netapp/blueprints/*/person_hooks.py, in name order."""
    found = []
    for module in domains.modules_named("person_hooks"):
        missing = [name for name in REQUIRED if not callable(getattr(module, name, None))]
        if missing or not isinstance(getattr(module, "TABLES", None), tuple):
            raise TypeError(f"{module.__name__} needs TABLES (a tuple) and {', '.join(missing) or 'its hooks'}")
        found.append(module)
    return tuple(found)


def subject(person, *, account=None, on: date | None = None) -> Subject:
    """The Subject for `person` (and `account`), with the addresses every module knows them by."""
    base = Subject(person=person, account=account, on=on)
    found: set[str] = set()
    for module in modules():
        hook = getattr(module, "addresses", None)
        if hook is not None:
            found |= {a.lower() for a in hook(base) if a}
    return Subject(person=person, account=account, addresses=frozenset(found), on=on, now=base.now)


def merge(keep, duplicate) -> None:
    """Each domain folds the duplicate's rows into keep's."""
    for module in modules():
        module.merge(keep, duplicate)


def erase(person, *, on: date) -> Subject:
    """Each domain removes or anonymises its rows about `person`."""
    who = subject(person, on=on)
    for module in modules():
        module.erase(who)
    return who


def download(account, person) -> list[Section]:
    """Every domain's sections of the download for `account` (and its person, if any), in order."""
    who = subject(person, account=account)
    sections: list[Section] = []
    for module in modules():
        sections.extend(module.download(who))
    return sorted(sections, key=lambda s: (s.order, s.key))


def covered_tables(hook_modules: Iterable[ModuleType] | None = None) -> dict[str, str]:
    """Table name -> the hook module that answers for it."""
    covered: dict[str, str] = {}
    for module in modules() if hook_modules is None else hook_modules:
        for table in module.TABLES:
            if table in covered:
                raise ValueError(f"{table} is claimed by {covered[table]} and {module.__name__}")
            covered[table] = module.__name__
    return covered


def tables_about_persons(metadata: MetaData) -> dict[str, str]:
    """Table name -> why it holds rows about a person (a foreign key, or the personal-data mark)."""
    found: dict[str, str] = {}
    for table in metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name in PERSON_TABLES:
                found.setdefault(table.name, f"{table.name}.{fk.parent.name} -> {fk.target_fullname}")
        if table.info.get(PERSONAL_DATA):
            found.setdefault(table.name, "marked as holding personal data")
    for name in PERSON_TABLES:
        if name in metadata.tables:
            found.setdefault(name, "the person or the account itself")
    return found


def uncovered(metadata: MetaData, hook_modules: Iterable[ModuleType] | None = None) -> dict[str, str]:
    """The tables about persons that no hook module answers for, with the reason each is one."""
    covered = covered_tables(hook_modules)
    return {name: why for name, why in tables_about_persons(metadata).items() if name not in covered}
