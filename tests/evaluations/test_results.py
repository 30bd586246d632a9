"""Results: the threshold, aggregates that match a hand count, the CSV export, and a constant
number of queries whatever the number of answers."""

from __future__ import annotations

import codecs
import csv
import io

import pytest
from sqlalchemy import insert, select

from netapp.blueprints.evaluations import queries
from netapp.blueprints.evaluations.models import Answer, QuestionKind, Response
from netapp.blueprints.evaluations.services import random_id
from netapp.extensions import db
from netapp.spreadsheets import escape_formula
from netapp.timeutil import today_oslo
from tests import factories
from tests.conftest import table_rows

QUESTIONS = [(QuestionKind.SCALE, "Faglig nytte?", True), (QuestionKind.YES_NO, "Tid til å dele?", False),
             (QuestionKind.TEXT, "Hva bør vi endre?", False)]


@pytest.fixture
def q(world):
    questionnaire = factories.make_questionnaire(world.network, status="open", title="Resultattest", questions=QUESTIONS)
    db.session.commit()
    return questionnaire


def _answer(q, scale=None, yes=None, text=None):
    s, y, t = q.questions
    values = {}
    if scale is not None:
        values[s] = scale
    if yes is not None:
        values[y] = yes
    if text is not None:
        values[t] = text
    factories.make_response(q, values)


def test_fewer_than_three_responses_show_only_the_count(client, login, q):
    _answer(q, 5, 1, "Bra")
    _answer(q, 1, 0, "Dårlig")
    db.session.commit()
    login("k@test.example")
    page = client.get(f"/evaluations/{q.id}/results").get_data(as_text=True)
    assert "2 svar" in page and "Resultatene vises når minst 3 har svart" in page
    assert "Gjennomsnitt" not in page and "Bra" not in page and "Dårlig" not in page and "<table" not in page
    response = client.get(f"/evaluations/{q.id}/results.csv")
    assert response.status_code == 302 and response.location.endswith(f"/evaluations/{q.id}/results")
    # Said in so many words: no file yet, and why.
    page = client.get(response.location).get_data(as_text=True)
    assert "Svarene kan ikke lastes ned ennå" in page and "Nå er 2 svar med i resultatene." in page


def test_aggregates_match_a_hand_count(client, login, q):
    for scale, yes, text in [(1, 1, "Mer pauser"), (2, 1, None), (2, 0, "Flere grupper"), (5, 1, ""),
                             (5, None, None), (5, 0, "Pårørendes stemme")]:
        _answer(q, scale, yes, text)
    _answer(q)  # answered nothing at all
    db.session.commit()
    scale, yes_no, text = queries.results(q)
    # scale: 1 + 2 + 2 + 5 + 5 + 5 = 20 over 6 answers
    assert scale.answered == 6 and round(scale.average, 4) == round(20 / 6, 4)
    assert [(v, n) for v, n, _ in scale.distribution] == [(1, 1), (2, 2), (3, 0), (4, 0), (5, 3)]
    assert [p for _, _, p in scale.distribution] == [17, 33, 0, 0, 50]
    assert (yes_no.yes, yes_no.no, yes_no.answered, yes_no.yes_percent, yes_no.no_percent) == (3, 2, 5, 60, 40)
    assert text.text_count == 3 and sorted(text.texts) == ["Flere grupper", "Mer pauser", "Pårørendes stemme"]
    login("k@test.example")
    page = client.get(f"/evaluations/{q.id}/results").get_data(as_text=True)
    assert "7 svar" in page and "Gjennomsnitt: 3,3 av 5" in page
    rows = [row[:3] for row in table_rows(page)]  # answer, count, share (and the bar beside them)
    assert ["5 – I stor grad", "3", "50 %"] in rows
    assert 'aria-hidden="true"' in page and "Pårørendes stemme" in page
    assert ["Ja", "3", "60 %"] in rows


def test_text_answers_are_limited_with_a_count(client, login, q):
    for n in range(queries.TEXT_ANSWERS_SHOWN + 5):
        _answer(q, 3, 1, f"Svar nummer {n}")
    db.session.commit()
    text = queries.results(q)[2]
    assert text.text_count == queries.TEXT_ANSWERS_SHOWN + 5 and len(text.texts) == queries.TEXT_ANSWERS_SHOWN
    # In the responses' random order, never the order they came in (newest or oldest first).
    by_response = db.session.execute(select(Answer.text).where(Answer.text.is_not(None)).order_by(Answer.response_id))
    assert text.texts == [t for (t,) in by_response][:queries.TEXT_ANSWERS_SHOWN]
    login("k@test.example")
    page = client.get(f"/evaluations/{q.id}/results").get_data(as_text=True)
    assert "55 skriftlige svar" in page and "50 av dem vises, i tilfeldig rekkefølge" in page


def test_csv_has_one_row_per_response_and_is_formula_safe(client, login, q):
    _answer(q, 4, 1, '=HYPERLINK("http://x.example")')
    _answer(q, 2, 0, "Helt greit; takk")
    _answer(q, None, None, None)
    db.session.commit()
    login("k@test.example")
    response = client.get(f"/evaluations/{q.id}/results.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Svar nr.", "1. Faglig nytte?", "2. Tid til å dele?", "3. Hva bør vi endre?"]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3"]
    assert sorted(row[1:] for row in rows[1:]) == [
        ["", "", ""], ["2", "Nei", "Helt greit; takk"], ["4", "Ja", "'=HYPERLINK(\"http://x.example\")"]]
    # Listed by the responses' random ids, not in the order they came in.
    ids = db.session.scalars(select(Response.id).order_by(Response.id)).all()
    texts = {rid: db.session.scalar(select(Answer.text).where(Answer.response_id == rid, Answer.text.is_not(None)))
             for rid in ids}
    assert [row[3] for row in rows[1:]] == [escape_formula(texts[rid] or "") for rid in ids]


def test_only_coordinators_of_the_network_see_results(client, login, q):
    for value in (1, 2, 3):
        _answer(q, value)
    db.session.commit()
    for who in ("rp@test.example", "ute@test.example"):
        login(who)
        assert client.get(f"/evaluations/{q.id}/results").status_code == 403
        assert client.get(f"/evaluations/{q.id}/results.csv").status_code == 403


def _bulk_responses(q, n: int, start: int) -> None:
    s, y, t = q.questions
    ids = [random_id() for _ in range(n)]
    db.session.execute(insert(Response.__table__),
                       [{"id": rid, "questionnaire_id": q.id, "released_on": today_oslo()} for rid in ids])
    answers = []
    for i, rid in enumerate(ids, start=start):
        answers += [{"response_id": rid, "question_id": s.id, "value": i % 5 + 1, "text": None},
                    {"response_id": rid, "question_id": y.id, "value": i % 2, "text": None},
                    {"response_id": rid, "question_id": t.id, "value": None, "text": f"Tekst {i}"}]
    db.session.execute(insert(Answer.__table__), answers)
    db.session.commit()


def test_results_page_query_count_does_not_grow_with_answers(client, login, count_queries, q):
    login("k@test.example")
    _bulk_responses(q, 5, 0)
    with count_queries() as small:
        page = client.get(f"/evaluations/{q.id}/results").get_data(as_text=True)
    assert "5 svar" in page
    _bulk_responses(q, 195, 5)
    with count_queries() as large:
        page = client.get(f"/evaluations/{q.id}/results").get_data(as_text=True)
    assert "200 svar" in page and "50 av dem vises" in page
    assert small() == large(), f"{small()} SQL statements with 5 responses, {large()} with 200"
    with count_queries() as export:
        response = client.get(f"/evaluations/{q.id}/results.csv")
    assert response.status_code == 200 and response.data.count(b"\r\n") == 201
    assert export() <= small()


def test_list_query_count_does_not_grow_with_questionnaires(client, login, count_queries, world):
    def add(n):
        for _ in range(n):
            questionnaire = factories.make_questionnaire(world.network, status="open",
                                                         event=factories.make_event(world.network, days=-1))
            factories.make_response(questionnaire, {questionnaire.questions[0]: 3})
        db.session.commit()

    counts = {}
    for who in ("k@test.example", "rp@test.example"):
        login(who)
        add(3)
        with count_queries() as small:
            assert client.get("/evaluations/").status_code == 200
        add(57)
        with count_queries() as large:
            page = client.get("/evaluations/").get_data(as_text=True)
        assert "Spørreskjema" in page
        counts[who] = (small(), large())
    assert all(small == large for small, large in counts.values()), counts
