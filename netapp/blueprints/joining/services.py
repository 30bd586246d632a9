"""Joining a network: registrations, invitations, the manager's and the coordinator's decisions.

Functions flush, never commit: the view owns the transaction. Every decision is one conditional
UPDATE on the status (or on used_at), so a double click, two tabs or two coordinators cannot act
twice. Tokens travel only in e-mails; the database keeps their SHA-256 hash.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from netapp import audit
from netapp.blueprints.auth import services as auth_services
from netapp.blueprints.auth.models import User
from netapp.blueprints.auth.services import hash_token
from netapp.blueprints.joining import queries
from netapp.blueprints.joining.models import PENDING, Invitation, Registration, RegistrationStatus
from netapp.blueprints.registry import services as registry_services
from netapp.blueprints.registry.models import (
    MembershipRole,
    Network,
    Organisation,
    Person,
    PersonStatus,
    Sector,
    Workplace,
)
from netapp.extensions import db
from netapp.mail import absolute_url, enqueue_template
from netapp.timeutil import utcnow
from netapp.validators import check_email

log = logging.getLogger(__name__)

def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


# ---------------------------------------------------------------- checks

def registration_problem(network: Network, email: str) -> str | None:
    """Why this address cannot register for the network now, or None."""
    if queries.is_current_member(network, email):
        return _("Denne e-postadressen tilhører allerede et medlem av nettverket. Ta kontakt med koordinatorene om noe er feil.")
    if queries.has_pending_registration(network, email):
        return _("Det finnes allerede en søknad med denne e-postadressen som venter på behandling.")
    return None


# ---------------------------------------------------------------- registration

@dataclass
class RegistrationData:
    first_name: str
    last_name: str
    email: str
    manager_name: str
    manager_email: str
    phone: str = ""
    profession: str = ""
    workplace: Workplace | None = None
    new_workplace_name: str = ""
    new_workplace_organisation: Organisation | None = None
    new_workplace_sector: Sector | None = None
    position_percent: int | None = None
    public_consent: bool = False


def submit_registration(data: RegistrationData, network: Network, invitation: Invitation | None = None) -> Registration:
    """Store a registration awaiting the manager, and e-mail the manager and the registrant.

    Raises InvitationUsed when the invitation was used by a concurrent submission."""
    if invitation is not None:
        use_invitation(invitation)
    token, token_hash = _new_token()
    registration = Registration(
        network=network,
        status=RegistrationStatus.AWAITING_MANAGER,
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        email=check_email(data.email) or data.email.strip().lower(),
        phone=(data.phone or "").strip(),
        profession=(data.profession or "").strip(),
        workplace=data.workplace,
        position_percent=data.position_percent,
        public_consent=bool(data.public_consent),
        manager_name=data.manager_name.strip(),
        manager_email=check_email(data.manager_email) or data.manager_email.strip().lower(),
        manager_token_hash=token_hash,
        invitation_id=invitation.id if invitation is not None else None,
    )
    if data.workplace is None and data.new_workplace_name:
        registration.new_workplace_name = data.new_workplace_name.strip()
        registration.new_workplace_organisation_id = data.new_workplace_organisation.id
        registration.new_workplace_sector = data.new_workplace_sector
    db.session.add(registration)
    db.session.flush()
    context = {"registration": registration, "network": network, "workplace": workplace_label(registration)}
    enqueue_template(
        registration.manager_email,
        _("Bekreft at %(name)s er ressursperson", name=registration.full_name),
        "joining/emails/manager_request",
        link=absolute_url("joining.confirm_manager", token=token),
        days=current_app.config["TOKEN_TTL_DAYS_MANAGER"],
        **context,
    )
    enqueue_template(
        registration.email, _("Vi har fått søknaden din"), "joining/emails/receipt", **context,
    )
    log.info("registration %s for network %s submitted", registration.id, network.slug)
    return registration


def workplace_label(registration: Registration) -> str:
    """The workplace as the registrant gave it, chosen from the list or typed in."""
    if registration.workplace is not None:
        return registration.workplace.label
    name = getattr(registration, "new_workplace_name", "") or ""
    org_id = getattr(registration, "new_workplace_organisation_id", None)
    if name and org_id:
        org = db.session.get(Organisation, org_id)
        return f"{name} ({org.name})" if org else name
    return name


def workplace_is_new(registration: Registration) -> bool:
    return registration.workplace is None and bool(getattr(registration, "new_workplace_name", ""))


# ---------------------------------------------------------------- the manager's confirmation

def _manager_deadline():
    return utcnow() - timedelta(days=current_app.config["TOKEN_TTL_DAYS_MANAGER"])


def manager_token_expired(registration: Registration) -> bool:
    return registration.created_at < _manager_deadline()


def manager_can_decide(registration: Registration | None) -> bool:
    return (registration is not None and registration.status == RegistrationStatus.AWAITING_MANAGER
            and not manager_token_expired(registration))


def _manager_update(token: str, **values) -> Registration | None:
    token_hash = hash_token(token)
    changed = db.session.execute(
        update(Registration)
        .where(
            Registration.manager_token_hash == token_hash,
            Registration.status == RegistrationStatus.AWAITING_MANAGER,
            Registration.created_at >= _manager_deadline(),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        return None
    registration = db.session.scalar(select(Registration).where(Registration.manager_token_hash == token_hash))
    db.session.refresh(registration)
    return registration


def confirm_by_manager(token: str) -> Registration | None:
    """The manager confirms the appointment; the network's coordinators are told. None when the
    token is unknown, expired or already used."""
    registration = _manager_update(
        token, status=RegistrationStatus.AWAITING_COORDINATOR, manager_confirmed_at=utcnow()
    )
    if registration is None:
        return None
    link = absolute_url("joining.view_registration", registration_id=registration.id)
    for email, language in queries.coordinator_recipients(registration.network):
        with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
            enqueue_template(
                email, _("Ny søknad til %(network)s", network=registration.network.display_name),
                "joining/emails/coordinator_notice", registration=registration, network=registration.network,
                workplace=workplace_label(registration), link=link,
            )
    log.info("registration %s confirmed by manager", registration.id)
    return registration


def decline_by_manager(token: str, reason: str = "") -> Registration | None:
    """The manager says the registration is not right; the registrant is told."""
    reason = (reason or "").strip()
    registration = _manager_update(
        token, status=RegistrationStatus.REJECTED, decided_at=utcnow(),
        reject_reason=reason or _("Lederen bekreftet ikke søknaden."),
    )
    if registration is None:
        return None
    enqueue_template(
        registration.email, _("Søknaden din ble ikke bekreftet"), "joining/emails/manager_declined",
        registration=registration, network=registration.network, reason=reason,
    )
    log.info("registration %s declined by manager", registration.id)
    return registration


# ---------------------------------------------------------------- the coordinator's decision

class AlreadyDecided(Exception):
    """The registration is no longer in a state that allows this decision."""


def _decide(registration: Registration, allowed: tuple[RegistrationStatus, ...], user, **values) -> None:
    changed = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status.in_(allowed))
        .values(decided_at=utcnow(), decided_by_id=user.id if user is not None else None, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise AlreadyDecided(registration.id)
    db.session.refresh(registration)
    audit.record("update", registration, ["status", *sorted(values)])


def approve_registration(registration: Registration, user) -> Person:
    """Make the registrant a current resource person of the network: the person is created, or the
    registry's person with the same e-mail is updated; an account is created with a set-password
    mail when there is none. Raises AlreadyDecided unless the registration awaits the coordinator."""
    _decide(registration, (RegistrationStatus.AWAITING_COORDINATOR,), user, status=RegistrationStatus.APPROVED)
    workplace = registration.workplace
    if workplace is None and workplace_is_new(registration):
        organisation = db.session.get(Organisation, registration.new_workplace_organisation_id)
        if organisation is not None:
            workplace = registry_services.get_or_create_workplace(
                organisation, registration.new_workplace_name, registration.new_workplace_sector
            )
            registration.workplace = workplace
    manager = registry_services.resolve_manager(registration.manager_email, registration.manager_name)
    person = queries.existing_person(registration)
    data = registry_services.PersonData(
        first_name=registration.first_name, last_name=registration.last_name, email=registration.email,
        phone=registration.phone, profession=registration.profession, workplace=workplace, manager=manager,
        position_percent=registration.position_percent, public_consent=registration.public_consent,
    )
    if person is None:
        person = registry_services.create_person(data, network=registration.network)
    else:
        # Keep what the registry knows where the registration left a field empty.
        data.email = person.email or registration.email
        data.phone = data.phone or person.phone
        data.position_percent = data.position_percent if data.position_percent is not None else person.position_percent
        if manager is not None and manager.id == person.id:
            data.manager = person.manager
        registry_services.update_person(person, data)
        if person.status == PersonStatus.LEFT:
            registry_services.reactivate_person(person)
        registry_services.add_membership(person, registration.network, MembershipRole.RESOURCE_PERSON)
    registration.person = person

    new_account = False
    account = db.session.scalar(select(User).where(User.person_id == person.id))
    if account is None:
        account = auth_services.find_user(registration.email)
        if account is None:
            new_account = True
        elif account.person_id is None:
            account.person = person
        # else: the address is another person's login; the coordinator can sort that out by merging.
    enqueue_template(
        registration.email, _("Du er med i %(network)s", network=registration.network.display_name),
        "joining/emails/approved", registration=registration, network=registration.network,
        new_account=new_account, login_link=absolute_url("auth.login"),
    )
    if new_account:
        account = auth_services.create_user(registration.email, person=person)
        auth_services.send_set_password_mail(account)
    db.session.flush()
    log.info("registration %s approved by user %s: person %s", registration.id, getattr(user, "id", None), person.id)
    return person


def reject_registration(registration: Registration, user, reason: str) -> None:
    """Refuse a pending registration with a reason that is e-mailed to the registrant."""
    reason = reason.strip()
    _decide(registration, PENDING, user, status=RegistrationStatus.REJECTED, reject_reason=reason)
    enqueue_template(
        registration.email, _("Søknaden din til %(network)s", network=registration.network.display_name),
        "joining/emails/rejected", registration=registration, network=registration.network, reason=reason,
    )
    log.info("registration %s rejected by user %s", registration.id, getattr(user, "id", None))


# ---------------------------------------------------------------- invitations

class InvitationUsed(Exception):
    """The invitation was used (or expired) between showing the form and submitting it."""


def create_invitations(network: Network, addresses: list[str], message: str, user) -> tuple[list[str], list[str]]:
    """Invite each address to register for the network; addresses of current members and of
    pending registrations are skipped. Returns (invited, skipped)."""
    invited, skipped = [], []
    ttl = timedelta(days=current_app.config["TOKEN_TTL_DAYS_INVITATION"])
    message = (message or "").strip()
    for address in addresses:
        if queries.is_current_member(network, address) or queries.has_pending_registration(network, address):
            skipped.append(address)
            continue
        token, token_hash = _new_token()
        invitation = Invitation(
            network=network, email=address, token_hash=token_hash, invited_by_id=getattr(user, "id", None),
            message=message, expires_at=utcnow() + ttl,
        )
        db.session.add(invitation)
        db.session.flush()
        enqueue_template(
            address, _("Invitasjon til %(network)s", network=network.display_name), "joining/emails/invitation",
            network=network, message=message, link=absolute_url("joining.accept_invitation", token=token),
            inviter=getattr(user, "display_name", ""), days=ttl.days,
        )
        invited.append(address)
    log.info("user %s invited %d to network %s", getattr(user, "id", None), len(invited), network.slug)
    return invited, skipped


def use_invitation(invitation: Invitation) -> None:
    now = utcnow()
    changed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None), Invitation.expires_at >= now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise InvitationUsed(invitation.id)
