"""Writing questionnaires, opening and closing them, and storing anonymous answers.

Functions flush, never commit: the view owns the transaction. Opening and closing are
conditional UPDATEs on the status, so a double click or two coordinators cannot act twice, and
the invitation e-mails go out only on the first opening (opened_at is set once).

Anonymity holds against anyone with the database (a copy, a backup, its administrator) who does
not also hold the application's key, and against a coordinator who watches the results:

- Answering writes a ResponseReceipt (who has answered: one answer each) and the answers sealed
  in a HeldResponse (netapp.sealing, padded to the largest possible answer, no time in it).
  Both carry random ids; the transaction that writes them writes no response.
- release_held (the scheduler, every minute) moves the held answers of a questionnaire into the
  results once at least the results threshold wait: one transaction per batch, the responses in
  shuffled order under random ids, with the release day as their only date. A batch therefore
  stands for at least that many persons, and nothing in it follows the order of arrival.
- mix_responses (at closing) writes all of a questionnaire's responses again as one batch, so
  neither an earlier batch nor the last few answers stand apart.
Nothing here logs or audits a person together with an answer.
"""

from __future__ import annotations

import logging
import secrets
import struct
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from netapp import versioning
from netapp.blueprints.auth.models import User
from netapp.blueprints.evaluations.models import (  # noqa: F401  (random_id: for callers)
    TEXT_ANSWER_MAX,
    Answer,
    HeldResponse,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
    Response,
    ResponseReceipt,
    random_id,
)
from netapp.blueprints.evaluations.standard import STANDARD_QUESTIONS
from netapp.blueprints.gatherings.models import Event, EventRegistration
from netapp.blueprints.registry.models import Membership, MembershipRole, Network, Person, PersonStatus
from netapp.cache import renew_token
from netapp.extensions import db
from netapp.mail import absolute_url, enqueue_each
from netapp.sealing import seal, unseal
from netapp.timeutil import today_oslo, utcnow

log = logging.getLogger(__name__)

PARTICIPANT_ROLES = (MembershipRole.RESOURCE_PERSON, MembershipRole.WORKING_GROUP)


class NotDraft(Exception):
    """The questions of an opened questionnaire cannot change."""


class NoQuestions(Exception):
    """A questionnaire without questions cannot be opened."""


class AlreadyAnswered(Exception):
    """The person has already answered this questionnaire."""


class NotOpen(Exception):
    """The questionnaire no longer takes answers."""


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
    versioning.bump(questionnaire)
    db.session.flush()
    return question


def _renumber(questionnaire: Questionnaire) -> None:
    for position, question in enumerate(sorted(questionnaire.questions, key=lambda q: (q.position, q.id)), start=1):
        question.position = position


def delete_question(questionnaire: Questionnaire, question: Question) -> None:
    _require_draft(questionnaire)
    questionnaire.questions.remove(question)  # delete-orphan
    _renumber(questionnaire)
    versioning.bump(questionnaire)
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
    versioning.bump(questionnaire)
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
    """Close an open questionnaire, and mix its responses (with any still held) into one batch.
    Raises SealError when held answers cannot be opened (the caller rolls back)."""
    closed = db.session.execute(
        update(Questionnaire)
        .where(Questionnaire.id == questionnaire.id, Questionnaire.status == QuestionnaireStatus.OPEN)
        .values(status=QuestionnaireStatus.CLOSED, closed_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(questionnaire)
    if closed:
        mix_responses(questionnaire.id)
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
        "evaluations/emails/opened", topic=f"questionnaire:{questionnaire.id}", anonymous=True,
        questionnaire=questionnaire, network=questionnaire.network, event=questionnaire.event, link=link)


# ---------------------------------------------------------------- answers

@dataclass
class AnswerValue:
    value: int | None = None
    text: str | None = None


_shuffler = secrets.SystemRandom()
_FORMAT = 1
_NO_VALUE = -32768  # a question left unanswered; values are small (1..5, 0/1)
_ITEM = struct.Struct(">IhI")  # question id, value, length of the text in bytes
_TEXT_BYTES = 4 * TEXT_ANSWER_MAX  # UTF-8 takes at most four bytes a character


def _fresh_ids(model, count: int) -> list[int]:
    """`count` random ids not yet used in the model's table. Called while holding the writers'
    lock (lock_writers), so nobody takes one between the check and the insert."""
    ids: set[int] = set()
    while len(ids) < count:
        wanted = {random_id() for _ in range(count - len(ids))} - ids
        taken = set(db.session.scalars(select(model.id).where(model.id.in_(sorted(wanted)))))
        ids |= wanted - taken
    return list(ids)


def lock_writers() -> None:
    """Take the lock every writing transaction takes first (the data token's row, netapp.cache):
    what this transaction reads from here on cannot change under it, on PostgreSQL and SQLite."""
    renew_token(db.session.connection())


def sealed_size(questions) -> int:
    """The size every sealed answer to these questions is padded to: the largest possible."""
    return 3 + sum(_ITEM.size + (_TEXT_BYTES if q.kind == QuestionKind.TEXT else 0) for q in questions)


def _pack(items: list[tuple[int, int | None, str | None]], size: int) -> bytes:
    parts = [struct.pack(">BH", _FORMAT, len(items))]
    for question_id, value, text in items:
        data = (text or "").encode()
        parts.append(_ITEM.pack(question_id, _NO_VALUE if value is None else value, len(data)) + data)
    body = b"".join(parts)
    if len(body) > size:
        raise ValueError("answers larger than the questionnaire allows")
    return body + bytes(size - len(body))


def _unpack(data: bytes) -> list[tuple[int, int | None, str | None]]:
    version, count = struct.unpack_from(">BH", data, 0)
    if version != _FORMAT:
        raise ValueError(f"unknown format of a held answer: {version}")
    offset, items = 3, []
    for _item in range(count):
        question_id, value, length = _ITEM.unpack_from(data, offset)
        offset += _ITEM.size
        text = data[offset:offset + length].decode() if length else None
        offset += length
        items.append((question_id, None if value == _NO_VALUE else value, text))
    return items


def submit_answers(questionnaire: Questionnaire, person_id: int, answers: dict[int, AnswerValue]) -> None:
    """Store that the person has answered, and their answers sealed, in the caller's transaction.

    The receipt is written first, so a second answer (two tabs, a double click) fails on its
    unique key before anything else is written: the transaction is then rolled back here (it
    holds nothing else of this request) and AlreadyAnswered raised. The answers themselves wait,
    sealed, in HeldResponse: the receipt and the response it could be paired with are never
    written by the same transaction (release_held and mix_responses write the responses).

    Raises AlreadyAnswered, or NotOpen when the questionnaire was closed meanwhile."""
    for _attempt in range(3):
        db.session.add(ResponseReceipt(id=random_id(), questionnaire_id=questionnaire.id, person_id=person_id))
        try:
            db.session.flush()  # renews the data token first: from here this transaction holds the writers' lock
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
    status = db.session.scalar(select(Questionnaire.status).where(Questionnaire.id == questionnaire.id))
    if status != QuestionnaireStatus.OPEN:
        db.session.rollback()
        raise NotOpen()
    items = [
        (question_id, answer.value, (answer.text or "").strip()[:TEXT_ANSWER_MAX] or None)
        for question_id, answer in sorted(answers.items())
        if answer.value is not None or (answer.text or "").strip()
    ]
    [held_id] = _fresh_ids(HeldResponse, 1)
    db.session.add(HeldResponse(id=held_id, questionnaire_id=questionnaire.id,
                                sealed=seal(_pack(items, sealed_size(questionnaire.questions)))))
    db.session.flush()
    # Nothing is logged: a timestamped line per answer, next to any line naming a user at that
    # time, would tell who answered when.


def held_count(questionnaire_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(HeldResponse).where(
        HeldResponse.questionnaire_id == questionnaire_id))


def _take_held(questionnaire_id: int) -> list[list[tuple[int, int | None, str | None]]]:
    """Remove the questionnaire's held answers and return them opened. Raises SealError (the
    transaction must then roll back: nothing is lost)."""
    sealed = db.session.scalars(
        delete(HeldResponse).where(HeldResponse.questionnaire_id == questionnaire_id).returning(HeldResponse.sealed)
        .execution_options(synchronize_session=False)
    ).all()
    return [_unpack(unseal(token)) for token in sealed]


def write_batch(questionnaire_id: int, responses: list[list[tuple[int, int | None, str | None]]],
                     released_on: date) -> None:
    """Write a batch of responses in a shuffled order, under random ids, all with one date."""
    if not responses:
        return
    _shuffler.shuffle(responses)
    ids = _fresh_ids(Response, len(responses))
    db.session.execute(insert(Response.__table__), [
        {"id": response_id, "questionnaire_id": questionnaire_id, "released_on": released_on} for response_id in ids])
    rows = [
        {"response_id": response_id, "question_id": question_id, "value": value, "text": text}
        for response_id, items in zip(ids, responses, strict=True) for question_id, value, text in items
    ]
    if rows:
        db.session.execute(insert(Answer.__table__), rows)


def release_held(questionnaire_id: int, threshold: int, on: date | None = None) -> int:
    """Release the questionnaire's held answers into the results as one batch, once at least
    `threshold` of them wait; returns how many were released (0: too few waited). The batch is
    the caller's transaction: it commits it, alone. Raises SealError (roll back)."""
    lock_writers()
    waiting = held_count(questionnaire_id)
    if waiting < max(threshold, 1):
        return 0
    batch = _take_held(questionnaire_id)
    write_batch(questionnaire_id, batch, on or today_oslo())
    log.info("questionnaire %s: %d answers released", questionnaire_id, len(batch))
    return len(batch)


def mix_responses(questionnaire_id: int, on: date | None = None) -> int:
    """Write all the questionnaire's responses again, the held ones with them, as one shuffled
    batch with new random ids and one date, so neither an earlier batch nor the last few answers
    stand apart. Done when the questionnaire closes. Returns the number of responses. Raises
    SealError (roll back)."""
    lock_writers()
    batch = _take_held(questionnaire_id)
    by_response: dict[int, list] = {}
    for response_id, question_id, value, text in db.session.execute(
            select(Response.id, Answer.question_id, Answer.value, Answer.text)
            .outerjoin(Answer, Answer.response_id == Response.id)
            .where(Response.questionnaire_id == questionnaire_id)):
        items = by_response.setdefault(response_id, [])
        if question_id is not None:
            items.append((question_id, value, text))
    if by_response:
        ids = sorted(by_response)
        for chunk in range(0, len(ids), 500):
            db.session.execute(delete(Answer).where(Answer.response_id.in_(ids[chunk:chunk + 500]))
                               .execution_options(synchronize_session=False))
        db.session.execute(delete(Response).where(Response.questionnaire_id == questionnaire_id)
                           .execution_options(synchronize_session=False))
    batch.extend(by_response.values())
    write_batch(questionnaire_id, batch, on or today_oslo())
    log.info("questionnaire %s: %d responses mixed", questionnaire_id, len(batch))
    return len(batch)
