"""Registering for an event sends one confirmation, with the calendar file and the way out."""

from __future__ import annotations

from icalendar import Calendar

from netapp.extensions import db
from tests import factories


def test_registering_e_mails_a_confirmation_with_the_calendar_file_and_link(client, login, outbox):
    network = factories.make_network()
    event = factories.make_event(network, days=20, title="Fagdag om sorg hos søsken", location="Sandnes",
                                 start=(9, 30), end=(15, 0))
    person = factories.make_person(network, email="kari@test.example", first_name="Kari")
    factories.make_user("kari@test.example", person=person)
    db.session.commit()

    login("kari@test.example")
    response = client.post(f"/events/{event.id}/register")
    assert response.status_code == 302

    (mail,) = outbox("kari@test.example")
    assert mail.subject == "Påmeldt: Fagdag om sorg hos søsken"
    assert "Hei Kari" in mail.body_text and "kl. 09:30" in mail.body_text and "Sted: Sandnes" in mail.body_text
    assert f"/events/{event.id}/calendar.ics" in mail.body_text
    assert f"/events/{event.id}\n" in mail.body_text
    # The calendar file goes with it, the same as the link gives; the mail is the event's.
    [attachment] = mail.attachments
    assert (attachment.filename, attachment.content_type) == (f"arrangement-{event.id}.ics", "text/calendar")
    assert attachment.data == client.get(f"/events/{event.id}/calendar.ics").data
    [item] = Calendar.from_ical(attachment.data).walk("VEVENT")
    assert str(item["summary"]) == "Fagdag om sorg hos søsken" and str(item["location"]) == "Sandnes"
    assert (mail.source_type, mail.source_id) == ("event", event.id)

    client.post(f"/events/{event.id}/register")  # a second click registers nobody and mails nothing
    assert len(outbox("kari@test.example")) == 1


def test_a_refused_registration_sends_nothing(client, login, outbox):
    network = factories.make_network()
    event = factories.make_event(network, days=20, capacity=1)
    factories.make_event_registration(event, factories.make_person(network))
    person = factories.make_person(network, email="per@test.example")
    factories.make_user("per@test.example", person=person)
    db.session.commit()

    login("per@test.example")
    page = client.post(f"/events/{event.id}/register", follow_redirects=True).get_data(as_text=True)
    assert "Arrangementet er fullt." in page
    assert outbox("per@test.example") == []
