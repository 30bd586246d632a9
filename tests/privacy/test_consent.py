"""A person withdraws consent to public listing with one click; the public page stops listing them."""

from sqlalchemy import select

from netapp.blueprints.registry.models import Person
from netapp.extensions import db

PUBLIC_PAGE = "/n/barnepalliasjon-sor-rogaland"


def _consent(email: str) -> bool:
    db.session.expire_all()
    return db.session.scalar(select(Person.public_consent).where(Person.email_normalized == email))


def test_withdrawing_consent_removes_me_from_the_public_page(app, client, demo, login):
    visitor = app.test_client()  # not logged in: the navigation would show the name too
    assert "Silje Øvrebø" in visitor.get(PUBLIC_PAGE).get_data(as_text=True)
    login("ressurs@demo.example")
    profile = client.get("/auth/profile").get_data(as_text=True)
    assert 'action="/me/withdraw-consent"' in profile

    response = client.post("/me/withdraw-consent")
    assert response.status_code == 302
    assert response.location.endswith("/auth/profile")
    assert _consent("ressurs@demo.example") is False
    profile = client.get("/auth/profile").get_data(as_text=True)
    assert "Samtykket er trukket" in profile
    assert 'action="/me/withdraw-consent"' not in profile  # nothing left to withdraw

    page = visitor.get(PUBLIC_PAGE).get_data(as_text=True)
    assert "Silje Øvrebø" not in page
    assert "Marte Bore" in page  # the others who consented are still listed


def test_withdrawing_twice_or_without_a_person_changes_nothing(client, demo, login):
    login("ressurs@demo.example")
    client.post("/me/withdraw-consent")
    response = client.post("/me/withdraw-consent", follow_redirects=True)
    assert response.status_code == 200
    assert "Du står ikke oppført på noen offentlig side." in response.get_data(as_text=True)
    assert _consent("ressurs@demo.example") is False
    client.post("/auth/logout")
    login("admin@demo.example")
    response = client.post("/me/withdraw-consent", follow_redirects=True)
    assert "Du står ikke oppført på noen offentlig side." in response.get_data(as_text=True)
    assert _consent("marte.bore@stavanger.demo.example") is True


def test_withdrawing_needs_a_login_and_a_post(client, demo):
    response = client.post("/me/withdraw-consent")
    assert response.status_code == 302 and "/auth/login" in response.location
    assert client.get("/me/withdraw-consent").status_code == 405
    assert _consent("ressurs@demo.example") is True
