"""A role removed takes effect on the very next request, with the same logged-in client."""

from sqlalchemy import select, update

from netapp.blueprints.auth.models import User
from netapp.blueprints.registry.models import Membership, MembershipRole
from netapp.extensions import db
from netapp.timeutil import today_oslo


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_ending_the_coordinator_membership_revokes_the_registry_at_once(client, demo, login):
    login("koordinator@demo.example")
    assert client.get("/registry/").status_code == 200
    person_id = _user("koordinator@demo.example").person_id
    ended = db.session.execute(
        update(Membership)
        .where(Membership.person_id == person_id, Membership.role == MembershipRole.COORDINATOR)
        .values(end_date=today_oslo())
    ).rowcount
    db.session.commit()
    assert ended == 2  # coordinator of both demo networks
    assert client.get("/registry/").status_code == 403
    assert client.get("/registry/coverage").status_code == 403
    assert client.get("/dashboard").status_code == 200  # still logged in, only the role is gone


def test_removing_admin_revokes_the_admin_pages_at_once(client, demo, login):
    login("admin@demo.example")
    assert client.get("/admin/outbox").status_code == 200
    _user("admin@demo.example").is_admin = False
    db.session.commit()
    assert client.get("/admin/outbox").status_code == 403
    assert client.get("/admin/audit").status_code == 403


def test_a_disabled_account_is_logged_out_on_the_next_request(client, demo, login):
    login("koordinator@demo.example")
    assert client.get("/registry/").status_code == 200
    _user("koordinator@demo.example").is_enabled = False
    db.session.commit()
    response = client.get("/registry/")
    assert response.status_code == 302
    assert "/auth/login" in response.location
    response = client.get("/auth/profile")
    assert response.status_code == 302 and "/auth/login" in response.location
