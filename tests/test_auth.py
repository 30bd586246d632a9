"""Login, logout, password links and the profile (throttling: test_login_throttle.py)."""

from datetime import timedelta

from sqlalchemy import select

from netapp.blueprints.auth import services
from netapp.blueprints.auth.models import User
from netapp.blueprints.registry.models import Person
from netapp.extensions import db
from tests import factories
from tests.conftest import links_in


def test_login_with_demo_account_and_wrong_password(client, demo):
    response = client.post("/auth/login", data={"email": "Koordinator@Demo.example", "password": "wrong"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Feil e-post eller passord." in page
    assert 'value="Koordinator@Demo.example"' in page  # what was typed is kept
    response = client.post("/auth/login", data={"email": "Koordinator@Demo.example", "password": "demo"})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_passwords_are_hashed_with_argon2id(demo):
    user = db.session.scalar(select(User).where(User.email == "admin@demo.example"))
    assert user.password_hash.startswith("$argon2id$")
    assert "demo" not in user.password_hash


def test_login_redirects_only_to_same_site_paths(client, demo):
    response = client.post("/auth/login?next=https://evil.example/x", data={"email": "admin@demo.example", "password": "demo"})
    assert response.location == "/dashboard"
    client.post("/auth/logout")
    response = client.post("/auth/login?next=/registry/", data={"email": "admin@demo.example", "password": "demo"})
    assert response.location == "/registry/"


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client, demo, login):
    login("koordinator@demo.example")
    cookie = client.get_cookie("session")
    assert cookie is not None
    copy = app.test_client()
    copy.set_cookie("session", cookie.value)
    assert copy.get("/registry/").status_code == 200
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert client.get("/registry/").status_code == 302
    # The cookie copied before logout no longer works.
    response = copy.get("/registry/")
    assert response.status_code == 302
    assert "/auth/login" in response.location


def test_logout_needs_post(client, demo, login):
    login("ressurs@demo.example")
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/dashboard").status_code == 200


def test_password_reset_by_one_time_link(client, demo, outbox):
    response = client.post("/auth/forgot", data={"email": "RESSURS@demo.example"})
    assert response.status_code == 302
    messages = outbox("ressurs@demo.example")
    assert len(messages) == 1
    link = links_in(messages[0].body_text)[0]
    path = link.split("localhost", 1)[1]
    # Opening the link changes nothing; it shows a form.
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": "et nytt passord", "confirm": "et nytt passord"})
    assert response.status_code == 302
    assert client.post("/auth/login", data={"email": "ressurs@demo.example", "password": "demo"}).status_code == 200
    assert client.post("/auth/login", data={"email": "ressurs@demo.example", "password": "et nytt passord"}).status_code == 302
    # The link works once.
    client.post("/auth/logout")
    assert client.get(path).status_code == 410
    assert client.post(path, data={"password": "enda et passord", "confirm": "enda et passord"}).status_code == 410


def test_forgot_password_does_not_reveal_accounts(client, demo, outbox):
    response = client.post("/auth/forgot", data={"email": "ukjent@demo.example"}, follow_redirects=True)
    assert "Hvis adressen har en konto" in response.get_data(as_text=True)
    assert outbox() == []


def test_expired_link_is_refused(client, demo):
    user = db.session.scalar(select(User).where(User.email == "ressurs@demo.example"))
    token = services.issue_token(user, services.RESET_PASSWORD, timedelta(hours=-1))
    db.session.commit()
    response = client.get(f"/auth/password/{token}")
    assert response.status_code == 410
    assert "Lenken virker ikke lenger" in response.get_data(as_text=True)


def test_set_password_form_reports_mismatch_next_to_field(client, demo):
    user = factories.make_user("ny@test.example")
    token = services.issue_token(user, services.SET_PASSWORD, timedelta(hours=1))
    db.session.commit()
    response = client.post(f"/auth/password/{token}", data={"password": "langt nok passord", "confirm": "noe annet"})
    assert response.status_code == 200
    assert "Passordene er ikke like." in response.get_data(as_text=True)
    response = client.post(f"/auth/password/{token}", data={"password": "kort", "confirm": "kort"})
    assert "minst 10 tegn" in response.get_data(as_text=True)


def test_password_change_ends_other_sessions(app, client, demo, login):
    login("ressurs@demo.example")
    user = db.session.scalar(select(User).where(User.email == "ressurs@demo.example"))
    services.set_password(user, "helt nytt passord")
    db.session.commit()
    assert client.get("/dashboard").status_code == 302


def test_disabled_account_cannot_log_in(client, demo):
    user = db.session.scalar(select(User).where(User.email == "ressurs@demo.example"))
    user.is_enabled = False
    db.session.commit()
    response = client.post("/auth/login", data={"email": "ressurs@demo.example", "password": "demo"})
    assert response.status_code == 200


def test_profile_withdraws_consent_and_sets_language(app, client, demo, login):
    login("ressurs@demo.example")
    person = db.session.scalar(select(Person).where(Person.email_normalized == "ressurs@demo.example"))
    assert person.public_consent
    anonymous = app.test_client()
    assert person.full_name in anonymous.get("/n/barnepalliasjon-sor-rogaland").get_data(as_text=True)
    response = client.post("/auth/profile", data={"language": "nn"})
    assert response.status_code == 302
    db.session.refresh(person)
    assert not person.public_consent
    assert person.full_name not in anonymous.get("/n/barnepalliasjon-sor-rogaland").get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "ressurs@demo.example"))
    assert user.language == "nn"


def test_users_create_cli(runner, demo):
    result = runner.invoke(args=["users", "create", "--email", "Ny.Koordinator@Test.example", "--role", "coordinator",
                                 "--network", "ressursgruppe-stavanger", "--password", "et langt passord"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "ny.koordinator@test.example"))
    assert user is not None and user.person is not None
    assert [m.network.slug for m in user.person.memberships] == ["ressursgruppe-stavanger"]
    duplicate = runner.invoke(args=["users", "create", "--email", "ny.koordinator@test.example", "--role", "admin",
                                    "--password", "et langt passord"])
    assert duplicate.exit_code != 0
    assert "har allerede en konto" in duplicate.output
    bad = runner.invoke(args=["users", "create", "--email", "x@y.example", "--role", "coordinator",
                              "--network", "finnes-ikke", "--password", "et langt passord"])
    assert bad.exit_code != 0
    admin = runner.invoke(args=["users", "create", "--email", "sjef@test.example", "--role", "admin"],
                          input="et langt passord\net langt passord\n")
    assert admin.exit_code == 0, admin.output
    assert db.session.scalar(select(User.is_admin).where(User.email == "sjef@test.example"))


def test_create_account_gives_each_role_its_person_and_membership():
    network = factories.make_network(default=True)
    manager = services.create_account("Leder@Test.example", "manager", "et langt passord")
    assert manager.email == "leder@test.example" and manager.person.is_manager and not manager.person.memberships
    member = services.create_account("rp@test.example", "resource_person", "et langt passord")
    assert [(m.network_id, m.role.value) for m in member.person.memberships] == [(network.id, "resource_person")]
    admin = services.create_account("admin@test.example", "admin", "et langt passord")
    assert admin.is_admin and admin.person is None
    for email, role, password, field in (("ikke-epost", "admin", "et langt passord", "email"),
                                         ("x@test.example", "eier", "et langt passord", "role"),
                                         ("rp@test.example", "admin", "et langt passord", None),
                                         ("y@test.example", "admin", "kort", None)):
        try:
            services.create_account(email, role, password)
        except services.AccountRefused as refused:
            assert refused.field == field, (email, role)
        else:
            raise AssertionError(f"{email} {role} was accepted")
