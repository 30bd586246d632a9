"""Links in e-mails: the manager's confirmation link and the coordinators' invitations."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from netapp.blueprints.auth.services import hash_token
from netapp.blueprints.joining.models import Invitation, Registration, RegistrationStatus
from netapp.extensions import db
from netapp.mail import OutboxMessage
from netapp.timeutil import utcnow
from tests.joining.test_flow import REGIONAL, form, network, only_link, registration_by_email

HANNA = "hanna.gabrielsen@gjesdal.demo.example"  # demo: awaiting the manager
HANNA_TOKEN = f"demo-{HANNA}"


def _hanna() -> Registration:
    db.session.expire_all()
    return db.session.scalar(select(Registration).where(Registration.email == HANNA))


def _mails() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


# ---------------------------------------------------------------- the manager's link

def test_unknown_manager_token_is_a_friendly_410(client, demo):
    for path in ("/register/confirm/ugyldig", "/register/confirm/" + "x" * 500):
        response = client.get(path)
        assert response.status_code == 410
        assert "Lenken virker ikke lenger" in response.get_data(as_text=True)
        assert client.post(path, data={"action": "confirm"}).status_code == 410


def test_expired_manager_token(app, client, demo, outbox):
    registration = _hanna()
    registration.created_at = utcnow() - timedelta(days=app.config["TOKEN_TTL_DAYS_MANAGER"] + 1)
    db.session.commit()
    response = client.get(f"/register/confirm/{HANNA_TOKEN}")
    assert response.status_code == 410 and "utløpt" in response.get_data(as_text=True)
    assert client.post(f"/register/confirm/{HANNA_TOKEN}", data={"action": "confirm"}).status_code == 410
    assert _hanna().status == RegistrationStatus.AWAITING_MANAGER
    assert outbox() == []


def test_manager_token_shortly_before_expiry_still_works(app, client, demo):
    registration = _hanna()
    registration.created_at = utcnow() - timedelta(days=app.config["TOKEN_TTL_DAYS_MANAGER"] - 1)
    db.session.commit()
    assert client.post(f"/register/confirm/{HANNA_TOKEN}", data={"action": "confirm"}).status_code == 302
    assert _hanna().status == RegistrationStatus.AWAITING_COORDINATOR


def test_used_manager_token(client, demo, outbox):
    assert client.post(f"/register/confirm/{HANNA_TOKEN}", data={"action": "confirm"}).status_code == 302
    notices = len(outbox())
    response = client.get(f"/register/confirm/{HANNA_TOKEN}")
    assert response.status_code == 410 and "allerede bekreftet" in response.get_data(as_text=True)
    assert client.post(f"/register/confirm/{HANNA_TOKEN}", data={"action": "confirm"}).status_code == 410
    assert len(outbox()) == notices


def test_manager_post_without_a_choice_changes_nothing(client, demo):
    assert client.post(f"/register/confirm/{HANNA_TOKEN}", data={}).status_code == 400
    response = client.post(f"/register/confirm/{HANNA_TOKEN}", data={"action": "decline", "reason": "x" * 1001})
    assert response.status_code == 200 and 'id="reason-error"' in response.get_data(as_text=True)
    assert _hanna().status == RegistrationStatus.AWAITING_MANAGER


def test_coordinators_without_an_account_are_told_at_their_person_address(client, demo, outbox):
    from netapp.blueprints.registry.models import MembershipRole
    from tests import factories

    factories.make_person(network(), role=MembershipRole.COORDINATOR, email="uten.konto@test.example")
    db.session.commit()
    client.post(f"/register/confirm/{HANNA_TOKEN}", data={"action": "confirm"})
    assert len(outbox(to="uten.konto@test.example")) == 1
    assert len(outbox(to="koordinator@demo.example")) == 1


# ---------------------------------------------------------------- invitations

def test_invitation_flow(app, client, demo, login, outbox):
    login("koordinator@demo.example")
    page = client.get(f"/networks/{REGIONAL}/invite")
    assert page.status_code == 200 and "Én adresse per linje" in page.get_data(as_text=True)
    response = client.post(f"/networks/{REGIONAL}/invite", data={
        "emails": "Siri.Haugland@time.demo.example\n\nsiri.haugland@time.demo.example\nRESSURS@demo.example\n",
        "message": "Vi trenger flere fra oppvekst og utdanning.",
    })
    assert response.status_code == 302
    flashed = client.get(response.location).get_data(as_text=True)
    assert "1 adresse" in flashed and "ressurs@demo.example" in flashed  # the member was skipped
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1
    invitation = db.session.scalar(select(Invitation))
    assert invitation.email == "siri.haugland@time.demo.example" and invitation.network.slug == REGIONAL
    expected_expiry = utcnow() + timedelta(days=app.config["TOKEN_TTL_DAYS_INVITATION"])
    assert abs((invitation.expires_at - expected_expiry).total_seconds()) < 60
    mails = outbox(to="siri.haugland@time.demo.example")
    assert len(mails) == 1 and "Vi trenger flere fra oppvekst og utdanning." in mails[0].body_text
    path = only_link(mails[0].body_text, "/invitation/")
    assert path.rsplit("/", 1)[-1] not in invitation.token_hash

    # The invitee opens the link (twice): the form, prefilled; the invitation stays unused.
    invitee = app.test_client()
    for _ in range(2):
        page = invitee.get(path)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert 'value="siri.haugland@time.demo.example"' in html
        assert network().name in html and 'name="network_id"' not in html
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).used_at is None

    # Bad input keeps the invitation unused too.
    assert invitee.post(path, data=form(first_name="")).status_code == 200
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).used_at is None

    response = invitee.post(path, data=form())
    assert response.status_code == 302
    registration = registration_by_email("siri.haugland@time.demo.example")
    assert registration.invitation_id == invitation.id and registration.network.slug == REGIONAL
    assert registration.status == RegistrationStatus.AWAITING_MANAGER
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).used_at is not None
    assert len(outbox(to="aud.rosland@time.demo.example")) == 1

    # Used: a friendly page that points to the ordinary form.
    used = invitee.get(path)
    assert used.status_code == 410 and "/register" in used.get_data(as_text=True)
    assert invitee.post(path, data=form(email="en.annen@test.example")).status_code == 410


def test_invitation_form_refuses_bad_addresses(client, demo, login, outbox):
    login("koordinator@demo.example")
    for emails in ("", "ikke en adresse", "ok@test.example\nfeil@", "\n\n  \n"):
        response = client.post(f"/networks/{REGIONAL}/invite", data={"emails": emails, "message": "Hei"})
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert 'id="emails-error"' in html
        assert emails.strip() == "" or f"{emails}</textarea>" in html  # what was typed is kept
        if "feil@" in emails:
            assert "ikke gyldige: feil@" in html  # the bad address is named
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    assert outbox() == []


def test_expired_and_unknown_invitations(client, demo):
    db.session.add(Invitation(network=network(), email="gammel@test.example", token_hash=hash_token("gammel"),
                              expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    for token in ("gammel", "ukjent", "x" * 500):
        response = client.get(f"/invitation/{token}")
        assert response.status_code == 410
        assert "Invitasjonen er allerede brukt" in response.get_data(as_text=True)
        assert client.post(f"/invitation/{token}", data=form()).status_code == 410
    assert registration_by_email("siri.haugland@time.demo.example") is None


def test_invitation_for_a_member_in_another_case_is_refused_at_registration(client, demo):
    db.session.add(Invitation(network=network(), email="ressurs@demo.example", token_hash=hash_token("medlem"),
                              expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    response = client.post("/invitation/medlem", data=form(email="Ressurs@Demo.example"))
    assert response.status_code == 200 and "allerede et medlem" in response.get_data(as_text=True)
    assert db.session.scalar(select(Invitation.used_at)) is None
    assert _mails() == 0


def test_invite_is_for_coordinators_of_the_network(client, demo, login):
    assert "/auth/login" in client.get(f"/networks/{REGIONAL}/invite").location
    login("ressurs@demo.example")
    assert client.get(f"/networks/{REGIONAL}/invite").status_code == 403
    assert client.post(f"/networks/{REGIONAL}/invite", data={"emails": "a@test.example"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_manager_page_works_with_csrf_and_refuses_a_forged_post(app, client, demo, outbox):
    import re

    app.config["WTF_CSRF_ENABLED"] = True
    try:
        forged = app.test_client().post(f"/register/confirm/{HANNA_TOKEN}", data={"action": "confirm"})
        assert forged.status_code == 400
        assert _hanna().status == RegistrationStatus.AWAITING_MANAGER
        html = client.get(f"/register/confirm/{HANNA_TOKEN}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        response = client.post(f"/register/confirm/{HANNA_TOKEN}", data={"action": "confirm", "csrf_token": token})
        assert response.status_code == 302
        assert _hanna().status == RegistrationStatus.AWAITING_COORDINATOR
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
