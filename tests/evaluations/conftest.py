"""The evaluation tests use the shared `world` (tests/conftest.py: one network with a coordinator,
two resource persons, a working-group member, an outsider, another network's coordinator, an
admin) and a login that logs out first."""

from __future__ import annotations

import pytest


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
