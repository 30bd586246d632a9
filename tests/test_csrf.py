"""CSRF: with protection on, as in production, a form posted without its token is refused and
changes nothing, for every POST route of the route x role matrix, signed in or not.

The tests switch WTF_CSRF_ENABLED on for their own duration (the testing config has it off so
other tests can post directly); the accounts log in before that.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from netapp.blueprints.registry.models import Person
from netapp.extensions import db
from tests.fuzz_support import (
    baseline_value,
    fresh_demo,
    parse_forms,
    post_routes,
    role_and_forms,
    take_snapshot,
)
from tests.test_route_matrix import ROUTES, _client_for

POST_ROUTES = post_routes(ROUTES)
REFUSED = "Skjemaet er utløpt"


@pytest.fixture
def csrf_on(app, monkeypatch):
    def switch_on():
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    return switch_on


def _submission(form, samples: list[dict]) -> dict:
    """What the form would send, filled in so that it passes validation, without the token."""
    data = {}
    for sample in samples:
        data.update(sample)
    if form is not None:
        for f in form.fields:
            if f.name != "csrf_token" and f.type not in ("file", "checkbox"):
                data.setdefault(f.name, baseline_value(f, "csrf"))
    data.pop("csrf_token", None)
    return data


def test_every_post_route_refuses_a_post_without_csrf_token_and_changes_nothing(app, csrf_on):
    ctx = fresh_demo(app)
    plans = []
    for target in POST_ROUTES:
        role, forms = role_and_forms(app, target.route, ctx, ROUTES)
        samples = target.sample_data(ctx)
        plans.append((target, role, _submission(forms[0] if forms else None, samples[-1:])))
    clients = {role: _client_for(app, role) for role in {"anonymous", *(role for _, role, _ in plans)}}
    person = db.session.get(Person, ctx["person"])
    name_before = (person.first_name, person.last_name, person.email)
    before = take_snapshot()
    csrf_on()

    failures = []
    for target, role, data in plans:
        url = target.route.url(ctx)
        for who in dict.fromkeys((role, "anonymous")):
            response = clients[who].post(url, data=data)
            body = response.get_data(as_text=True)
            if response.status_code != 400 or REFUSED not in body:
                failures.append(f"POST {url} ({target.route.endpoint}) as {who} without token: {response.status_code}")
    assert not failures, "accepted without a CSRF token:\n" + "\n".join(failures)
    assert len(plans) >= 15, [target.key for target, _, _ in plans]

    assert take_snapshot() == before, "a refused request changed the database"
    person = db.session.get(Person, ctx["person"])
    assert (person.first_name, person.last_name, person.email) == name_before


def test_the_edit_form_with_its_token_is_accepted_so_the_token_is_what_counts(app, csrf_on):
    ctx = fresh_demo(app)
    coordinator = _client_for(app, "coordinator")
    csrf_on()
    url = f"/registry/persons/{ctx['person']}/edit"
    page = coordinator.get(url)
    [form] = [f for f in parse_forms(page.get_data(as_text=True), "http://localhost" + url) if f.path == url]
    token = next(f.value for f in form.fields if f.name == "csrf_token")
    assert token
    data = {f.name: f.value if f.kind != "select" else f.selected for f in form.fields
            if f.type != "checkbox" or f.checked}
    data["first_name"] = "Endret"

    refused = coordinator.post(url, data={k: v for k, v in data.items() if k != "csrf_token"})
    assert refused.status_code == 400 and REFUSED in refused.get_data(as_text=True)
    stranger = app.test_client()
    forged = stranger.post(url, data=data)  # the token belongs to the coordinator's session
    assert forged.status_code == 400
    assert db.session.scalar(select(Person.first_name).where(Person.id == ctx["person"])) != "Endret"
    db.session.remove()

    accepted = coordinator.post(url, data=data)
    assert accepted.status_code == 302, accepted.get_data(as_text=True)[:500]
    assert accepted.location.endswith(f"/registry/persons/{ctx['person']}")
    assert db.session.scalar(select(Person.first_name).where(Person.id == ctx["person"])) == "Endret"
