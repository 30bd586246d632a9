"""Each main page runs as many SQL statements with 1,000 rows as with 10.

A page whose count grows with the data loads something per row (an N+1), and that is what makes
a page slow at national scale long before it shows in a test with a handful of rows. The
registry list (sorted by workplace, with a search), the person page, the dashboard and the
coverage page are checked in tests/registry/test_registry.py; the other main pages are here.
The rows are bulk-inserted (Core insert with lists of dicts) so the 1,000-row case stays quick.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

import pytest
from sqlalchemy import insert

from netapp.blueprints.joining.models import Registration
from netapp.blueprints.registry.models import Membership, Network, Person, Sector, person_search_text
from netapp.extensions import db
from tests import factories

SMALL, LARGE = 10, 1000


class World:
    """A default network with a region of three municipalities, a coordinator (k@test.example), a
    manager (leder@test.example) who leads one workplace and is the manager of everyone added,
    and `add(n)` to bulk-add persons (members who consent to public listing, half of them named
    Hansen), pending registrations and networks."""

    def __init__(self):
        self.municipalities = [factories.make_municipality() for _ in range(3)]
        self.network = factories.make_network("nettverket", default=True, region=self.municipalities)
        factories.make_coordinator(self.network, email="k@test.example")
        self.workplaces = [
            factories.make_workplace(m, sector=sector)
            for m in self.municipalities for sector in (Sector.HEALTH_CARE, Sector.EDUCATION)
        ]
        self.manager = factories.make_person(email="leder@test.example", workplace=self.workplaces[0])
        self.manager.is_manager = True
        self.workplaces[0].leader = self.manager
        factories.make_user("leder@test.example", person=self.manager)
        self.added = 0
        db.session.commit()

    def add(self, n: int) -> None:
        persons, registrations, networks = [], [], []
        now = datetime(2025, 3, 1, 12, 0)
        for i in range(self.added, self.added + n):
            email = f"bulk{i}@test.example"
            persons.append({
                "first_name": f"Fornavn{i}", "last_name": "Hansen" if i % 2 else f"Etternavn{i}",
                "email": email, "email_normalized": email, "phone": "", "profession": "Sykepleier",
                "workplace_id": self.workplaces[i % len(self.workplaces)].id, "manager_id": self.manager.id,
                "position_percent": 80, "public_consent": True, "is_manager": False, "status": "active",
                "active_from": date(2024, 1, 1), "created_at": now, "updated_at": now,
            })
            persons[-1]["search_text"] = person_search_text(
                persons[-1]["first_name"], persons[-1]["last_name"], email, "Sykepleier")
            registrations.append({
                "network_id": self.network.id, "status": "awaiting_manager" if i % 2 else "awaiting_coordinator",
                "first_name": f"Ny{i}", "last_name": "Søker", "email": f"ny{i}@test.example",
                "workplace_id": self.workplaces[i % len(self.workplaces)].id, "manager_email": "leder@test.example",
                "manager_token_hash": hashlib.sha256(f"count-{i}".encode()).hexdigest() if i % 2 else None,
                "created_at": now,
            })
            networks.append({"slug": f"massenettverk-{i}", "name": f"Nettverk nummer {i}", "short_name": "",
                             "description": "Et nettverk.", "is_default": False, "created_at": now})
        ids = db.session.scalars(insert(Person.__table__).returning(Person.__table__.c.id), persons).all()
        members = [{"person_id": pid, "network_id": self.network.id, "role": "resource_person",
                    "start_date": date(2024, 1, 1)} for pid in ids]
        db.session.execute(insert(Membership.__table__), members)
        db.session.execute(insert(Registration.__table__), registrations)
        db.session.execute(insert(Network.__table__), networks)
        db.session.commit()
        self.added += n


PAGES = {
    # path: (who, what the page must show with SMALL and with LARGE rows added)
    "/": ("k@test.example", lambda n: f"Nettverk nummer {n - 1}"),
    "/registry/?q=hansen": ("k@test.example", lambda n: f"{n // 2} personer"),
    # The public list is paginated: with many members the first page links to the next.
    "/n/nettverket": (None, lambda n: (f"Fornavn{n - 1} Hansen" if (n - 1) % 2 else f"Fornavn{n - 1} Etternavn{n - 1}")
                      if n <= 200 else "Neste"),
    "/staff/": ("leder@test.example", lambda n: "Etternavn0, Fornavn0"),
    "/registrations/": ("k@test.example", lambda n: f"{n} søknader"),
}


@pytest.fixture
def world(app):
    return World()


def _count(client, count_queries, path: str) -> tuple[int, str]:
    with count_queries() as n:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return n(), response.get_data(as_text=True)


@pytest.mark.parametrize("path", list(PAGES))
def test_page_query_count_does_not_grow_with_rows(world, client, login, count_queries, path):
    who, shows = PAGES[path]
    if who:
        login(who)
    world.add(SMALL)
    small, page = _count(client, count_queries, path)
    assert shows(SMALL) in page
    world.add(LARGE - SMALL)
    large, page = _count(client, count_queries, path)
    assert shows(LARGE) in page
    assert small == large, f"{path}: {small} SQL statements with {SMALL} rows, {large} with {LARGE}"
