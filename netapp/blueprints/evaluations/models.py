"""Evaluations: questionnaires, their questions, and anonymous answers.

A response holds no person: who has answered is kept apart (ResponseReceipt), so a person
answers once. An answer first waits, sealed, in HeldResponse; it reaches the results (Response,
Answer) only together with others, in a batch written by a later transaction in shuffled order
under random ids, so neither the database nor its copies can pair a receipt with a response
(see services.py). Only the questionnaire and its questions are tracked by the audit log: an
audit row names who acted and when, so none of the answer tables may ever be.
"""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from netapp import audit
from netapp.blueprints.gatherings.models import Event
from netapp.blueprints.registry.models import Network
from netapp.dbtypes import enum_type
from netapp.extensions import db
from netapp.timeutil import utcnow
from netapp.versioning import Versioned

TEXT_ANSWER_MAX = 4000  # characters in one free-text answer


def random_id() -> int:
    """A random id, above what a sequence reaches in practice, so a row carries no order."""
    return 2**24 + secrets.randbelow(2**31 - 1 - 2**24)


class QuestionnaireStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class QuestionKind(enum.StrEnum):
    SCALE = "scale"  # 1 (not at all) .. 5 (very much)
    YES_NO = "yes_no"  # stored as 1 (yes) / 0 (no)
    TEXT = "text"


def kind_labels():
    return {
        QuestionKind.SCALE: _l("Skala 1–5"),
        QuestionKind.YES_NO: _l("Ja/nei"),
        QuestionKind.TEXT: _l("Fritekst"),
    }


def status_labels():
    return {
        QuestionnaireStatus.DRAFT: _l("Utkast"),
        QuestionnaireStatus.OPEN: _l("Åpen for svar"),
        QuestionnaireStatus.CLOSED: _l("Lukket"),
    }


def scale_labels():
    """(value, label) of the scale's steps, 1 (not at all) to 5 (very much)."""
    return [
        (1, _l("1 – I liten grad")),
        (2, "2"),
        (3, "3"),
        (4, "4"),
        (5, _l("5 – I stor grad")),
    ]


@audit.track
class Questionnaire(Versioned, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[QuestionnaireStatus] = mapped_column(
        enum_type(QuestionnaireStatus, "questionnaire_status"), default=QuestionnaireStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    network: Mapped[Network] = relationship()
    event: Mapped[Event | None] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="questionnaire", order_by="Question.position", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Questionnaire {self.id} {self.title}>"


@audit.track
class Question(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[QuestionKind] = mapped_column(enum_type(QuestionKind, "question_kind"))
    text: Mapped[str] = mapped_column(String(500))
    required: Mapped[bool] = mapped_column(default=False)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="questions")

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.kind}>"


class Response(db.Model):
    """One anonymous set of answers in the results. Its id is random and its only date is the day
    its batch was released, the same for the whole batch."""

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=random_id)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True)
    released_on: Mapped[date] = mapped_column(Date)


class Answer(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    value: Mapped[int | None] = mapped_column(SmallInteger)  # scale 1..5, yes 1 / no 0
    text: Mapped[str | None] = mapped_column(Text)


class HeldResponse(db.Model):
    """An answer waiting to be released into the results, sealed with the application's key
    (netapp.sealing) and padded to the questionnaire's largest possible answer: the row, its
    dead copies, the WAL and backups show neither the answers nor their length."""

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=random_id)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class ResponseReceipt(db.Model):
    """That a person has answered a questionnaire (not what): one answer each."""

    __table_args__ = (UniqueConstraint("questionnaire_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=random_id)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
