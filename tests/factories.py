"""Small factories for tests: each makes a valid object with sensible defaults and flushes."""

from __future__ import annotations

import itertools

from netapp.blueprints.auth.services import create_user
from netapp.blueprints.registry import services
from netapp.blueprints.registry.models import MembershipRole, Network, OrganisationKind, Sector
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
