"""The scheduler reminds everyone registered two days before an event, once."""

from __future__ import annotations

from sqlalchemy import func, select

from netapp.blueprints.gatherings.jobs import send_event_reminders
from netapp.blueprints.gatherings.models import Event
from netapp.extensions import db
from netapp.mail import OutboxMessage
from netapp.scheduler import build_scheduler, in_app_context
from tests import factories


def _setup():
    network = factories.make_network()
    soon = factories.make_event(network, days=1, title="Fagdag om sorg", location="Sandnes")
    later = factories.make_event(network, days=10, title="Samling langt fram")
    cancelled = factories.make_event(network, days=1, title="Avlyst møte")
    cancelled.cancelled_at = cancelled.created_at
    past = factories.make_event(network, days=-1, title="Samling i går")
    anna = factories.make_person(network, email="anna@test.example", first_name="Anna")
    bo = factories.make_person(network, email="bo@test.example", first_name="Bo")
    for event in (soon, later, cancelled, past):
        factories.make_event_registration(event, anna)
    factories.make_event_registration(soon, bo)
    db.session.commit()
    return soon


def _mails() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.to_address)))


def test_participants_of_an_event_within_two_days_get_one_reminder_with_a_link(app):
    soon = _setup()

    assert in_app_context(app, send_event_reminders)() == 2

    mails = _mails()
    assert [m.to_address for m in mails] == ["anna@test.example", "bo@test.example"]
    assert mails[0].subject == "Påminnelse: Fagdag om sorg"
    assert "Hei Anna" in mails[0].body_text and "Sted: Sandnes" in mails[0].body_text
    assert f"/events/{soon.id}" in mails[0].body_text
    assert {(m.source_type, m.source_id) for m in mails} == {("event", soon.id)}  # the event's mail
    assert db.session.get(Event, soon.id).reminder_sent_at is not None


def test_a_second_run_sends_nothing_again(app):
    _setup()
    in_app_context(app, send_event_reminders)()
    assert in_app_context(app, send_event_reminders)() == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_the_job_is_registered_in_the_scheduler(app):
    assert "gatherings_event_reminders" in {job.id for job in build_scheduler(app).get_jobs()}


def test_each_participant_gets_the_reminder_in_the_language_of_their_account(app):
    from netapp.blueprints.registry.models import Person

    _setup()
    anna = db.session.scalar(select(Person).where(Person.email == "anna@test.example"))
    factories.make_user("anna@test.example", person=anna).language = "en"
    db.session.commit()

    in_app_context(app, send_event_reminders)()

    english, norwegian = _mails()
    assert english.subject == "Reminder: Fagdag om sorg" and english.body_text.startswith("Hello Anna")
    assert norwegian.subject == "Påminnelse: Fagdag om sorg" and norwegian.body_text.startswith("Hei Bo")
