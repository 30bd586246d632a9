"""The registry: networks, organisations, workplaces, persons and their memberships."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from netapp import audit, cache, person_hooks
from netapp.dbtypes import enum_type
from netapp.extensions import db
from netapp.timeutil import utcnow
from netapp.versioning import Versioned


class OrganisationKind(enum.StrEnum):
    MUNICIPALITY = "municipality"
    HOSPITAL_DEPARTMENT = "hospital_department"
    NGO = "ngo"
    OTHER = "other"


class Sector(enum.StrEnum):
    HEALTH_CARE = "health_care"
    EDUCATION = "education"
    SPECIALIST = "specialist"
    VOLUNTARY = "voluntary"


class PersonStatus(enum.StrEnum):
    ACTIVE = "active"
    LEFT = "left"
    ERASED = "erased"


class MembershipRole(enum.StrEnum):
    RESOURCE_PERSON = "resource_person"
    WORKING_GROUP = "working_group"
    COORDINATOR = "coordinator"


def organisation_kind_labels():
    return {
        OrganisationKind.MUNICIPALITY: _l("Kommune"),
        OrganisationKind.HOSPITAL_DEPARTMENT: _l("Sykehusavdeling"),
        OrganisationKind.NGO: _l("Frivillig organisasjon"),
        OrganisationKind.OTHER: _l("Annen"),
    }


def sector_labels():
    return {
        Sector.HEALTH_CARE: _l("Helse og omsorg"),
        Sector.EDUCATION: _l("Oppvekst og utdanning"),
        Sector.SPECIALIST: _l("Spesialisthelsetjenesten"),
        Sector.VOLUNTARY: _l("Frivillig sektor"),
    }


def status_labels():
    return {PersonStatus.ACTIVE: _l("Aktiv"), PersonStatus.LEFT: _l("Sluttet"), PersonStatus.ERASED: _l("Slettet")}


def role_labels():
    return {
        MembershipRole.RESOURCE_PERSON: _l("Ressursperson"),
        MembershipRole.WORKING_GROUP: _l("Arbeidsgruppe"),
        MembershipRole.COORDINATOR: _l("Koordinator"),
    }


class County(db.Model):
    """A county (fylke) in Statistics Norway's classification; reference data, loaded by
    ``flask --app wsgi reference load`` (registry/reference.py). A county that is no longer in
    force keeps its row with ``valid_to`` set, so nothing that refers to it is lost."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    valid_to: Mapped[date | None] = mapped_column(Date)

    municipalities: Mapped[list[Organisation]] = relationship(
        back_populates="county", order_by="Organisation.municipality_number"
    )

    def __repr__(self) -> str:
        return f"<County {self.number} {self.name}>"


class ReferenceRevision(db.Model):
    """Which revision of a reference data set (``municipalities``) this installation holds."""

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    revision: Mapped[str] = mapped_column(String(40))
    loaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


network_region = Table(
    "network_region",
    db.metadata,
    Column("network_id", ForeignKey("network.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
)


@audit.track
class Network(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(80), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str | None] = mapped_column(String(254))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # The network's look: a logo (PNG, or SVG sanitised on upload) and a colour "#1f5c99".
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_type: Mapped[str | None] = mapped_column(String(40))
    logo_hash: Mapped[str | None] = mapped_column(String(16))
    colour: Mapped[str | None] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    region: Mapped[list[Organisation]] = relationship(secondary=network_region, order_by="Organisation.name")
    memberships: Mapped[list[Membership]] = relationship(back_populates="network")

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def __repr__(self) -> str:
        return f"<Network {self.slug}>"


@audit.track
class Organisation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_type(OrganisationKind, "organisation_kind"))
    name: Mapped[str] = mapped_column(String(200), unique=True)
    municipality_number: Mapped[str | None] = mapped_column(String(4), unique=True)
    # A municipality's county (reference data).
    county_id: Mapped[int | None] = mapped_column(ForeignKey("county.id"), index=True)
    # Where an organisation that is not a municipality (a hospital department, an NGO) is.
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    # A municipality no longer in Statistics Norway's classification in force keeps its row.
    valid_to: Mapped[date | None] = mapped_column(Date)

    county: Mapped[County | None] = relationship(back_populates="municipalities")
    municipality: Mapped[Organisation | None] = relationship(remote_side=[id], foreign_keys=[municipality_id])
    workplaces: Mapped[list[Workplace]] = relationship(back_populates="organisation", order_by="Workplace.name")

    def __repr__(self) -> str:
        return f"<Organisation {self.name}>"


@audit.track
class Workplace(Versioned, db.Model):
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # None until a coordinator completes a workplace created by an import.
    sector: Mapped[Sector | None] = mapped_column(enum_type(Sector, "sector"))
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", use_alter=True), index=True)

    organisation: Mapped[Organisation] = relationship(back_populates="workplaces")
    leader: Mapped[Person | None] = relationship(foreign_keys=[leader_id], post_update=True)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.organisation.name})"

    def __repr__(self) -> str:
        return f"<Workplace {self.name}>"


@audit.track
class Person(Versioned, db.Model):
    # The registry's default order (last name, first name) served by an index.
    __table_args__ = (Index("ix_person_sort_name", "last_name", "first_name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    # Lower-cased copy: uniqueness regardless of letter case, on SQLite and PostgreSQL alike.
    email_normalized: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    profession: Mapped[str] = mapped_column(String(100), default="", index=True)
    # Lower-cased name, e-mail and profession, kept by an ORM event: search scans one column.
    search_text: Mapped[str] = mapped_column(String(500), default="")
    workplace_id: Mapped[int | None] = mapped_column(ForeignKey("workplace.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    position_percent: Mapped[int | None] = mapped_column(Integer)
    public_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    is_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[PersonStatus] = mapped_column(enum_type(PersonStatus, "person_status"), default=PersonStatus.ACTIVE, index=True)
    active_from: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    workplace: Mapped[Workplace | None] = relationship(foreign_keys=[workplace_id])
    manager: Mapped[Person | None] = relationship(remote_side=[id], foreign_keys=[manager_id])
    memberships: Mapped[list[Membership]] = relationship(back_populates="person", cascade="all, delete-orphan")
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Assignment.valid_from",
        foreign_keys="Assignment.person_id",
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def sort_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.full_name}>"


def person_search_text(first_name, last_name, email, profession) -> str:
    return " ".join(part for part in (first_name, last_name, email, profession) if part).lower()[:500]


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _keep_search_text(mapper, connection, person: Person) -> None:
    person.search_text = person_search_text(person.first_name, person.last_name, person.email, person.profession)


class Assignment(db.Model):
    """A period with one workplace and one manager, so reports can look at a past period."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    workplace_id: Mapped[int | None] = mapped_column(ForeignKey("workplace.id"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="assignments", foreign_keys=[person_id])
    workplace: Mapped[Workplace | None] = relationship()
    manager: Mapped[Person | None] = relationship(foreign_keys=[manager_id])

    def __repr__(self) -> str:
        return f"<Assignment person={self.person_id} {self.valid_from}..{self.valid_to}>"


@audit.track
class Membership(db.Model):
    __table_args__ = (UniqueConstraint("person_id", "network_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    role: Mapped[MembershipRole] = mapped_column(enum_type(MembershipRole, "membership_role"))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="memberships")
    network: Mapped[Network] = relationship(back_populates="memberships")

    @property
    def is_current(self) -> bool:
        return self.end_date is None

    def __repr__(self) -> str:
        return f"<Membership {self.person_id}@{self.network_id} {self.role}>"



@person_hooks.personal_data
@cache.bookkeeping
class ImportUpload(db.Model):
    """A file kept between the import preview and its confirmation, so any worker can finish it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    network_id: Mapped[int | None] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    network: Mapped[Network | None] = relationship()

    def __repr__(self) -> str:
        return f"<ImportUpload {self.id} {self.filename}>"
