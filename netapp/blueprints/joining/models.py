"""Registrations as resource person and the invitations coordinators send."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from netapp import audit, person_hooks
from netapp.blueprints.registry.models import Network, Organisation, Person, Sector, Workplace
from netapp.dbtypes import enum_type
from netapp.extensions import db
from netapp.timeutil import utcnow


class RegistrationStatus(enum.StrEnum):
    AWAITING_MANAGER = "awaiting_manager"
    AWAITING_COORDINATOR = "awaiting_coordinator"
    APPROVED = "approved"
    REJECTED = "rejected"


PENDING = (RegistrationStatus.AWAITING_MANAGER, RegistrationStatus.AWAITING_COORDINATOR)  # not decided yet


def status_labels():
    return {
        RegistrationStatus.AWAITING_MANAGER: _l("Venter på leder"),
        RegistrationStatus.AWAITING_COORDINATOR: _l("Venter på koordinator"),
        RegistrationStatus.APPROVED: _l("Godkjent"),
        RegistrationStatus.REJECTED: _l("Avvist"),
    }


@person_hooks.personal_data
@audit.track
class Invitation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    network: Mapped[Network] = relationship()

    def __repr__(self) -> str:
        return f"<Invitation {self.email} network={self.network_id}>"


@person_hooks.personal_data
@audit.track
class Registration(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_type(RegistrationStatus, "registration_status"), default=RegistrationStatus.AWAITING_MANAGER, index=True
    )
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    profession: Mapped[str] = mapped_column(String(100), default="")
    workplace_id: Mapped[int | None] = mapped_column(ForeignKey("workplace.id"))
    # A workplace not yet in the registry: created on approval.
    new_workplace_name: Mapped[str] = mapped_column(String(200), default="")
    new_workplace_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    new_workplace_sector: Mapped[Sector | None] = mapped_column(enum_type(Sector, "sector"))
    position_percent: Mapped[int | None] = mapped_column(Integer)
    public_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    manager_name: Mapped[str] = mapped_column(String(200), default="")
    manager_email: Mapped[str] = mapped_column(String(254))
    manager_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    manager_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    network: Mapped[Network] = relationship()
    workplace: Mapped[Workplace | None] = relationship()
    new_workplace_organisation: Mapped[Organisation | None] = relationship()
    person: Mapped[Person | None] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __repr__(self) -> str:
        return f"<Registration {self.email} {self.status}>"
