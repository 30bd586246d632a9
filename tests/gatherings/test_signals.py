"""What the events domain announces (netapp/blueprints/gatherings/signals.py): each signal once, with
its arguments, inside the change's transaction; closing the attendance list; and gatherings knowing
nothing of the domains that listen."""

from __future__ import annotations

import ast
import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from netapp.blueprints.gatherings import signals
from netapp.blueprints.gatherings.models import Event, EventRegistration
from netapp.extensions import db
from netapp.mail import OutboxMessage, enqueue
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
EVENT_FORM = {"kind": "gathering", "title": "Samling om sorg", "date": "2031-01-15", "start_time": "10:00",
              "end_time": "15:00"}


class Heard:
    """A receiver that records each call: (the sending event's id and title, kwargs)."""

    def __init__(self):
        self.calls: list[tuple[tuple[int, str], dict]] = []

    def __call__(self, sender, **kwargs):
        assert isinstance(sender, Event)
        self.calls.append(((sender.id, sender.title), kwargs))


def _event(event_id: int) -> Event:
    db.session.expire_all()
    return db.session.get(Event, event_id)


@pytest.fixture
def heard():
    return Heard()


# ---------------------------------------------------------------- event changed

def test_creating_an_event_announces_it_once(world, client, login, heard):
    login(world.coordinator_email)
    with signals.event_changed.connected_to(heard):
        response = client.post("/events/new", data={**EVENT_FORM, "network_id": world.network.id})
    assert response.status_code == 302
    [((event_id, title), kwargs)] = heard.calls
    assert event_id == db.session.scalar(select(Event.id)) and title == "Samling om sorg"
    assert kwargs["created"] is True
    assert {"title", "starts_at", "ends_at"} <= kwargs["changed"]


def test_editing_an_event_announces_what_changed(world, client, login, heard):
    event = factories.make_event(world.network, title="Samling", start=(10, 0), end=(15, 0))
    db.session.commit()
    login(world.coordinator_email)
    form = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="Samling"' in form
    day = event.starts_at.date().isoformat()  # 10:00 Oslo is 08:00 or 09:00 UTC: the same day
    hidden = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*type="hidden"[^>]*value="([^"]*)"', form)
                  + re.findall(r'<input[^>]*type="hidden"[^>]*name="(\w+)"[^>]*value="([^"]*)"', form))
    with signals.event_changed.connected_to(heard):
        response = client.post(f"/events/{event.id}/edit", data={
            **hidden, "kind": "gathering", "title": "Samling om sorg", "date": day, "start_time": "10:00",
            "end_time": "15:00"})
    assert response.status_code == 302
    [((event_id, title), kwargs)] = heard.calls
    assert (event_id, title) == (event.id, "Samling om sorg")
    assert kwargs == {"created": False, "changed": frozenset({"title"})}


# ---------------------------------------------------------------- event cancelled

def test_cancelling_announces_it_once_after_the_mails_are_queued(world, client, login, heard, outbox):
    event = factories.make_event(world.network)
    factories.make_event_registration(event, world.rp)
    db.session.commit()
    seen_mails = []

    def receiver(sender, **kwargs):
        heard(sender, **kwargs)
        seen_mails.append(db.session.scalar(select(OutboxMessage.to_address)))

    login(world.coordinator_email)
    with signals.event_cancelled.connected_to(receiver):
        assert client.post(f"/events/{event.id}/cancel").status_code == 302
        assert client.post(f"/events/{event.id}/cancel").status_code == 302  # already cancelled: no second signal
    [((event_id, _title), kwargs)] = heard.calls
    assert event_id == event.id
    assert kwargs == {"cancelled_at": _event(event.id).cancelled_at, "notified": 1}
    assert seen_mails == [world.rp.email]  # the receiver runs in the change's transaction
    [mail] = outbox(world.rp.email)
    assert (mail.source_type, mail.source_id) == ("event", event.id)  # the outbox knows the event's mail


def test_a_receiver_that_fails_aborts_the_change(app, world, client, login, monkeypatch, outbox):
    """A receiver raising ends the request as an error and nothing of the change is committed:
    neither the cancellation nor the participants' e-mails."""
    event = factories.make_event(world.network)
    factories.make_event_registration(event, world.rp)
    db.session.commit()

    def failing(sender, **kwargs):
        raise RuntimeError("the receiver failed")

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production: the 500 page
    login(world.coordinator_email)
    with signals.event_cancelled.connected_to(failing):
        response = client.post(f"/events/{event.id}/cancel")
    assert response.status_code == 500
    assert _event(event.id).cancelled_at is None
    assert outbox() == []
    # Without the failing receiver the same request goes through.
    assert client.post(f"/events/{event.id}/cancel").status_code == 302
    assert _event(event.id).cancelled_at is not None and len(outbox()) == 1


# ---------------------------------------------------------------- attendance closed

def test_closing_the_attendance_list_announces_it_once_and_makes_the_list_final(world, client, login, heard, outbox):
    event = factories.make_event(world.network, days=-1, title="Samling i går")
    came = factories.make_event_registration(event, world.rp)
    stayed_away = factories.make_event_registration(event, world.rp2)
    db.session.commit()
    login(world.coordinator_email)
    client.post(f"/events/{event.id}/attendance", data={"shown": [came.id, stayed_away.id], "attended": [came.id]})
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Ja, steng oppmøtelisten" in page

    def receiver(sender, **kwargs):  # a receiver writes in the same transaction: committed with it
        heard(sender, **kwargs)
        enqueue("planlegger@test.example", f"Oppmøtet er klart: {sender.title}", "Tekst")

    with signals.attendance_closed.connected_to(receiver):
        done = client.post(f"/events/{event.id}/attendance/close", follow_redirects=True).get_data(as_text=True)
        again = client.post(f"/events/{event.id}/attendance/close", follow_redirects=True).get_data(as_text=True)
    assert "Oppmøtelisten er stengt: 1 deltok." in done
    assert "Oppmøtelisten er allerede stengt." in again
    [((event_id, _title), kwargs)] = heard.calls
    closed_at = _event(event.id).attendance_closed_at
    assert event_id == event.id and kwargs == {"closed_at": closed_at, "attended": 1}
    assert [m.subject for m in outbox("planlegger@test.example")] == ["Oppmøtet er klart: Samling i går"]

    # From now on the list is read-only: the page says so and a save changes nothing.
    assert "Oppmøtelisten ble stengt" in again and "Lagre oppmøte" not in again
    assert "Ja, steng oppmøtelisten" not in again
    refused = client.post(f"/events/{event.id}/attendance", data={
        "shown": [came.id, stayed_away.id], "attended": [stayed_away.id]}, follow_redirects=True)
    assert "Oppmøtelisten er stengt, så oppmøtet kan ikke endres." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert [db.session.get(EventRegistration, r.id).attended for r in (came, stayed_away)] == [True, False]


@pytest.mark.parametrize("case", ["coming", "cancelled"])
def test_the_attendance_list_closes_only_after_the_start_of_an_event_that_takes_place(world, client, login, heard,
                                                                                       case):
    event = factories.make_event(world.network, days=3 if case == "coming" else -1)
    if case == "cancelled":
        event.cancelled_at = event.starts_at
    db.session.commit()
    login(world.coordinator_email)
    assert "Ja, steng oppmøtelisten" not in client.get(f"/events/{event.id}").get_data(as_text=True)
    with signals.attendance_closed.connected_to(heard):
        page = client.post(f"/events/{event.id}/attendance/close", follow_redirects=True).get_data(as_text=True)
    expected = {"coming": "Oppmøtelisten kan stenges når arrangementet har startet.",
                "cancelled": "Arrangementet er avlyst."}[case]
    assert expected in page
    assert heard.calls == [] and _event(event.id).attendance_closed_at is None


def test_concurrent_closes_announce_once(app, world, heard):
    event = factories.make_event(world.network, days=-1)
    factories.make_event_registration(event, world.rp, attended=True)
    db.session.commit()
    event_id = event.id
    clients = []
    for _ in range(5):
        c = app.test_client()
        assert c.post("/auth/login", data={"email": world.coordinator_email, "password": "demo"}).status_code == 302
        clients.append(c)
    barrier = threading.Barrier(len(clients))
    statuses = []

    def close(c):
        barrier.wait()
        statuses.append(c.post(f"/events/{event_id}/attendance/close").status_code)

    with signals.attendance_closed.connected_to(heard):
        threads = [threading.Thread(target=close, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert statuses == [302] * len(clients)
    assert len(heard.calls) == 1 and heard.calls[0][1]["attended"] == 1
    told = [c.get(f"/events/{event_id}").get_data(as_text=True) for c in clients]
    assert sum("Oppmøtelisten er stengt: 1 deltok." in page for page in told) == 1


# ---------------------------------------------------------------- the announcing domain knows no listener

def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_gatherings_imports_nothing_of_evaluations():
    package = ROOT / "netapp" / "blueprints" / "gatherings"
    offending = {f"{path.name}: {name}" for path in package.glob("*.py") for name in _imports(path)
                 if name.startswith("netapp.blueprints.evaluations")}
    assert not offending, offending
    templates = ROOT / "netapp" / "templates" / "gatherings"
    mentions = [str(path.relative_to(templates)) for path in templates.rglob("*")
                if path.is_file() and "evaluations" in path.read_text(encoding="utf-8")]
    assert not mentions, mentions


def test_every_signal_says_who_sends_it_and_what_receivers_return():
    for name in ("event_changed", "event_cancelled", "attendance_closed", "event_page_sections"):
        doc = getattr(signals, name).__doc__ or ""
        assert "Sender:" in doc and "Keyword arguments:" in doc and "eturn" in doc, name
