"""Selects for the administration pages: lists in SQL, the first-run checklist in one query."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from netapp.blueprints.registry.models import (
    County,
    Membership,
    MembershipRole,
    Network,
    Organisation,
    OrganisationKind,
    Person,
    PersonStatus,
    Workplace,
    network_region,
)
from netapp.extensions import db
from netapp.validators import like_pattern


@dataclass(frozen=True)
class FirstSteps:
    """What a new installation has done of its first steps."""

    network: bool  # a network with a region
    organisations: bool  # an organisation that is not a municipality, or a workplace (an import makes them)
    coordinators: bool  # someone coordinates a network
    network_id: int | None = None  # the default network (or the first), whose coordinators step 3 names

    @property
    def done(self) -> bool:
        return self.network and self.organisations and self.coordinators


def first_steps() -> FirstSteps:
    """The first-run checklist, three EXISTS in one query."""
    row = db.session.execute(select(
        exists().where(network_region.c.network_id == Network.id),
        or_(exists().where(Organisation.kind != OrganisationKind.MUNICIPALITY), exists().where(Workplace.id.is_not(None))),
        exists().where(Membership.role == MembershipRole.COORDINATOR, Membership.end_date.is_(None)),
        select(Network.id).order_by(Network.is_default.desc(), Network.id).limit(1).scalar_subquery(),
    )).one()
    return FirstSteps(*(bool(value) for value in row[:3]), network_id=row[3])


def network_list():
    """Every network with the number of municipalities in its region and of current coordinators."""
    region = (select(func.count()).select_from(network_region)
              .where(network_region.c.network_id == Network.id).scalar_subquery())
    coordinators = (select(func.count()).select_from(Membership).where(
        Membership.network_id == Network.id, Membership.role == MembershipRole.COORDINATOR,
        Membership.end_date.is_(None)).scalar_subquery())
    return db.session.execute(
        select(Network.id, Network.slug, Network.name, Network.short_name, Network.is_default,
               region.label("municipalities"), coordinators.label("coordinators"))
        .order_by(Network.is_default.desc(), Network.name)
    ).all()


def counties_with_municipalities(keep_ids=()) -> list[tuple[County, list[Organisation]]]:
    """The counties in force (and those holding a municipality in `keep_ids`) with their
    municipalities in force, plus those in `keep_ids` that are no longer: what a region may be
    chosen from. Two queries whatever the number of counties."""
    keep_ids = set(keep_ids)
    query = select(Organisation).where(Organisation.kind == OrganisationKind.MUNICIPALITY,
                                       Organisation.county_id.is_not(None))
    if keep_ids:
        query = query.where(or_(Organisation.valid_to.is_(None), Organisation.id.in_(keep_ids)))
    else:
        query = query.where(Organisation.valid_to.is_(None))
    municipalities = db.session.scalars(query.order_by(Organisation.name)).all()
    by_county: dict[int, list[Organisation]] = {}
    for municipality in municipalities:
        by_county.setdefault(municipality.county_id, []).append(municipality)
    counties = db.session.scalars(select(County).where(County.id.in_(list(by_county))).order_by(County.number)).all()
    return [(county, by_county[county.id]) for county in counties]


def municipalities_without_county(keep_ids=()) -> list[Organisation]:
    """Municipalities that belong to no county (made before the reference data): still offered."""
    query = select(Organisation).where(Organisation.kind == OrganisationKind.MUNICIPALITY,
                                       Organisation.county_id.is_(None))
    keep_ids = set(keep_ids)
    query = query.where(or_(Organisation.valid_to.is_(None), Organisation.id.in_(keep_ids)) if keep_ids
                        else Organisation.valid_to.is_(None))
    return db.session.scalars(query.order_by(Organisation.name)).all()


def region_ids(network: Network) -> set[int]:
    return set(db.session.scalars(select(network_region.c.organisation_id)
                                  .where(network_region.c.network_id == network.id)))


def organisation_select(q: str | None = None, kind: str | None = None):
    """Organisations with the municipality they are in (or, for a municipality, its county), by name."""
    place = aliased(Organisation)
    query = (select(Organisation.id, Organisation.name, Organisation.kind, Organisation.valid_to,
                    place.name.label("municipality_name"), County.name.label("county_name"))
             .outerjoin(place, Organisation.municipality_id == place.id)
             .outerjoin(County, Organisation.county_id == County.id)
             .order_by(Organisation.name, Organisation.id))
    if q:
        query = query.where(func.lower(Organisation.name).like(like_pattern(q), escape="\\"))
    if kind in {k.value for k in OrganisationKind}:
        query = query.where(Organisation.kind == kind)
    return query


def municipality_choices() -> list[tuple[int, str, str | None]]:
    """(id, name, county name) of the municipalities in force, by county and name."""
    return db.session.execute(
        select(Organisation.id, Organisation.name, County.name)
        .outerjoin(County, Organisation.county_id == County.id)
        .where(Organisation.kind == OrganisationKind.MUNICIPALITY, Organisation.valid_to.is_(None))
        .order_by(County.number, Organisation.name)
    ).all()


def organisation_choices() -> list[tuple[int, str]]:
    """(id, name) of every organisation a workplace may belong to: municipalities in force and the others."""
    return db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(or_(Organisation.kind != OrganisationKind.MUNICIPALITY, Organisation.valid_to.is_(None)))
        .order_by(Organisation.name)
    ).all()


def workplace_select(q: str | None = None):
    """Workplaces with their organisation and leader loaded, by organisation and name."""
    query = (select(Workplace).join(Workplace.organisation)
             .options(joinedload(Workplace.organisation), joinedload(Workplace.leader))
             .order_by(Organisation.name, Workplace.name, Workplace.id))
    if q:
        pattern = like_pattern(q)
        query = query.where(or_(func.lower(Workplace.name).like(pattern, escape="\\"),
                                func.lower(Organisation.name).like(pattern, escape="\\")))
    return query


def coordinators_of(network: Network) -> list[Person]:
    """The network's current coordinators, by name."""
    return db.session.scalars(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.network_id == network.id, Membership.role == MembershipRole.COORDINATOR,
               Membership.end_date.is_(None))
        .order_by(Person.last_name, Person.first_name, Person.id)
    ).all()


def coordinator_candidates(q: str, network: Network, limit: int = 20) -> list[Person]:
    """Active persons whose name or e-mail holds the term, who do not coordinate the network yet."""
    coordinating = exists().where(Membership.person_id == Person.id, Membership.network_id == network.id,
                                  Membership.role == MembershipRole.COORDINATOR, Membership.end_date.is_(None))
    return db.session.scalars(
        select(Person).where(Person.search_text.like(like_pattern(q), escape="\\"),
                             Person.status == PersonStatus.ACTIVE, ~coordinating)
        .order_by(Person.last_name, Person.first_name, Person.id).limit(limit)
    ).all()


def section_counts() -> dict[str, int]:
    """How many networks, organisations (not municipalities) and workplaces there are: one query."""
    row = db.session.execute(select(
        select(func.count()).select_from(Network).scalar_subquery(),
        select(func.count()).select_from(Organisation)
        .where(Organisation.kind != OrganisationKind.MUNICIPALITY).scalar_subquery(),
        select(func.count()).select_from(Workplace).scalar_subquery(),
    )).one()
    return {"networks": row[0], "organisations": row[1], "workplaces": row[2]}
