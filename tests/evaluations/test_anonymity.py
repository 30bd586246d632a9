"""Anonymous answers hold against anyone with the database but not the key, and against a
coordinator who watches the results: receipts and responses are never written by one
transaction, held answers are ciphertext of one size, batches are one transaction with one date
and random ids in shuffled order, closing mixes every response, exports follow no arrival order,
logins keep the day only, and e-mail about the form is kept as counts. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
import secrets
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from netapp.blueprints.evaluations import jobs, services
from netapp.blueprints.evaluations.models import (
    Answer,
    HeldResponse,
    QuestionKind,
    QuestionnaireStatus,
    Response,
    ResponseReceipt,
)
from netapp.blueprints.evaluations.queries import RESULTS_THRESHOLD
from netapp.extensions import db
from netapp.mail import OutboxMessage, send_due
from netapp.sealing import SealError, unseal
from tests import factories
from tests.conftest import table_rows

QUESTIONS = [(QuestionKind.SCALE, "Faglig nytte?", False), (QuestionKind.TEXT, "Hva bør vi endre?", False)]


@pytest.fixture
def form(world):
    questionnaire = factories.make_questionnaire(world.network, status="open", title="Anonymt skjema",
                                                 questions=QUESTIONS)
    db.session.commit()
    return questionnaire


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def _answer(form, person, scale: int | None, comment: str | None) -> None:
    """One person answers, in a transaction of their own (as a request does)."""
    scale_q, text_q = form.questions
    services.submit_answers(form, person.id, {scale_q.id: services.AnswerValue(value=scale),
                                              text_q.id: services.AnswerValue(text=comment)})
    db.session.commit()


def _cells_after(page: str, label: str, n: int) -> list[str]:
    """The n cells after the cell `label` in its table row (the outbox page's counts per form)."""
    row = next(row for row in table_rows(page) if label in row)
    start = row.index(label) + 1
    return row[start:start + n]


def _persons(world, n: int) -> list:
    persons = [factories.make_person(world.network) for _ in range(n)]
    db.session.commit()
    return persons


def _arrival_of(response_ids: list[int]) -> list[int]:
    """The arrival number each response carries in its text ("svar 3" came third)."""
    texts = dict(db.session.execute(select(Answer.response_id, Answer.text).where(Answer.text.is_not(None))).all())
    return [int(texts[rid].split()[-1]) for rid in response_ids]


def _xmins(table: str) -> list[str]:
    return list(db.session.scalars(text(f"SELECT xmin::text FROM {table}")))


def _physical_order(table: str) -> list[int]:
    """Ids in the order the rows lie in the table: ctid on PostgreSQL, the b-tree (rowid) on SQLite."""
    order = "ctid" if _postgres() else "rowid"
    return list(db.session.scalars(text(f"SELECT id FROM {table} ORDER BY {order}")))


# ------------------------------------------------------------------------------------------ held answers

def test_held_answers_are_ciphertext_of_one_size_without_a_time(world, form):
    marker = f"hemmelig-{secrets.token_hex(8)}"
    persons = _persons(world, 3)
    _answer(form, persons[0], 5, f"{marker} kort")
    _answer(form, persons[1], None, f"{marker} " + "langt svar med æøå " * 150)
    _answer(form, persons[2], 1, None)
    sealed = db.session.scalars(select(HeldResponse.sealed)).all()
    assert len(sealed) == 3 and db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert len({len(s) for s in sealed}) == 1, "the length of a held answer would tell which one it is"
    for token in sealed:
        assert marker.encode() not in token and "æøå".encode() not in token
        assert token[:9] == b"gAAAAAAAA"  # Fernet version byte and a zero time (base64 of 0x80, 0 x 8)
    opened = [unseal(token) for token in sealed]
    assert any(marker.encode() in data for data in opened)


def test_the_database_file_and_its_wal_hold_no_plaintext_answer_until_it_is_released(app, world, form):
    """Anyone who copies the database (or a backup) while answers wait reads nothing of them."""
    if _postgres():  # the server's files are not ours to read; the column is checked above
        assert _xmins("held_response") == []
        return
    path = Path(db.engine.url.database)
    marker = f"klartekst-{secrets.token_hex(8)}"
    persons = _persons(world, 2)
    _answer(form, persons[0], 4, marker)
    _answer(form, persons[1], 2, marker)
    files = [path, Path(f"{path}-wal")]
    on_disk = b"".join(p.read_bytes() for p in files if p.exists())
    assert marker.encode() not in on_disk
    assert services.close_questionnaire(form)  # released: now it is in the results, as it should be
    db.session.commit()
    on_disk = b"".join(p.read_bytes() for p in files if p.exists())
    assert marker.encode() in on_disk  # the check above could have seen it


# ------------------------------------------------------------------------------------------ batches

def test_a_batch_is_one_transaction_of_its_own_with_one_date_random_ids_and_shuffled_order(world, form):
    persons = _persons(world, 10)
    for n, person in enumerate(persons, start=1):
        _answer(form, person, n % 5 + 1, f"svar {n}")
    assert jobs.release_answers() == 10
    responses = db.session.execute(select(Response.id, Response.released_on)).all()
    assert len(responses) == 10 and db.session.scalar(select(func.count()).select_from(HeldResponse)) == 0
    assert len({r.released_on for r in responses}) == 1, "dates differ within a batch"
    ids = sorted(r.id for r in responses)
    assert ids[0] > 2**24 and any(b - a > 1 for a, b in zip(ids, ids[1:], strict=False)), "ids look like a sequence"
    arrival = list(range(1, 11))
    assert _arrival_of(ids) != arrival, "ids follow the order of arrival"
    assert _arrival_of(_physical_order("response")) != arrival, "the rows lie in the order of arrival"
    if _postgres():
        batch = set(_xmins("response")) | set(_xmins("answer"))
        receipts = _xmins("response_receipt")
        assert len(batch) == 1, "a batch was written by more than one transaction"
        assert batch.isdisjoint(receipts), "a receipt shares its transaction with released responses"
        assert len(set(receipts)) == 10


def test_answers_wait_until_enough_are_waiting_and_closing_mixes_them_all(world, form):
    persons = _persons(world, 4)
    for n, person in enumerate(persons[:RESULTS_THRESHOLD - 1], start=1):
        _answer(form, person, 3, f"svar {n}")
    assert jobs.release_answers() == 0  # too few to stand for more than one person
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    _answer(form, persons[RESULTS_THRESHOLD - 1], 4, f"svar {RESULTS_THRESHOLD}")
    assert jobs.release_answers() == RESULTS_THRESHOLD
    first_ids = set(db.session.scalars(select(Response.id)))
    _answer(form, persons[3], 5, "svar 4")
    assert jobs.release_answers() == 0  # the fourth waits: alone it would be a batch of one
    assert len(first_ids) == db.session.scalar(select(func.count()).select_from(Response))

    assert services.close_questionnaire(form)
    db.session.commit()
    responses = db.session.execute(select(Response.id, Response.released_on)).all()
    assert len(responses) == 4 and db.session.scalar(select(func.count()).select_from(HeldResponse)) == 0
    assert len({r.released_on for r in responses}) == 1
    assert first_ids.isdisjoint({r.id for r in responses}), "closing must write every response again"
    assert sorted(_arrival_of([r.id for r in responses])) == [1, 2, 3, 4]
    if _postgres():
        assert len(set(_xmins("response")) | set(_xmins("answer"))) == 1


def test_an_answer_that_arrives_after_closing_is_mixed_in_not_released_alone(world, form):
    persons = _persons(world, 4)
    for n, person in enumerate(persons[:3], start=1):
        _answer(form, person, 3, f"svar {n}")
    services.close_questionnaire(form)
    db.session.commit()
    # As if an answer had been accepted in the moment the form closed: it found the form still open.
    form.status = QuestionnaireStatus.OPEN
    db.session.commit()
    _answer(form, persons[3], None, "svar 4")
    form.status = QuestionnaireStatus.CLOSED
    db.session.commit()
    before = set(db.session.scalars(select(Response.id)))
    assert jobs.release_answers() == 1
    after = db.session.execute(select(Response.id, Response.released_on)).all()
    assert len(after) == 4 and before.isdisjoint({r.id for r in after}) and len({r.released_on for r in after}) == 1


def test_held_answers_that_cannot_be_opened_stay_held_and_nothing_breaks(app, client, login, world, form, monkeypatch):
    persons = _persons(world, 3)
    for n, person in enumerate(persons, start=1):
        _answer(form, person, 3, f"svar {n}")
    monkeypatch.setitem(app.config, "ANSWER_KEY", services_key())  # a key that did not seal them
    with pytest.raises(SealError):
        unseal(db.session.scalar(select(HeldResponse.sealed).limit(1)))
    assert jobs.release_answers() == 0
    assert db.session.scalar(select(func.count()).select_from(HeldResponse)) == 3
    login("k@test.example")
    answer = client.post(f"/evaluations/{form.id}/close")
    assert answer.status_code == 302
    assert "kan ikke leses med nøkkelen" in client.get(answer.location).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(form), form.id).status == "open"
    # With the new key first and the old one after it, they open again.
    from netapp.sealing import derived_key
    monkeypatch.setitem(app.config, "ANSWER_KEY", services_key() + "," + derived_key(app.config["SECRET_KEY"],
                                                                                  "sealed answers v1").decode())
    assert jobs.release_answers() == 3


def services_key() -> str:
    return "x3ZtLQo5VbQvWl3aA0yqT2zP3n0c6kYvJ7c0mE2rX1Q="


# ------------------------------------------------------------------------------------------ the watching coordinator

def _download(client, form) -> list[tuple[str, ...]]:
    response = client.get(f"/evaluations/{form.id}/results.csv")
    if response.status_code != 200:
        return []
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    return [tuple(row[1:]) for row in rows[1:]]


def test_a_coordinator_who_downloads_after_every_answer_cannot_single_one_out(client, login, world, form):
    """The attack: download results.csv after each new answer and read who logged in on the
    person pages. New rows appear only in batches of at least the threshold, in no arrival order,
    and the person page shows the day of the last login, not its time."""
    persons = _persons(world, 8)
    login("k@test.example")
    seen: list[tuple[str, ...]] = []
    growth = []
    for n, person in enumerate(persons, start=1):
        _answer(form, person, n % 5 + 1, f"svar {n}")
        jobs.release_answers()
        rows = _download(client, form)
        growth.append(len(rows) - len(seen))
        assert sorted(seen) == sorted(set(seen) & set(rows)) or not seen  # earlier rows stay
        seen = rows
        page = client.get(f"/evaluations/{form.id}/results").get_data(as_text=True)
        assert ("Resultatene vises når minst" in page) == (len(rows) < RESULTS_THRESHOLD)
    assert all(step == 0 or step >= RESULTS_THRESHOLD for step in growth), growth
    assert sum(growth) == 6 and growth[3] == 0  # the fourth answer alone never shows
    order = [int(row[1].split()[-1]) for row in seen]
    assert order != sorted(order), "the export lists responses in the order they came in"

    # The person page: the last login as a day, with no time of day.
    rp_page = client.get(f"/registry/persons/{world.rp.id}").get_data(as_text=True)
    login("rp@test.example")
    login("k@test.example")
    rp_page = client.get(f"/registry/persons/{world.rp.id}").get_data(as_text=True)
    last_login = re.search(r"sist innlogget ([^<·]*)", rp_page).group(1).strip()
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", last_login), last_login
    account = db.session.scalar(select(type(world.rp_user)).where(type(world.rp_user).id == world.rp_user.id))
    assert not hasattr(account, "last_login_at") and account.last_login_on is not None


# ------------------------------------------------------------------------------------------ e-mail about the form

def test_invitations_to_an_anonymous_form_show_as_counts_and_are_wiped_once_sent(app, client, login, world,
                                                                                 monkeypatch):
    from netapp.devmail import MailCatcher

    draft = factories.make_questionnaire(world.network, title="Invitert", questions=QUESTIONS)
    db.session.commit()
    login("k@test.example")
    assert client.post(f"/evaluations/{draft.id}/open").status_code == 302
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert len(messages) == 3 and all(m.anonymous and m.topic == f"questionnaire:{draft.id}" for m in messages)
    login("admin@test.example")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "rp@test.example" not in page and "rp2@test.example" not in page and "ag@test.example" not in page
    assert _cells_after(page, "Evaluering: Invitert", 1) == ["3"], "no count per form"

    with MailCatcher() as catcher:
        monkeypatch.setitem(app.config, "MAIL_SERVER", catcher.host)
        monkeypatch.setitem(app.config, "MAIL_PORT", catcher.port)
        assert send_due()["sent"] == 3
        assert {str(m["To"]) for m in catcher.messages} == {"rp@test.example", "rp2@test.example", "ag@test.example"}
    db.session.expire_all()
    sent = db.session.scalars(select(OutboxMessage)).all()
    assert all(m.to_address == "" and m.body_text == "" and m.status == "sent" for m in sent)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert _cells_after(page, "Evaluering: Invitert", 3) == ["0", "0", "3"]  # queued, being sent, sent


def test_receipts_and_responses_share_no_order_or_key(world, form):
    persons = _persons(world, 6)
    for n, person in enumerate(persons, start=1):
        _answer(form, person, 2, f"svar {n}")
    jobs.release_answers()
    receipt_ids = set(db.session.scalars(select(ResponseReceipt.id)))
    response_ids = set(db.session.scalars(select(Response.id)))
    assert len(receipt_ids) == len(response_ids) == 6 and receipt_ids.isdisjoint(response_ids)
    assert min(receipt_ids | response_ids) > 2**24
