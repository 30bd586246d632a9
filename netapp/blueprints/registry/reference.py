"""Bring the database to the newest revision of the reference data (reference_data.py).

`load_reference_data()` is idempotent: it creates the counties and municipalities that are
missing, links a municipality already present (made by the demo, an import or an older
installation) by its number instead of adding a second one, and marks what a newer revision no
longer contains with `valid_to`, never deleting it, so organisations, workplaces, regions and
coverage keep their municipality. It flushes; `flask reference load` commits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from netapp.blueprints.registry.models import County, Organisation, OrganisationKind, ReferenceRevision
from netapp.blueprints.registry.reference_data import DATASET, REVISIONS, Revision
from netapp.extensions import db
from netapp.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass
class LoadResult:
    revision: str
    previous: str | None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("counties_created", "counties_renamed", "counties_ended", "counties_restored", "created", "linked", "renamed", "moved", "ended",
         "restored"), 0))

    @property
    def changed(self) -> bool:
        return self.previous != self.revision or any(self.counts.values())


def _revision(revisions: Sequence[Revision], name: str | None) -> Revision | None:
    return next((r for r in revisions if r.revision == name), None)


def _ensure_counties(newest: Revision, revisions: Sequence[Revision], result: LoadResult | None) -> dict[str, County]:
    counties = {c.number: c for c in db.session.scalars(select(County))}
    for number, name in newest.counties:
        county = counties.get(number)
        if county is None:
            county = counties[number] = County(number=number, name=name)
            db.session.add(county)
            _count(result, "counties_created")
        else:
            if county.name != name:
                county.name = name
                _count(result, "counties_renamed")
            if county.valid_to is not None:
                county.valid_to = None
                _count(result, "counties_restored")
    if result is not None:
        in_force = {number for number, _ in newest.counties}
        known = {number for r in revisions for number, _ in r.counties}
        ended_on = date.fromisoformat(newest.revision)
        for number, county in counties.items():
            if number not in in_force and number in known and county.valid_to is None:
                county.valid_to = ended_on
                _count(result, "counties_ended")
    return counties


def _count(result: LoadResult | None, key: str) -> None:
    if result is not None:
        result.counts[key] += 1


class _Municipalities:
    """The municipality organisations present, by number, by name and (without a number) by name,
    read once so a load costs a handful of queries however many municipalities there are."""

    def __init__(self, numbers: Iterable[str] | None = None):
        query = select(Organisation)
        if numbers is not None:
            query = query.where((Organisation.municipality_number.in_(list(numbers)))
                                | Organisation.municipality_number.is_(None))
        orgs = list(db.session.scalars(query))
        self.by_number = {o.municipality_number: o for o in orgs if o.municipality_number}
        self.unnumbered = {o.name: o for o in orgs
                           if o.municipality_number is None and o.kind == OrganisationKind.MUNICIPALITY}
        self.names = {o.name for o in orgs} if numbers is None else None

    def name_free(self, name: str) -> bool:
        if self.names is not None:
            return name not in self.names
        return db.session.scalar(select(Organisation.id).where(Organisation.name == name)) is None

    def get(self, number: str, name: str, county: County, previous_names: dict[str, str],
            result: LoadResult | None) -> Organisation:
        """The municipality with this number, created or linked, in its county and in force."""
        org = self.by_number.get(number)
        if org is None:
            # A municipality typed in without a number is the same one.
            org = self.unnumbered.pop(name, None)
            if org is not None:
                org.municipality_number = number
                _count(result, "linked")
            else:
                # Organisation names are unique: an NGO called "Oslo" keeps its name, the
                # municipality gets its number beside its own.
                org = Organisation(kind=OrganisationKind.MUNICIPALITY, municipality_number=number,
                                   name=name if self.name_free(name) else f"{name} ({number})")
                db.session.add(org)
                _count(result, "created")
            self.by_number[number] = org
            self._taken(org.name)
        elif org.kind == OrganisationKind.MUNICIPALITY and org.county_id is None and org.valid_to is None:
            _count(result, "linked")
        # The user's name for a municipality stays, unless the classification itself renamed it.
        old_name = previous_names.get(number)
        if old_name is not None and old_name != name and org.name != name and self.name_free(name):
            org.name = name
            self._taken(name)
            _count(result, "renamed")
        if org.county_id != county.id:
            if org.county_id is not None:
                _count(result, "moved")
            org.county_id = county.id
        if org.valid_to is not None:
            org.valid_to = None
            _count(result, "restored")
        return org

    def _taken(self, name: str) -> None:
        if self.names is not None:
            self.names.add(name)


def load_reference_data(revisions: Sequence[Revision] = REVISIONS) -> LoadResult:
    """Bring counties and municipalities to the newest of `revisions` (the shipped ones unless a
    test gives its own) and record it; a second run changes nothing. Flushes."""
    newest = revisions[-1]
    recorded = db.session.get(ReferenceRevision, DATASET)
    result = LoadResult(revision=newest.revision, previous=recorded.revision if recorded else None)
    previous = _revision(revisions, result.previous)
    previous_names = {number: name for number, name, _ in previous.municipalities} if previous else {}

    counties = _ensure_counties(newest, revisions, result)
    db.session.flush()
    present = _Municipalities()
    for number, name, county_number in newest.municipalities:
        present.get(number, name, counties[county_number], previous_names, result)

    in_force = {number for number, _, _ in newest.municipalities}
    known = {number for r in revisions for number, _, _ in r.municipalities}
    ended_on = date.fromisoformat(newest.revision)
    for number, org in present.by_number.items():
        if number in known and number not in in_force and org.valid_to is None:
            org.valid_to = ended_on
            result.counts["ended"] += 1

    if recorded is None:
        db.session.add(ReferenceRevision(name=DATASET, revision=newest.revision, loaded_at=utcnow()))
    elif recorded.revision != newest.revision:
        recorded.revision = newest.revision
        recorded.loaded_at = utcnow()
    db.session.flush()
    if result.changed:
        log.info("reference data %s: revision %s (was %s): %s", DATASET, newest.revision, result.previous, result.counts)
    return result


def ensure_municipalities(numbers: Iterable[str], revisions: Sequence[Revision] = REVISIONS) -> dict[str, Organisation]:
    """Only these municipalities of the newest revision, with their counties, created or linked
    (the demo's region: quicker than loading all of them). Records no revision. Flushes."""
    newest = revisions[-1]
    wanted = set(numbers)
    rows = [row for row in newest.municipalities if row[0] in wanted]
    unknown = wanted - {number for number, _, _ in rows}
    if unknown:
        raise KeyError(f"not municipalities in force: {', '.join(sorted(unknown))}")
    counties = _ensure_counties(newest, revisions, None)
    db.session.flush()
    present = _Municipalities(wanted)
    orgs = {number: present.get(number, name, counties[county], {}, None) for number, name, county in rows}
    db.session.flush()
    return orgs


def reference_status() -> dict[str, object]:
    """The revision held and how many counties and municipalities there are, in force and ended."""
    recorded = db.session.get(ReferenceRevision, DATASET)
    municipality = Organisation.kind == OrganisationKind.MUNICIPALITY
    return {
        "revision": recorded.revision if recorded else None,
        "loaded_at": recorded.loaded_at if recorded else None,
        "newest": REVISIONS[-1].revision,
        "counties": db.session.scalar(select(func.count(County.id)).where(County.valid_to.is_(None))),
        "counties_ended": db.session.scalar(select(func.count(County.id)).where(County.valid_to.is_not(None))),
        "municipalities": db.session.scalar(select(func.count(Organisation.id)).where(
            municipality, Organisation.valid_to.is_(None))),
        "municipalities_ended": db.session.scalar(select(func.count(Organisation.id)).where(
            municipality, Organisation.valid_to.is_not(None))),
    }
