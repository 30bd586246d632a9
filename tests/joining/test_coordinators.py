"""Coordinators: the list of registrations, approval, rejection with a reason, and who may do it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from netapp.blueprints.auth.models import User
from netapp.blueprints.joining.models import Registration, RegistrationStatus
from netapp.blueprints.registry.models import Membership, Person
from netapp.extensions import db
from tests import factories
from tests.joining.test_flow import REGIONAL, STAVANGER, network, workplace_id

INGEBORG = "ingeborg.lima@time.demo.example"  # demo: awaiting the coordinator
HANNA = "hanna.gabrielsen@gjesdal.demo.example"  # demo: awaiting the manager


def _registration(email: str) -> Registration:
    db.session.expire_all()
    return db.session.scalar(select(Registration).where(Registration.email == email))


def test_list_defaults_to_pending_and_filters(client, demo, login):
    login("koordinator@demo.example")
    html = client.get("/registrations/").get_data(as_text=True)
    assert "Ingeborg Lima" in html and "Hanna Gabrielsen" in html
    assert "Venter på leder" in html and "Venter på koordinator" in html
    html = client.get("/registrations/?status=awaiting_manager").get_data(as_text=True)
    assert "Hanna Gabrielsen" in html and "Ingeborg Lima" not in html
    html = client.get("/registrations/?status=approved").get_data(as_text=True)
    assert "Ingen søknader passer med filteret" in html
    html = client.get(f"/registrations/?network={STAVANGER}").get_data(as_text=True)
    assert "Ingeborg Lima" not in html and "Ingen søknader" in html
    # An unknown status falls back to the pending ones instead of failing.
    assert "Ingeborg Lima" in client.get("/registrations/?status=bogus&page=abc").get_data(as_text=True)


def test_empty_list_says_what_to_do(client, demo, login):
    db.session.execute(Registration.__table__.delete())
    db.session.commit()
    login("koordinator@demo.example")
    html = client.get("/registrations/").get_data(as_text=True)
    assert "Ingen søknader venter" in html and "invitasjoner" in html


def test_list_is_paginated(client, demo, login):
    regional = network()
    for n in range(55):
        db.session.add(Registration(network=regional, status=RegistrationStatus.AWAITING_COORDINATOR,
                                    first_name=f"Test{n:02d}", last_name="Person", email=f"t{n}@test.example",
                                    manager_email="leder@test.example"))
    db.session.commit()
    login("koordinator@demo.example")
    first = client.get("/registrations/").get_data(as_text=True)
    second = client.get("/registrations/?page=2").get_data(as_text=True)
    assert "58 søknader" in first
    assert first.count("<th scope=\"row\">") == 50
    assert second.count("<th scope=\"row\">") == 8
    assert "Neste" in first


def test_approve_creates_member_account_and_password_mail(client, demo, login, outbox):
    login("koordinator@demo.example")
    registration = _registration(INGEBORG)
    response = client.post(f"/registrations/{registration.id}/approve")
    assert response.status_code == 302
    person = db.session.scalar(select(Person).where(Person.email_normalized == INGEBORG))
    assert person.full_name == "Ingeborg Lima" and person.manager.email == "aud.rosland@time.demo.example"
    assert db.session.scalar(select(Membership).where(Membership.person_id == person.id)).network.slug == REGIONAL
    assert db.session.scalar(select(User).where(User.person_id == person.id)).email == INGEBORG
    assert [m for m in outbox(to=INGEBORG) if "/auth/password/" in m.body_text]
    assert [m for m in outbox(to=INGEBORG) if "er godkjent" in m.body_text]
    assert _registration(INGEBORG).decided_by_id is not None


def test_approve_reuses_the_person_with_the_same_email(client, demo, login, outbox):
    regional = network()
    # A former member of the network: within its scope, so the coordinator may change the record.
    known = factories.make_person(regional, email="Kjent.Person@Test.Example", first_name="Kjent", last_name="Person")
    known.memberships[0].end_date = date(2024, 6, 30)
    factories.make_user("kjent.person@test.example", person=known)
    db.session.add(Registration(network=regional, status=RegistrationStatus.AWAITING_COORDINATOR,
                                first_name="Kjent", last_name="Personsen", email="kjent.person@test.example",
                                profession="Fysioterapeut", workplace_id=workplace_id(),
                                manager_name="Aud Rosland", manager_email="aud.rosland@time.demo.example"))
    db.session.commit()
    persons = db.session.scalar(select(func.count()).select_from(Person))
    login("koordinator@demo.example")
    registration = _registration("kjent.person@test.example")
    assert "Registeret har allerede en person" in client.get(f"/registrations/{registration.id}").get_data(as_text=True)
    client.post(f"/registrations/{registration.id}/approve")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Person)) == persons
    person = db.session.get(Person, known.id)
    assert person.last_name == "Personsen" and person.profession == "Fysioterapeut"
    assert [m.network.slug for m in person.memberships if m.end_date is None] == [REGIONAL]
    # They already have an account: no new one, no set-password mail.
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "kjent.person@test.example")) == 1
    assert not [m for m in outbox(to="kjent.person@test.example") if "/auth/password/" in m.body_text]
    assert [m for m in outbox(to="kjent.person@test.example") if "/auth/login" in m.body_text]


def test_only_registrations_awaiting_the_coordinator_can_be_approved(client, demo, login, outbox):
    login("koordinator@demo.example")
    registration = _registration(HANNA)
    response = client.post(f"/registrations/{registration.id}/approve", follow_redirects=True)
    assert "kan ikke godkjennes nå" in response.get_data(as_text=True)
    assert _registration(HANNA).status == RegistrationStatus.AWAITING_MANAGER
    assert outbox() == []


def test_reject_needs_a_reason_and_tells_the_registrant(client, demo, login, outbox):
    login("koordinator@demo.example")
    registration = _registration(INGEBORG)
    page = client.get(f"/registrations/{registration.id}/reject")
    assert page.status_code == 200 and "Begrunnelse" in page.get_data(as_text=True)
    response = client.post(f"/registrations/{registration.id}/reject", data={"reason": "   "})
    assert response.status_code == 200
    assert 'id="reason-error"' in response.get_data(as_text=True)
    assert _registration(INGEBORG).status == RegistrationStatus.AWAITING_COORDINATOR
    assert outbox() == []

    response = client.post(f"/registrations/{registration.id}/reject",
                           data={"reason": "Bryne barnehage har allerede to ressurspersoner."})
    assert response.status_code == 302
    rejected = _registration(INGEBORG)
    assert rejected.status == RegistrationStatus.REJECTED
    assert rejected.reject_reason == "Bryne barnehage har allerede to ressurspersoner."
    mails = outbox(to=INGEBORG)
    assert len(mails) == 1 and "Bryne barnehage har allerede to ressurspersoner." in mails[0].body_text
    assert db.session.scalar(select(Person).where(Person.email_normalized == INGEBORG)) is None

    # Decided once: neither approve nor a second reject changes anything.
    response = client.post(f"/registrations/{registration.id}/approve", follow_redirects=True)
    assert "kan ikke godkjennes nå" in response.get_data(as_text=True)
    response = client.post(f"/registrations/{registration.id}/reject", data={"reason": "igjen"}, follow_redirects=True)
    assert "allerede behandlet" in response.get_data(as_text=True)
    assert _registration(INGEBORG).reject_reason == "Bryne barnehage har allerede to ressurspersoner."
    assert len(outbox(to=INGEBORG)) == 1


def test_a_registration_awaiting_the_manager_can_be_rejected(client, demo, login):
    login("koordinator@demo.example")
    registration = _registration(HANNA)
    client.post(f"/registrations/{registration.id}/reject", data={"reason": "Feil nettverk."})
    assert _registration(HANNA).status == RegistrationStatus.REJECTED
    # The manager's link is then used up.
    assert client.get(f"/register/confirm/demo-{HANNA}").status_code == 410


def test_coordinator_of_another_network_gets_403(app, client, demo, login, outbox):
    factories.make_coordinator(network(STAVANGER), email="annen@test.example")
    db.session.commit()
    login("annen@test.example")
    registration = _registration(INGEBORG)
    assert client.get(f"/registrations/{registration.id}").status_code == 403
    assert client.post(f"/registrations/{registration.id}/approve").status_code == 403
    assert client.get(f"/registrations/{registration.id}/reject").status_code == 403
    assert client.post(f"/registrations/{registration.id}/reject", data={"reason": "Nei"}).status_code == 403
    assert client.get(f"/registrations/?network={REGIONAL}").status_code == 403
    assert client.get(f"/networks/{REGIONAL}/invite").status_code == 403
    assert "Ingeborg Lima" not in client.get("/registrations/").get_data(as_text=True)
    assert _registration(INGEBORG).status == RegistrationStatus.AWAITING_COORDINATOR
    assert outbox() == []


def test_others_are_refused_and_anonymous_sent_to_login(app, client, demo, login):
    registration = _registration(INGEBORG)
    for path in ("/registrations/", f"/registrations/{registration.id}", f"/registrations/{registration.id}/reject"):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.location
    assert "/auth/login" in client.post(f"/registrations/{registration.id}/approve").location
    login("ressurs@demo.example")
    assert client.get("/registrations/").status_code == 403
    assert client.post(f"/registrations/{registration.id}/approve").status_code == 403
    assert _registration(INGEBORG).status == RegistrationStatus.AWAITING_COORDINATOR


def test_admin_sees_and_approves_every_network(client, demo, login):
    login("admin@demo.example")
    assert "Ingeborg Lima" in client.get("/registrations/").get_data(as_text=True)
    registration = _registration(INGEBORG)
    assert client.post(f"/registrations/{registration.id}/approve").status_code == 302
    assert _registration(INGEBORG).status == RegistrationStatus.APPROVED


def test_unknown_registration_is_404(client, demo, login):
    login("koordinator@demo.example")
    assert client.get("/registrations/999999").status_code == 404
    assert client.post("/registrations/999999/approve").status_code == 404
