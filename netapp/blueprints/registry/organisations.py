"""Writes to organisations and workplaces from the administration pages. Functions flush, never
commit. Municipalities are reference data (registry/reference.py): they are not made or changed here."""

from __future__ import annotations

import logging

from sqlalchemy import select

from netapp.blueprints.registry import services
from netapp.blueprints.registry.models import Organisation, OrganisationKind, Person, Sector, Workplace
from netapp.extensions import db

log = logging.getLogger(__name__)

EDITABLE_KINDS = (OrganisationKind.HOSPITAL_DEPARTMENT, OrganisationKind.NGO, OrganisationKind.OTHER)


class NameTaken(ValueError):
    """Another organisation (or another workplace of the same organisation) has this name."""


def _check_organisation(name: str, kind: OrganisationKind | str, exclude_id: int | None = None) -> str:
    name = name.strip()
    if OrganisationKind(kind) not in EDITABLE_KINDS:
        raise ValueError("municipalities are reference data")
    query = select(Organisation.id).where(Organisation.name == name)
    if exclude_id is not None:
        query = query.where(Organisation.id != exclude_id)
    if db.session.scalar(query.limit(1)) is not None:
        raise NameTaken(name)
    return name


def create_organisation(name: str, kind: OrganisationKind | str, municipality: Organisation | None) -> Organisation:
    """A hospital department, a voluntary organisation or another organisation, in a municipality."""
    organisation = Organisation(name=_check_organisation(name, kind), kind=OrganisationKind(kind),
                                municipality=municipality)
    db.session.add(organisation)
    db.session.flush()
    log.info("organisation %s created", organisation.id)
    return organisation


def update_organisation(organisation: Organisation, name: str, kind: OrganisationKind | str,
                        municipality: Organisation | None) -> None:
    if organisation.kind == OrganisationKind.MUNICIPALITY:
        raise ValueError("municipalities are reference data")
    organisation.name = _check_organisation(name, kind, exclude_id=organisation.id)
    organisation.kind = OrganisationKind(kind)
    organisation.municipality = municipality
    db.session.flush()


def _check_workplace(organisation: Organisation, name: str, exclude_id: int | None = None) -> str:
    name = name.strip()
    query = select(Workplace.id).where(Workplace.organisation_id == organisation.id, Workplace.name == name)
    if exclude_id is not None:
        query = query.where(Workplace.id != exclude_id)
    if db.session.scalar(query.limit(1)) is not None:
        raise NameTaken(name)
    return name


def create_workplace(organisation: Organisation, name: str, sector: Sector | str,
                     leader: Person | None = None) -> Workplace:
    """A workplace of the organisation; the caller has checked that the leader is one the user may choose."""
    workplace = Workplace(organisation=organisation, name=_check_workplace(organisation, name),
                          sector=Sector(sector), leader=leader)
    db.session.add(workplace)
    db.session.flush()
    log.info("workplace %s created", workplace.id)
    return workplace


def change_workplace(workplace: Workplace, organisation: Organisation, name: str, sector: Sector | str | None,
                     leader: Person | None) -> None:
    """Move the workplace to another organisation (or not), rename it, set its sector and leader."""
    _check_workplace(organisation, name, exclude_id=workplace.id)
    workplace.organisation = organisation
    services.update_workplace(workplace, name=name, sector=sector, leader=leader)
