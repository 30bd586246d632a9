"""Privacy writes and the personal-data download. Functions flush, never commit.

Erasure removes what identifies a person and keeps the anonymous rows reports count: the person
row itself (as "Slettet person"), memberships with their dates, the workplace (and so sector and
municipality), position percentage and the workplace history.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update

from netapp import audit
from netapp.blueprints.auth.services import new_session_token
from netapp.blueprints.privacy import queries
from netapp.blueprints.registry import queries as registry_queries
from netapp.blueprints.registry import services as registry_services
from netapp.blueprints.registry.forms import role_labels, sector_labels
from netapp.blueprints.registry.models import (
    Assignment,
    Membership,
    OrganisationKind,
    Person,
    PersonStatus,
)
from netapp.blueprints.registry.transfer import escape_formula
from netapp.extensions import db
from netapp.timeutil import format_date, format_datetime, today_oslo, utcnow

log = logging.getLogger(__name__)

# Stored, not translated: the registry shows the same neutral name in every language.
ERASED_FIRST_NAME = "Slettet"
ERASED_LAST_NAME = "person"
ERASED_ACCOUNT_DOMAIN = "slettet.invalid"
UPCOMING_MONTHS = 3
ERASE_BATCH = 200


# ---------------------------------------------------------------- dates

def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier); the 31st becomes the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class RetentionWindow:
    today: date
    months: int
    cutoff: date  # who left on or before this day is due now
    upcoming_until: date  # who left on or before this day is due within UPCOMING_MONTHS

    def due_on(self, left_on: date) -> date:
        return add_months(left_on, self.months)


def retention_window(today: date | None = None) -> RetentionWindow:
    today = today or today_oslo()
    months = int(current_app.config.get("RETENTION_MONTHS_AFTER_LEFT", 24))
    return RetentionWindow(
        today=today, months=months, cutoff=add_months(today, -months),
        upcoming_until=add_months(add_months(today, UPCOMING_MONTHS), -months),
    )


# ---------------------------------------------------------------- consent

def withdraw_consent(person: Person) -> bool:
    """No longer listed on any public page. True when something changed."""
    if not person.public_consent:
        return False
    person.public_consent = False
    db.session.flush()
    log.info("person %s withdrew consent to public listing", person.id)
    return True


# ---------------------------------------------------------------- erasure

def _addresses(person: Person, user) -> set[str]:
    found = {person.email_normalized, registry_services.normalize(person.email)}
    if user is not None:
        found.add(user.email.lower())
    return {a for a in found if a}


def erase_person(person: Person, *, on: date | None = None) -> None:
    """Remove the personal data of a person; keep the anonymous rows that reports count.

    A current member is first registered as having left today (memberships end, account closes).
    Registrations made from the person's addresses are anonymised (pending ones are closed as
    rejected), as are invitations to them; mail to them in the outbox, their one-time tokens and
    failed-login records are removed; the account is disabled, detached and stripped of its address.
    Registrations for events that have not begun are removed; past ones stay, so attendance counts
    hold.
    """
    from netapp.blueprints.auth.models import LoginAttempt, OneTimeToken, User
    from netapp.blueprints.gatherings.models import Event, EventRegistration
    from netapp.blueprints.joining.models import Invitation, Registration, RegistrationStatus
    from netapp.mail import OutboxMessage, OutboxStatus

    if person.status == PersonStatus.ERASED:
        return
    on = on or today_oslo()
    now = utcnow()
    user = db.session.scalar(select(User).where(User.person_id == person.id))
    addresses = sorted(_addresses(person, user))

    if person.status == PersonStatus.ACTIVE:
        registry_services.deactivate_person(person, on)
    db.session.execute(
        update(Membership).where(Membership.person_id == person.id, Membership.end_date.is_(None))
        .values(end_date=person.left_on or on)
    )
    db.session.execute(delete(EventRegistration).where(
        EventRegistration.person_id == person.id,
        EventRegistration.event_id.in_(select(Event.id).where(Event.starts_at > now)),
    ))
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

    theirs = [Registration.person_id == person.id]
    if addresses:
        theirs.append(func.lower(Registration.email).in_(addresses))
    pending = [RegistrationStatus.AWAITING_MANAGER, RegistrationStatus.AWAITING_COORDINATOR]
    db.session.execute(
        update(Registration).where(or_(*theirs), Registration.status.in_(pending))
        .values(status=RegistrationStatus.REJECTED, decided_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(Registration).where(or_(*theirs)).values(
            first_name=ERASED_FIRST_NAME, last_name=ERASED_LAST_NAME, email="", phone="", profession="",
            manager_name="", manager_email="", manager_token_hash=None, reject_reason="", public_consent=False,
        ),
        execution_options={"synchronize_session": False},
    )
    if addresses:
        # Named as the manager in a registration already decided: nothing waits for them there.
        db.session.execute(
            update(Registration).where(
                func.lower(Registration.manager_email).in_(addresses), Registration.status.not_in(pending),
            ).values(manager_name="", manager_email=""),
            execution_options={"synchronize_session": False},
        )
        db.session.execute(
            update(Invitation).where(func.lower(Invitation.email).in_(addresses))
            .values(email="", message="", used_at=func.coalesce(Invitation.used_at, now)),
            execution_options={"synchronize_session": False},
        )
        # A message in flight belongs to the sender; the next run finds nothing more to send them.
        db.session.execute(
            delete(OutboxMessage).where(
                func.lower(OutboxMessage.to_address).in_(addresses), OutboxMessage.status != OutboxStatus.SENDING,
            ),
            execution_options={"synchronize_session": False},
        )
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.email.in_(addresses)),
                           execution_options={"synchronize_session": False})

    if user is not None:
        db.session.execute(delete(OneTimeToken).where(OneTimeToken.user_id == user.id),
                           execution_options={"synchronize_session": False})
        # Disabled and detached rather than deleted: rows elsewhere may still point at the account.
        user.email = f"slettet-{user.id}@{ERASED_ACCOUNT_DOMAIN}"
        user.password_hash = None
        user.person_id = None
        user.is_enabled = False
        user.is_admin = False
        user.language = None
        user.last_login_on = None
        user.session_token = new_session_token()
    db.session.flush()
    audit.record("erase", person)
    log.info("person %s erased", person.id)


def erase_due(visible_clause, window: RetentionWindow | None = None, *, limit: int | None = None) -> int:
    """Erase the persons whose retention period has ended, among those `visible_clause` admits.
    Returns how many were erased; with `limit`, at most that many (the job commits per batch)."""
    window = window or retention_window()
    erased = 0
    while limit is None or erased < limit:
        batch = ERASE_BATCH if limit is None else min(ERASE_BATCH, limit - erased)
        ids = queries.due_ids(visible_clause, window.cutoff, batch)
        if not ids:
            break
        for person in db.session.scalars(select(Person).where(Person.id.in_(ids))):
            erase_person(person, on=window.today)
            erased += 1
    return erased


# ---------------------------------------------------------------- the personal-data download

def _org_kind_labels() -> dict[str, str]:
    return {
        OrganisationKind.MUNICIPALITY.value: _("Kommune"),
        OrganisationKind.HOSPITAL_DEPARTMENT.value: _("Sykehusavdeling"),
        OrganisationKind.NGO.value: _("Frivillig organisasjon"),
        OrganisationKind.OTHER.value: _("Annen"),
    }


def _value_labels() -> dict[str, dict[str, str]]:
    """Readable words for the coded values, used in the CSV file."""
    return {
        "role": {role.value: str(label) for role, label in role_labels().items()},
        "sector": {sector.value: str(label) for sector, label in sector_labels().items()},
        "organisation_kind": _org_kind_labels(),
        "action": {"create": _("laget"), "update": _("endret"), "delete": _("slettet"),
                   "erase": _("slettet personopplysninger")},
        "status": {
            "active": _("Aktiv"), "left": _("Sluttet"), "erased": _("Slettet"),
            "awaiting_manager": _("Venter på leder"), "awaiting_coordinator": _("Venter på koordinator"),
            "approved": _("Godkjent"), "rejected": _("Avvist"),
            "queued": _("I kø"), "sending": _("Sendes"), "sent": _("Sendt"), "failed": _("Feilet"),
        },
    }


def section_labels() -> dict[str, str]:
    return {
        "account": _("Konto"),
        "person": _("Person"),
        "memberships": _("Medlemskap"),
        "history": _("Historikk: arbeidssted og leder"),
        "workplaces_led": _("Arbeidssteder du leder"),
        "event_registrations": _("Påmeldinger til arrangementer"),
        "questionnaires_answered": _("Evalueringer du har svart på (svarene er anonyme og lagres uten navn)"),
        "registrations": _("Påmeldinger"),
        "invitations": _("Invitasjoner"),
        "emails": _("E-post sendt til deg"),
        "changes": _("Endringer du har gjort"),
    }


def field_labels() -> dict[str, str]:
    return {
        "email": _("E-post"), "language": _("Språk"), "is_admin": _("Administrator"),
        "created_at": _("Opprettet"), "last_login_on": _("Sist innlogget"),
        "id": _("Nummer"), "first_name": _("Fornavn"), "last_name": _("Etternavn"), "phone": _("Telefon"),
        "profession": _("Yrke"), "workplace": _("Arbeidssted"), "organisation": _("Organisasjon"),
        "organisation_kind": _("Type organisasjon"), "municipality_number": _("Kommunenummer"),
        "sector": _("Sektor"), "manager": _("Leder"), "position_percent": _("Stillingsprosent"),
        "public_consent": _("Samtykke til offentlig oppføring"), "is_manager": _("Registrert som leder"),
        "status": _("Status"), "active_from": _("Aktiv fra"), "left_on": _("Sluttet"),
        "updated_at": _("Sist endret"), "network": _("Nettverk"), "role": _("Rolle"),
        "start_date": _("Fra"), "end_date": _("Til"), "valid_from": _("Fra"), "valid_to": _("Til"),
        "name": _("Navn"), "manager_name": _("Leders navn"), "manager_email": _("Leders e-post"),
        "manager_confirmed_at": _("Bekreftet av leder"), "decided_at": _("Avgjort"),
        "reject_reason": _("Begrunnelse for avslag"), "used_at": _("Brukt"), "subject": _("Emne"),
        "sent_at": _("Sendt"), "action": _("Handling"), "object_type": _("Type"), "object_id": _("Nummer"),
        "fields": _("Felt"), "event": _("Arrangement"), "starts_at": _("Starter"),
        "registered_at": _("Påmeldt"), "attended": _("Møtte"), "questionnaire": _("Spørreskjema"),
    }


def _workplace_fields(workplace) -> dict:
    if workplace is None:
        return {"workplace": None, "organisation": None, "organisation_kind": None,
                "municipality_number": None, "sector": None}
    org = workplace.organisation
    return {"workplace": workplace.name, "organisation": org.name, "organisation_kind": org.kind,
            "municipality_number": org.municipality_number, "sector": workplace.sector}


def personal_data(user) -> dict:
    """Everything the registry holds about the logged-in account and its person, never anyone
    else's record and never the password hash. Values are Python values; see to_json/to_csv."""
    person = user.person
    addresses = {user.email.lower()}
    if person is not None:
        addresses |= {a for a in (person.email_normalized,) if a}
    data: dict = {
        "account": {
            "email": user.email, "language": user.language, "is_admin": user.is_admin,
            "created_at": user.created_at, "last_login_on": user.last_login_on,
        },
        "person": None, "memberships": [], "history": [], "workplaces_led": [],
        "event_registrations": [], "questionnaires_answered": [],
    }
    if person is not None:
        data["person"] = {
            "id": person.id, "first_name": person.first_name, "last_name": person.last_name,
            "email": person.email, "phone": person.phone, "profession": person.profession,
            **_workplace_fields(person.workplace),
            "manager": person.manager.full_name if person.manager else None,
            "position_percent": person.position_percent, "public_consent": person.public_consent,
            "is_manager": person.is_manager, "status": person.status, "active_from": person.active_from,
            "left_on": person.left_on, "created_at": person.created_at, "updated_at": person.updated_at,
        }
        data["memberships"] = [
            {"network": m.network.name, "role": m.role, "start_date": m.start_date, "end_date": m.end_date}
            for m in registry_queries.memberships_of(person.id)
        ]
        data["history"] = [
            {"valid_from": a.valid_from, "valid_to": a.valid_to,
             "workplace": a.workplace.name if a.workplace else None,
             "organisation": a.workplace.organisation.name if a.workplace else None,
             "manager": a.manager.full_name if a.manager else None}
            for a in registry_queries.history_of(person.id)
        ]
        data["workplaces_led"] = [
            {"workplace": w.name, "organisation": w.organisation.name} for w in queries.workplaces_led_by(person.id)
        ]
        data["event_registrations"] = [
            {"event": title, "network": network, "starts_at": starts_at, "registered_at": registered_at,
             "attended": attended}
            for title, network, starts_at, registered_at, attended in queries.event_registrations_of(person.id)
        ]
        data["questionnaires_answered"] = [
            {"questionnaire": title, "network": network}
            for title, network in queries.questionnaires_answered_by(person.id)
        ]
    data["registrations"] = [
        {"network": r.network.name, "status": r.status, "created_at": r.created_at,
         "first_name": r.first_name, "last_name": r.last_name, "email": r.email, "phone": r.phone,
         "profession": r.profession,
         "workplace": r.workplace.label if r.workplace else (r.new_workplace_name or None),
         "position_percent": r.position_percent, "public_consent": r.public_consent,
         "manager_name": r.manager_name, "manager_email": r.manager_email,
         "manager_confirmed_at": r.manager_confirmed_at, "decided_at": r.decided_at,
         "reject_reason": r.reject_reason}
        for r in queries.registrations_of(person.id if person else None, addresses)
    ]
    data["invitations"] = [
        {"network": i.network.name, "email": i.email, "created_at": i.created_at, "used_at": i.used_at}
        for i in queries.invitations_to(addresses)
    ]
    data["emails"] = [
        {"subject": m.subject, "email": m.to_address, "status": m.status, "created_at": m.created_at,
         "sent_at": m.sent_at}
        for m in queries.messages_to(addresses)
    ]
    data["changes"] = [
        {"created_at": e.created_at, "action": e.action, "object_type": e.object_type, "object_id": e.object_id,
         "fields": e.fields}
        for e in queries.changes_by(user.id)
    ]
    return data


def _json_value(value):
    """Dates for json.dumps; enums are str and need nothing."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).isoformat()  # stored as naive UTC
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def to_json(data: dict, exported_at: datetime | None = None) -> bytes:
    document = {
        "format": "netapp-personal-data/1",
        "exported_at": _json_value(exported_at or utcnow()),
        **data,
    }
    return json.dumps(document, default=_json_value, ensure_ascii=False, indent=2).encode("utf-8")


def _csv_value(key: str, value, values: dict[str, dict[str, str]]) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Ja") if value else _("Nei")
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    text = str(value)  # enums are StrEnum: their stored value
    return values.get(key, {}).get(text, text)


def _rows(data: dict) -> Iterable[tuple[str, str, str, str]]:
    sections = section_labels()
    fields = field_labels()
    values = _value_labels()
    for key, label in sections.items():
        content = data.get(key)
        if content is None or content == []:
            continue
        records = [content] if isinstance(content, dict) else content
        numbered = isinstance(content, list)
        for n, record in enumerate(records, start=1):
            for field, value in record.items():
                yield label, str(n) if numbered else "", fields.get(field, field), _csv_value(field, value, values)


def to_csv(data: dict) -> bytes:
    """One row per value: section; number within the section; field; value. Semicolon-separated
    UTF-8 with a BOM, as Excel in Norway opens it; a value that a spreadsheet would run as a
    formula gets a leading '."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Del"), _("Nr."), _("Felt"), _("Verdi")])
    for row in _rows(data):
        writer.writerow([escape_formula(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_filename(fmt: str, today: date | None = None) -> str:
    return f"mine-data-{(today or today_oslo()).isoformat()}.{fmt}"

