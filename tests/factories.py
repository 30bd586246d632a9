"""Small factories for tests: each makes a valid object with sensible defaults and flushes."""

from __future__ import annotations

import itertools

from netapp.blueprints.auth.services import create_user
from netapp.blueprints.registry import services
from netapp.blueprints.registry.models import MembershipRole, Network, OrganisationKind, Sector
from netapp.extensions import db

_seq = itertools.count(1)


def make_network(slug: str | None = None, *, default: bool = False, region=()) -> Network:
    n = next(_seq)
    network = Network(slug=slug or f"nettverk-{n}", name=f"Nettverk {n}", short_name=f"Nett {n}",
                      description="Et testnettverk.", is_default=default, region=list(region))
    db.session.add(network)
    db.session.flush()
    return network


def make_municipality(number: str | None = None, name: str | None = None):
    n = next(_seq)
    # Four digits, as municipality numbers are; tables are emptied between tests.
    return services.get_or_create_municipality(number or f"{9000 + n % 1000}", name or f"Kommune {n}")


def make_workplace(organisation=None, name: str | None = None, sector: Sector | None = Sector.HEALTH_CARE):
    organisation = organisation or make_municipality()
    return services.get_or_create_workplace(organisation, name or f"Arbeidssted {next(_seq)}", sector)


def make_organisation(name: str | None = None, kind: OrganisationKind = OrganisationKind.HOSPITAL_DEPARTMENT):
    return services.get_or_create_organisation(name or f"Organisasjon {next(_seq)}", kind)


def make_person(network: Network | None = None, role: MembershipRole = MembershipRole.RESOURCE_PERSON, **fields):
    n = next(_seq)
    data = services.PersonData(
        first_name=fields.pop("first_name", f"Fornavn{n}"),
        last_name=fields.pop("last_name", f"Etternavn{n}"),
        email=fields.pop("email", f"person{n}@test.example"),
        **fields,
    )
    return services.create_person(data, network=network, role=role)


def make_user(email: str | None = None, *, person=None, is_admin: bool = False, password: str = "demo"):
    return create_user(email or f"user{next(_seq)}@test.example", person=person, is_admin=is_admin, password=password)


def make_coordinator(network: Network, email: str | None = None):
    person = make_person(network, MembershipRole.COORDINATOR, email=email or f"koord{next(_seq)}@test.example")
    return make_user(person.email, person=person)
