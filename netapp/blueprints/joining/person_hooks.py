"""Joining's rows about a person: registrations as resource person (made by them, or naming them as
manager) and invitations sent to their address."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload

from netapp.blueprints.joining.models import (
    PENDING,
    Invitation,
    Registration,
    RegistrationStatus,
    status_labels,
)
from netapp.blueprints.registry.models import Workplace
from netapp.extensions import db
from netapp.person_hooks import Section, Subject

TABLES = ("registration", "invitation")

ERASED_FIRST_NAME = "Slettet"  # stored, not translated, as the registry's erased person
ERASED_LAST_NAME = "person"


def merge(keep, duplicate) -> None:
    """Registrations linked to the duplicate are the kept person's; invitations follow addresses."""
    db.session.execute(update(Registration).where(Registration.person_id == duplicate.id).values(person_id=keep.id))


def _theirs(subject: Subject):
    conditions = []
    if subject.person is not None:
        conditions.append(Registration.person_id == subject.person.id)
    if subject.addresses:
        conditions.append(func.lower(Registration.email).in_(sorted(subject.addresses)))
    return or_(*conditions) if conditions else None


def erase(subject: Subject) -> None:
    """Registrations made by the person are anonymised (pending ones closed as rejected); where
    they are named as the manager of a decided registration, their name and address go; invitations
    to them are emptied and marked used."""
    now = subject.now
    addresses = sorted(subject.addresses)
    theirs = _theirs(subject)
    db.session.execute(
        update(Registration).where(theirs, Registration.status.in_(PENDING))
        .values(status=RegistrationStatus.REJECTED, decided_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(Registration).where(theirs).values(
            first_name=ERASED_FIRST_NAME, last_name=ERASED_LAST_NAME, email="", phone="", profession="",
            manager_name="", manager_email="", manager_token_hash=None, reject_reason="", public_consent=False,
        ),
        execution_options={"synchronize_session": False},
    )
    if not addresses:
        return
    # Named as the manager in a registration already decided: nothing waits for them there.
    db.session.execute(
        update(Registration).where(
            func.lower(Registration.manager_email).in_(addresses), Registration.status.not_in(PENDING),
        ).values(manager_name="", manager_email=""),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(Invitation).where(func.lower(Invitation.email).in_(addresses))
        .values(email="", message="", used_at=func.coalesce(Invitation.used_at, now)),
        execution_options={"synchronize_session": False},
    )


def _status_labels() -> dict[str, str]:
    return {status.value: str(label) for status, label in status_labels().items()}


def download(subject: Subject) -> list[Section]:
    """Registrations made by the person (linked to them, or sent from one of their addresses) and
    invitations sent to their addresses."""
    theirs = _theirs(subject)
    registrations = [] if theirs is None else db.session.scalars(
        select(Registration)
        .options(joinedload(Registration.network), joinedload(Registration.workplace).joinedload(Workplace.organisation))
        .where(theirs)
        .order_by(Registration.created_at, Registration.id)
    )
    invitations = [] if not subject.addresses else db.session.scalars(
        select(Invitation).options(joinedload(Invitation.network))
        .where(func.lower(Invitation.email).in_(sorted(subject.addresses)))
        .order_by(Invitation.created_at, Invitation.id)
    )
    return [
        Section(
            "registrations", _("Søknader om å bli med"), [
                {"network": r.network.name, "status": r.status, "created_at": r.created_at,
                 "first_name": r.first_name, "last_name": r.last_name, "email": r.email, "phone": r.phone,
                 "profession": r.profession,
                 "workplace": r.workplace.label if r.workplace else (r.new_workplace_name or None),
                 "position_percent": r.position_percent, "public_consent": r.public_consent,
                 "manager_name": r.manager_name, "manager_email": r.manager_email,
                 "manager_confirmed_at": r.manager_confirmed_at, "decided_at": r.decided_at,
                 "reject_reason": r.reject_reason}
                for r in registrations
            ], order=80,
            fields={"network": _("Nettverk"), "status": _("Status"), "created_at": _("Opprettet"),
                    "first_name": _("Fornavn"), "last_name": _("Etternavn"), "email": _("E-post"),
                    "phone": _("Telefon"), "profession": _("Yrke"), "workplace": _("Arbeidssted"),
                    "position_percent": _("Stillingsprosent"),
                    "public_consent": _("Samtykke til offentlig oppføring"), "manager_name": _("Leders navn"),
                    "manager_email": _("Leders e-post"), "manager_confirmed_at": _("Bekreftet av leder"),
                    "decided_at": _("Avgjort"), "reject_reason": _("Begrunnelse for avslag")},
            values={"status": _status_labels()},
        ),
        Section(
            "invitations", _("Invitasjoner"), [
                {"network": i.network.name, "email": i.email, "created_at": i.created_at, "used_at": i.used_at}
                for i in invitations
            ], order=90,
            fields={"network": _("Nettverk"), "email": _("E-post"), "created_at": _("Opprettet"),
                    "used_at": _("Brukt")},
        ),
    ]
