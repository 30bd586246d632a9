"""Matrix rows for evaluations: questionnaires, questions, answering, results and the export.

The questionnaires are made here (extend_context), in the regional network, so the rows do not
depend on the demo's own evaluations: a draft with three questions, an empty draft, an open one
and a closed one with three responses each (enough to show results).
"""

from __future__ import annotations

from sqlalchemy import select

from netapp.blueprints.evaluations.models import QuestionKind
from netapp.blueprints.registry.models import Network
from netapp.extensions import db
from tests import factories
from tests.matrix import COORDINATORS, ROLES, Route, login_required

R = Route

ONLY_OWN = {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403}
ONLY_OWN_REDIRECT = {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403}
COORDINATORS_404 = login_required(404, allowed=COORDINATORS)
# Participants (the resource person) answer; coordinators of the network may look at the form.
ANSWER_GET = {**login_required(200, allowed=("resource_person", "coordinator", "admin"))}
PARTICIPANT_ONLY = {role: 403 for role in ROLES} | {"anonymous": 302}


def _participant(status: int) -> dict[str, int]:
    return {**PARTICIPANT_ONLY, "resource_person": status}


def extend_context(ctx: dict) -> None:
    network = db.session.scalar(select(Network).where(Network.slug == ctx["network"]))
    questions = [(QuestionKind.SCALE, "Hvor nyttig var dagen?", True),
                 (QuestionKind.YES_NO, "Får du tid til å dele kunnskapen?", False),
                 (QuestionKind.TEXT, "Hva bør vi endre?", False)]
    draft = factories.make_questionnaire(network, questions=questions, title="Matrise: utkast")
    empty = factories.make_questionnaire(network, questions=[], title="Matrise: tomt utkast")
    opened = factories.make_questionnaire(network, questions=questions, status="open", title="Matrise: åpen")
    closed = factories.make_questionnaire(network, questions=questions, status="closed", title="Matrise: lukket")
    for q in (opened, closed):
        for value in (2, 4, 5):
            factories.make_response(q, {q.questions[0]: value, q.questions[1]: value % 2, q.questions[2]: "Mer pause"})
    db.session.flush()
    ctx.update({
        "network_id": network.id,
        "eval_draft": draft.id, "eval_draft_question": draft.questions[0].id,
        "eval_draft_version": str(draft.version),  # what its pages show, and their forms post
        "eval_empty": empty.id,
        "eval_open": opened.id, "eval_open_question": opened.questions[0].id,
        "eval_open_fields": {f"q{q.id}": "" for q in opened.questions},
        "eval_open_required": f"q{opened.questions[0].id}",
        "eval_closed": closed.id,
    })


def _valid_answer(c: dict) -> dict:
    return {**c["eval_open_fields"], c["eval_open_required"]: "4"}


E = "/evaluations"

ROUTES = [
    # lists
    R("evaluations.list_questionnaires", "GET", lambda c: f"{E}/", login_required(200)),
    R("evaluations.list_questionnaires", "GET", lambda c: f"{E}/?status=open&network={c['network']}&page=2",
      {**login_required(200), "other_coordinator": 403}, note="another network's questionnaires"),
    R("evaluations.list_questionnaires", "GET", lambda c: f"{E}/?network=finnes-ikke",
      {**login_required(200), **{r: 404 for r in COORDINATORS}}, note="unknown network"),
    # writing
    R("evaluations.create_questionnaire", "GET", lambda c: f"{E}/new", login_required(200, allowed=COORDINATORS)),
    R("evaluations.create_questionnaire", "POST", lambda c: f"{E}/new", login_required(200, allowed=COORDINATORS),
      data=lambda c: {"title": "", "network_id": str(c["network_id"])}, note="a title is required"),
    R("evaluations.create_questionnaire", "POST", lambda c: f"{E}/new",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 200},
      data=lambda c: {"title": "Ny evaluering", "network_id": str(c["network_id"]), "event_id": "0",
                      "use_standard": "y"}, fresh=True, note="another coordinator's network is not a choice"),
    R("evaluations.view_questionnaire", "GET", lambda c: f"{E}/{c['eval_draft']}", ONLY_OWN),
    R("evaluations.view_questionnaire", "GET", lambda c: f"{E}/{c['eval_open']}", ONLY_OWN),
    R("evaluations.view_questionnaire", "GET", lambda c: f"{E}/{c['eval_closed']}", ONLY_OWN),
    R("evaluations.view_questionnaire", "GET", lambda c: f"{E}/999999", COORDINATORS_404),
    R("evaluations.edit_questionnaire", "GET", lambda c: f"{E}/{c['eval_draft']}/edit", ONLY_OWN),
    R("evaluations.edit_questionnaire", "GET", lambda c: f"{E}/{c['eval_open']}/edit", ONLY_OWN_REDIRECT,
      note="opened: refused with a flash"),
    R("evaluations.edit_questionnaire", "POST", lambda c: f"{E}/{c['eval_draft']}/edit", ONLY_OWN,
      data=lambda c: {"title": ""}),
    R("evaluations.edit_questionnaire", "POST", lambda c: f"{E}/{c['eval_draft']}/edit", ONLY_OWN_REDIRECT,
      data=lambda c: {"title": "Nytt navn", "intro": "Kort innledning.", "version": c["eval_draft_version"]}, fresh=True),
    R("evaluations.edit_questionnaire", "POST", lambda c: f"{E}/{c['eval_draft']}/edit", {**ONLY_OWN, "coordinator": 409,
      "admin": 409}, data=lambda c: {"title": "Nytt navn", "version": "0"},
      note="based on another version: refused beside the form, nothing saved"),
    R("evaluations.add_question", "POST", lambda c: f"{E}/{c['eval_draft']}/questions", ONLY_OWN,
      data=lambda c: {"kind": "scale", "text": ""}, note="the question's text is required"),
    R("evaluations.add_question", "POST", lambda c: f"{E}/{c['eval_open']}/questions", ONLY_OWN_REDIRECT,
      data=lambda c: {"kind": "scale", "text": "For sent"}, note="opened: refused with a flash"),
    R("evaluations.add_question", "POST", lambda c: f"{E}/{c['eval_draft']}/questions", ONLY_OWN_REDIRECT,
      data=lambda c: {"kind": "yes_no", "text": "Vil du komme igjen?", "required": "y", "version": c["eval_draft_version"]},
      fresh=True),
    R("evaluations.add_question", "POST", lambda c: f"{E}/{c['eval_draft']}/questions", {**ONLY_OWN, "coordinator": 409,
      "admin": 409}, data=lambda c: {"kind": "scale", "text": "Sent", "version": "0"},
      note="based on another version of the questionnaire: refused beside the form"),
    R("evaluations.delete_question", "GET", lambda c: f"{E}/{c['eval_draft']}/questions/{c['eval_draft_question']}/delete",
      ONLY_OWN),
    R("evaluations.delete_question", "GET", lambda c: f"{E}/{c['eval_draft']}/questions/{c['eval_open_question']}/delete",
      {**COORDINATORS_404, "other_coordinator": 403}, note="a question of another questionnaire"),
    R("evaluations.delete_question", "POST", lambda c: f"{E}/{c['eval_open']}/questions/{c['eval_open_question']}/delete",
      ONLY_OWN_REDIRECT, note="opened: refused with a flash"),
    R("evaluations.delete_question", "POST", lambda c: f"{E}/{c['eval_draft']}/questions/{c['eval_draft_question']}/delete",
      ONLY_OWN_REDIRECT, data=lambda c: {"version": c["eval_draft_version"]}, fresh=True),
    R("evaluations.delete_question", "POST", lambda c: f"{E}/{c['eval_draft']}/questions/{c['eval_draft_question']}/delete",
      ONLY_OWN_REDIRECT, data=lambda c: {"version": "0"}, note="based on another version: refused with a flash"),
    R("evaluations.move_question", "POST", lambda c: f"{E}/{c['eval_draft']}/questions/{c['eval_draft_question']}/move",
      ONLY_OWN_REDIRECT, data=lambda c: {"direction": "up", "version": c["eval_draft_version"]},
      note="the first cannot move up: nothing changes"),
    R("evaluations.move_question", "POST", lambda c: f"{E}/{c['eval_draft']}/questions/{c['eval_draft_question']}/move",
      ONLY_OWN_REDIRECT, data=lambda c: {"direction": "down", "version": "0"},
      note="based on another version: refused with a flash"),
    R("evaluations.move_question", "POST", lambda c: f"{E}/{c['eval_draft']}/questions/{c['eval_draft_question']}/move",
      ONLY_OWN_REDIRECT, data=lambda c: {"direction": "down", "version": c["eval_draft_version"]}, fresh=True),
    R("evaluations.delete_questionnaire", "GET", lambda c: f"{E}/{c['eval_draft']}/delete", ONLY_OWN),
    R("evaluations.delete_questionnaire", "POST", lambda c: f"{E}/{c['eval_closed']}/delete", ONLY_OWN_REDIRECT,
      note="only drafts: refused with a flash"),
    R("evaluations.delete_questionnaire", "POST", lambda c: f"{E}/{c['eval_draft']}/delete", ONLY_OWN_REDIRECT,
      fresh=True),
    # opening and closing
    R("evaluations.open_questionnaire", "POST", lambda c: f"{E}/{c['eval_empty']}/open", ONLY_OWN_REDIRECT,
      note="no questions: refused with a flash"),
    R("evaluations.open_questionnaire", "POST", lambda c: f"{E}/{c['eval_draft']}/open", ONLY_OWN_REDIRECT, fresh=True),
    R("evaluations.close_questionnaire", "POST", lambda c: f"{E}/{c['eval_open']}/close", ONLY_OWN_REDIRECT, fresh=True),
    # answering
    R("evaluations.answer_questionnaire", "GET", lambda c: f"{E}/{c['eval_open']}/answer", ANSWER_GET),
    R("evaluations.answer_questionnaire", "GET", lambda c: f"{E}/{c['eval_closed']}/answer", ANSWER_GET,
      note="closed: a page that says so"),
    R("evaluations.answer_questionnaire", "GET", lambda c: f"{E}/999999/answer", login_required(404)),
    R("evaluations.answer_questionnaire", "POST", lambda c: f"{E}/{c['eval_open']}/answer", _participant(200),
      data=lambda c: dict(c["eval_open_fields"]), note="a required answer is missing"),
    R("evaluations.answer_questionnaire", "POST", lambda c: f"{E}/{c['eval_closed']}/answer", _participant(409),
      data=lambda c: {}, note="closed"),
    R("evaluations.answer_questionnaire", "POST", lambda c: f"{E}/{c['eval_open']}/answer", _participant(302),
      data=_valid_answer, fresh=True),
    R("evaluations.answer_thanks", "GET", lambda c: f"{E}/{c['eval_open']}/thanks", ANSWER_GET),
    # results
    R("evaluations.questionnaire_results", "GET", lambda c: f"{E}/{c['eval_open']}/results", ONLY_OWN),
    R("evaluations.questionnaire_results", "GET", lambda c: f"{E}/{c['eval_draft']}/results", ONLY_OWN,
      note="no responses: only the count"),
    R("evaluations.export_results", "GET", lambda c: f"{E}/{c['eval_closed']}/results.csv", ONLY_OWN),
    R("evaluations.export_results", "GET", lambda c: f"{E}/{c['eval_draft']}/results.csv", ONLY_OWN_REDIRECT,
      note="below the threshold: back to the results page"),
]
