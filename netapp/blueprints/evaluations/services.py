"""Writing questionnaires, opening and closing them, and storing anonymous answers.

Functions flush, never commit: the view owns the transaction. Opening and closing are
conditional UPDATEs on the status, so a double click or two coordinators cannot act twice, and
the invitation e-mails go out only on the first opening (opened_at is set once).

Anonymity: a Response holds the questionnaire and the day, nothing else. Who has answered is a
ResponseReceipt with a random id (no timestamp, no order), so receipts cannot be lined up with
responses by insertion order. Nothing here logs or audits a person together with a response.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from netapp.blueprints.auth.models import User
from netapp.blueprints.evaluations.models import (
    Answer,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
    Response,
    ResponseReceipt,
)
from netapp.blueprints.evaluations.standard import STANDARD_QUESTIONS
from netapp.blueprints.gatherings.models import Event, EventRegistration
from netapp.blueprints.registry.models import Membership, MembershipRole, Network, Person, PersonStatus
from netapp.extensions import db
from netapp.mail import absolute_url, enqueue_each
from netapp.timeutil import today_oslo, utcnow

log = logging.getLogger(__name__)

PARTICIPANT_ROLES = (MembershipRole.RESOURCE_PERSON, MembershipRole.WORKING_GROUP)


class NotDraft(Exception):
    """The questions of an opened questionnaire cannot change."""


class NoQuestions(Exception):
    """A questionnaire without questions cannot be opened."""


class AlreadyAnswered(Exception):
    """The person has already answered this questionnaire."""


# ---------------------------------------------------------------- questionnaires and questions

def create_questionnaire(network: Network, *, title: str, intro: str = "", event: Event | None = None,
                         standard: bool = True) -> Questionnaire:
    """A draft questionnaire, with the network's standard questions when asked for (stored in
    the installation's default language: the participants read them)."""
    questionnaire = Questionnaire(network=network, event=event, title=title.strip(), intro=(intro or "").strip(),
                                  status=QuestionnaireStatus.DRAFT)
    if standard:
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            for position, (kind, text, required) in enumerate(STANDARD_QUESTIONS, start=1):
                questionnaire.questions.append(Question(kind=kind, text=str(text), required=required, position=position))
    db.session.add(questionnaire)
    db.session.flush()
    log.info("questionnaire %s created for network %s", questionnaire.id, network.slug)
    return questionnaire


def _require_draft(questionnaire: Questionnaire) -> None:
    if questionnaire.status != QuestionnaireStatus.DRAFT:
        raise NotDraft()


def update_questionnaire(questionnaire: Questionnaire, *, title: str, intro: str) -> None:
    _require_draft(questionnaire)
    questionnaire.title = title.strip()
    questionnaire.intro = (intro or "").strip()
    db.session.flush()


def add_question(questionnaire: Questionnaire, kind: QuestionKind, text: str, required: bool = False) -> Question:
    _require_draft(questionnaire)
    last = max((q.position for q in questionnaire.questions), default=0)
    question = Question(kind=kind, text=text.strip(), required=required, position=last + 1)
    questionnaire.questions.append(question)
    db.session.flush()
    return question


def _renumber(questionnaire: Questionnaire) -> None:
    for position, question in enumerate(sorted(questionnaire.questions, key=lambda q: (q.position, q.id)), start=1):
        question.position = position


def delete_question(questionnaire: Questionnaire, question: Question) -> None:
    _require_draft(questionnaire)
    questionnaire.questions.remove(question)  # delete-orphan
    _renumber(questionnaire)
    db.session.flush()


def move_question(questionnaire: Questionnaire, question: Question, direction: str) -> bool:
    """Swap the question with its neighbour above ("up") or below ("down"); False at either end."""
    _require_draft(questionnaire)
    _renumber(questionnaire)
    ordered = sorted(questionnaire.questions, key=lambda q: q.position)
    index = ordered.index(question)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(ordered):
        return False
    ordered[index].position, ordered[other].position = ordered[other].position, ordered[index].position
    db.session.flush()
    return True


def delete_questionnaire(questionnaire: Questionnaire) -> None:
    """Only a draft: an opened questionnaire may hold answers."""
    _require_draft(questionnaire)
    db.session.delete(questionnaire)
    db.session.flush()


# ---------------------------------------------------------------- opening and closing

def open_questionnaire(questionnaire: Questionnaire) -> int | None:
    """Open a draft or closed questionnaire for answers. On the first opening, e-mail the
    participants; returns the number of e-mails queued then, 0 when reopened, None when it
    was already open."""
    if not questionnaire.questions:
        raise NoQuestions()
    opened = db.session.execute(
        update(Questionnaire)
        .where(Questionnaire.id == questionnaire.id, Questionnaire.status != QuestionnaireStatus.OPEN)
        .values(status=QuestionnaireStatus.OPEN, closed_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not opened:
        db.session.refresh(questionnaire)
        return None
    first = db.session.execute(
        update(Questionnaire)
        .where(Questionnaire.id == questionnaire.id, Questionnaire.opened_at.is_(None))
        .values(opened_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(questionnaire)
    sent = _send_invitations(questionnaire) if first else 0
    log.info("questionnaire %s opened (%d e-mails)", questionnaire.id, sent)
    return sent


def close_questionnaire(questionnaire: Questionnaire) -> bool:
    closed = db.session.execute(
        update(Questionnaire)
        .where(Questionnaire.id == questionnaire.id, Questionnaire.status == QuestionnaireStatus.OPEN)
        .values(status=QuestionnaireStatus.CLOSED, closed_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(questionnaire)
    if closed:
        log.info("questionnaire %s closed", questionnaire.id)
    return bool(closed)


def recipients(questionnaire: Questionnaire) -> list:
    """(email, first_name, language) of the network's current resource persons and working-group
    members with an e-mail address; with an event, only those of them registered for it."""
    participant = exists().where(
        Membership.person_id == Person.id, Membership.network_id == questionnaire.network_id,
        Membership.end_date.is_(None), Membership.role.in_(PARTICIPANT_ROLES),
    )
    query = (
        select(Person.email, Person.first_name, User.language)
        .outerjoin(User, User.person_id == Person.id)
        .where(participant, Person.status == PersonStatus.ACTIVE, Person.email.is_not(None), Person.email != "")
        .order_by(Person.id)
    )
    if questionnaire.event_id is not None:
        query = query.where(exists().where(EventRegistration.event_id == questionnaire.event_id,
                                           EventRegistration.person_id == Person.id))
    return list(db.session.execute(query))


def _send_invitations(questionnaire: Questionnaire) -> int:
    link = absolute_url("evaluations.answer_questionnaire", questionnaire_id=questionnaire.id)
    return enqueue_each(
        recipients(questionnaire), lambda: _("Evaluering: %(title)s", title=questionnaire.title),
        "evaluations/emails/opened", questionnaire=questionnaire, network=questionnaire.network,
        event=questionnaire.event, link=link)


# ---------------------------------------------------------------- answers

@dataclass
class AnswerValue:
    value: int | None = None
    text: str | None = None


def _receipt_id() -> int:
    """A random id, above what a sequence reaches in practice, so receipts carry no order."""
    return 2**24 + secrets.randbelow(2**31 - 1 - 2**24)


def submit_answers(questionnaire: Questionnaire, person_id: int, answers: dict[int, AnswerValue]) -> None:
    """Store one anonymous response, and that the person has answered, in the caller's
    transaction. The receipt is written first, so a second answer (two tabs, a double click)
    fails on its unique key before anything else is written: the transaction is then rolled back
    here (it holds nothing else of this request) and AlreadyAnswered raised.

    Raises AlreadyAnswered."""
    for _attempt in range(3):
        db.session.add(ResponseReceipt(id=_receipt_id(), questionnaire_id=questionnaire.id, person_id=person_id))
        try:
            db.session.flush()
            break
        except IntegrityError:
            db.session.rollback()
            already = db.session.scalar(select(exists().where(
                ResponseReceipt.questionnaire_id == questionnaire.id, ResponseReceipt.person_id == person_id)))
            if already:
                raise AlreadyAnswered() from None
            # else the random id was taken (very unlikely): draw another
    else:  # pragma: no cover
        raise RuntimeError("could not store the receipt")
    response = Response(questionnaire_id=questionnaire.id, submitted_on=today_oslo())
    db.session.add(response)
    db.session.flush()
    db.session.add_all([
        Answer(response_id=response.id, question_id=question_id, value=answer.value, text=answer.text)
        for question_id, answer in answers.items()
        if answer.value is not None or (answer.text or "").strip()
    ])
    db.session.flush()
    # Nothing is logged: a timestamped line per answer, next to any line naming a user at that
    # time, would let responses (numbered in order) be matched to persons.

