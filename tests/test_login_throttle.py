"""Login throttling: an attacker slows down only their own (account, address) pair, never the
account's owner elsewhere nor the others behind the same address; waits grow, are bounded, and
end. The clock is the service module's utcnow, moved by hand: nothing sleeps."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from netapp import create_app
from netapp.blueprints.auth import services
from netapp.blueprints.auth.models import LoginAttempt
from netapp.extensions import db
from netapp.timeutil import utcnow
from tests import factories

PASSWORD = "et langt nok passord"
A, B, C, D = "192.0.2.1", "192.0.2.2", "198.51.100.3", "203.0.113.4"


class Clock:
    def __init__(self):
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(services, "utcnow", clock)
    return clock


@pytest.fixture
def kari(app):
    factories.make_user("kari@test.example", password=PASSWORD)
    db.session.commit()
    return "kari@test.example"


def _login(client, email: str, password: str, address: str):
    return client.post("/auth/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _failures(**where) -> int:
    query = select(func.count(LoginAttempt.id))
    for name, value in where.items():
        query = query.where(getattr(LoginAttempt, name) == value)
    return db.session.scalar(query)


def test_a_hundred_wrong_passwords_from_one_address_do_not_stop_the_right_one_from_another(app, kari, clock):
    # The clock stands still: a slow machine must not let the pair's first wait run out mid-test.
    attacker = app.test_client()
    statuses = [_login(attacker, kari, f"gjett {n}", A).status_code for n in range(100)]
    assert statuses[:3] == [200, 200, 200] and set(statuses[3:]) == {429}
    # The refused attempts were not checked and not counted; the count lives in the database,
    # so every worker sees it.
    assert _failures(email=kari, ip_address=A) == 3
    assert _login(attacker, kari, PASSWORD, A).status_code == 429  # the failing pair waits, even with the password
    owner = app.test_client()
    response = _login(owner, kari, PASSWORD, B)
    assert response.status_code == 302
    assert owner.get("/dashboard").status_code == 200


def test_failures_on_many_accounts_from_one_address_stop_no_one_else_behind_it(app, kari):
    attacker = app.test_client()
    for n in range(25):
        assert _login(attacker, f"konto{n}@test.example", "gjett", A).status_code == 200
    assert _failures(ip_address=A) == 25
    # Kari behind the same address (an office's proxy, a school's NAT) has not been failing.
    assert _login(app.test_client(), kari, PASSWORD, A).status_code == 302
    assert _login(app.test_client(), kari, PASSWORD, C).status_code == 302


def test_a_pairs_waits_grow_and_are_bounded(app, kari, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_WINDOW_MINUTES", 120)  # every failure below stays in the window
    cfg = app.config
    assert (cfg["LOGIN_FREE_FAILURES"], cfg["LOGIN_ACCOUNT_FAILURES"], cfg["LOGIN_MAX_DELAY_SECONDS"]) == (3, 10, 300)
    now = utcnow()
    waits = []
    for n in range(1, 16):
        services.record_failure(kari, A, now=now)
        wait = services.login_wait(kari, A, now=now)
        waits.append(wait)
        # From the account's tenth failure on (this pair's own count too) one failure is free.
        free = 1 if n >= cfg["LOGIN_ACCOUNT_FAILURES"] else cfg["LOGIN_FREE_FAILURES"]
        assert wait == (min(2 ** (n - free), cfg["LOGIN_MAX_DELAY_SECONDS"]) if n >= free else 0)
        if wait:
            assert services.login_wait(kari, A, now=now + timedelta(seconds=wait - 1)) > 0
        now += timedelta(seconds=wait)
        assert services.login_wait(kari, A, now=now) == 0  # the wait ends
    assert waits == [0, 0, 1, 2, 4, 8, 16, 32, 64, 300, 300, 300, 300, 300, 300]
    # Another address on the same account, and the same address on another account, may try.
    assert services.login_wait(kari, B, now=now) == 0
    assert services.login_wait("noen.andre@test.example", A, now=now) == 0


def test_a_waiting_pair_is_told_how_long_and_the_right_password_works_after_the_wait(app, kari, clock):
    client = app.test_client()
    for _ in range(3):
        assert _login(client, kari, "feil", A).status_code == 200
    response = _login(client, kari, PASSWORD, A)
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    page = response.get_data(as_text=True)
    assert "Vent 1 sekund og prøv igjen" in page
    assert f'value="{kari}"' in page  # what was typed is kept
    clock.advance(1)
    assert _login(client, kari, "feil igjen", A).status_code == 200  # the fourth failure: 2 seconds
    response = _login(client, kari, PASSWORD, A)
    assert response.headers["Retry-After"] == "2" and "Vent 2 sekunder" in response.get_data(as_text=True)
    clock.advance(2)
    assert _login(client, kari, PASSWORD, A).status_code == 302
    assert _failures(email=kari) == 0


def test_the_wait_is_said_in_minutes_once_it_is_a_minute_or_more(app, kari, clock):
    for _ in range(12):
        services.record_failure(kari, A)
    db.session.commit()
    response = _login(app.test_client(), kari, PASSWORD, A)
    assert response.status_code == 429 and response.headers["Retry-After"] == "300"
    assert "Vent 5 minutter" in response.get_data(as_text=True)
    clock.advance(61)
    response = _login(app.test_client(), kari, PASSWORD, A)
    assert response.headers["Retry-After"] == "239" and "Vent 4 minutter" in response.get_data(as_text=True)
    clock.advance(239)
    assert _login(app.test_client(), kari, PASSWORD, A).status_code == 302


def test_an_account_under_attack_from_many_addresses_slows_the_attackers_never_shuts_out_the_owner(app, kari, clock):
    attacker = app.test_client()
    addresses = [f"10.66.0.{n}" for n in range(1, 31)]
    for address in addresses:
        assert _login(attacker, kari, "gjett", address).status_code == 200
    assert _failures(email=kari) >= app.config["LOGIN_ACCOUNT_FAILURES"]
    # Each failing address now has one free failure only: its next try waits.
    response = _login(attacker, kari, "gjett igjen", addresses[0])
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    # The owner, from an address that has not been failing, logs in at once.
    assert _login(app.test_client(), kari, PASSWORD, D).status_code == 302
    # After a typo of their own they wait a second, not a quarter of an hour.
    owner = app.test_client()
    assert _login(owner, kari, "skrivefeil", C).status_code == 200
    assert _login(owner, kari, PASSWORD, C).status_code == 429
    clock.advance(1)
    assert _login(owner, kari, PASSWORD, C).status_code == 302


def test_a_busy_address_gives_each_of_its_failing_pairs_one_free_failure(app, kari, clock):
    for n in range(app.config["LOGIN_ADDRESS_FAILURES"]):
        services.record_failure(f"konto{n}@test.example", A)
    db.session.commit()
    client = app.test_client()
    assert _login(client, kari, "skrivefeil", A).status_code == 200
    assert _login(client, kari, PASSWORD, A).status_code == 429
    clock.advance(1)
    assert _login(client, kari, PASSWORD, A).status_code == 302


def test_a_login_clears_only_its_own_pairs_failures(app, kari, clock):
    attacker, owner = app.test_client(), app.test_client()
    for _ in range(5):
        clock.advance(60)
        assert _login(attacker, kari, "gjett", A).status_code == 200
    assert _login(owner, kari, "skrivefeil", B).status_code == 200
    assert _login(owner, kari, PASSWORD, B).status_code == 302
    assert _failures(email=kari, ip_address=B) == 0
    assert _failures(email=kari, ip_address=A) == 5
    assert _login(attacker, kari, "gjett", A).status_code == 429  # the attacker's wait was not reset


def test_old_failures_carry_no_weight(app, kari, clock):
    for _ in range(20):
        services.record_failure(kari, A, now=clock.now - timedelta(minutes=app.config["LOGIN_WINDOW_MINUTES"], seconds=1))
    db.session.commit()
    assert _login(app.test_client(), kari, PASSWORD, A).status_code == 302


def test_the_client_address_comes_from_trusted_proxies_only(app):
    """TRUSTED_PROXIES=1: the address the one proxy appended to X-Forwarded-For (what the client
    wrote before it is ignored); 0: the headers are ignored, the connection's address counts."""
    seen = {}
    for proxies in (0, 1):
        other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                       "TRUSTED_PROXIES": proxies})
        try:
            response = other.test_client().post(
                "/auth/login", data={"email": f"proxy{proxies}@test.example", "password": "feil"},
                headers={"X-Forwarded-For": f"{D}, {C}", "X-Forwarded-Proto": "https"},
                environ_base={"REMOTE_ADDR": "10.0.0.1"})
            assert response.status_code == 200
        finally:
            with other.app_context():
                db.engine.dispose()
        seen[proxies] = db.session.scalar(
            select(LoginAttempt.ip_address).where(LoginAttempt.email == f"proxy{proxies}@test.example"))
    assert seen == {0: "10.0.0.1", 1: C}
