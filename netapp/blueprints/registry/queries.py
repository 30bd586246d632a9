"""Reusable selects for the registry, reports and jobs; aggregates are computed in SQL."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

from sqlalchemy import and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from netapp.blueprints.registry.models import (
    Assignment,
    Membership,
    MembershipRole,
    Network,
    Organisation,
    OrganisationKind,
    Person,
    PersonStatus,
    Sector,
    Workplace,
    network_region,
)
from netapp.extensions import db
from netapp.validators import like_pattern


def person_select():
    """Persons with workplace, organisation and manager loaded in the same query."""
    return select(Person).options(
        joinedload(Person.workplace).joinedload(Workplace.organisation),
        joinedload(Person.manager),
    )


SORTS = {
    "name": (Person.last_name, Person.first_name, Person.id),
    "profession": (Person.profession, Person.last_name, Person.id),
    "status": (Person.status, Person.last_name, Person.id),
    "created": (Person.created_at, Person.id),
}


@dataclass
class PersonFilters:
    network_id: int | None = None
    municipality_id: int | None = None
    organisation_id: int | None = None
    sector: str | None = None
    profession: str | None = None
    status: str | None = None
    q: str | None = None
    sort: str = "name"
    direction: str = "asc"


@cache
def _person_list_base():
    """The registry list's columns and joins, built once per process (statements are immutable;
    building one with aliases costs more than running it)."""
    wp = aliased(Workplace)
    org = aliased(Organisation)
    manager = aliased(Person)
    query = (
        select(
            Person.id, Person.first_name, Person.last_name, Person.profession, Person.status,
            wp.name.label("workplace_name"), org.name.label("organisation_name"),
            (manager.first_name + " " + manager.last_name).label("manager_name"),
        )
        .outerjoin(wp, Person.workplace_id == wp.id)
        .outerjoin(org, wp.organisation_id == org.id)
        .outerjoin(manager, Person.manager_id == manager.id)
    )
    return query, wp, org


def filtered_persons(filters: PersonFilters, visible_clause):
    """The registry list as one SQL query of plain columns (no ORM objects): filters, search and
    sort, ready for pagination. Each row has id, first_name, last_name, profession, status,
    workplace_name, organisation_name and manager_name."""
    query, wp, org = _person_list_base()
    query = query.where(visible_clause, Person.status != PersonStatus.ERASED)
    if filters.network_id:
        # Active persons count by their current membership; those who left by any past one.
        members = [Membership.person_id == Person.id, Membership.network_id == filters.network_id]
        if filters.status == PersonStatus.ACTIVE.value:
            members.append(Membership.end_date.is_(None))
        query = query.where(exists().where(*members))
    if filters.status in {PersonStatus.ACTIVE.value, PersonStatus.LEFT.value}:
        query = query.where(Person.status == filters.status)
    if filters.profession:
        query = query.where(Person.profession == filters.profession)
    if filters.municipality_id:
        query = query.where(org.id == filters.municipality_id, org.kind == OrganisationKind.MUNICIPALITY)
    if filters.organisation_id:
        query = query.where(org.id == filters.organisation_id)
    if filters.sector in {s.value for s in Sector}:
        query = query.where(wp.sector == filters.sector)
    if filters.q:
        term = like_pattern(filters.q)
        # Persons by their own search column; workplaces and organisations (small tables) by name.
        matching_workplaces = (
            select(Workplace.id).join(Organisation, Workplace.organisation_id == Organisation.id)
            .where(or_(func.lower(Workplace.name).like(term, escape="\\"),
                       func.lower(Organisation.name).like(term, escape="\\")))
        )
        query = query.where(or_(Person.search_text.like(term, escape="\\"), Person.workplace_id.in_(matching_workplaces)))
    if filters.sort == "workplace":
        columns = (wp.name, Person.last_name, Person.id)
    elif filters.sort == "municipality":
        columns = (org.name, Person.last_name, Person.id)
    else:
        columns = SORTS.get(filters.sort, SORTS["name"])
    if filters.direction == "desc":
        columns = tuple(c.desc() for c in columns)
    return query.order_by(*columns)


def professions() -> list[str]:
    return list(db.session.scalars(select(Person.profession).where(Person.profession != "").distinct().order_by(Person.profession)))


def organisations(keep_id: int | None = None) -> list:
    """(id, name) of the organisations to choose from: a municipality no longer in force only when
    it is the one already chosen (`keep_id`)."""
    offered = Organisation.valid_to.is_(None)
    if keep_id:
        offered = offered | (Organisation.id == keep_id)
    return list(db.session.execute(select(Organisation.id, Organisation.name).where(offered).order_by(Organisation.name)))


def organisation_menus() -> tuple[list, list]:
    """The municipality and the organisation filter menus from one query: (id, name) rows."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.kind).order_by(Organisation.name)
    ).all()
    return [row for row in rows if row.kind == OrganisationKind.MUNICIPALITY], rows


@cache
def _networks_select(menu: bool, restricted: bool):
    """The one order of networks everywhere: the default network first, then by name."""
    columns = (Network.id, Network.slug, Network.name) if menu else (Network,)
    query = select(*columns).order_by(Network.is_default.desc(), Network.name)
    if restricted:
        query = query.where(Network.id.in_(bindparam("network_ids", expanding=True)))
    return query


def _networks(menu: bool, network_ids: Collection[int] | None):
    if network_ids is None:
        return db.session.execute(_networks_select(menu, False))
    if not network_ids:
        return []
    return db.session.execute(_networks_select(menu, True), {"network_ids": sorted(network_ids)})


def networks(network_ids: Collection[int] | None = None) -> list[Network]:
    """The given networks (None: all), the default network first, e.g. those a user coordinates:
    `networks(permissions.coordinated_network_ids())`."""
    return [row[0] for row in _networks(False, network_ids)]


def network_menu(network_ids: Collection[int] | None) -> list:
    """(id, slug, name) rows of the given networks (None: all), the default network first."""
    return list(_networks(True, network_ids))


def default_network() -> Network | None:
    """The default network, or the first by name when none is marked."""
    return db.session.scalar(_networks_select(False, False).limit(1))


def workplaces() -> list[Workplace]:
    return list(db.session.scalars(
        select(Workplace).options(joinedload(Workplace.organisation)).join(Workplace.organisation)
        .order_by(Organisation.name, Workplace.name)
    ))


def network_member_counts(network_ids: list[int]) -> dict[int, dict[str, int]]:
    """Current members per network and role, active persons only."""
    rows = db.session.execute(
        select(Membership.network_id, Membership.role, func.count(Membership.id))
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.network_id.in_(network_ids), Membership.end_date.is_(None), Person.status == PersonStatus.ACTIVE)
        .group_by(Membership.network_id, Membership.role)
    ).all()
    counts: dict[int, dict[str, int]] = {nid: {} for nid in network_ids}
    for network_id, role, count in rows:
        counts[network_id][MembershipRole(role).value] = count
    return counts


def memberships_of(person_id: int) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).options(joinedload(Membership.network)).where(Membership.person_id == person_id)
        .order_by(Membership.end_date.is_not(None), Membership.start_date)
    ))


def history_of(person_id: int) -> list[Assignment]:
    """Workplace and manager periods, newest last, with what they point to loaded at once."""
    return list(db.session.scalars(
        select(Assignment)
        .options(joinedload(Assignment.workplace).joinedload(Workplace.organisation), joinedload(Assignment.manager))
        .where(Assignment.person_id == person_id)
        .order_by(Assignment.valid_from, Assignment.id)
    ))


def current_members_clause(network_id: int, role: MembershipRole | None = MembershipRole.RESOURCE_PERSON):
    conditions = [Membership.network_id == network_id, Membership.end_date.is_(None)]
    if role is not None:
        conditions.append(Membership.role == role)
    return exists().where(Membership.person_id == Person.id, and_(*conditions))


def coverage(network: Network) -> dict:
    """Municipalities of the network's region with their count of active resource persons,
    plus the members per sector. The members are counted once, in SQL, grouped by organisation
    and sector; the region and the names of organisations outside it are merged in."""
    counts = db.session.execute(
        select(Workplace.organisation_id, Workplace.sector, func.count(Person.id))
        .select_from(Person)
        .outerjoin(Workplace, Person.workplace_id == Workplace.id)
        .where(Person.status == PersonStatus.ACTIVE, current_members_clause(network.id))
        .group_by(Workplace.organisation_id, Workplace.sector)
    ).all()
    region = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.municipality_number)
        .join(network_region, network_region.c.organisation_id == Organisation.id)
        .where(network_region.c.network_id == network.id)
        .order_by(Organisation.municipality_number, Organisation.name)
    ).all()
    by_org: dict[int, int] = {}
    by_sector: dict[str, int] = {}
    total = 0
    for organisation_id, sector, count in counts:
        total += count
        if organisation_id is not None:
            by_org[organisation_id] = by_org.get(organisation_id, 0) + count
            key = sector.value if sector is not None else "unknown"
            by_sector[key] = by_sector.get(key, 0) + count
    region_ids = {r[0] for r in region}
    outside_ids = [oid for oid in by_org if oid not in region_ids]
    outside = []
    if outside_ids:
        outside = [
            {"name": name, "kind": kind, "count": by_org[oid]}
            for oid, name, kind in db.session.execute(
                select(Organisation.id, Organisation.name, Organisation.kind)
                .where(Organisation.id.in_(outside_ids)).order_by(Organisation.name)
            )
        ]
    municipalities = [{"id": r[0], "name": r[1], "number": r[2], "count": by_org.get(r[0], 0)} for r in region]
    sectors = [{"sector": s.value, "count": by_sector.get(s.value, 0)} for s in Sector]
    if by_sector.get("unknown"):
        sectors.append({"sector": "unknown", "count": by_sector["unknown"]})
    return {
        "municipalities": municipalities,
        "covered": sum(1 for m in municipalities if m["count"]),
        "region_size": len(municipalities),
        "missing": [m for m in municipalities if not m["count"]],
        "sectors": sectors,
        "outside": outside,
        "total": total,
    }


def person_by_email(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email_normalized == (email or "").strip().lower()))


