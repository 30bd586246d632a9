"""Every route, GET and POST, x every role: the status each gets. A route missing here fails."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import timedelta

import pytest
from sqlalchemy import select

import tests.matrix as matrix_pkg
from netapp.blueprints.auth.services import SET_PASSWORD, issue_token
from netapp.blueprints.joining.models import Registration, RegistrationStatus
from netapp.blueprints.registry.models import MembershipRole, Network, Person, Workplace
from netapp.demo import load_demo
from netapp.extensions import db
from tests import factories
from tests.conftest import wipe_tables
from tests.matrix import ROLES

MODULES = [importlib.import_module(f"tests.matrix.{m.name}") for m in pkgutil.iter_modules(matrix_pkg.__path__)]
ROUTES = [route for module in MODULES for route in module.ROUTES]

ACCOUNTS = {
    "resource_person": "ressurs@demo.example",
    "manager": "leder@demo.example",
    "coordinator": "koordinator@demo.example",
    "admin": "admin@demo.example",
    "other_coordinator": "annen.koordinator@test.example",
    "other_manager": "annen.leder@test.example",
}


def _reset_and_seed() -> dict:
    wipe_tables()
    load_demo()
    regional = db.session.scalar(select(Network).where(Network.slug == "barnepalliasjon-sor-rogaland"))
    stavanger = db.session.scalar(select(Network).where(Network.slug == "ressursgruppe-stavanger"))
    factories.make_coordinator(stavanger, email=ACCOUNTS["other_coordinator"])
    other_boss = factories.make_person(email=ACCOUNTS["other_manager"], first_name="Annen", last_name="Leder")
    factories.make_person(regional, manager=other_boss, email="annens.ansatt@test.example")
    factories.make_user(other_boss.email, person=other_boss)
    ressurs = db.session.scalar(select(Person).where(Person.email_normalized == "ressurs@demo.example"))
    assert ressurs.manager.email == "leder@demo.example"
    assert {m.network.slug for m in ressurs.memberships} == {"barnepalliasjon-sor-rogaland"}
    waiting = db.session.scalar(select(Registration).where(Registration.status == RegistrationStatus.AWAITING_COORDINATOR).limit(1))
    awaiting_manager = db.session.scalar(select(Registration).where(Registration.status == RegistrationStatus.AWAITING_MANAGER).limit(1))
    password_user = factories.make_user("ny.bruker@test.example")
    ctx = {
        "person": ressurs.id,
        "network": regional.slug,
        "other_network": stavanger.slug,
        "workplace": db.session.scalar(select(Workplace.id).limit(1)),
        "registration": waiting.id,
        "registration_awaiting_manager": awaiting_manager.id,
        "manager_token": f"demo-{awaiting_manager.email}",
        "password_token": issue_token(password_user, SET_PASSWORD, timedelta(hours=1)),
        "coordinator_membership_role": MembershipRole.COORDINATOR.value,
    }
    for module in MODULES:
        if hasattr(module, "extend_context"):
            module.extend_context(ctx)
    db.session.commit()
    return ctx


def _client_for(app, role: str):
    client = app.test_client()
    if role != "anonymous":
        response = client.post("/auth/login", data={"email": ACCOUNTS[role], "password": "demo"})
        assert response.status_code == 302, f"{role} could not log in"
    return client


def _call(client, route, ctx):
    url = route.url(ctx)
    if route.method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data=route.data(ctx) if route.data else {})
    response.close()  # static files are streamed from open files
    return response


def test_every_route_is_in_the_matrix(app):
    listed = {(r.endpoint, r.method) for r in ROUTES}
    missing = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (rule.endpoint, method) not in listed:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "routes missing from the route x role matrix:\n" + "\n".join(missing)


@pytest.mark.parametrize("role", ROLES)
def test_route_matrix(app, role):
    from tests.fuzz_support import fresh_demo  # seeds once, then restores a snapshot: much faster

    ctx = fresh_demo(app)
    client = _client_for(app, role)
    failures = []
    for route in [r for r in ROUTES if not r.fresh]:
        response = _call(client, route, ctx)
        expected = route.expected(role)
        if response.status_code != expected:
            failures.append(f"{route.method} {route.url(ctx)} ({route.endpoint}) as {role}: {response.status_code}, expected {expected}")
        if response.status_code == 302 and expected == 302 and role == "anonymous" and "/auth/login" in (response.location or ""):
            assert "next=" in response.location
    for route in [r for r in ROUTES if r.fresh]:
        ctx = fresh_demo(app)
        client = _client_for(app, role)
        response = _call(client, route, ctx)
        expected = route.expected(role)
        if response.status_code != expected:
            failures.append(f"{route.method} {route.url(ctx)} ({route.endpoint}) as {role}: {response.status_code}, expected {expected}")
    assert not failures, "\n".join(failures)


def test_anonymous_is_sent_to_login(app):
    from tests.fuzz_support import fresh_demo

    ctx = fresh_demo(app)
    client = app.test_client()
    for route in ROUTES:
        if route.expected("anonymous") == 302 and route.method == "GET" and route.endpoint not in ("auth.login",):
            response = _call(client, route, ctx)
            assert "/auth/login" in response.location, route.endpoint
