"""What a manager sees first: their staff, never themselves; no participants' menus they have no
use for; and, on a person's registry page, the events the person registered for and attended."""

from __future__ import annotations

from netapp.extensions import db
from tests import factories
from tests.conftest import table_rows


def _leader_of_own_workplace(world):
    workplace = factories.make_workplace(name="Barneavdelingen")
    leder = factories.make_person(email="leder@test.example", first_name="Lena", last_name="Leder", workplace=workplace)
    leder.is_manager = True
    workplace.leader = leder
    factories.make_user("leder@test.example", person=leder)
    staff = factories.make_person(world.network, first_name="Siri", last_name="Sykepleier", workplace=workplace)
    db.session.commit()
    return leder, staff


def test_a_managers_staff_never_includes_the_manager(client, login, world):
    leder, staff = _leader_of_own_workplace(world)
    login("leder@test.example")
    page = client.get("/staff/").get_data(as_text=True)
    names = [row[0] for row in table_rows(page)[1:]]
    assert any("Sykepleier, Siri" in name for name in names)
    assert not any("Leder, Lena" in name for name in names)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "1 person i nettverkene" in dashboard


def test_a_manager_who_takes_no_part_sees_no_participants_menus(client, login, world):
    _leader_of_own_workplace(world)
    login("leder@test.example")
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/events/"' not in page and 'href="/evaluations/"' not in page
    assert "Mine påmeldinger" not in page
    assert "Mine ansatte" in page
    # A resource person (and a coordinator) still has them; the header is kept per role set, so the
    # manager's cached header is not theirs.
    client.post("/auth/logout")
    login("rp@test.example")
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/events/"' in page and 'href="/evaluations/"' in page
    client.post("/auth/logout")
    login(world.coordinator_email)
    assert 'href="/events/"' in client.get("/dashboard").get_data(as_text=True)


def test_a_manager_who_is_also_a_resource_person_keeps_the_menus(client, login, world):
    world.rp.is_manager = True
    world.rp2.manager = world.rp
    db.session.commit()
    login("rp@test.example")
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/events/"' in page and "Mine ansatte" in page


def _event_rows(page: str) -> list[list[str]]:
    """The rows of the person page's events table (the last table on the page)."""
    rows = table_rows(page)
    return rows[rows.index(["Dato", "Arrangement", "Nettverk", "Deltok"]) + 1:]


def test_the_person_page_lists_the_events_registered_for_and_attended(client, login, world):
    past = world.event(days=-30, title="Nettverkssamling i vår")
    coming = world.event(days=30, title="Fagdag til høsten")
    cancelled = world.event(days=10, title="Avlyst møte")
    elsewhere = world.event(days=-5, title="Det andre nettverkets samling", network=world.other_network)
    factories.make_event_registration(past, world.rp, attended=True)
    factories.make_event_registration(coming, world.rp)
    factories.make_event_registration(elsewhere, world.rp, attended=True)
    from netapp.timeutil import utcnow
    cancelled.cancelled_at = utcnow()
    factories.make_event_registration(cancelled, world.rp)
    db.session.commit()

    login(world.coordinator_email)
    page = client.get(f"/registry/persons/{world.rp.id}").get_data(as_text=True)
    assert "Påmeldt til 3 arrangementer, deltok på 1." in page
    rows = {row[1]: row[3] for row in _event_rows(page)}
    assert rows == {"Nettverkssamling i vår": "Ja", "Fagdag til høsten": "Kommer", "Avlyst møte": "Avlyst"}
    # Another network's event is not the coordinator's to see; the admin sees all.
    assert "Det andre nettverkets samling" not in page
    client.post("/auth/logout")
    login("admin@test.example")
    page = client.get(f"/registry/persons/{world.rp.id}").get_data(as_text=True)
    assert "Påmeldt til 4 arrangementer, deltok på 2." in page

    page = client.get(f"/registry/persons/{world.rp2.id}").get_data(as_text=True)
    assert "Ikke påmeldt til noe arrangement ennå." in page


def test_the_person_page_costs_the_same_queries_with_many_events(client, login, world, count_queries):
    login(world.coordinator_email)

    def add(n):
        for _ in range(n):
            factories.make_event_registration(factories.make_event(world.network, days=-3), world.rp, attended=True)
        db.session.commit()

    add(2)
    with count_queries() as few:
        page = client.get(f"/registry/persons/{world.rp.id}").get_data(as_text=True)
    assert "Påmeldt til 2 arrangementer, deltok på 2." in page
    add(40)
    with count_queries() as many:
        page = client.get(f"/registry/persons/{world.rp.id}").get_data(as_text=True)
    assert "Påmeldt til 42 arrangementer, deltok på 42. Viser de 20 siste." in page
    assert len(_event_rows(page)) == 20
    assert few() == many()
