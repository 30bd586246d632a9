"""The public registration form: duplicates, bad input and what is kept when the form is shown again."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from netapp.blueprints.joining.models import Registration
from netapp.extensions import db
from netapp.mail import OutboxMessage
from tests.joining.test_flow import REGIONAL, STAVANGER, form, registration_by_email

URL = f"/register?network={REGIONAL}"


def _nothing_stored() -> bool:
    db.session.expire_all()
    return (db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
            and db.session.scalar(select(func.count()).select_from(Registration).where(
                Registration.email.like("%haugland%"))) == 0)


def _error_beside(html: str, field: str) -> str:
    """The text of the error shown beside a field."""
    marker = f'id="{field}-error"'
    assert marker in html, f"no error beside {field}"
    start = html.index(">", html.index(marker)) + 1
    return html[start:html.index("</div>", start)]


def test_member_email_in_another_letter_case_is_refused(client, demo):
    response = client.post(URL, data=form(email="RESSURS@Demo.Example"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "allerede et medlem" in _error_beside(html, "email")
    assert 'value="RESSURS@Demo.Example"' in html and 'value="Siri"' in html  # what was typed is kept
    assert _nothing_stored()
    assert db.session.scalar(select(func.count()).select_from(Registration).where(
        func.lower(Registration.email) == "ressurs@demo.example")) == 0


def test_pending_registration_is_refused_in_any_letter_case(client, demo):
    # Demo: Ingeborg Lima's registration to the regional network awaits the coordinator.
    response = client.post(URL, data=form(email="Ingeborg.LIMA@time.demo.example"))
    assert response.status_code == 200
    assert "venter på behandling" in _error_beside(response.get_data(as_text=True), "email")
    assert db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.email == "ingeborg.lima@time.demo.example")) == 1


def test_pending_registration_for_another_network_does_not_block(client, demo):
    response = client.post(f"/register?network={STAVANGER}", data=form(email="ingeborg.lima@time.demo.example"))
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.email == "ingeborg.lima@time.demo.example")) == 2


def test_own_pending_registration_blocks_a_second_one(client, demo):
    assert client.post(URL, data=form()).status_code == 302
    response = client.post(URL, data=form(email="Siri.Haugland@TIME.demo.example"))
    assert response.status_code == 200
    assert "venter på behandling" in response.get_data(as_text=True)


def test_manager_email_cannot_be_ones_own(client, demo):
    response = client.post(URL, data=form(manager_email="SIRI.haugland@time.demo.example"))
    assert response.status_code == 200
    assert "ikke din egen" in _error_beside(response.get_data(as_text=True), "manager_email")
    assert _nothing_stored()


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("first_name", "", "fornavnet"),
    ("email", "ikke-en-adresse", "gyldig e-postadresse"),
    ("email", "", "e-postadressen din"),
    ("profession", "", "yrket"),
    ("manager_email", "", "lederen din"),
    ("manager_email", "leder@", "gyldig e-postadresse"),
    ("manager_name", "", "lederen din"),
    ("position_percent", "150", "1 til 100"),
    ("position_percent", "0", "1 til 100"),
    ("workplace_id", "0", "Velg arbeidsstedet ditt"),
    ("first_name", "x" * 101, ""),
])
def test_bad_input_is_shown_beside_the_field(client, demo, field, value, expected):
    response = client.post(URL, data=form(**{field: value, "phone": "+47 999 88 777"}))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert expected in _error_beside(html, field)
    assert 'value="+47 999 88 777"' in html  # the rest of what was typed is kept
    assert _nothing_stored()


@pytest.mark.parametrize("data", [
    {"workplace_id": "abc"},
    {"workplace_id": "99999999"},
    {"workplace_id": "-1"},
    {"position_percent": "åtti"},
    {"position_percent": "9" * 40},
    {"public_consent": "kanskje"},
    {"email": "a@b"},
    {"first_name": "\x00"},
])
def test_odd_input_never_fails(client, demo, data):
    response = client.post(URL, data=form(**data))
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "Skjemaet har feil" in response.get_data(as_text=True)


def test_odd_network_choice_never_fails(client, demo):
    for value in ("", "abc", "99999"):
        response = client.post("/register", data=form(network_id=value))
        assert response.status_code == 200
        assert 'id="network_id-error"' in response.get_data(as_text=True)
    assert _nothing_stored()
    assert client.get("/register?network=finnes-ikke").status_code == 404


def test_empty_post_never_fails(client, demo):
    response = client.post("/register", data={})
    assert response.status_code == 200
    assert "Skjemaet har feil" in response.get_data(as_text=True)


def test_registration_without_demo_data_or_networks_is_404(client):
    assert client.get("/register").status_code == 404


def test_unlisted_workplace(client, demo):
    """A workplace that is not listed: typed in with its municipality and sector, created only on
    approval."""
    page = client.get(URL).get_data(as_text=True)
    from netapp.blueprints.registry.models import Organisation, Workplace

    time_id = db.session.scalar(select(Organisation.id).where(Organisation.name == "Time"))
    assert 'name="new_workplace_name"' in page
    both = client.post(URL, data=form(new_workplace_name="Lye skole", new_workplace_organisation_id=str(time_id),
                                      new_workplace_sector="education"))
    assert "Velg det ene" in both.get_data(as_text=True)
    missing = client.post(URL, data=form(workplace_id="0", new_workplace_name="Lye skole"))
    html = missing.get_data(as_text=True)
    assert 'id="new_workplace_organisation_id-error"' in html and 'id="new_workplace_sector-error"' in html
    response = client.post(URL, data=form(workplace_id="0", new_workplace_name="Lye skole",
                                          new_workplace_organisation_id=str(time_id), new_workplace_sector="education"))
    assert response.status_code == 302
    registration = registration_by_email("siri.haugland@time.demo.example")
    assert registration.workplace_id is None and registration.new_workplace_name == "Lye skole"
    assert db.session.scalar(select(Workplace).where(Workplace.name == "Lye skole")) is None


def test_nul_characters_never_fail(client, demo, login):
    """PostgreSQL refuses NUL in text: it is dropped from what is typed and never used in a query."""
    response = client.post(URL, data=form(last_name="Haug\x00land", profession="Spesial\x00pedagog"))
    assert response.status_code == 302
    registration = registration_by_email("siri.haugland@time.demo.example")
    assert registration.last_name == "Haugland" and registration.profession == "Spesialpedagog"
    # NUL is dropped from all input: an empty network choice means the default network.
    assert client.get("/register?network=%00").status_code == 200
    assert client.get("/invitation/%00").status_code == 410
    assert client.get("/register/confirm/%00").status_code == 410
    login("koordinator@demo.example")
    assert client.get("/registrations/?network=%00&status=%00").status_code == 200
    assert client.get("/networks/%00/invite").status_code == 404
    response = client.post(f"/registrations/{registration.id}/reject", data={"reason": "\x00"})
    assert response.status_code == 200 and 'id="reason-error"' in response.get_data(as_text=True)
