"""Carrying out an import plan that has no rejected row: persons, workplaces and memberships are
created and updated. Functions flush, never commit: the view or the CLI command owns the
transaction."""

from __future__ import annotations

from datetime import date

from netapp.blueprints.registry import services
from netapp.blueprints.registry.columns import match_key
from netapp.blueprints.registry.import_plan import CHUNK, Action, ImportPlan, Lookups, RowPlan
from netapp.blueprints.registry.models import (
    Assignment,
    Membership,
    MembershipRole,
    Network,
    Person,
    PersonStatus,
    Workplace,
)
from netapp.extensions import db
from netapp.timeutil import today_oslo


def apply_import(plan: ImportPlan) -> dict[str, int]:
    """Carry out a plan without rejected rows: create and update persons, workplaces and
    memberships. Creation mirrors services.create_person without its per-row lookups; updates go
    through services.update_person so workplace and manager history is kept."""
    if not plan.ok:
        raise ValueError("a plan with rejected rows cannot be applied")
    lookups = plan.lookups
    today = today_oslo()
    new_workplaces: dict[tuple[int, str], Workplace] = {}
    counts = {"created": 0, "updated": 0, "unchanged": plan.count(Action.UNCHANGED), "workplaces": 0,
              "workplaces_without_sector": 0}

    def workplace_for(row: RowPlan) -> Workplace | None:
        if row.new_workplace:
            org, name, sector = row.new_workplace
            key = (org.id, match_key(name))
            workplace = new_workplaces.get(key)
            if workplace is None:
                workplace = Workplace(organisation=org, name=name, sector=sector)
                db.session.add(workplace)
                new_workplaces[key] = workplace
            elif workplace.sector is None and sector is not None:
                workplace.sector = sector
            return workplace
        if row.workplace is not None and row.set_sector is not None and row.workplace.sector is None:
            row.workplace.sector = row.set_sector
        return row.workplace

    active_rows = [r for r in plan.rows if r.action in (Action.CREATE, Action.UPDATE)]
    for row in active_rows:
        if row.action == Action.CREATE:
            values = row.values
            row.person = Person(
                first_name=values["first_name"], last_name=values["last_name"],
                email=values["email"], email_normalized=row.email_norm, phone=values.get("phone", ""),
                profession=values.get("profession", ""), workplace=workplace_for(row),
                position_percent=row.position_percent, public_consent=False, status=PersonStatus.ACTIVE,
                active_from=today,
            )
            db.session.add(row.person)
            lookups.persons[row.email_norm] = row.person
    db.session.flush()

    for index, row in enumerate(active_rows, start=1):
        person = row.person
        manager = _manager(row.manager_email, lookups)
        if row.action == Action.CREATE:
            person.manager = manager
            db.session.add(Assignment(person=person, workplace=person.workplace, manager=manager, valid_from=today))
            for network in row.join:
                db.session.add(Membership(person=person, network=network, role=MembershipRole.RESOURCE_PERSON,
                                          start_date=today))
            counts["created"] += 1
        else:
            if row.status == PersonStatus.ACTIVE:
                services.reactivate_person(person)
            if row.field_changes:
                fc = row.field_changes
                services.update_person(person, services.PersonData(
                    first_name=fc.get("first_name", person.first_name), last_name=fc.get("last_name", person.last_name),
                    email=person.email, phone=fc.get("phone", person.phone),
                    profession=fc.get("profession", person.profession),
                    workplace=workplace_for(row) if (row.workplace or row.new_workplace) else person.workplace,
                    manager=manager if "manager" in fc else person.manager,
                    position_percent=fc.get("position_percent", person.position_percent),
                    public_consent=person.public_consent,
                ), on=today)
            elif row.set_sector:
                workplace_for(row)
            for network in row.join:
                _join(person, network, lookups.memberships.get(person.id, []), today)
            counts["updated"] += 1
        if row.status == PersonStatus.LEFT:
            db.session.flush()
            services.deactivate_person(person, today)
        if index % CHUNK == 0:
            db.session.flush()
    db.session.flush()
    counts["workplaces"] = len(new_workplaces)
    counts["workplaces_without_sector"] = sum(1 for w in new_workplaces.values() if w.sector is None)
    return counts


def _manager(email: str | None, lookups: Lookups) -> Person | None:
    if not email:
        return None
    norm = services.normalize(email)
    manager = lookups.persons.get(norm)
    if manager is None:
        manager = services.resolve_manager(email)
        lookups.persons[norm] = manager
    return manager


def _join(person: Person, network: Network, memberships: list[Membership], today: date) -> None:
    ended = next((m for m in memberships if m.network_id == network.id and m.role == MembershipRole.RESOURCE_PERSON), None)
    if ended is not None:
        ended.end_date = None
        ended.start_date = ended.start_date or today
    else:
        db.session.add(Membership(person=person, network=network, role=MembershipRole.RESOURCE_PERSON, start_date=today))
