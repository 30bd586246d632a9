"""The whole joining flow on the demo data: register, the manager confirms, a coordinator approves."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import func, select

from netapp.blueprints.auth.models import User
from netapp.blueprints.joining.models import Registration, RegistrationStatus
from netapp.blueprints.registry.models import Membership, MembershipRole, Network, Person, Workplace
from netapp.extensions import db
from netapp.mail import OutboxMessage
from tests.conftest import links_in

# Helpers shared by the joining tests (imported by the other test modules).

REGIONAL = "barnepalliasjon-sor-rogaland"
STAVANGER = "ressursgruppe-stavanger"


def network(slug: str = REGIONAL) -> Network:
    return db.session.scalar(select(Network).where(Network.slug == slug))


def workplace_id(name: str = "Bryne barnehage") -> int:
    return db.session.scalar(select(Workplace.id).where(Workplace.name == name))


def form(**overrides) -> dict:
    """A complete, valid registration for the demo data."""
    data = {
        "first_name": "Siri",
        "last_name": "Haugland",
        "email": "siri.haugland@time.demo.example",
        "phone": "+47 400 00 999",
        "profession": "Spesialpedagog",
        "workplace_id": str(workplace_id()),
        "manager_name": "Aud Rosland",
        "manager_email": "aud.rosland@time.demo.example",
        "position_percent": "80",
        "public_consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def registration_by_email(email: str) -> Registration | None:
    db.session.expire_all()
    return db.session.scalar(select(Registration).where(Registration.email == email.lower()))


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def only_link(body: str, contains: str) -> str:
    """The one link in a mail body whose path contains `contains`, as a path for the test client."""
    links = [link for link in links_in(body) if contains in link]
    assert len(links) == 1, body
    assert links[0].startswith("http://localhost/"), links[0]  # absolute, from BASE_URL
    return path_of(links[0])


EMAIL = "siri.haugland@time.demo.example"
MANAGER = "aud.rosland@time.demo.example"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_register_confirm_approve_and_log_in(app, client, demo, outbox, login):
    # 1. The public form.
    page = client.get(f"/register?network={REGIONAL}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "aldri offentlig" in html and "Telefonnummer og e-post" in html  # the consent is explained
    response = client.post(f"/register?network={REGIONAL}", data=form())
    assert response.status_code == 302
    thanks = client.get(response.location)
    assert "Hva skjer nå?" in thanks.get_data(as_text=True)

    registration = registration_by_email(EMAIL)
    assert registration.status == RegistrationStatus.AWAITING_MANAGER
    assert registration.network.slug == REGIONAL
    assert registration.person_id is None
    assert db.session.scalar(select(Person).where(Person.email_normalized == EMAIL)) is None

    receipt = outbox(to=EMAIL)
    assert len(receipt) == 1 and "Aud Rosland" in receipt[0].body_text
    manager_mails = outbox(to=MANAGER)
    assert len(manager_mails) == 1
    assert "Siri Haugland" in manager_mails[0].body_text
    confirm_path = only_link(manager_mails[0].body_text, "/register/confirm/")
    token = confirm_path.rsplit("/", 1)[-1]
    assert token not in (registration.manager_token_hash or "")  # only the hash is stored

    # 2. The manager opens the link: a page with a button; nothing changes yet.
    before = _count(OutboxMessage)
    for _ in range(2):
        page = client.get(confirm_path)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "Siri Haugland" in html and "Bryne barnehage" in html and "80 %" in html
        assert "Ja, jeg bekrefter" in html and "Dette stemmer ikke" in html
    assert registration_by_email(EMAIL).status == RegistrationStatus.AWAITING_MANAGER
    assert _count(OutboxMessage) == before

    # 3. The manager confirms (no account); the coordinators are told.
    manager_client = app.test_client()
    response = manager_client.post(confirm_path, data={"action": "confirm"})
    assert response.status_code == 302
    assert "Takk" in manager_client.get(response.location).get_data(as_text=True)
    registration = registration_by_email(EMAIL)
    assert registration.status == RegistrationStatus.AWAITING_COORDINATOR
    assert registration.manager_confirmed_at is not None
    notices = outbox(to="koordinator@demo.example")
    assert len(notices) == 1
    view_path = only_link(notices[0].body_text, "/registrations/")
    assert view_path == f"/registrations/{registration.id}"

    # A second click, or another tab, cannot act twice.
    again = manager_client.post(confirm_path, data={"action": "decline"})
    assert again.status_code == 410
    assert "allerede bekreftet" in again.get_data(as_text=True)
    assert registration_by_email(EMAIL).status == RegistrationStatus.AWAITING_COORDINATOR
    assert len(outbox(to="koordinator@demo.example")) == 1

    # 4. The coordinator logs in and approves.
    login("koordinator@demo.example")
    listing = client.get("/registrations/").get_data(as_text=True)
    assert "Siri Haugland" in listing
    page = client.get(view_path).get_data(as_text=True)
    assert "Godkjenn" in page and MANAGER in page
    response = client.post(f"{view_path}/approve")
    assert response.status_code == 302
    assert "er godkjent" in client.get(response.location).get_data(as_text=True)

    person = db.session.scalar(select(Person).where(Person.email_normalized == EMAIL))
    assert person is not None and person.full_name == "Siri Haugland"
    assert person.workplace.name == "Bryne barnehage"
    assert person.manager.email == MANAGER
    assert person.position_percent == 80 and person.public_consent is True
    membership = db.session.scalar(select(Membership).where(
        Membership.person_id == person.id, Membership.network_id == network().id))
    assert membership.role == MembershipRole.RESOURCE_PERSON and membership.end_date is None
    registration = registration_by_email(EMAIL)
    assert registration.status == RegistrationStatus.APPROVED and registration.person_id == person.id
    account = db.session.scalar(select(User).where(User.person_id == person.id))
    assert account is not None and account.email == EMAIL and account.password_hash is None

    # Approving twice changes nothing and sends nothing more.
    mails = len(outbox(to=EMAIL))
    client.post(f"{view_path}/approve")
    assert len(outbox(to=EMAIL)) == mails
    assert db.session.scalar(select(func.count()).select_from(Person).where(Person.email_normalized == EMAIL)) == 1

    # 5. The set-password link lets the new resource person choose a password and log in.
    set_password = [m for m in outbox(to=EMAIL) if "/auth/password/" in m.body_text]
    assert len(set_password) == 1
    password_path = only_link(set_password[0].body_text, "/auth/password/")
    newcomer = app.test_client()
    assert newcomer.get(password_path).status_code == 200
    response = newcomer.post(password_path, data={"password": "et godt passord", "confirm": "et godt passord"})
    assert response.status_code == 302
    login(EMAIL, "et godt passord", c=newcomer)
    assert "Siri Haugland" in newcomer.get("/dashboard").get_data(as_text=True)


def test_register_with_network_select(client, demo, outbox):
    page = client.get("/register").get_data(as_text=True)
    assert 'name="network_id"' in page  # two networks: the registrant chooses
    response = client.post("/register", data=form(network_id=str(network("ressursgruppe-stavanger").id)))
    assert response.status_code == 302
    assert registration_by_email(EMAIL).network.slug == "ressursgruppe-stavanger"


def test_manager_declines_with_reason(app, client, demo, outbox):
    client.post(f"/register?network={REGIONAL}", data=form())
    path = only_link(outbox(to=MANAGER)[0].body_text, "/register/confirm/")
    response = app.test_client().post(path, data={"action": "decline", "reason": "Hun jobber ikke her lenger."})
    assert response.status_code == 302
    registration = registration_by_email(EMAIL)
    assert registration.status == RegistrationStatus.REJECTED
    assert registration.reject_reason == "Hun jobber ikke her lenger."
    told = [m for m in outbox(to=EMAIL) if "ikke stemmer" in m.body_text]
    assert len(told) == 1 and "Hun jobber ikke her lenger." in told[0].body_text
    assert outbox(to="koordinator@demo.example") == []
    # The link is used up.
    assert client.get(path).status_code == 410


def test_manager_link_without_reason_declines_too(app, client, demo, outbox):
    client.post(f"/register?network={REGIONAL}", data=form())
    path = only_link(outbox(to=MANAGER)[0].body_text, "/register/confirm/")
    assert app.test_client().post(path, data={"action": "decline"}).status_code == 302
    assert registration_by_email(EMAIL).status == RegistrationStatus.REJECTED
