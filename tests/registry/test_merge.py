"""Merging two persons keeps what either record had: event registrations with their attendance,
and evaluation receipts (so the merged person cannot answer a second time)."""

from datetime import timedelta

from sqlalchemy import func, select

from netapp.blueprints.evaluations.models import Questionnaire, QuestionnaireStatus, ResponseReceipt
from netapp.blueprints.evaluations.queries import has_answered
from netapp.blueprints.gatherings.models import EventRegistration
from netapp.blueprints.registry import services
from netapp.blueprints.registry.models import Person
from netapp.extensions import db
from tests import factories


def _registrations(person_id: int) -> dict[int, EventRegistration]:
    db.session.expire_all()
    return {r.event_id: r for r in db.session.scalars(
        select(EventRegistration).where(EventRegistration.person_id == person_id))}


def _receipts(person_id: int) -> list[int]:
    return sorted(db.session.scalars(
        select(ResponseReceipt.questionnaire_id).where(ResponseReceipt.person_id == person_id)))


def test_merge_keeps_event_registrations_with_the_better_attendance():
    network = factories.make_network()
    keep = factories.make_person(network)
    dup = factories.make_person(network)
    both_attended = factories.make_event(network, days=-30)
    both_absent = factories.make_event(network, days=-20)
    both_unknown = factories.make_event(network, days=-10)
    only_dup = factories.make_event(network, days=-5)
    coming = factories.make_event(network, days=10)
    early = both_attended.starts_at - timedelta(days=20)
    late = both_attended.starts_at - timedelta(days=2)
    factories.make_event_registration(both_attended, keep, attended=None).registered_at = late
    factories.make_event_registration(both_attended, dup, attended=True).registered_at = early
    factories.make_event_registration(both_absent, keep, attended=False).registered_at = early
    factories.make_event_registration(both_absent, dup, attended=None).registered_at = late
    factories.make_event_registration(both_unknown, keep, attended=True)
    factories.make_event_registration(both_unknown, dup, attended=False)
    factories.make_event_registration(only_dup, dup, attended=True)
    factories.make_event_registration(coming, dup)
    db.session.flush()
    keep_id, dup_id = keep.id, dup.id

    services.merge_persons(keep, dup)
    db.session.commit()

    kept = _registrations(keep_id)
    assert set(kept) == {both_attended.id, both_absent.id, both_unknown.id, only_dup.id, coming.id}
    assert kept[both_attended.id].attended is True and kept[both_attended.id].registered_at == early
    assert kept[both_absent.id].attended is False and kept[both_absent.id].registered_at == early
    assert kept[both_unknown.id].attended is True  # attended beats absent
    assert kept[only_dup.id].attended is True
    assert kept[coming.id].attended is None
    assert _registrations(dup_id) == {}
    assert db.session.scalar(select(func.count(EventRegistration.id))) == 5


def test_merge_keeps_one_receipt_per_questionnaire():
    network = factories.make_network()
    keep = factories.make_person(network)
    dup = factories.make_person(network)
    both = factories.make_questionnaire(network, status="open")
    only_dup = factories.make_questionnaire(network, status="open")
    only_keep = factories.make_questionnaire(network, status="closed")
    factories.make_response(both, person=keep)
    factories.make_response(both, person=dup)
    factories.make_response(only_dup, person=dup)
    factories.make_response(only_keep, person=keep)
    keep_id, dup_id = keep.id, dup.id

    services.merge_persons(keep, dup)
    db.session.commit()

    assert _receipts(keep_id) == sorted([both.id, only_dup.id, only_keep.id])
    assert _receipts(dup_id) == []
    assert has_answered(only_dup.id, keep_id)
    assert db.session.scalar(select(func.count(ResponseReceipt.id))) == 3


def test_merging_demo_records_keeps_attendance_and_answers_once(client, demo, login):
    """Two demo records of one participant, both registered for the past gathering (one counted
    once after the merge) and one of them having answered its evaluation."""
    ressurs = db.session.scalar(select(Person).where(Person.email_normalized == "ressurs@demo.example"))
    evaluation = db.session.scalar(select(Questionnaire).where(
        Questionnaire.title == "Evaluering av nettverkssamlingen", Questionnaire.status == QuestionnaireStatus.OPEN))
    past = evaluation.event
    assert not has_answered(evaluation.id, ressurs.id)
    answered = set(db.session.scalars(select(ResponseReceipt.person_id).where(
        ResponseReceipt.questionnaire_id == evaluation.id)))
    registered = {r.person_id: r for r in db.session.scalars(
        select(EventRegistration).where(EventRegistration.event_id == past.id))}
    dup_id = min(pid for pid in answered if pid in registered)
    coming_ids = set(db.session.scalars(select(EventRegistration.event_id).where(
        EventRegistration.person_id == dup_id, EventRegistration.event_id != past.id)))
    assert coming_ids  # the duplicate is also registered for a coming event
    ressurs_id = ressurs.id
    attendance_before = db.session.scalar(select(func.count(EventRegistration.id)).where(
        EventRegistration.event_id == past.id))
    receipts_before = db.session.scalar(select(func.count(ResponseReceipt.id)).where(
        ResponseReceipt.questionnaire_id == evaluation.id))
    assert registered[ressurs_id].attended is True
    db.session.commit()

    login("koordinator@demo.example")
    response = client.post(f"/registry/persons/{ressurs_id}/merge", data={"other_id": str(dup_id), "confirmed": "1"})
    assert response.status_code == 302

    db.session.expire_all()
    assert db.session.get(Person, dup_id) is None
    kept = _registrations(ressurs_id)
    assert kept[past.id].attended is True
    assert coming_ids <= set(kept)
    assert db.session.scalar(select(func.count(EventRegistration.id)).where(
        EventRegistration.event_id == past.id)) == attendance_before - 1
    assert db.session.scalar(select(func.count(ResponseReceipt.id)).where(
        ResponseReceipt.questionnaire_id == evaluation.id)) == receipts_before
    assert has_answered(evaluation.id, ressurs_id)

    participant = client.application.test_client()
    login("ressurs@demo.example", c=participant)
    page = participant.get(f"/evaluations/{evaluation.id}/answer").get_data(as_text=True)
    assert "Du har allerede svart" in page
