"""Writes of the administration pages that combine the registry's and the accounts' services.
Functions flush, never commit: the view owns the transaction."""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable

from netapp import audit
from netapp.blueprints.admin.queries import coordinators_of
from netapp.blueprints.auth import services as auth_services
from netapp.blueprints.registry import network_services
from netapp.blueprints.registry import services as registry_services
from netapp.blueprints.registry.models import Network, Person
from netapp.blueprints.registry.queries import person_by_email

log = logging.getLogger(__name__)


def update_network(network: Network, *, name: str, slug: str, short_name: str, description: str,
                   contact_email: str | None, region_ids: Iterable[int], is_default: bool) -> None:
    """Change a network's names, address, description, contact address, region and whether it is
    the default. Raises network_services.NetworkRefused for a malformed or taken slug."""
    network.slug = network_services.check_slug(slug, exclude_id=network.id)
    network.name = name.strip()
    network.short_name = (short_name or "").strip()
    update_network_about(network, description=description, contact_email=contact_email)
    before = {m.id for m in network.region}
    network_services.set_region(network, region_ids)
    if {m.id for m in network.region} != before:  # a row of network_region, not a column: logged apart
        audit.record("update", network, ["region"])
    if is_default:
        network_services.make_default(network)
    else:
        network.is_default = False


def update_network_about(network: Network, *, description: str, contact_email: str | None) -> None:
    """What a coordinator changes of their network: its description and contact address (the
    form has checked the address)."""
    network.description = (description or "").strip()
    network.contact_email = (contact_email or "").strip().lower() or None


def coordinator_person(email: str, first_name: str = "", last_name: str = "") -> Person:
    """The registry's person with this address, or a new one made from the name (no membership)."""
    person = person_by_email(email)
    if person is None:
        person = registry_services.create_person(registry_services.PersonData(
            first_name=(first_name or "").strip() or email.split("@")[0], last_name=last_name or "", email=email))
    return person


class Appointed(enum.Enum):
    ALREADY = "already"  # coordinated the network already: nothing changed, nothing sent
    GRANTED = "granted"  # told by e-mail
    WITH_ACCOUNT = "with_account"  # told by e-mail, with a new account and the link to choose a password


def appoint_coordinator(network: Network, person: Person, *, actor=None) -> Appointed:
    """Make the person a coordinator of the network (they are told by e-mail); a person with no
    account yet gets one, with the e-mail to choose a password. Raises
    network_services.NetworkRefused (a person who is not active)."""
    if person.id in {p.id for p in coordinators_of(network)}:
        return Appointed.ALREADY
    network_services.grant_coordinator(network, person, actor=actor)
    if not person.email:
        return Appointed.GRANTED
    user = auth_services.find_user(person.email)
    if user is None:
        user = auth_services.create_user(person.email, person=person)
        auth_services.send_set_password_mail(user)
        log.info("account %s made for new coordinator %s", user.id, person.id)
        return Appointed.WITH_ACCOUNT
    if user.person_id is None:  # an account without a record (an administrator's): now it has one
        user.person = person
    return Appointed.GRANTED
