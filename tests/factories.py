"""Small factories for tests: each makes a valid object with sensible defaults and flushes."""

from __future__ import annotations

import itertools

from netapp.blueprints.auth.services import create_user
from netapp.blueprints.registry import services
from netapp.blueprints.registry.models import (
    County,
    MembershipRole,
    Network,
    OrganisationKind,
    ReferenceRevision,
    Sector,
)
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


def make_county(number: str | None = None, name: str | None = None):
    n = next(_seq)
    county = County(number=number or f"{n % 90 + 10}", name=name or f"Fylke {n}")
    db.session.add(county)
    db.session.flush()
    return county


def make_reference_revision(name: str = "municipalities", revision: str = "2024-01-01"):
    row = ReferenceRevision(name=name, revision=revision)
    db.session.add(row)
    db.session.flush()
    return row


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


def make_event(network: Network, *, days: int = 14, start=(10, 0), end=(15, 0), **fields):
    """An event `days` days from today (negative: in the past), at Oslo wall-clock times."""
    from datetime import time, timedelta

    from netapp.blueprints.gatherings.models import Event, EventKind
    from netapp.timeutil import from_oslo, today_oslo

    day = today_oslo() + timedelta(days=days)
    fields.setdefault("kind", EventKind.GATHERING)
    fields.setdefault("title", f"Arrangement {next(_seq)}")
    event = Event(network=network, starts_at=from_oslo(day, time(*start)), ends_at=from_oslo(day, time(*end)), **fields)
    db.session.add(event)
    db.session.flush()
    return event


def make_event_registration(event, person, *, attended: bool | None = None):
    from netapp.blueprints.gatherings.models import EventRegistration

    registration = EventRegistration(event=event, person=person, attended=attended)
    db.session.add(registration)
    db.session.flush()
    return registration


def make_questionnaire(network: Network, *, questions=None, status=None, event=None, title: str | None = None,
                       standard: bool = False, **fields):
    """A questionnaire with questions: `questions` is a list of (kind, text, required) (default:
    one scale, one yes/no and one text question), or `standard=True` for the standard ones.
    `status` "open" or "closed" also sets opened_at (and closed_at)."""
    from netapp.blueprints.evaluations.models import (
        Question,
        QuestionKind,
        Questionnaire,
        QuestionnaireStatus,
    )
    from netapp.blueprints.evaluations.standard import STANDARD_QUESTIONS
    from netapp.timeutil import utcnow

    if standard:
        questions = [(kind, str(text), required) for kind, text, required in STANDARD_QUESTIONS]
    elif questions is None:
        questions = [(QuestionKind.SCALE, "Hvor nyttig var dagen?", True),
                     (QuestionKind.YES_NO, "Får du tid til å dele kunnskapen?", False),
                     (QuestionKind.TEXT, "Hva bør vi endre?", False)]
    status = QuestionnaireStatus(status or QuestionnaireStatus.DRAFT)
    questionnaire = Questionnaire(network=network, event=event, title=title or f"Spørreskjema {next(_seq)}",
                                  intro=fields.pop("intro", ""), status=status, **fields)
    if status != QuestionnaireStatus.DRAFT:
        questionnaire.opened_at = utcnow()
    if status == QuestionnaireStatus.CLOSED:
        questionnaire.closed_at = utcnow()
    for position, (kind, text, required) in enumerate(questions, start=1):
        questionnaire.questions.append(Question(kind=QuestionKind(kind), text=text, required=required, position=position))
    db.session.add(questionnaire)
    db.session.flush()
    return questionnaire


def make_response(questionnaire, values: dict | None = None, *, person=None, released_on=None):
    """One anonymous response already in the results (as if released): `values` maps a question
    (or its id) to an int (scale, yes 1/no 0) or a str (text). With `person`, also that person's
    receipt."""
    from netapp.blueprints.evaluations.models import Answer, Response, ResponseReceipt
    from netapp.blueprints.evaluations.services import random_id
    from netapp.timeutil import today_oslo

    response = Response(id=random_id(), questionnaire_id=questionnaire.id, released_on=released_on or today_oslo())
    db.session.add(response)
    db.session.flush()
    for question, value in (values or {}).items():
        question_id = question if isinstance(question, int) else question.id
        if isinstance(value, str):
            db.session.add(Answer(response_id=response.id, question_id=question_id, text=value))
        else:
            db.session.add(Answer(response_id=response.id, question_id=question_id, value=value))
    if person is not None:
        db.session.add(ResponseReceipt(id=random_id(), questionnaire_id=questionnaire.id, person_id=person.id))
    db.session.flush()
    return response


def make_membership(person, network: Network, role: MembershipRole = MembershipRole.RESOURCE_PERSON, *,
                    start_date=None, end_date=None):
    """Another membership of a person (make_person gives the first one)."""
    from netapp.blueprints.registry.models import Membership

    membership = Membership(person=person, network=network, role=role, start_date=start_date, end_date=end_date)
    db.session.add(membership)
    db.session.flush()
    return membership


def make_assignment(person, *, workplace=None, manager=None, valid_from=None, valid_to=None):
    """A period of the person's history with one workplace and one manager."""
    from datetime import date

    from netapp.blueprints.registry.models import Assignment

    assignment = Assignment(person=person, workplace=workplace, manager=manager,
                            valid_from=valid_from or date(2024, 1, 1), valid_to=valid_to)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def make_import_upload(content: bytes | None = None, *, filename: str = "personer.csv", network: Network | None = None,
                       user=None):
    """A file kept for the import's confirmation, as the upload form leaves it (its `token` confirms it)."""
    from netapp.blueprints.registry.import_uploads import store_upload

    content = content if content is not None else "Fornavn;Etternavn;E-post\r\nOla;Prøve;ola@test.example\r\n".encode()
    return store_upload(content, filename, network, user)


def make_one_time_token(user=None, purpose: str | None = None, *, hours: int = 1):
    """A valid one-time token of the user's (default: a new account's set-password token); the
    plain token, as e-mailed, is on the row as `token`."""
    from datetime import timedelta

    from sqlalchemy import select

    from netapp.blueprints.auth.models import OneTimeToken
    from netapp.blueprints.auth.services import SET_PASSWORD, hash_token, issue_token

    user = user or make_user()
    token = issue_token(user, purpose or SET_PASSWORD, timedelta(hours=hours))
    row = db.session.scalar(select(OneTimeToken).where(OneTimeToken.token_hash == hash_token(token)))
    row.token = token
    return row


def make_login_attempt(email: str | None = None, ip_address: str = "192.0.2.1", *, created_at=None):
    """A failed login of (email, address), now or at `created_at`."""
    from netapp.blueprints.auth.models import LoginAttempt
    from netapp.timeutil import utcnow

    attempt = LoginAttempt(email=(email or f"user{next(_seq)}@test.example").lower(), ip_address=ip_address,
                           created_at=created_at or utcnow())
    db.session.add(attempt)
    db.session.flush()
    return attempt


def make_invitation(network: Network, email: str | None = None, *, invited_by=None, message: str = "",
                    days: int = 14, used: bool = False):
    """An invitation to join the network, valid for `days` (negative: expired); the plain token,
    as e-mailed, is on the row as `token`."""
    import secrets
    from datetime import timedelta

    from netapp.blueprints.auth.services import hash_token
    from netapp.blueprints.joining.models import Invitation
    from netapp.timeutil import utcnow

    token = secrets.token_urlsafe(32)
    invitation = Invitation(network=network, email=email or f"invitert{next(_seq)}@test.example",
                            token_hash=hash_token(token), invited_by_id=getattr(invited_by, "id", None),
                            message=message, expires_at=utcnow() + timedelta(days=days),
                            used_at=utcnow() if used else None)
    db.session.add(invitation)
    db.session.flush()
    invitation.token = token
    return invitation


def make_registration(network: Network, status=None, *, person=None, invitation=None, **fields):
    """A registration to join the network (default: awaiting the manager, whose plain confirmation
    token is on the row as `manager_token`; None for other statuses). `fields` are Registration
    columns (workplace, manager_email, ...)."""
    import secrets

    from netapp.blueprints.auth.services import hash_token
    from netapp.blueprints.joining.models import Registration, RegistrationStatus
    from netapp.timeutil import utcnow

    n = next(_seq)
    status = RegistrationStatus(status or RegistrationStatus.AWAITING_MANAGER)
    token = secrets.token_urlsafe(32) if status == RegistrationStatus.AWAITING_MANAGER else None
    fields.setdefault("first_name", f"Søker{n}")
    fields.setdefault("last_name", f"Etternavn{n}")
    fields.setdefault("email", f"soker{n}@test.example")
    fields.setdefault("manager_name", "Leder Ledersen")
    fields.setdefault("manager_email", f"leder{n}@test.example")
    if status in (RegistrationStatus.APPROVED, RegistrationStatus.REJECTED):
        fields.setdefault("decided_at", utcnow())
    if status != RegistrationStatus.AWAITING_MANAGER:
        fields.setdefault("manager_confirmed_at", utcnow())
    registration = Registration(network=network, status=status, person=person,
                                invitation_id=getattr(invitation, "id", None),
                                manager_token_hash=hash_token(token) if token else None, **fields)
    db.session.add(registration)
    db.session.flush()
    registration.manager_token = token
    return registration


def make_question(questionnaire, kind=None, text: str | None = None, *, required: bool = False):
    """Another question, last in the questionnaire (make_questionnaire gives the first ones)."""
    from netapp.blueprints.evaluations.models import Question, QuestionKind

    question = Question(kind=QuestionKind(kind or QuestionKind.SCALE), text=text or f"Spørsmål {next(_seq)}",
                        required=required, position=len(questionnaire.questions) + 1)
    questionnaire.questions.append(question)
    db.session.flush()
    return question


def make_answer(response, question, value: int | str | None = None):
    """One answer in a response already in the results: an int (scale, yes 1/no 0) or a str (text)."""
    from netapp.blueprints.evaluations.models import Answer

    answer = Answer(response_id=response.id, question_id=question.id,
                    value=None if isinstance(value, str) else value, text=value if isinstance(value, str) else None)
    db.session.add(answer)
    db.session.flush()
    return answer


def make_response_receipt(questionnaire, person):
    """That the person has answered the questionnaire, without an answer (see make_response)."""
    from netapp.blueprints.evaluations.models import ResponseReceipt
    from netapp.blueprints.evaluations.services import random_id

    receipt = ResponseReceipt(id=random_id(), questionnaire_id=questionnaire.id, person_id=person.id)
    db.session.add(receipt)
    db.session.flush()
    return receipt


def make_held_response(questionnaire, person, values: dict | None = None):
    """An answer waiting, sealed, to be released into the results, with the person's receipt: what
    answering an open questionnaire leaves. `values` as for make_response."""
    from sqlalchemy import select

    from netapp.blueprints.evaluations.models import HeldResponse
    from netapp.blueprints.evaluations.services import AnswerValue, submit_answers

    answers = {
        (question if isinstance(question, int) else question.id):
            AnswerValue(text=value) if isinstance(value, str) else AnswerValue(value=value)
        for question, value in (values or {}).items()
    }
    before = set(db.session.scalars(select(HeldResponse.id).where(HeldResponse.questionnaire_id == questionnaire.id)))
    submit_answers(questionnaire, person.id, answers)
    return db.session.scalar(select(HeldResponse).where(
        HeldResponse.questionnaire_id == questionnaire.id, HeldResponse.id.not_in(before)))


def make_outbox_message(to: str | None = None, subject: str = "Emne", body_text: str = "Tekst", **fields):
    """A queued e-mail (netapp.mail.enqueue: headers, attachments, source, topic, anonymous)."""
    from netapp.mail import enqueue

    return enqueue(to or f"mottaker{next(_seq)}@test.example", subject, body_text, **fields)


def make_outbox_attachment(message=None, *, filename: str = "vedlegg.ics", content_type: str = "text/calendar",
                           data: bytes = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"):
    """A file sent with a message (default: with a new message)."""
    from netapp.mail import OutboxAttachment

    message = message or make_outbox_message()
    attachment = OutboxAttachment(filename=filename, content_type=content_type, data=data)
    message.attachments.append(attachment)
    db.session.flush()
    return attachment


def make_audit_event(obj=None, action: str = "update", fields=(), *, actor=None):
    """A line of the audit log: `actor` (a User, or none) did `action` to `obj` (default: a new network)."""
    from netapp.audit import AuditEvent

    obj = obj or make_network()
    event = AuditEvent(actor_id=getattr(actor, "id", None), actor_email=getattr(actor, "email", ""), action=action,
                       object_type=type(obj).__name__, object_id=obj.id, fields=", ".join(fields))
    db.session.add(event)
    db.session.flush()
    return event


def make_data_state():
    """The fragment cache's token row, with a new token."""
    from netapp.cache import STATE_ID, DataState, renew_token

    renew_token(db.session.connection())
    return db.session.get(DataState, STATE_ID)
