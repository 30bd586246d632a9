"""Reusable selects for evaluations: lists, the dashboard and results, aggregated in SQL.

Results never leave this module for fewer than RESULTS_THRESHOLD responses (the views check
`response_count` first), so a single answer cannot be picked out. Responses carry random ids and
are listed by them (exports, text answers): never in the order they came in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, literal, select

from netapp.blueprints.evaluations.models import (
    Answer,
    HeldResponse,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
    Response,
    ResponseReceipt,
    scale_labels,
)
from netapp.blueprints.gatherings.models import Event
from netapp.blueprints.registry.models import Network
from netapp.charts import Bar, bars, percent
from netapp.extensions import db

RESULTS_THRESHOLD = 3
TEXT_ANSWERS_SHOWN = 50


def _response_count_column():
    """Answers received: those in the results and those waiting to be released."""
    released = (select(func.count(Response.id)).where(Response.questionnaire_id == Questionnaire.id)
                .correlate(Questionnaire).scalar_subquery())
    held = (select(func.count(HeldResponse.id)).where(HeldResponse.questionnaire_id == Questionnaire.id)
            .correlate(Questionnaire).scalar_subquery())
    return (released + held).label("response_count")


def for_event(event_id: int, person_id: int | None, *, coordinator: bool) -> list:
    """The event's questionnaires as rows (id, title, status, answered): a coordinator sees all,
    a participant the open ones; answered says whether person_id has answered."""
    answered = (
        exists().where(ResponseReceipt.questionnaire_id == Questionnaire.id, ResponseReceipt.person_id == person_id)
        if person_id is not None else literal(False)
    )
    query = (
        select(Questionnaire.id, Questionnaire.title, Questionnaire.status, answered.label("answered"))
        .where(Questionnaire.event_id == event_id).order_by(Questionnaire.id)
    )
    if not coordinator:
        query = query.where(Questionnaire.status == QuestionnaireStatus.OPEN)
    return list(db.session.execute(query))


def coordinated_questionnaires(network_ids: frozenset[int] | None, *, status: str | None = None,
                               network_id: int | None = None):
    """Questionnaires of the given networks (None: all), newest first, as rows with id, title,
    status, created_at, network_name, event_id, event_title and response_count: ready for
    pagination, one query whatever the number of rows."""
    query = (
        select(
            Questionnaire.id, Questionnaire.title, Questionnaire.status, Questionnaire.created_at,
            Network.name.label("network_name"), Event.id.label("event_id"), Event.title.label("event_title"),
            _response_count_column(),
        )
        .join(Network, Questionnaire.network_id == Network.id)
        .outerjoin(Event, Questionnaire.event_id == Event.id)
    )
    if network_ids is not None:
        query = query.where(Questionnaire.network_id.in_(sorted(network_ids)))
    if network_id is not None:
        query = query.where(Questionnaire.network_id == network_id)
    if status in {s.value for s in QuestionnaireStatus}:
        query = query.where(Questionnaire.status == status)
    return query.order_by(Questionnaire.created_at.desc(), Questionnaire.id.desc())


def open_for_participant(network_ids: frozenset[int], person_id: int | None, *, unanswered_only: bool = False,
                         limit: int = 100) -> list:
    """Open questionnaires of the participant's networks, newest first, each with `answered`
    (from the receipts, in the same query), network_name and event_title."""
    if not network_ids or person_id is None:
        return []
    answered = exists().where(ResponseReceipt.questionnaire_id == Questionnaire.id,
                              ResponseReceipt.person_id == person_id)
    query = (
        select(Questionnaire.id, Questionnaire.title, Network.name.label("network_name"),
               Event.title.label("event_title"), answered.label("answered"))
        .join(Network, Questionnaire.network_id == Network.id)
        .outerjoin(Event, Questionnaire.event_id == Event.id)
        .where(Questionnaire.status == QuestionnaireStatus.OPEN, Questionnaire.network_id.in_(sorted(network_ids)))
    )
    if unanswered_only:
        query = query.where(~answered)
    query = query.order_by(Questionnaire.opened_at.desc(), Questionnaire.id.desc()).limit(limit)
    return list(db.session.execute(query))


def has_answered(questionnaire_id: int, person_id: int | None) -> bool:
    if person_id is None:
        return False
    return bool(db.session.scalar(select(exists().where(
        ResponseReceipt.questionnaire_id == questionnaire_id, ResponseReceipt.person_id == person_id))))


def response_count(questionnaire_id: int) -> int:
    """Responses in the results (released), not those still waiting."""
    return db.session.scalar(select(func.count(Response.id)).where(Response.questionnaire_id == questionnaire_id))


def answer_counts(questionnaire_id: int) -> tuple[int, int]:
    """(responses in the results, answers waiting to be released), in one query."""
    released = select(func.count(Response.id)).where(Response.questionnaire_id == questionnaire_id).scalar_subquery()
    held = (select(func.count(HeldResponse.id)).where(HeldResponse.questionnaire_id == questionnaire_id)
            .scalar_subquery())
    row = db.session.execute(select(released, held)).one()
    return int(row[0]), int(row[1])


def event_choices(network_ids: frozenset[int] | None, limit: int = 200) -> list:
    """(id, title, starts_at, network_id, network_name) of the networks' events, newest first."""
    query = (
        select(Event.id, Event.title, Event.starts_at, Event.network_id, Network.name.label("network_name"))
        .join(Network, Event.network_id == Network.id)
        .order_by(Event.starts_at.desc(), Event.id.desc()).limit(limit)
    )
    if network_ids is not None:
        if not network_ids:
            return []
        query = query.where(Event.network_id.in_(sorted(network_ids)))
    return list(db.session.execute(query))


# ---------------------------------------------------------------- results

@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    average: float | None = None
    distribution: list[tuple[int, int, int]] = field(default_factory=list)  # (value, count, percent)
    yes: int = 0
    no: int = 0
    yes_percent: int = 0
    no_percent: int = 0
    texts: list[str] = field(default_factory=list)
    text_count: int = 0
    bars: list[Bar] = field(default_factory=list)  # the chart of a scale or yes/no question


def results(questionnaire: Questionnaire) -> list[QuestionResult]:
    """Per question: scale averages and distributions, yes/no counts, and up to
    TEXT_ANSWERS_SHOWN text answers with their total. Three queries, whatever the number of
    answers; the questions are the questionnaire's own (loaded once)."""
    by_question = {q.id: QuestionResult(q) for q in questionnaire.questions}
    in_questionnaire = and_(Answer.response_id == Response.id, Response.questionnaire_id == questionnaire.id)

    summary = (
        select(Answer.question_id, func.count(Answer.value), func.avg(Answer.value))
        .join(Response, in_questionnaire).where(Answer.value.is_not(None)).group_by(Answer.question_id)
    )
    for question_id, count, average in db.session.execute(summary):
        if question_id in by_question:
            by_question[question_id].answered = count
            by_question[question_id].average = float(average) if average is not None else None

    counts: dict[int, dict[int, int]] = defaultdict(dict)
    distribution = (
        select(Answer.question_id, Answer.value, func.count())
        .join(Response, in_questionnaire).where(Answer.value.is_not(None))
        .group_by(Answer.question_id, Answer.value)
    )
    for question_id, value, count in db.session.execute(distribution):
        counts[question_id][value] = count

    # Text answers per question, in the responses' (random) order, and their total, in one query.
    ranked = (
        select(
            Answer.question_id, Answer.text,
            func.row_number().over(partition_by=Answer.question_id, order_by=Answer.response_id).label("rank"),
            func.count(literal(1)).over(partition_by=Answer.question_id).label("total"),
        )
        .join(Response, in_questionnaire)
        .where(Answer.text.is_not(None), Answer.text != "")
        .subquery()
    )
    texts = select(ranked.c.question_id, ranked.c.text, ranked.c.total).where(
        ranked.c.rank <= TEXT_ANSWERS_SHOWN).order_by(ranked.c.question_id, ranked.c.rank)
    for question_id, text, total in db.session.execute(texts):
        if question_id in by_question:
            by_question[question_id].texts.append(text)
            by_question[question_id].text_count = total

    for result in by_question.values():
        values = counts.get(result.question.id, {})
        if result.question.kind == QuestionKind.SCALE:
            result.distribution = [(v, values.get(v, 0), percent(values.get(v, 0), result.answered))
                                   for v in range(1, 6)]
            result.bars = bars([(label, values.get(v, 0)) for v, label in scale_labels()], result.answered)
        elif result.question.kind == QuestionKind.YES_NO:
            result.yes, result.no = values.get(1, 0), values.get(0, 0)
            result.yes_percent = percent(result.yes, result.answered)
            result.no_percent = percent(result.no, result.answered)
            result.bars = bars([(_l("Ja"), result.yes), (_l("Nei"), result.no)], result.answered)
        else:
            result.answered = result.text_count
    return list(by_question.values())


def export_table(questionnaire: Questionnaire):
    """One row per response, one value per question, from one ordered query: yields
    (response_id, {question_id: (value, text)}) in the order of the responses' random ids."""
    query = (
        select(Response.id, Answer.question_id, Answer.value, Answer.text)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(Response.questionnaire_id == questionnaire.id)
        .order_by(Response.id)
    )
    current_id, values = None, {}
    for response_id, question_id, value, text in db.session.execute(query).yield_per(500):
        if response_id != current_id:
            if current_id is not None:
                yield current_id, values
            current_id, values = response_id, {}
        if question_id is not None:
            values[question_id] = (value, text)
    if current_id is not None:
        yield current_id, values
