"""Load the demo data of seed_data.py: deterministic, fictional, e-mail only on .example."""

from __future__ import annotations

import hashlib
from datetime import date

from netapp import seed_data as S
from netapp.blueprints.auth.services import create_user
from netapp.blueprints.joining.models import Registration, RegistrationStatus
from netapp.blueprints.registry import services
from netapp.blueprints.registry.models import (
    MembershipRole,
    Network,
    OrganisationKind,
    Person,
    PersonStatus,
    Sector,
)
from netapp.extensions import db
from netapp.timeutil import utcnow

DEMO_PASSWORD = "demo"
DEMO_ACCOUNTS = {
    "admin@demo.example": "admin",
    "koordinator@demo.example": "coordinator",
    "leder@demo.example": "manager",
    "ressurs@demo.example": "resource_person",
}


def load_demo() -> dict[str, int]:
    """Create the demo installation; flushes, the caller commits."""
    orgs = {}
    for number, name in S.MUNICIPALITIES:
        orgs[number] = services.get_or_create_municipality(number, name)
    for key, (kind, name) in S.ORGANISATIONS.items():
        orgs[key] = services.get_or_create_organisation(name, OrganisationKind(kind))

    workplaces = {
        key: services.get_or_create_workplace(orgs[org_key], name, Sector(sector))
        for key, (org_key, name, sector) in S.WORKPLACES.items()
    }

    networks = {}
    for slug, spec in S.NETWORKS.items():
        network = Network(
            slug=slug, name=spec["name"], short_name=spec["short_name"], description=spec["description"],
            contact_email=spec["contact_email"], is_default=spec["default"],
            region=[orgs[number] for number in spec["region"]],
        )
        db.session.add(network)
        networks[slug] = network
    db.session.flush()
    regional = networks["barnepalliasjon-sor-rogaland"]
    stavanger = networks["ressursgruppe-stavanger"]

    managers: dict[str, Person] = {}
    for key, spec in S.MANAGERS.items():
        person = _person(spec, workplaces, None, date(2022, 1, 1))
        person.is_manager = True
        managers[key] = person
        for led in spec.get("leads", []):
            workplaces[led].leader = person

    people: dict[str, Person] = {}

    def add_member(spec: dict, network: Network) -> Person:
        joined = date.fromisoformat(spec.get("joined", "2022-03-01"))
        person = _person(spec, workplaces, managers.get(spec.get("manager")), joined)
        services.add_membership(person, network, MembershipRole.RESOURCE_PERSON, joined)
        if spec.get("left"):
            services.deactivate_person(person, date.fromisoformat(spec["left"]))
        people[spec["key"]] = person
        return person

    for spec in S.RESOURCE_PERSONS:
        add_member(spec, regional)
    for key in S.WORKING_GROUP:
        services.add_membership(people[key], regional, MembershipRole.WORKING_GROUP, date(2022, 3, 1))
    for item in S.STAVANGER_GROUP:
        if isinstance(item, str):
            services.add_membership(people[item], stavanger, MembershipRole.RESOURCE_PERSON, date(2023, 1, 1))
        else:
            add_member(item, stavanger)
    for spec in S.COORDINATORS:
        person = _person(spec, workplaces, None, date(2021, 9, 1))
        for network in (regional, stavanger):
            services.add_membership(person, network, MembershipRole.COORDINATOR, date(2021, 9, 1))
        people[spec["key"]] = person

    for spec in S.PENDING_REGISTRATIONS:
        confirmed = spec["manager_confirmed"]
        manager = services.resolve_manager(spec["manager_email"])
        db.session.add(Registration(
            network=regional,
            status=RegistrationStatus.AWAITING_COORDINATOR if confirmed else RegistrationStatus.AWAITING_MANAGER,
            first_name=spec["first_name"], last_name=spec["last_name"], email=spec["email"], phone=spec["phone"],
            profession=spec["profession"], workplace=workplaces[spec["workplace"]],
            position_percent=spec["position_percent"], public_consent=spec["public_consent"],
            manager_name=manager.full_name, manager_email=spec["manager_email"],
            # A fixed, unguessable-enough demo token hash; the real flow issues a fresh token by e-mail.
            manager_token_hash=None if confirmed else hashlib.sha256(f"demo-{spec['email']}".encode()).hexdigest(),
            manager_confirmed_at=utcnow() if confirmed else None,
        ))

    accounts = {
        "admin@demo.example": create_user("admin@demo.example", is_admin=True, password=DEMO_PASSWORD),
        "koordinator@demo.example": create_user("koordinator@demo.example", person=people["koordinator"], password=DEMO_PASSWORD),
        "leder@demo.example": create_user("leder@demo.example", person=managers["leder"], password=DEMO_PASSWORD),
        "ressurs@demo.example": create_user("ressurs@demo.example", person=people["ressurs"], password=DEMO_PASSWORD),
    }
    db.session.flush()
    return {
        "networks": len(networks),
        "organisations": len(orgs),
        "workplaces": len(workplaces),
        "persons": db.session.query(Person).count(),
        "resource_persons": len(S.RESOURCE_PERSONS),
        "accounts": len(accounts),
        "pending_registrations": len(S.PENDING_REGISTRATIONS),
    }


def _person(spec: dict, workplaces: dict, manager: Person | None, start: date) -> Person:
    person = services.create_person(
        services.PersonData(
            first_name=spec["first_name"], last_name=spec["last_name"], email=spec["email"],
            phone=spec.get("phone", ""), profession=spec.get("profession", ""),
            workplace=workplaces.get(spec.get("workplace")), manager=manager,
            position_percent=spec.get("position_percent"), public_consent=spec.get("public_consent", False),
        ),
        start=start,
    )
    person.status = PersonStatus.ACTIVE
    return person
