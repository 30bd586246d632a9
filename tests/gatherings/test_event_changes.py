"""Changing, cancelling and restoring an event that people registered for: they are told by
e-mail, in their language, with a calendar file whose SEQUENCE says it is the newer version."""

from __future__ import annotations

from datetime import time, timedelta

from icalendar import Calendar

from netapp.blueprints.gatherings.models import Event
from netapp.extensions import db
from netapp.timeutil import from_oslo, today_oslo, utcnow
from tests import factories


def _form(event: Event, **changes) -> dict:
    from netapp.timeutil import to_oslo

    starts, ends = to_oslo(event.starts_at), to_oslo(event.ends_at)
    data = {
        "kind": event.kind.value, "title": event.title, "date": starts.date().isoformat(),
        "start_time": starts.strftime("%H:%M"), "end_time": ends.strftime("%H:%M"),
        "location": event.location, "theme": event.theme, "description": event.description,
        "capacity": "" if event.capacity is None else str(event.capacity), "version": str(event.version),
    }
    data.update(changes)
    return data


def _calendar_item(attachment):
    [item] = Calendar.from_ical(attachment.data).walk("VEVENT")
    return item


def _registered(world, language=None):
    event = world.event(days=20, title="Nettverkssamling i Sandnes", location="Sandnes kulturhus")
    factories.make_event_registration(event, world.rp)
    factories.make_event_registration(event, world.rp2)
    if language:
        world.rp2_user.language = language
    db.session.commit()
    return event


def test_a_new_date_e_mails_everyone_registered_with_a_newer_calendar_file(client, login, outbox, world):
    event = _registered(world, language="en")
    login(world.coordinator_email)
    new_day = (today_oslo() + timedelta(days=27)).isoformat()
    page = client.post(f"/events/{event.id}/edit", data=_form(event, date=new_day, start_time="12:00"),
                       follow_redirects=True).get_data(as_text=True)
    assert "2 påmeldte får den nye tiden eller det nye stedet på e-post." in page

    [mail] = outbox("rp@test.example")
    assert mail.subject == "Endret: Nettverkssamling i Sandnes"
    assert "Hei Rita" in mail.body_text and "kl. 12:00" in mail.body_text and "kl. 10:00" in mail.body_text
    [attachment] = mail.attachments
    item = _calendar_item(attachment)
    assert int(item["sequence"]) == 1
    assert item.decoded("dtstart").replace(tzinfo=None) == from_oslo(today_oslo() + timedelta(days=27), time(12, 0))
    # The same file as the calendar link gives from now on.
    assert attachment.data == client.get(f"/events/{event.id}/calendar.ics").data
    # Each in their own language.
    [english] = outbox("rp2@test.example")
    assert "Hei" not in english.body_text.split("\n")[0]

    # Another change of place raises it again; a change of the description alone mails nobody.
    db.session.refresh(event)
    client.post(f"/events/{event.id}/edit", data=_form(event, location="Stavanger"))
    assert len(outbox("rp@test.example")) == 2
    assert int(_calendar_item(outbox("rp@test.example")[-1].attachments[0])["sequence"]) == 2
    db.session.refresh(event)
    client.post(f"/events/{event.id}/edit", data=_form(event, description="Mer om programmet."))
    assert len(outbox("rp@test.example")) == 2
    db.session.refresh(event)
    assert event.ics_sequence == 2 and event.description == "Mer om programmet."


def test_a_change_before_anyone_registered_sends_nothing(client, login, outbox, world):
    event = world.event(days=20, location="Sandnes")
    login(world.coordinator_email)
    page = client.post(f"/events/{event.id}/edit", data=_form(event, location="Sola"),
                       follow_redirects=True).get_data(as_text=True)
    assert "Endringene er lagret." in page
    assert outbox() == []


def test_a_new_date_makes_the_reminder_due_again(client, login, world):
    event = _registered(world)
    event.reminder_sent_at = utcnow()
    db.session.commit()
    login(world.coordinator_email)
    client.post(f"/events/{event.id}/edit",
                data=_form(event, date=(today_oslo() + timedelta(days=40)).isoformat()))
    db.session.refresh(event)
    assert event.reminder_sent_at is None


def test_a_cancelled_event_is_not_edited_but_restored_on_purpose(client, login, outbox, world):
    event = _registered(world)
    login(world.coordinator_email)
    client.post(f"/events/{event.id}/cancel")
    [cancelled] = outbox("rp@test.example")
    item = _calendar_item(cancelled.attachments[0])
    assert str(item["status"]) == "CANCELLED" and int(item["sequence"]) == 1
    assert b"METHOD:CANCEL" in cancelled.attachments[0].data

    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f"/events/{event.id}/edit" not in page
    assert "Gjenopprett arrangementet" in page
    # Editing it is refused, and it stays cancelled.
    db.session.refresh(event)
    response = client.post(f"/events/{event.id}/edit", data=_form(event, title="Ny tittel"), follow_redirects=True)
    assert "Gjenopprett det først" in response.get_data(as_text=True)
    db.session.refresh(event)
    assert event.cancelled_at is not None and event.title == "Nettverkssamling i Sandnes"

    confirm = client.get(f"/events/{event.id}/restore").get_data(as_text=True)
    assert "2 påmeldte får en e-post" in confirm and "Ja, gjenopprett arrangementet" in confirm
    assert db.session.get(Event, event.id).cancelled_at is not None  # the page changed nothing
    page = client.post(f"/events/{event.id}/restore", follow_redirects=True).get_data(as_text=True)
    assert "Arrangementet er gjenopprettet. 2 påmeldte får beskjed på e-post." in page
    db.session.refresh(event)
    assert event.cancelled_at is None and event.ics_sequence == 2
    restored = outbox("rp@test.example")[-1]
    assert restored.subject == "Gjennomføres likevel: Nettverkssamling i Sandnes"
    assert "fortsatt påmeldt" in restored.body_text
    item = _calendar_item(restored.attachments[0])
    assert str(item["status"]) == "CONFIRMED" and int(item["sequence"]) == 2
    # The registrations were kept; restoring twice does nothing more.
    client.post(f"/events/{event.id}/restore")
    assert len(outbox("rp@test.example")) == 2


def test_an_event_that_should_have_started_is_not_restored(client, login, outbox, world):
    event = world.event(days=-3, cancelled_at=utcnow() - timedelta(days=5))
    login(world.coordinator_email)
    page = client.post(f"/events/{event.id}/restore", follow_redirects=True).get_data(as_text=True)
    assert "kan ikke gjenopprettes" in page
    db.session.refresh(event)
    assert event.cancelled_at is not None
    assert "Gjenopprett arrangementet" not in client.get(f"/events/{event.id}").get_data(as_text=True)


def test_only_the_networks_coordinators_restore(client, login, world):
    event = world.event(days=10, cancelled_at=utcnow())
    login("annen@test.example")
    assert client.post(f"/events/{event.id}/restore").status_code == 403
    login("rp@test.example")
    assert client.post(f"/events/{event.id}/restore").status_code == 403
    db.session.refresh(event)
    assert event.cancelled_at is not None
