"""Scheduled work for evaluations: held answers released into the results in batches."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from netapp.blueprints.evaluations import services
from netapp.blueprints.evaluations.models import HeldResponse, Questionnaire, QuestionnaireStatus
from netapp.blueprints.evaluations.queries import RESULTS_THRESHOLD
from netapp.extensions import db
from netapp.sealing import SealError

log = logging.getLogger(__name__)


def release_answers() -> int:
    """For each questionnaire with answers waiting: release them as one batch once at least the
    results threshold wait (open questionnaires), or mix them with the rest (a questionnaire closed
    while an answer was on its way). One transaction per questionnaire, committed here; a
    questionnaire whose answers cannot be opened (a changed key) is left as it is and logged.
    Returns the number of answers released."""
    waiting = db.session.execute(
        select(HeldResponse.questionnaire_id, Questionnaire.status, func.count())
        .join(Questionnaire, Questionnaire.id == HeldResponse.questionnaire_id)
        .group_by(HeldResponse.questionnaire_id, Questionnaire.status)
        .order_by(HeldResponse.questionnaire_id)
    ).all()
    db.session.rollback()  # end the read: each batch is a transaction of its own
    released = 0
    for questionnaire_id, status, count in waiting:
        try:
            if status == QuestionnaireStatus.CLOSED:
                done = count if services.mix_responses(questionnaire_id) else 0
            elif count >= RESULTS_THRESHOLD:
                done = services.release_held(questionnaire_id, RESULTS_THRESHOLD)
            else:
                continue
            db.session.commit()
            released += done
        except SealError:
            db.session.rollback()
            log.error("questionnaire %s: held answers cannot be opened with the configured ANSWER_KEY/SECRET_KEY; "
                      "they stay held", questionnaire_id)
    return released


JOBS = [
    {"func": release_answers, "trigger": "interval", "minutes": 1, "id": "evaluations_release_answers",
     "name": "evaluations: release waiting answers in batches"},
]
