"""Retention: persons who left are erased RETENTION_MONTHS_AFTER_LEFT months after their end date;
coordinators see what is due and what comes due soon; a daily job erases what is due."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from netapp import scheduler
from netapp.blueprints.privacy import jobs, services
from netapp.blueprints.registry import services as registry_services
from netapp.blueprints.registry.models import Person, PersonStatus
from netapp.extensions import db
from tests import factories

TODAY = date(2027, 1, 15)  # 24 months back: 15.01.2025; due within 3 months: left by 15.04.2025


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(services, "today_oslo", lambda: TODAY)
    return TODAY


@pytest.fixture
def people(today, world):
    """Persons of the world's network who left at different times (and one of the other network)."""
    network, other = world.network, world.other_network
    workplace = factories.make_workplace(name="Barnebolig Nord")
    ids = {}
    for key, net, left_on in (
        ("long_ago", network, date(2024, 6, 30)),
        ("exactly", network, date(2025, 1, 15)),  # exactly 24 months: due today
        ("soon", network, date(2025, 3, 1)),
        ("boundary", network, date(2025, 4, 15)),  # due in exactly 3 months: still in the coming list
        ("later", network, date(2025, 6, 30)),
        ("elsewhere", other, date(2024, 1, 1)),
    ):
        person = factories.make_person(net, workplace=workplace, first_name=key.capitalize(), last_name="Sluttet")
        registry_services.deactivate_person(person, left_on)
        ids[key] = person.id
    ids["active"] = factories.make_person(network, first_name="Aktiv", last_name="Fortsatt").id
    db.session.commit()
    return ids


def _status(person_id: int) -> PersonStatus:
    db.session.expire_all()
    return db.session.get(Person, person_id).status


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert services.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert services.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert services.add_months(date(2027, 1, 15), -24) == date(2025, 1, 15)
    assert services.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_retention_window_follows_the_configuration(app, monkeypatch, today):
    window = services.retention_window()
    assert (window.months, window.cutoff, window.upcoming_until) == (24, date(2025, 1, 15), date(2025, 4, 15))
    assert window.due_on(date(2025, 3, 1)) == date(2027, 3, 1)
    monkeypatch.setitem(app.config, "RETENTION_MONTHS_AFTER_LEFT", 6)
    assert services.retention_window().cutoff == date(2026, 7, 15)


def test_coordinators_see_what_is_due_in_their_networks(client, login, people):
    login("k@test.example")
    page = client.get("/privacy/retention").get_data(as_text=True)
    assert "<h1>Sletting etter sluttdato</h1>" in page
    assert "slettes 24 måneder etter sluttdatoen" in page
    assert "Forfalt nå (2)" in page and "Forfaller innen 3 måneder (2)" in page
    assert "Long_ago" in page and "Exactly" in page
    assert "30.06.2024" in page and "30.06.2026" in page  # left, and the day it fell due
    for name in ("Soon", "Boundary", "Later", "Elsewhere", "Aktiv"):
        assert name not in page, name
    assert 'href="/privacy/retention/erase-due"' in page
    assert f'href="/privacy/persons/{people["long_ago"]}/erase"' in page

    upcoming = client.get("/privacy/retention?list=upcoming").get_data(as_text=True)
    assert "Soon" in upcoming and "01.03.2027" in upcoming and "Boundary" in upcoming
    for name in ("Long_ago", "Exactly", "Later", "Elsewhere"):
        assert name not in upcoming, name
    assert 'href="/privacy/retention/erase-due"' not in upcoming


def test_the_list_is_paginated(app, client, login, monkeypatch, people):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    login("k@test.example")
    first = client.get("/privacy/retention").get_data(as_text=True)
    second = client.get("/privacy/retention?page=2").get_data(as_text=True)
    assert "Long_ago" in first and "Exactly" not in first  # oldest first
    assert "Exactly" in second and "Long_ago" not in second
    assert 'href="/privacy/retention?list=due&amp;page=2"' in first
    assert client.get("/privacy/retention?page=x&list=nonsense").status_code == 200


def test_admins_see_every_network(client, login, people):
    login("admin@test.example")
    page = client.get("/privacy/retention").get_data(as_text=True)
    assert "Forfalt nå (3)" in page and "Elsewhere" in page


def test_nothing_due_says_so(app, client, login, monkeypatch, people):
    monkeypatch.setitem(app.config, "RETENTION_MONTHS_AFTER_LEFT", 60)
    login("k@test.example")
    page = client.get("/privacy/retention").get_data(as_text=True)
    assert "Forfalt nå (0)" in page and "Ingen personer har passert slettefristen." in page
    assert 'href="/privacy/retention/erase-due"' not in page
    assert "Ingen personer har passert slettefristen." in client.get("/privacy/retention/erase-due").get_data(as_text=True)


def test_erase_due_asks_first_then_erases_only_what_is_due_in_scope(client, login, people):
    login("k@test.example")
    confirm = client.get("/privacy/retention/erase-due").get_data(as_text=True)
    assert "2 personer sluttet for minst 24 måneder siden." in confirm
    assert 'action="/privacy/retention/erase-due"' in confirm
    assert _status(people["long_ago"]) == PersonStatus.LEFT  # the page changed nothing

    response = client.post("/privacy/retention/erase-due", follow_redirects=True)
    assert "Personopplysningene til 2 personer er slettet." in response.get_data(as_text=True)
    assert _status(people["long_ago"]) == _status(people["exactly"]) == PersonStatus.ERASED
    for key in ("soon", "boundary", "later"):
        assert _status(people[key]) == PersonStatus.LEFT, key
    assert _status(people["elsewhere"]) == PersonStatus.LEFT  # another network: not theirs to erase
    assert _status(people["active"]) == PersonStatus.ACTIVE

    again = client.post("/privacy/retention/erase-due", follow_redirects=True).get_data(as_text=True)
    assert "Ingen personer hadde passert slettefristen." in again
    assert "Forfalt nå (0)" in again


def test_only_coordinators_reach_the_retention_pages(client, login, people):
    factories.make_user("ressurs@test.example", person=factories.make_person(email="ressurs@test.example"))
    db.session.commit()
    for url in ("/privacy/retention", "/privacy/retention/erase-due"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.location
    login("ressurs@test.example")
    assert client.get("/privacy/retention").status_code == 403
    assert client.post("/privacy/retention/erase-due").status_code == 403
    assert _status(people["long_ago"]) == PersonStatus.LEFT


def test_the_daily_job_erases_everything_due_and_commits(app, people, monkeypatch):
    monkeypatch.setattr(services, "ERASE_BATCH", 2)  # several batches, each committed
    assert jobs.erase_due_persons() == 3
    db.session.rollback()  # what the job did is committed, not left in the session
    for key in ("long_ago", "exactly", "elsewhere"):
        assert _status(people[key]) == PersonStatus.ERASED, key
    for key in ("soon", "boundary", "later"):
        assert _status(people[key]) == PersonStatus.LEFT, key
    assert db.session.get(Person, people["long_ago"]).full_name == "Slettet person"
    assert jobs.erase_due_persons() == 0  # idempotent: a second run finds nothing


def test_the_job_is_scheduled_daily(app, people):
    job = {j.id: j for j in scheduler.build_scheduler(app).get_jobs()}["privacy_erase_due"]
    assert "hour='2'" in str(job.trigger)
    assert job.func() == 3  # wrapped in its own app context and transaction
    assert _status(people["elsewhere"]) == PersonStatus.ERASED
    assert db.session.scalar(select(Person.id).where(Person.last_name == "Sluttet", Person.first_name == "Later"))
