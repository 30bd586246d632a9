"""A coordinator erases a person: personal data goes, the anonymous rows reports count stay."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from netapp.audit import AuditEvent
from netapp.blueprints.auth.models import LoginAttempt, OneTimeToken, User
from netapp.blueprints.auth.services import RESET_PASSWORD, issue_token
from netapp.blueprints.joining.models import Invitation, Registration, RegistrationStatus
from netapp.blueprints.privacy import queries as privacy_queries
from netapp.blueprints.privacy.services import erase_person
from netapp.blueprints.registry import queries, services
from netapp.blueprints.registry.models import Assignment, Membership, Person, PersonStatus, Sector
from netapp.extensions import db
from netapp.mail import OutboxMessage, enqueue
from netapp.timeutil import today_oslo, utcnow
from tests import factories

YEAR_2024 = (date(2024, 1, 1), date(2024, 12, 31))


@pytest.fixture
def setup():
    """A network over two municipalities: one person stays, one (Kari) left in May 2024."""
    alfa = factories.make_municipality(name="Alfa")
    beta = factories.make_municipality(name="Beta")
    network = factories.make_network(region=[alfa, beta])
    other = factories.make_network()
    health = factories.make_workplace(alfa, "Helsestasjonen i Alfa", Sector.HEALTH_CARE)
    school = factories.make_workplace(beta, "Skolen i Beta", Sector.EDUCATION)
    factories.make_coordinator(network, email="k@test.example")
    factories.make_coordinator(other, email="annen@test.example")
    boss = factories.make_person(email="sjef@test.example", first_name="Sjef", last_name="Sjefsen")
    stay = factories.make_person(network, workplace=health, email="blir@test.example", first_name="Berit",
                                 last_name="Blir", position_percent=100, public_consent=True)
    kari = factories.make_person(network, workplace=school, manager=boss, email="Kari.Slutter@Test.example",
                                 first_name="Kari", last_name="Slutter", phone="+47 999 00 000", profession="Lærer",
                                 position_percent=60, public_consent=True)
    for person in (stay, kari):
        person.memberships[0].start_date = date(2023, 1, 1)
    services.deactivate_person(kari, date(2024, 5, 31))
    account = factories.make_user("kari.slutter@test.example", person=kari)
    issue_token(account, RESET_PASSWORD, timedelta(hours=1))
    db.session.add_all([
        Registration(network=network, status=RegistrationStatus.APPROVED, first_name="Kari", last_name="Slutter",
                     email="kari.slutter@test.example", phone="+47 999 00 000", profession="Lærer",
                     manager_name="Sjef Sjefsen", manager_email="sjef@test.example", person_id=kari.id),
        Registration(network=other, status=RegistrationStatus.AWAITING_COORDINATOR, first_name="Kari",
                     last_name="Slutter", email="kari.slutter@test.example", manager_email="sjef@test.example"),
        Registration(network=network, status=RegistrationStatus.APPROVED, first_name="Berit", last_name="Blir",
                     email="blir@test.example", manager_name="Kari Slutter", manager_email="kari.slutter@test.example"),
        Invitation(network=other, email="kari.slutter@test.example", token_hash="x" * 64,
                   expires_at=utcnow() + timedelta(days=3), message="Hei Kari"),
        LoginAttempt(email="kari.slutter@test.example", ip_address="192.0.2.1"),
    ])
    enqueue("kari.slutter@test.example", "Til Kari", "Hei Kari")
    enqueue("blir@test.example", "Til Berit", "Hei Berit")
    db.session.commit()
    return {"network": network, "other": other, "stay": stay.id, "kari": kari.id, "account": account.id,
            "boss": boss.id}


def _fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def test_erasing_removes_the_personal_data(app, client, login, setup):
    network = setup["network"]
    coverage_before = queries.coverage(network)
    counts_before = privacy_queries.member_counts(network.id, *YEAR_2024)
    assert counts_before[("Beta", "education")] == 1

    login("k@test.example")
    page = client.get(f"/privacy/persons/{setup['kari']}/erase").get_data(as_text=True)
    assert "<h1>Slett personopplysninger: Kari Slutter</h1>" in page
    assert "Medlemskap i nettverk med roller og datoer" in page  # what is kept
    assert "Slettingen kan ikke angres." in page
    response = client.post(f"/privacy/persons/{setup['kari']}/erase")
    assert response.status_code == 302
    assert response.location.endswith("/registry/")

    kari = _fresh(Person, setup["kari"])
    assert kari.full_name == "Slettet person"
    assert (kari.email, kari.email_normalized, kari.phone, kari.profession) == (None, None, "", "")
    assert kari.public_consent is False and kari.is_manager is False and kari.manager_id is None
    assert kari.status == PersonStatus.ERASED
    # the anonymous rows stay
    assert kari.workplace.name == "Skolen i Beta" and kari.workplace.sector == Sector.EDUCATION
    assert kari.position_percent == 60
    assert kari.left_on == date(2024, 5, 31)
    assert [(m.network_id, m.start_date, m.end_date) for m in kari.memberships] == [
        (network.id, date(2023, 1, 1), date(2024, 5, 31))]
    periods = db.session.scalars(select(Assignment).where(Assignment.person_id == kari.id)).all()
    assert periods and all(a.workplace_id == kari.workplace_id and a.manager_id is None for a in periods)

    account = _fresh(User, setup["account"])
    assert account.person_id is None and account.is_enabled is False
    assert account.password_hash is None and "kari" not in account.email.lower()
    assert db.session.scalar(select(func.count()).select_from(OneTimeToken).where(OneTimeToken.user_id == account.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 0

    registrations = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    for registration in registrations[:2]:
        assert registration.full_name == "Slettet person"
        assert (registration.email, registration.phone, registration.profession) == ("", "", "")
        assert (registration.manager_name, registration.manager_email) == ("", "")
    assert registrations[1].status == RegistrationStatus.REJECTED  # was waiting: closed, not approvable
    assert registrations[0].status == RegistrationStatus.APPROVED  # decided ones keep their outcome
    assert (registrations[2].full_name, registrations[2].manager_email) == ("Berit Blir", "")
    invitation = db.session.scalar(select(Invitation))
    assert invitation.email == "" and invitation.used_at is not None
    assert [m.to_address for m in db.session.scalars(select(OutboxMessage))] == ["blir@test.example"]

    # counts per network, municipality and sector can still be made
    assert queries.coverage(network) == coverage_before
    assert privacy_queries.member_counts(network.id, *YEAR_2024) == counts_before
    # who erased whom is in the audit log, without the erased values
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "erase"))
    assert (event.actor_email, event.object_type, event.object_id) == ("k@test.example", "Person", kari.id)

    # gone from the registry list and from every lookup by name or address
    listing = client.get("/registry/?status=all").get_data(as_text=True)
    assert "Slutter" not in listing and "Slettet" not in listing
    assert "Blir, Berit" in listing
    assert "Slutter" not in client.get("/registry/?q=kari&status=all").get_data(as_text=True)
    refused = app.test_client().post("/auth/login", data={"email": "kari.slutter@test.example", "password": "demo"})
    assert refused.status_code == 200 and "Feil e-post eller passord." in refused.get_data(as_text=True)


def test_erasing_an_active_person_ends_the_membership_today_and_keeps_past_counts(app, client, login, setup):
    network = setup["network"]
    public = app.test_client().get(f"/n/{network.slug}").get_data(as_text=True)
    assert "Berit Blir" in public
    assert queries.coverage(network)["total"] == 1
    factories.make_user("blir@test.example", person=db.session.get(Person, setup["stay"]))
    db.session.commit()
    berits_browser = login("blir@test.example", c=app.test_client())
    assert berits_browser.get("/auth/profile").status_code == 200
    login("k@test.example")
    page = client.get(f"/privacy/persons/{setup['stay']}/erase").get_data(as_text=True)
    assert "Personen er aktiv." in page
    assert client.post(f"/privacy/persons/{setup['stay']}/erase").status_code == 302

    berit = _fresh(Person, setup["stay"])
    assert berit.status == PersonStatus.ERASED and berit.left_on == today_oslo()
    assert [m.end_date for m in berit.memberships] == [today_oslo()]
    response = berits_browser.get("/auth/profile")  # her open session ends with the erasure
    assert response.status_code == 302 and "/auth/login" in response.location
    assert "Berit" not in app.test_client().get(f"/n/{network.slug}").get_data(as_text=True)
    assert queries.coverage(network)["total"] == 0  # no longer a member today
    assert privacy_queries.member_counts(network.id, *YEAR_2024) == {
        ("Alfa", "health_care"): 1, ("Beta", "education"): 1}
    assert db.session.scalar(select(OutboxMessage.to_address)) == "kari.slutter@test.example"


def test_a_coordinator_of_another_network_gets_403(client, login, setup):
    login("annen@test.example")
    assert client.get(f"/privacy/persons/{setup['kari']}/erase").status_code == 403
    assert client.post(f"/privacy/persons/{setup['kari']}/erase").status_code == 403
    assert _fresh(Person, setup["kari"]).full_name == "Kari Slutter"


def test_others_cannot_erase(client, login, setup):
    factories.make_user("blir@test.example", person=db.session.get(Person, setup["stay"]))
    db.session.commit()
    response = client.post(f"/privacy/persons/{setup['kari']}/erase")
    assert response.status_code == 302 and "/auth/login" in response.location
    login("blir@test.example")  # a resource person
    assert client.get(f"/privacy/persons/{setup['kari']}/erase").status_code == 403
    assert client.post(f"/privacy/persons/{setup['kari']}/erase").status_code == 403
    assert client.get("/privacy/persons/999999/erase").status_code == 403
    assert _fresh(Person, setup["kari"]).status == PersonStatus.LEFT


def test_unknown_person_is_404_for_a_coordinator(client, login, setup):
    login("k@test.example")
    assert client.get("/privacy/persons/999999/erase").status_code == 404
    assert client.post("/privacy/persons/999999/erase").status_code == 404


def test_erasing_twice_and_erasing_oneself_are_refused_politely(client, login, setup):
    login("k@test.example")
    client.post(f"/privacy/persons/{setup['kari']}/erase")
    page = client.get(f"/privacy/persons/{setup['kari']}/erase").get_data(as_text=True)
    assert "allerede slettet" in page and "Ja, slett" not in page
    response = client.post(f"/privacy/persons/{setup['kari']}/erase", follow_redirects=True)
    assert "Personopplysningene er allerede slettet." in response.get_data(as_text=True)

    me = db.session.scalar(select(Person).where(Person.email_normalized == "k@test.example"))
    page = client.get(f"/privacy/persons/{me.id}/erase").get_data(as_text=True)
    assert "Du kan ikke slette dine egne personopplysninger her." in page and "Ja, slett" not in page
    response = client.post(f"/privacy/persons/{me.id}/erase")
    assert response.status_code == 302
    assert _fresh(Person, me.id).status == PersonStatus.ACTIVE
    assert client.get("/registry/").status_code == 200  # still logged in and still a coordinator


def test_the_person_page_offers_erasure_only_for_persons_who_left(client, login, setup):
    login("k@test.example")
    left = client.get(f"/registry/persons/{setup['kari']}").get_data(as_text=True)
    assert f'href="/privacy/persons/{setup["kari"]}/erase"' in left
    active = client.get(f"/registry/persons/{setup['stay']}").get_data(as_text=True)
    assert "/erase" not in active


def test_erasing_a_manager_keeps_their_staff(setup):
    boss = db.session.get(Person, setup["boss"])
    erase_person(boss)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Person, setup["boss"]).full_name == "Slettet person"
    staff = db.session.scalar(select(Person).where(Person.manager_id == setup["boss"]))
    assert staff is not None and staff.id == setup["kari"]  # shown as "Slettet person", still counted
    assert db.session.scalar(select(func.count()).select_from(Membership)) >= 4


def test_erasing_removes_registrations_for_coming_events_and_keeps_past_attendance(app, client, login, demo):
    from netapp.blueprints.gatherings.models import Event, EventRegistration

    me = db.session.scalar(select(Person).where(Person.email_normalized == "ressurs@demo.example"))
    coming = db.session.scalar(select(Event).where(Event.title == "Nettverkssamling: Tverrfaglig samarbeid"))
    db.session.add(EventRegistration(event_id=coming.id, person_id=me.id))
    db.session.commit()
    past_attended = db.session.scalar(select(func.count()).where(
        EventRegistration.person_id == me.id, EventRegistration.attended.is_(True)))
    assert past_attended >= 1

    erase_person(me)
    db.session.commit()

    left = db.session.execute(select(Event.title, EventRegistration.attended).join(Event)
                              .where(EventRegistration.person_id == me.id)).all()
    assert ("Nettverkssamling: Tverrfaglig samarbeid", None) not in left
    assert sum(1 for _, attended in left if attended) == past_attended


def test_an_erased_name_does_not_linger_in_the_sqlite_file(app):
    """SQLite overwrites what it deletes (secure_delete): after erasure and a checkpoint, a copy of
    the database file no longer holds the person's name."""
    import secrets
    from pathlib import Path

    from sqlalchemy import text

    from netapp.blueprints.privacy.services import erase_person

    if db.engine.dialect.name != "sqlite":
        assert db.engine.dialect.name == "postgresql"  # PostgreSQL: VACUUM's business, see README
        return
    marker = f"Slettesen{secrets.token_hex(6)}"
    network = factories.make_network()
    person = factories.make_person(network, last_name=marker, first_name="Kari")
    db.session.commit()
    path = Path(db.engine.url.database)

    def on_disk() -> bytes:
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.commit()
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())

    assert marker.encode() in on_disk()
    erase_person(person)
    db.session.commit()
    assert marker.encode() not in on_disk()
