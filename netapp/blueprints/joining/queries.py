"""Reusable selects for joining: who may register, the registrations a coordinator sees, the
tokens' rows, and the pending count on the dashboard."""

from __future__ import annotations

from sqlalchemy import exists, func, select

from netapp.blueprints.auth.models import User
from netapp.blueprints.auth.services import hash_token
from netapp.blueprints.joining.models import PENDING, Invitation, Registration, RegistrationStatus
from netapp.blueprints.registry.models import (
    Membership,
    MembershipRole,
    Network,
    Person,
    PersonStatus,
    Workplace,
)
from netapp.blueprints.registry.services import normalize
from netapp.extensions import db
from netapp.timeutil import utcnow

MAX_TOKEN_LENGTH = 200


def is_current_member(network: Network, email: str) -> bool:
    """Whether the address (any letter case) belongs to a current member of the network."""
    norm = normalize(email)
    if norm is None:
        return False
    return bool(db.session.scalar(select(exists().where(
        Membership.network_id == network.id, Membership.end_date.is_(None),
        Membership.person_id == Person.id, Person.email_normalized == norm,
    ))))


def has_pending_registration(network: Network, email: str) -> bool:
    norm = normalize(email)
    if norm is None:
        return False
    return bool(db.session.scalar(select(exists().where(
        Registration.network_id == network.id, Registration.status.in_(PENDING),
        func.lower(Registration.email) == norm,
    ))))


def registration_for_manager_token(token: str) -> Registration | None:
    """The registration this manager token belongs to, whatever its state (None if unknown)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return db.session.scalar(select(Registration).where(Registration.manager_token_hash == hash_token(token)))


def coordinator_recipients(network: Network) -> list[tuple[str, str | None]]:
    """(address, language) of the network's current coordinators: the account's address when they
    have one, otherwise the person's; the network's contact address when there is nobody."""
    rows = db.session.execute(
        select(Person.email, User.email, User.language)
        .join(Membership, Membership.person_id == Person.id)
        .outerjoin(User, (User.person_id == Person.id) & User.is_enabled.is_(True))
        .where(
            Membership.network_id == network.id, Membership.role == MembershipRole.COORDINATOR,
            Membership.end_date.is_(None), Person.status == PersonStatus.ACTIVE,
        )
        .order_by(Person.last_name, Person.id)
    ).all()
    seen: dict[str, str | None] = {}
    for person_email, user_email, language in rows:
        address = user_email or person_email
        if address and address.lower() not in seen:
            seen[address.lower()] = language
    if not seen and network.contact_email:
        seen[network.contact_email] = None
    return list(seen.items())


def registrations_select(network_ids, *, status: str = "pending", network_id: int | None = None):
    """Registrations visible to a coordinator, newest first; network_ids None means every network."""
    query = select(Registration).options(
        db.joinedload(Registration.network),
        db.joinedload(Registration.workplace).joinedload(Workplace.organisation),
    )
    if network_ids is not None:
        query = query.where(Registration.network_id.in_(network_ids))
    if network_id is not None:
        query = query.where(Registration.network_id == network_id)
    if status == "pending":
        query = query.where(Registration.status.in_(PENDING))
    elif status in {s.value for s in RegistrationStatus}:
        query = query.where(Registration.status == status)
    return query.order_by(Registration.created_at.desc(), Registration.id.desc())


def pending_count(network_ids) -> int:
    """Registrations waiting for a manager or a coordinator in these networks (None: every network)."""
    query = select(func.count(Registration.id)).where(Registration.status.in_(PENDING))
    if network_ids is not None:
        query = query.where(Registration.network_id.in_(network_ids))
    return db.session.scalar(query)


def existing_person(registration: Registration) -> Person | None:
    """The registry's person with the registration's e-mail, who will be reused on approval."""
    return db.session.scalar(select(Person).where(Person.email_normalized == normalize(registration.email)))


def valid_invitation(token: str) -> Invitation | None:
    """The unused, unexpired invitation for this token, without using it."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None or invitation.used_at is not None or invitation.expires_at < utcnow():
        return None
    return invitation
