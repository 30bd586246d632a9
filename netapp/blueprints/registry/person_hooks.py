"""The registry's rows about a person: the person row itself, memberships, workplace and manager
history, the staff they manage and the workplaces they lead; and import uploads, files with
persons' data kept between an import's preview and its confirmation."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from netapp.blueprints.registry import queries, services
from netapp.blueprints.registry.models import (
    Assignment,
    Membership,
    Person,
    PersonStatus,
    Workplace,
    organisation_kind_labels,
    role_labels,
    sector_labels,
    status_labels,
)
from netapp.extensions import db
from netapp.person_hooks import Section, Subject

TABLES = ("person", "membership", "assignment", "workplace", "import_upload")

# Stored, not translated: the registry shows the same neutral name in every language.
ERASED_FIRST_NAME = "Slettet"
ERASED_LAST_NAME = "person"


def addresses(subject: Subject) -> set[str]:
    person = subject.person
    if person is None:
        return set()
    return {a for a in (person.email_normalized, services.normalize(person.email)) if a}


# ---------------------------------------------------------------- merge

def _fill_blanks(keep: Person, duplicate: Person) -> None:
    """Blank fields of `keep` are filled from the duplicate (the e-mail address by merge_persons,
    once the duplicate is gone)."""
    for name in ("phone", "profession"):
        if not getattr(keep, name) and getattr(duplicate, name):
            setattr(keep, name, getattr(duplicate, name))
    for name in ("workplace_id", "manager_id", "position_percent", "active_from"):
        if getattr(keep, name) is None and getattr(duplicate, name) is not None:
            setattr(keep, name, getattr(duplicate, name))
    if keep.manager_id == keep.id:
        keep.manager_id = None
    keep.public_consent = keep.public_consent or duplicate.public_consent
    keep.is_manager = keep.is_manager or duplicate.is_manager


def _merge_memberships(keep: Person, duplicate: Person) -> None:
    """One membership per network and role, open if either was, from the earlier start."""
    existing = {(m.network_id, m.role) for m in keep.memberships}
    for membership in list(duplicate.memberships):
        if (membership.network_id, membership.role) in existing:
            mine = next(m for m in keep.memberships if (m.network_id, m.role) == (membership.network_id, membership.role))
            if membership.end_date is None:
                mine.end_date = None
            if membership.start_date and (mine.start_date is None or membership.start_date < mine.start_date):
                mine.start_date = membership.start_date
            duplicate.memberships.remove(membership)
        else:
            membership.person = keep
    db.session.flush()


def merge(keep: Person, duplicate: Person) -> None:
    """Memberships, history, staff and leadership move to `keep`; an active duplicate makes the
    kept person active."""
    _fill_blanks(keep, duplicate)
    _merge_memberships(keep, duplicate)
    db.session.execute(update(Assignment).where(Assignment.person_id == duplicate.id).values(person_id=keep.id))
    db.session.execute(update(Assignment).where(Assignment.manager_id == duplicate.id).values(manager_id=keep.id))
    db.session.execute(update(Person).where(Person.manager_id == duplicate.id, Person.id != keep.id).values(manager_id=keep.id))
    db.session.execute(update(Workplace).where(Workplace.leader_id == duplicate.id).values(leader_id=keep.id))
    if keep.status != PersonStatus.ACTIVE and duplicate.status == PersonStatus.ACTIVE:
        keep.status, keep.left_on = PersonStatus.ACTIVE, None
    # Import uploads belong to the account that made them, which a merge keeps.


# ---------------------------------------------------------------- erasure

def erase(subject: Subject) -> None:
    """What identifies the person goes; the person row stays (as "Slettet person") with memberships
    and their dates, the workplace (and so sector and municipality), position percentage and the
    workplace periods, which reports count. A current member is first registered as having left.
    Import uploads stay with the coordinator who made them until confirmed or pruned."""
    person, on = subject.person, subject.on
    if person.status == PersonStatus.ACTIVE:
        services.deactivate_person(person, on)
    db.session.execute(
        update(Membership).where(Membership.person_id == person.id, Membership.end_date.is_(None))
        .values(end_date=person.left_on or on)
    )
    person.left_on = person.left_on or on
    person.first_name = ERASED_FIRST_NAME
    person.last_name = ERASED_LAST_NAME
    person.email = None
    person.email_normalized = None
    person.phone = ""
    person.profession = ""
    person.public_consent = False
    person.is_manager = False
    person.manager = None
    person.status = PersonStatus.ERASED
    # Who their manager was says who they were; the workplace periods stay for reports.
    db.session.execute(update(Assignment).where(Assignment.person_id == person.id).values(manager_id=None))


# ---------------------------------------------------------------- the download

def _words(labels) -> dict[str, str]:
    return {value.value: str(label) for value, label in labels.items()}


def _workplace_fields(workplace) -> dict:
    if workplace is None:
        return {"workplace": None, "organisation": None, "organisation_kind": None,
                "municipality_number": None, "sector": None}
    org = workplace.organisation
    return {"workplace": workplace.name, "organisation": org.name, "organisation_kind": org.kind,
            "municipality_number": org.municipality_number, "sector": workplace.sector}


def _person_record(person: Person | None) -> dict | None:
    if person is None:
        return None
    return {
        "id": person.id, "first_name": person.first_name, "last_name": person.last_name,
        "email": person.email, "phone": person.phone, "profession": person.profession,
        **_workplace_fields(person.workplace),
        "manager": person.manager.full_name if person.manager else None,
        "position_percent": person.position_percent, "public_consent": person.public_consent,
        "is_manager": person.is_manager, "status": person.status, "active_from": person.active_from,
        "left_on": person.left_on, "created_at": person.created_at, "updated_at": person.updated_at,
    }


def download(subject: Subject) -> list[Section]:
    """The person's record (never anyone else's), memberships, history and the workplaces they lead."""
    person = subject.person
    memberships, history, led = [], [], []
    if person is not None:
        memberships = [
            {"network": m.network.name, "role": m.role, "start_date": m.start_date, "end_date": m.end_date}
            for m in queries.memberships_of(person.id)
        ]
        history = [
            {"valid_from": a.valid_from, "valid_to": a.valid_to,
             "workplace": a.workplace.name if a.workplace else None,
             "organisation": a.workplace.organisation.name if a.workplace else None,
             "manager": a.manager.full_name if a.manager else None}
            for a in queries.history_of(person.id)
        ]
        led = [
            {"workplace": w.name, "organisation": w.organisation.name}
            for w in db.session.scalars(
                select(Workplace).options(joinedload(Workplace.organisation))
                .where(Workplace.leader_id == person.id).order_by(Workplace.name))
        ]
    place = {"workplace": _("Arbeidssted"), "organisation": _("Organisasjon")}
    return [
        Section(
            "person", _("Person"), _person_record(person), order=20,
            fields={"id": _("Nummer"), "first_name": _("Fornavn"), "last_name": _("Etternavn"),
                    "email": _("E-post"), "phone": _("Telefon"), "profession": _("Yrke"), **place,
                    "organisation_kind": _("Type organisasjon"), "municipality_number": _("Kommunenummer"),
                    "sector": _("Sektor"), "manager": _("Leder"), "position_percent": _("Stillingsprosent"),
                    "public_consent": _("Samtykke til offentlig oppføring"),
                    "is_manager": _("Registrert som leder"), "status": _("Status"), "active_from": _("Aktiv fra"),
                    "left_on": _("Sluttet"), "created_at": _("Opprettet"), "updated_at": _("Sist endret")},
            values={"sector": _words(sector_labels()), "organisation_kind": _words(organisation_kind_labels()),
                    "status": _words(status_labels())},
        ),
        Section(
            "memberships", _("Medlemskap"), memberships, order=30,
            fields={"network": _("Nettverk"), "role": _("Rolle"), "start_date": _("Fra"), "end_date": _("Til")},
            values={"role": _words(role_labels())},
        ),
        Section(
            "history", _("Historikk: arbeidssted og leder"), history, order=40,
            fields={"valid_from": _("Fra"), "valid_to": _("Til"), **place, "manager": _("Leder")},
        ),
        Section("workplaces_led", _("Arbeidssteder du leder"), led, order=50, fields=place),
    ]
