"""Answering: required answers, values kept on error, one answer each (race-safe), and
anonymity: nothing links a person to what they answered."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import func, inspect, select

from netapp.audit import AuditEvent
from netapp.blueprints.evaluations import services
from netapp.blueprints.evaluations.models import Answer, HeldResponse, QuestionKind, Response, ResponseReceipt
from netapp.extensions import db
from tests import factories


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def open_q(world):
    q = factories.make_questionnaire(world.network, status="open", title="Samlingen i mars", questions=[
        (QuestionKind.SCALE, "Faglig nytte?", True),
        (QuestionKind.YES_NO, "Tid til å dele?", True),
        (QuestionKind.TEXT, "Hva bør vi endre?", False),
    ], intro="Takk for at du var med.")
    db.session.commit()
    return q


def _fields(q):
    scale, yes_no, text = q.questions
    return f"q{scale.id}", f"q{yes_no.id}", f"q{text.id}"


def test_the_form_has_accessible_radio_groups(client, login, open_q):
    login("rp@test.example")
    page = client.get(f"/evaluations/{open_q.id}/answer").get_data(as_text=True)
    assert page.count("<fieldset") == 2 and "<legend" in page
    assert "1 – I liten grad" in page and "5 – I stor grad" in page and ">Ja</label>" in page
    assert "Skriv aldri opplysninger om pasienter eller barn" in page
    assert "Takk for at du var med." in page and "Send svar" in page


def test_required_answers_are_checked_and_typed_values_kept(client, login, open_q):
    scale, yes_no, text = _fields(open_q)
    login("rp@test.example")
    response = client.post(f"/evaluations/{open_q.id}/answer", data={yes_no: "1", text: "Mer pauser, takk"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Svar på dette spørsmålet." in page and "Mer pauser, takk" in page
    assert re.search(rf'<input checked[^>]*name="{yes_no}"[^>]*value="1"', page)
    assert _count(Response) == 0 and _count(ResponseReceipt) == 0 and _count(HeldResponse) == 0


@pytest.mark.parametrize("values", [
    {"scale": "6"}, {"scale": "abc"}, {"scale": "99999999999999999999999"}, {"scale": "-1"},
    {"yes_no": "2"}, {"text": "x" * 4001}, {"scale": "\x00"},
])
def test_bad_values_are_refused_without_a_server_error(client, login, open_q, values):
    scale, yes_no, text = _fields(open_q)
    data = {scale: "3", yes_no: "0", text: ""}
    names = {"scale": scale, "yes_no": yes_no, "text": text}
    data.update({names[k]: v for k, v in values.items()})
    login("rp@test.example")
    response = client.post(f"/evaluations/{open_q.id}/answer", data=data)
    assert response.status_code == 200
    assert _count(HeldResponse) == 0 and _count(ResponseReceipt) == 0


def test_answering_stores_one_anonymous_response(client, login, world, open_q):
    scale, yes_no, text = _fields(open_q)
    login("rp@test.example")
    response = client.post(f"/evaluations/{open_q.id}/answer", data={scale: "4", yes_no: "0", text: "  Mer tid  "})
    assert response.status_code == 302 and response.location.endswith(f"/evaluations/{open_q.id}/thanks")
    assert "Takk for svaret" in client.get(response.location).get_data(as_text=True)
    # The answer waits, sealed, until it can join others in the results.
    assert _count(HeldResponse) == 1 and _count(Response) == 0 and _count(Answer) == 0
    receipt = db.session.scalar(select(ResponseReceipt))
    assert (receipt.questionnaire_id, receipt.person_id) == (open_q.id, world.rp.id)
    assert services.close_questionnaire(open_q)
    db.session.commit()
    stored = db.session.scalar(select(Response))
    assert stored.questionnaire_id == open_q.id and _count(HeldResponse) == 0
    answers = {a.question_id: (a.value, a.text) for a in db.session.scalars(select(Answer))}
    assert answers == {open_q.questions[0].id: (4, None), open_q.questions[1].id: (0, None),
                       open_q.questions[2].id: (None, "Mer tid")}


def test_answering_twice_is_refused(client, login, open_q):
    scale, yes_no, _ = _fields(open_q)
    login("rp@test.example")
    assert client.post(f"/evaluations/{open_q.id}/answer", data={scale: "4", yes_no: "1"}).status_code == 302
    response = client.post(f"/evaluations/{open_q.id}/answer", data={scale: "1", yes_no: "0"})
    assert response.status_code == 200 and "Du har allerede svart" in response.get_data(as_text=True)
    assert "Du har allerede svart" in client.get(f"/evaluations/{open_q.id}/answer").get_data(as_text=True)
    assert _count(HeldResponse) == 1 and _count(ResponseReceipt) == 1


def test_a_second_answer_fails_on_the_receipt_before_anything_is_written(app, world, open_q):
    """Two tabs or a double click that pass the page's check together: the unique receipt wins."""
    services.submit_answers(open_q, world.rp.id, {open_q.questions[0].id: services.AnswerValue(value=3)})
    db.session.commit()
    with pytest.raises(services.AlreadyAnswered):
        services.submit_answers(open_q, world.rp.id, {open_q.questions[0].id: services.AnswerValue(value=5)})
    db.session.rollback()
    assert _count(HeldResponse) == 1 and _count(ResponseReceipt) == 1
    services.mix_responses(open_q.id)
    db.session.commit()
    assert db.session.scalar(select(Answer.value)) == 3


def test_an_answer_sent_as_the_form_closes_is_refused(client, login, world, open_q):
    """The form was open when the page was shown, closed before the answer arrived."""
    scale, yes_no, _ = _fields(open_q)
    login("rp@test.example")
    assert "Send svar" in client.get(f"/evaluations/{open_q.id}/answer").get_data(as_text=True)
    with pytest.raises(services.NotOpen):
        open_q.status = "closed"  # as another request commits it, after this one's page check
        db.session.commit()
        services.submit_answers(open_q, world.rp.id, {open_q.questions[0].id: services.AnswerValue(value=3)})
    db.session.rollback()
    assert _count(HeldResponse) == 0 and _count(ResponseReceipt) == 0


def test_closed_and_draft_questionnaires_show_a_page_without_a_form(client, login, world):
    closed = factories.make_questionnaire(world.network, status="closed", title="Lukket")
    draft = factories.make_questionnaire(world.network, title="Utkast")
    db.session.commit()
    login("rp@test.example")
    page = client.get(f"/evaluations/{closed.id}/answer").get_data(as_text=True)
    assert "er lukket" in page and "<fieldset" not in page
    page = client.get(f"/evaluations/{draft.id}/answer").get_data(as_text=True)
    assert "ikke åpnet for svar" in page and "<fieldset" not in page
    response = client.post(f"/evaluations/{closed.id}/answer", data={f"q{closed.questions[0].id}": "3"})
    assert response.status_code == 409 and _count(Response) == 0


def test_coordinators_preview_but_do_not_answer(client, login, open_q):
    scale, yes_no, _ = _fields(open_q)
    login("k@test.example")
    page = client.get(f"/evaluations/{open_q.id}/answer").get_data(as_text=True)
    assert "Forhåndsvisning" in page and "Send svar" not in page and "<fieldset" in page
    assert client.post(f"/evaluations/{open_q.id}/answer", data={scale: "4", yes_no: "1"}).status_code == 403
    login("ute@test.example")
    assert client.get(f"/evaluations/{open_q.id}/answer").status_code == 403
    assert _count(Response) == 0


def test_nothing_links_a_person_to_their_answers(client, login, world, open_q, caplog):
    scale, yes_no, text = _fields(open_q)
    caplog.set_level(logging.DEBUG)
    for who, value in (("rp@test.example", "2"), ("rp2@test.example", "5")):
        login(who)
        assert client.post(f"/evaluations/{open_q.id}/answer", data={scale: value, yes_no: "1", text: who}).status_code == 302
    services.close_questionnaire(open_q)
    db.session.commit()
    # The response and answer tables hold no person, account or time of day.
    for model in (Response, Answer, HeldResponse):
        columns = {c.key for c in inspect(model).columns}
        assert not any("person" in c or "user" in c or c.endswith("_at") for c in columns), columns
        referenced = {fk.column.table.name for fk in model.__table__.foreign_keys}
        assert referenced <= {"questionnaire", "response", "question"}, referenced
    assert {c.key for c in inspect(Response).columns} == {"id", "questionnaire_id", "released_on"}
    assert {c.key for c in inspect(HeldResponse).columns} == {"id", "questionnaire_id", "sealed"}
    # Receipts carry no time and no order that could be lined up with the responses.
    assert {c.key for c in inspect(ResponseReceipt).columns} == {"id", "questionnaire_id", "person_id"}
    receipt_ids = db.session.scalars(select(ResponseReceipt.id)).all()
    response_ids = db.session.scalars(select(Response.id)).all()
    assert min(receipt_ids) > 2**24 and min(response_ids) > 2**24 and set(receipt_ids).isdisjoint(response_ids)
    # No audit row for responses, answers or receipts.
    audited = set(db.session.scalars(select(AuditEvent.object_type)))
    assert not audited & {"Response", "Answer", "ResponseReceipt", "HeldResponse"}, audited
    # No log line names a person together with a response.
    for record in caplog.records:
        message = record.getMessage()
        if "response" in message.lower():
            assert "rp@test.example" not in message and "rp2@test.example" not in message
            assert str(world.rp.id) not in message.split("questionnaire")[0]
            for response_id in response_ids:
                assert f"response {response_id}" not in message
