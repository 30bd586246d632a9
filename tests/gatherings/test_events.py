"""Events: creating and editing, registration and its limits, attendance, cancellation, the
participant export, the calendar file, the public page, the dashboard and the managers' page.

They use the shared `world` (tests/conftest.py): k@ coordinates its network, rp@ and rp2@ take
part, ute@ belongs to the other network only."""

from __future__ import annotations

import csv
import io
import threading
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from netapp.blueprints.gatherings import services
from netapp.blueprints.gatherings.models import Event, EventRegistration
from netapp.extensions import db
from netapp.timeutil import today_oslo, utcnow
from tests import factories


def _count(event_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(EventRegistration.id)).where(EventRegistration.event_id == event_id))


def _event(event_id: int) -> Event:
    db.session.expire_all()
    return db.session.get(Event, event_id)


# ---------------------------------------------------------------- create and edit

def test_create_event_stores_oslo_times_as_utc(world, client, login):
    login("k@test.example")
    response = client.post("/events/new", data={
        "network_id": world.network.id, "kind": "theme_day", "title": "Fagdag om sorg", "theme": "Sorg",
        "description": "Foredrag\nGruppearbeid", "location": "Sola", "date": "2031-01-15", "start_time": "09:30",
        "end_time": "15:00", "registration_deadline": "2031-01-10", "capacity": "40", "is_public": "y",
    })
    assert response.status_code == 302
    event = db.session.scalar(select(Event).where(Event.title == "Fagdag om sorg"))
    assert event.starts_at == datetime(2031, 1, 15, 8, 30)  # CET is UTC+1 in January
    assert event.ends_at == datetime(2031, 1, 15, 14, 0)
    assert event.registration_deadline == datetime(2031, 1, 10, 22, 59)
    assert (event.capacity, event.is_public, event.kind.value) == (40, True, "theme_day")
    page = client.get(response.location).get_data(as_text=True)
    assert "15.01.2031" in page and "09:30" in page and "Fagdag" in page


def test_create_event_with_bad_input_keeps_values_and_shows_errors_beside_fields(world, client, login):
    login("k@test.example")
    response = client.post("/events/new", data={
        "network_id": world.network.id, "kind": "gathering", "title": "Min samling", "date": "2031-13-45",
        "start_time": "10:00", "end_time": "09:00", "capacity": "0", "registration_deadline": "",
    })
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'value="Min samling"' in page and 'value="2031-13-45"' in page
    for field in ("date", "end_time", "capacity"):
        assert f'id="{field}-error"' in page, field
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_deadline_after_the_event_is_refused(world, client, login):
    login("k@test.example")
    response = client.post("/events/new", data={
        "network_id": world.network.id, "kind": "gathering", "title": "Samling", "date": "2031-01-15",
        "start_time": "10:00", "end_time": "12:00", "registration_deadline": "2031-01-16",
    })
    assert response.status_code == 200
    assert 'id="registration_deadline-error"' in response.get_data(as_text=True)


def test_only_coordinated_networks_can_be_chosen(world, client, login):
    login("k@test.example")
    page = client.get("/events/new").get_data(as_text=True)
    assert world.network.name in page and world.other_network.name not in page
    response = client.post("/events/new", data={
        "network_id": world.other_network.id, "kind": "gathering", "title": "Inntrenger", "date": "2031-01-15",
        "start_time": "10:00", "end_time": "12:00",
    })
    assert response.status_code == 200 and 'id="network_id-error"' in response.get_data(as_text=True)


def test_edit_refuses_capacity_below_registered(world, client, login):
    event = world.event(capacity=5)
    factories.make_event_registration(event, world.rp)
    factories.make_event_registration(event, world.rp2)
    db.session.commit()
    login("k@test.example")
    form = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert f'value="{event.title}"' in form
    data = {"kind": "gathering", "title": "Nytt navn", "date": (today_oslo() + timedelta(days=14)).isoformat(),
            "start_time": "10:00", "end_time": "15:00", "capacity": "1", "version": str(event.version)}
    response = client.post(f"/events/{event.id}/edit", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="capacity-error"' in page and "2 er allerede påmeldt" in page
    assert _event(event.id).title != "Nytt navn"
    response = client.post(f"/events/{event.id}/edit", data={**data, "capacity": "2"})
    assert response.status_code == 302 and _event(event.id).title == "Nytt navn"


def test_description_is_escaped_with_line_breaks_kept(world, client, login):
    event = world.event(description="<script>alert(1)</script>\nLinje to", is_public=True)
    login("rp@test.example")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "&lt;/script&gt;\nLinje to" in page  # the line break is kept (the browser journey sees it shown)


# ---------------------------------------------------------------- registration

def test_register_and_unregister(world, client, login):
    event = world.event(capacity=10)
    login("rp@test.example")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Meld meg på" in page
    response = client.post(f"/events/{event.id}/register", follow_redirects=True)
    assert "Du er påmeldt" in response.get_data(as_text=True) and "Meld meg av" in response.get_data(as_text=True)
    assert _count(event.id) == 1
    client.post(f"/events/{event.id}/unregister")
    assert _count(event.id) == 0


def test_double_registration_makes_one_row(world, client, login):
    event = world.event()
    login("rp@test.example")
    client.post(f"/events/{event.id}/register")
    response = client.post(f"/events/{event.id}/register", follow_redirects=True)
    assert "Du er allerede påmeldt" in response.get_data(as_text=True)
    assert _count(event.id) == 1


@pytest.mark.parametrize("case, message", [
    ("full", "Arrangementet er fullt"),
    ("deadline", "Påmeldingsfristen har gått ut"),
    ("cancelled", "Arrangementet er avlyst"),
    ("past", "allerede startet"),
])
def test_registration_is_refused_with_the_reason(world, client, login, case, message):
    fields = {
        "full": {"capacity": 1},
        "deadline": {"registration_deadline": utcnow() - timedelta(hours=1)},
        "cancelled": {"cancelled_at": utcnow()},
        "past": {"days": -1},
    }[case]
    event = world.event(**fields)
    if case == "full":
        factories.make_event_registration(event, world.rp2)
        db.session.commit()
    login("rp@test.example")
    response = client.post(f"/events/{event.id}/register", follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(EventRegistration.id)).where(
        EventRegistration.event_id == event.id, EventRegistration.person_id == world.rp.id)) == 0


def test_only_participants_of_the_network_may_register(world, client, login):
    event = world.event()
    login("ute@test.example")
    assert client.post(f"/events/{event.id}/register").status_code == 403
    assert client.get(f"/events/{event.id}").status_code == 403
    login("k@test.example")
    assert client.post(f"/events/{event.id}/register").status_code == 403
    assert _count(event.id) == 0


def test_the_last_seat_goes_to_one_of_two_racing_participants(app, world):
    event_id = world.event(capacity=1).id
    clients = []
    for email in ("rp@test.example", "rp2@test.example"):
        c = app.test_client()
        assert c.post("/auth/login", data={"email": email, "password": "demo"}).status_code == 302
        clients.append(c)
    barrier = threading.Barrier(2)
    statuses = []

    def register(c):
        barrier.wait()
        statuses.append(c.post(f"/events/{event_id}/register").status_code)

    threads = [threading.Thread(target=register, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert statuses == [302, 302]
    assert _count(event_id) == 1


def test_register_service_never_overbooks(app, world):
    event_id = world.event(capacity=2).id
    persons = [world.rp, world.rp2] + [factories.make_person(world.network) for _ in range(3)]
    db.session.commit()
    person_ids = [p.id for p in persons]
    results = []

    def register(person_id):
        with app.app_context():
            ev = db.session.get(Event, event_id)
            problem = services.register(ev, db.session.get(type(world.rp), person_id))
            db.session.commit()
            results.append(problem)

    threads = [threading.Thread(target=register, args=(pid,)) for pid in person_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results.count(None) == 2 and _count(event_id) == 2


# ---------------------------------------------------------------- coordinators

def test_attendance_only_after_start_and_only_this_events_registrations(world, client, login):
    coming = world.event(days=3)
    past = world.event(days=-2)
    r_p = factories.make_event_registration(past, world.rp)
    r_q = factories.make_event_registration(past, world.rp2, attended=True)
    other = factories.make_event_registration(coming, world.rp)
    db.session.commit()
    ids = (r_p.id, r_q.id, other.id)
    login("k@test.example")
    response = client.post(f"/events/{coming.id}/attendance", data={"attended": [str(other.id)]}, follow_redirects=True)
    assert "når arrangementet har startet" in response.get_data(as_text=True)
    response = client.post(f"/events/{past.id}/attendance", data={
        "shown": [str(ids[0]), str(ids[1]), str(ids[2])], "attended": [str(ids[0]), str(ids[2])]}, follow_redirects=True)
    assert "1 deltok" in response.get_data(as_text=True)
    db.session.expire_all()
    assert [db.session.get(EventRegistration, i).attended for i in ids] == [True, False, None]


def test_saving_the_second_page_of_a_long_participant_list_keeps_the_first_pages_attendance(world, client, login):
    """The demo theme day has 58 participants: the attendance form shows fifty a page, and saving
    page 2 changes only the registrations on page 2."""
    import re

    past = world.event(days=-1, title="Fagdag med mange")
    registrations = [factories.make_event_registration(past, factories.make_person(world.network)) for _ in range(58)]
    db.session.commit()
    login("k@test.example")

    def shown_on(page_number: int) -> list[str]:
        page = client.get(f"/events/{past.id}?page={page_number}").get_data(as_text=True)
        return re.findall(r'name="shown" value="(\d+)"', page)

    first, second = shown_on(1), shown_on(2)
    assert len(first) == 50 and len(second) == 8 and not set(first) & set(second)
    client.post(f"/events/{past.id}/attendance?page=1", data={"shown": first, "attended": first})
    client.post(f"/events/{past.id}/attendance?page=2", data={"shown": second, "attended": second[:3]})
    db.session.expire_all()
    attended = {str(r.id): db.session.get(EventRegistration, r.id).attended for r in registrations}
    assert all(attended[i] is True for i in first), "saving page 2 cleared page 1"
    assert [attended[i] for i in second] == [True] * 3 + [False] * 5


def test_participant_list_and_csv_are_formula_safe(world, client, login):
    event = world.event(days=-1)
    evil = factories.make_person(world.network, first_name="=HYPERLINK(\"http://x\")", last_name="Ond",
                                 email="ond@test.example")
    factories.make_event_registration(event, evil, attended=True)
    factories.make_event_registration(event, world.rp)
    db.session.commit()
    login("k@test.example")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Ressurs, Rita" in page and f"/registry/persons/{world.rp.id}" in page and "Lagre oppmøte" in page
    response = client.get(f"/events/{event.id}/participants.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Navn", "E-post", "Arbeidssted", "Organisasjon", "Påmeldt", "Deltok"]
    names = {row[0]: row for row in rows[1:]}
    assert "'=HYPERLINK(\"http://x\") Ond" in names
    assert names["'=HYPERLINK(\"http://x\") Ond"][5] == "ja"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_cancel_asks_first_then_mails_the_registered(world, client, login, outbox):
    event = world.event(title="Samling som avlyses")
    factories.make_event_registration(event, world.rp)
    db.session.commit()
    login("k@test.example")
    page = client.get(f"/events/{event.id}/cancel").get_data(as_text=True)
    assert "Ja, avlys arrangementet" in page
    assert _event(event.id).cancelled_at is None
    response = client.post(f"/events/{event.id}/cancel", follow_redirects=True)
    assert "Avlyst" in response.get_data(as_text=True)
    assert _event(event.id).cancelled_at is not None
    mails = outbox("rp@test.example")
    assert len(mails) == 1 and "Samling som avlyses" in mails[0].subject
    assert f"/events/{event.id}" in mails[0].body_text
    client.post(f"/events/{event.id}/cancel")
    assert len(outbox("rp@test.example")) == 1


def test_ten_concurrent_cancels_mail_each_participant_once(app, world, outbox):
    """The cancellation is claimed by one conditional UPDATE: of ten coordinators' requests racing,
    one queues the e-mails and the others are told the event is already cancelled."""
    event = world.event(title="Samling som avlyses i kor")
    third = factories.make_person(world.network, email="t@test.example")
    for person in (world.rp, world.rp2, third):
        factories.make_event_registration(event, person)
    db.session.commit()
    event_id = event.id
    clients = []
    for _ in range(10):
        c = app.test_client()
        assert c.post("/auth/login", data={"email": "k@test.example", "password": "demo"}).status_code == 302
        clients.append(c)
    barrier = threading.Barrier(len(clients))
    statuses = []

    def cancel(c):
        barrier.wait()
        statuses.append(c.post(f"/events/{event_id}/cancel").status_code)

    threads = [threading.Thread(target=cancel, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses == [302] * len(clients)
    db.session.expire_all()
    assert sorted(m.to_address for m in outbox()) == sorted(["rp@test.example", "rp2@test.example", "t@test.example"])
    assert _event(event_id).cancelled_at is not None
    told = [c.get(f"/events/{event_id}").get_data(as_text=True) for c in clients]
    assert sum("3 påmeldte får beskjed på e-post" in page for page in told) == 1
    assert sum("Arrangementet er allerede avlyst." in page for page in told) == len(clients) - 1


def test_calendar_file(world, client, login):
    event = world.event(title="Samling i kalenderen", location="Sola", description="Program", is_public=True)
    response = client.get(f"/events/{event.id}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    item = next(c for c in Calendar.from_ical(response.data).walk("VEVENT"))
    assert str(item["uid"]) == f"event-{event.id}@127.0.0.1" or str(item["uid"]).startswith(f"event-{event.id}@")
    assert item.decoded("dtstart") == event.starts_at.replace(tzinfo=UTC)
    assert item.decoded("dtend") == event.ends_at.replace(tzinfo=UTC)
    assert str(item["summary"]) == "Samling i kalenderen" and str(item["location"]) == "Sola"
    assert "Program" in str(item["description"]) and str(item["status"]) == "CONFIRMED"
    assert b"DTSTART:" in response.data and b"Z\r\n" in response.data  # UTC, not floating time
    first_uid = str(item["uid"])
    login("k@test.example")
    client.post(f"/events/{event.id}/cancel")
    item = next(c for c in Calendar.from_ical(client.get(f"/events/{event.id}/calendar.ics").data).walk("VEVENT"))
    assert str(item["status"]) == "CANCELLED" and str(item["uid"]) == first_uid


def test_calendar_of_a_members_event_needs_a_member(world, client, login):
    event = world.event()
    assert client.get(f"/events/{event.id}/calendar.ics").status_code == 302
    login("ute@test.example")
    assert client.get(f"/events/{event.id}/calendar.ics").status_code == 403


# ---------------------------------------------------------------- lists and pages

def test_participants_only_see_events_of_their_networks(world, client, login):
    mine = world.event(title="Vår samling")
    world.event(title="Deres samling", network=world.other_network)
    world.event(title="Gammel samling", days=-30)
    world.event(title="Avlyst samling", cancelled_at=utcnow())
    login("rp@test.example")
    page = client.get("/events/").get_data(as_text=True)
    assert "Vår samling" in page and "Deres samling" not in page and "Gammel samling" not in page
    assert "Avlyst" in page
    past = client.get("/events/?when=past").get_data(as_text=True)
    assert "Gammel samling" in past and "Vår samling" not in past
    assert "Vår samling" not in client.get("/events/?q=avlyst").get_data(as_text=True)
    client.post(f"/events/{mine.id}/register")
    assert "Du er påmeldt" in client.get("/events/").get_data(as_text=True)


def test_list_shows_counts_and_empty_states(app, world, client, login):
    login("k@test.example")
    assert "Legg inn et arrangement" in client.get("/events/").get_data(as_text=True)
    event = world.event(capacity=25, location="Stavanger")
    factories.make_event_registration(event, world.rp)
    db.session.commit()
    page = client.get("/events/").get_data(as_text=True)
    assert "1 av 25" in page and "Stavanger" in page and event.title in page
    other = login("ute@test.example", c=app.test_client())
    page = other.get("/events/").get_data(as_text=True)
    assert "Legg inn et arrangement" not in page and "Ingen kommende arrangementer" in page


def test_public_page_lists_public_coming_events_only(world, client):
    shown = world.event(title="Åpen samling", is_public=True, location="Sandnes")
    world.event(title="Lukket samling")
    world.event(title="Avlyst åpen samling", is_public=True, cancelled_at=utcnow())
    world.event(title="Gammel åpen samling", is_public=True, days=-10)
    world.event(title="Andres åpne samling", is_public=True, network=world.other_network)
    page = client.get("/n/nettverket").get_data(as_text=True)
    assert "Åpen samling" in page and f"/n/nettverket/events/{shown.id}" in page
    for hidden in ("Lukket samling", "Avlyst åpen samling", "Gammel åpen samling", "Andres åpne samling"):
        assert hidden not in page
    detail = client.get(f"/n/nettverket/events/{shown.id}").get_data(as_text=True)
    assert "Sandnes" in detail and f"/events/{shown.id}/calendar.ics" in detail
    assert f"next=/events/{shown.id}" in detail.replace("%2F", "/")


def test_public_event_page_refuses_private_and_foreign_events(world, client):
    private = world.event()
    public = world.event(is_public=True)
    assert client.get(f"/n/nettverket/events/{private.id}").status_code == 404
    assert client.get(f"/n/det-andre/events/{public.id}").status_code == 404


def test_dashboard_lists_my_coming_registrations(world, client, login):
    for i in range(7):
        factories.make_event_registration(world.event(title=f"Påmeldt samling {i}", days=i + 1), world.rp)
    factories.make_event_registration(world.event(title="Forbi samling", days=-3), world.rp)
    db.session.commit()
    login("rp@test.example")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Mine påmeldinger" in page
    assert all(f"Påmeldt samling {i}" in page for i in range(5))
    assert "Påmeldt samling 5" not in page and "Forbi samling" not in page


def test_managers_see_how_many_events_their_staff_attended(world, client, login):
    boss = factories.make_person(email="sjef@test.example", first_name="Sjef", last_name="Sjefsen")
    factories.make_user(boss.email, person=boss)
    world.rp.manager = boss
    boss.is_manager = True
    for days, attended in ((-10, True), (-20, True), (-30, False)):
        factories.make_event_registration(world.event(days=days), world.rp, attended=attended)
    db.session.commit()
    login("sjef@test.example")
    page = client.get("/staff/").get_data(as_text=True)
    assert "Deltatt" in page and "2 arrangementer" in page


# ---------------------------------------------------------------- query counts

def _add_events(world, n: int, start: int) -> None:
    for i in range(start, start + n):
        event = factories.make_event(world.network if i % 2 else world.other_network, days=1 + i % 40,
                                     title=f"Massesamling {i}", capacity=50)
        factories.make_event_registration(event, world.rp if i % 2 else world.outsider)
    db.session.commit()


@pytest.mark.parametrize("email", ["k@test.example", "rp@test.example"])
def test_events_list_query_count_does_not_grow(world, client, login, count_queries, email):
    login(email)
    _add_events(world, 3, 0)
    with count_queries() as small:
        assert client.get("/events/").status_code == 200
    _add_events(world, 57, 3)
    with count_queries() as large:
        page = client.get("/events/").get_data(as_text=True)
    assert "Massesamling" in page
    assert small() == large(), f"{small()} SQL statements with 3 events, {large()} with 60"


def test_event_page_query_count_does_not_grow(world, client, login, count_queries):
    event = world.event(days=-1)
    login("k@test.example")

    def add(n):
        for _ in range(n):
            factories.make_event_registration(event, factories.make_person(world.network, workplace=factories.make_workplace()))
        db.session.commit()

    add(3)
    with count_queries() as small:
        assert client.get(f"/events/{event.id}").status_code == 200
    add(57)
    with count_queries() as large:
        assert "60 påmeldte" in client.get(f"/events/{event.id}").get_data(as_text=True)
    assert small() == large()


def test_public_event_page_offers_each_visitor_the_right_next_step(app, world, client, login):
    event = world.event(is_public=True)
    url = f"/n/nettverket/events/{event.id}"
    assert "Logg inn for å melde deg på" in client.get(url).get_data(as_text=True)
    member = login("rp@test.example", c=app.test_client())
    assert f'href="/events/{event.id}"' in member.get(url).get_data(as_text=True)
    outsider = login("ute@test.example", c=app.test_client())
    page = outsider.get(url).get_data(as_text=True)
    assert f'href="/events/{event.id}"' not in page and "for medlemmer av nettverket" in page
