"""A small world for the evaluation tests: one network with a coordinator, two resource
persons, a working-group member and an outsider, each with an account (password "demo")."""

from __future__ import annotations

import pytest

from netapp.blueprints.registry.models import MembershipRole
from netapp.extensions import db
from tests import factories


class World:
    def __init__(self):
        self.network = factories.make_network("nettverket", default=True)
        self.other_network = factories.make_network("det-andre")
        self.coordinator = factories.make_coordinator(self.network, email="k@test.example")
        self.rp = factories.make_person(self.network, email="rp@test.example", first_name="Rita")
        self.rp_user = factories.make_user("rp@test.example", person=self.rp)
        self.rp2 = factories.make_person(self.network, email="rp2@test.example")
        self.rp2_user = factories.make_user("rp2@test.example", person=self.rp2)
        self.wg = factories.make_person(self.network, MembershipRole.WORKING_GROUP, email="ag@test.example")
        self.outsider = factories.make_person(self.other_network, email="ute@test.example")
        factories.make_user("ute@test.example", person=self.outsider)
        factories.make_user("admin@test.example", is_admin=True)
        db.session.commit()


@pytest.fixture
def world(app):
    return World()


@pytest.fixture
def login(client):
    """As tests/conftest.py's login, but logs out first, so a test can switch users."""

    def do_login(email: str, password: str = "demo", c=None):
        c = c or client
        c.post("/auth/logout")
        response = c.post("/auth/login", data={"email": email, "password": password})
        assert response.status_code == 302, response.data[:500]
        return c

    return do_login
