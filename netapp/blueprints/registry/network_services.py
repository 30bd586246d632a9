"""Writes to networks: creating one, its region, who coordinates it. Flush, never commit.

Used by `flask networks ...` and by the administration pages alike; refusals raise
NetworkRefused with a Norwegian message (and the form field it belongs to, when there is one).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from netapp.blueprints.auth.models import User
from netapp.blueprints.registry.models import (
    County,
    Membership,
    MembershipRole,
    Network,
    Organisation,
    OrganisationKind,
    Person,
    PersonStatus,
)
from netapp.blueprints.registry.services import add_membership
from netapp.extensions import db
from netapp.mail import absolute_url, enqueue_template
from netapp.timeutil import today_oslo
from netapp.validators import check_email

log = logging.getLogger(__name__)

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 80


class NetworkRefused(ValueError):
    """A network write that cannot be done; `field` names the form field it concerns, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def check_slug(slug: str, exclude_id: int | None = None) -> str:
    """The slug, stripped, when it is well formed and free; raises NetworkRefused otherwise."""
    slug = (slug or "").strip()
    if not slug or len(slug) > SLUG_MAX or not SLUG_PATTERN.match(slug):
        raise NetworkRefused(
            _("Kortnavnet i adressen kan bare ha små bokstaver a–z, sifre og bindestrek mellom dem "
              "(høyst %(max)s tegn), for eksempel sor-rogaland.", max=SLUG_MAX),
            field="slug",
        )
    query = select(Network.id).where(Network.slug == slug)
    if exclude_id is not None:
        query = query.where(Network.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise NetworkRefused(_("Et nettverk med kortnavnet «%(slug)s» finnes allerede.", slug=slug), field="slug")
    return slug


def _checked_contact(contact_email: str | None) -> str | None:
    if not (contact_email or "").strip():
        return None
    address = check_email(contact_email)
    if address is None:
        raise NetworkRefused(_("Skriv en gyldig e-postadresse, for eksempel navn@kommune.no."), field="contact_email")
    return address


def make_default(network: Network) -> None:
    """This network becomes the installation's default; every other network stops being it."""
    db.session.execute(
        update(Network).where(Network.id != network.id, Network.is_default.is_(True)).values(is_default=False)
        .execution_options(synchronize_session="fetch")
    )
    network.is_default = True


def create_network(name: str, slug: str, short_name: str = "", description: str = "",
                   contact_email: str | None = None, region_ids: Iterable[int] = (),
                   is_default: bool = False) -> Network:
    """A new network with its region (municipality organisation ids). Raises NetworkRefused for an
    empty name, a malformed or taken slug, or an invalid contact address."""
    name = (name or "").strip()
    if not name:
        raise NetworkRefused(_("Skriv nettverkets navn."), field="name")
    if len(name) > 200:
        raise NetworkRefused(_("Navnet kan ha høyst %(max)s tegn.", max=200), field="name")
    short_name = (short_name or "").strip()
    if len(short_name) > 80:
        raise NetworkRefused(_("Det korte navnet kan ha høyst %(max)s tegn.", max=80), field="short_name")
    network = Network(
        name=name, slug=check_slug(slug), short_name=short_name, description=(description or "").strip(),
        contact_email=_checked_contact(contact_email), is_default=False,
    )
    db.session.add(network)
    db.session.flush()
    set_region(network, region_ids)
    if is_default:
        make_default(network)
    db.session.flush()
    log.info("network %s created (%s)", network.slug, network.id)
    return network


def set_region(network: Network, organisation_ids: Iterable[int]) -> None:
    """The network's region becomes exactly these municipalities; ids of anything that is not a
    municipality are ignored. Flushes."""
    ids = {int(i) for i in organisation_ids}
    municipalities = list(db.session.scalars(
        select(Organisation).where(Organisation.id.in_(ids), Organisation.kind == OrganisationKind.MUNICIPALITY)
    )) if ids else []
    network.region = sorted(municipalities, key=lambda org: org.name)
    db.session.flush()


def municipality_ids_for_counties(county_numbers: Iterable[str]) -> list[int]:
    """Ids of the municipalities in force in these counties ("11", "3" and "03" alike), by number.
    Raises NetworkRefused naming a county number that is not known."""
    numbers = [str(n).strip().zfill(2) for n in county_numbers if str(n).strip()]
    if not numbers:
        return []
    known = set(db.session.scalars(select(County.number).where(County.number.in_(numbers))))
    unknown = [n for n in numbers if n not in known]
    if unknown:
        raise NetworkRefused(_("Ukjent fylkesnummer: %(numbers)s.", numbers=", ".join(unknown)), field="counties")
    return list(db.session.scalars(
        select(Organisation.id).join(County, Organisation.county_id == County.id)
        .where(County.number.in_(numbers), Organisation.kind == OrganisationKind.MUNICIPALITY,
               Organisation.valid_to.is_(None))
        .order_by(Organisation.municipality_number)
    ))


def current_coordinator_count(network: Network) -> int:
    return db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.network_id == network.id, Membership.role == MembershipRole.COORDINATOR,
            Membership.end_date.is_(None),
        )
    ) or 0


def _current_coordinator(network: Network, person: Person) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(
            Membership.network_id == network.id, Membership.person_id == person.id,
            Membership.role == MembershipRole.COORDINATOR,
        )
    )


def _mail_person(person: Person, subject, template: str, **context) -> bool:
    """E-mail the person (the account's address when there is one) in their own language."""
    account = db.session.scalar(select(User).where(User.person_id == person.id))
    address = (account.email if account is not None and account.is_enabled else None) or person.email
    if not address:
        return False
    language = account.language if account is not None else None
    with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        enqueue_template(address, subject(), template, person=person, **context)
    return True


def grant_coordinator(network: Network, person: Person, *, actor=None) -> Membership:
    """Make the person a current coordinator of the network and e-mail them so. Idempotent: a
    person who already coordinates it keeps the membership and gets no second message. Raises
    NetworkRefused for a person who has left or been erased."""
    if person.status != PersonStatus.ACTIVE:
        raise NetworkRefused(_("%(name)s er ikke aktiv i registeret og kan ikke bli koordinator.",
                               name=person.full_name or person.email or person.id), field="person")
    existing = _current_coordinator(network, person)
    if existing is not None and existing.end_date is None:
        return existing
    membership = add_membership(person, network, MembershipRole.COORDINATOR)
    membership.start_date = today_oslo()
    db.session.flush()
    _mail_person(
        person, lambda: _("Du er koordinator for %(network)s", network=network.display_name),
        "registry/emails/coordinator_granted", network=network, link=absolute_url("main.dashboard"),
    )
    log.info("person %s made coordinator of network %s by user %s", person.id, network.slug, getattr(actor, "id", None))
    return membership


@dataclass
class Withdrawal:
    """What withdraw_coordinator did: the ended membership (None when the person was not a current
    coordinator) and how many current coordinators the network has left."""

    membership: Membership | None
    remaining: int

    @property
    def changed(self) -> bool:
        return self.membership is not None

    @property
    def was_last(self) -> bool:
        return self.changed and self.remaining == 0


def withdraw_coordinator(network: Network, person: Person, *, actor=None) -> Withdrawal:
    """End the person's coordinator membership today and e-mail them so. Withdrawing the last
    coordinator is allowed; the result says so (`was_last`). Nothing happens, and nothing is sent,
    when the person does not coordinate the network."""
    membership = _current_coordinator(network, person)
    if membership is None or membership.end_date is not None:
        return Withdrawal(None, current_coordinator_count(network))
    membership.end_date = today_oslo()
    db.session.flush()
    _mail_person(
        person, lambda: _("Du er ikke lenger koordinator for %(network)s", network=network.display_name),
        "registry/emails/coordinator_withdrawn", network=network,
    )
    remaining = current_coordinator_count(network)
    log.info("person %s no longer coordinator of network %s (by user %s; %s left)",
             person.id, network.slug, getattr(actor, "id", None), remaining)
    return Withdrawal(membership, remaining)
