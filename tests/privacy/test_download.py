"""A logged-in person downloads everything the registry holds about them, and nobody else's data."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from sqlalchemy import select

from netapp.blueprints.auth.models import User
from netapp.blueprints.auth.services import SET_PASSWORD, issue_token
from netapp.blueprints.joining.models import Registration, RegistrationStatus
from netapp.blueprints.registry.models import Network, Person
from netapp.extensions import db
from netapp.mail import enqueue


def _person(email: str) -> Person:
    return db.session.scalar(select(Person).where(Person.email_normalized == email))


def _registration(network: Network, email: str, first_name: str, last_name: str, **fields) -> Registration:
    registration = Registration(
        network=network, status=fields.pop("status", RegistrationStatus.APPROVED), first_name=first_name,
        last_name=last_name, email=email, manager_email=fields.pop("manager_email", "leder@demo.example"), **fields,
    )
    db.session.add(registration)
    db.session.flush()
    return registration


def _csv_rows(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())  # Excel in Norway needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_my_data_as_json_holds_everything_about_me_and_nothing_about_others(client, demo, login):
    regional = db.session.scalar(select(Network).where(Network.slug == "barnepalliasjon-sor-rogaland"))
    me = _person("ressurs@demo.example")
    _registration(regional, "ressurs@demo.example", "Silje", "Øvrebø", phone="+47 400 00 001",
                  reject_reason="", person_id=me.id)
    _registration(regional, "marte.bore@stavanger.demo.example", "Marte", "Bore", phone="+47 999 99 999")
    enqueue("ressurs@demo.example", "Velkommen til nettverket", "Hei Silje")
    enqueue("marte.bore@stavanger.demo.example", "Hemmelig for Silje", "Hei Marte")
    db.session.commit()

    login("ressurs@demo.example")
    response = client.get("/me/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="mine-data-')
    assert response.headers["Content-Disposition"].endswith('.json"')
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    data = json.loads(text)

    assert data["format"] == "netapp-personal-data/1"
    assert data["account"]["email"] == "ressurs@demo.example"
    assert data["account"]["last_login_on"]  # the login just now
    assert "password_hash" not in text and "$argon2" not in text
    person = data["person"]
    assert (person["first_name"], person["last_name"]) == ("Silje", "Øvrebø")
    assert person["phone"] == "+47 400 00 001"
    assert person["profession"] == "Sykepleier"
    assert person["position_percent"] == 80
    assert person["public_consent"] is True
    assert person["manager"] == "Ingrid Håland"
    assert person["organisation"] == "Stavanger"
    assert person["sector"] == "health_care"
    assert person["workplace"]
    assert [(m["network"], m["role"], m["start_date"], m["end_date"]) for m in data["memberships"]] == [
        (regional.name, "resource_person", "2022-09-01", None)]
    assert data["history"] and data["history"][0]["manager"] == "Ingrid Håland"
    assert data["history"][0]["workplace"] == person["workplace"]
    assert [r["email"] for r in data["registrations"]] == ["ressurs@demo.example"]
    assert [m["subject"] for m in data["emails"]] == ["Velkommen til nettverket"]

    # Nobody else's record: not a colleague at the same workplace, not another's registration or mail.
    for other in ("Marte", "marte.bore", "+47 999 99 999", "Hemmelig", "koordinator@demo.example",
                  "Skjæveland", "Kristoffer"):
        assert other not in text, other


def test_my_data_as_csv_is_safe_for_spreadsheets(client, demo, login):
    me = _person("ressurs@demo.example")
    me.profession = "=HYPERLINK(\"http://evil.example\")"
    db.session.commit()
    login("ressurs@demo.example")
    response = client.get("/me/data.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].endswith('.csv"')
    rows = _csv_rows(response)
    assert rows[0] == ["Del", "Nr.", "Felt", "Verdi"]
    values = {(section, field): value for section, _n, field, value in rows[1:] if section == "Person"}
    assert values[("Person", "Fornavn")] == "Silje"
    assert values[("Person", "Etternavn")] == "Øvrebø"
    assert values[("Person", "Telefon")] == "'+47 400 00 001"  # would be a formula in a spreadsheet
    assert values[("Person", "Yrke")] == "'=HYPERLINK(\"http://evil.example\")"
    assert values[("Person", "Sektor")] == "Helse og omsorg"
    assert values[("Person", "Samtykke til offentlig oppføring")] == "Ja"
    memberships = [row for row in rows if row[0] == "Medlemskap"]
    assert ["Medlemskap", "1", "Rolle", "Ressursperson"] in memberships
    assert ["Medlemskap", "1", "Fra", "01.09.2022"] in memberships
    assert ["Konto", "", "E-post", "ressurs@demo.example"] in rows
    text = "\n".join(";".join(r) for r in rows)
    assert "Marte" not in text and "$argon2" not in text


def test_an_account_without_a_person_gets_its_account_data(client, demo, login):
    login("admin@demo.example")
    data = client.get("/me/data.json").get_json()
    assert data["person"] is None
    assert data["account"]["email"] == "admin@demo.example"
    assert data["account"]["is_admin"] is True
    assert data["memberships"] == [] and data["registrations"] == []


def test_changes_i_made_are_in_my_data_but_not_in_anyone_elses(client, demo, login):
    login("koordinator@demo.example")
    marte = _person("marte.bore@stavanger.demo.example")
    assert client.post(f"/registry/persons/{marte.id}/deactivate", data={"left_on": "2026-01-31"}).status_code == 302
    changes = client.get("/me/data.json").get_json()["changes"]
    assert {"action": "update", "object_type": "Person", "object_id": marte.id} in [
        {k: c[k] for k in ("action", "object_type", "object_id")} for c in changes]
    client.post("/auth/logout")
    login("ressurs@demo.example")
    assert client.get("/me/data.json").get_json()["changes"] == []


def test_tokens_and_password_never_leave_with_the_data(client, demo, login):
    user = db.session.scalar(select(User).where(User.email == "ressurs@demo.example"))
    token = issue_token(user, SET_PASSWORD, timedelta(hours=1))
    db.session.commit()
    login("ressurs@demo.example")
    text = client.get("/me/data.json").get_data(as_text=True) + client.get("/me/data.csv").get_data(as_text=True)
    assert token not in text
    assert user.session_token not in text


def test_anonymous_visitors_are_sent_to_login(client, demo):
    for url in ("/me/data.json", "/me/data.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/auth/login" in response.location
    assert client.get("/me/data.xml").status_code == 404


def test_profile_links_to_the_downloads(client, demo, login):
    login("ressurs@demo.example")
    page = client.get("/auth/profile").get_data(as_text=True)
    assert 'href="/me/data.json"' in page
    assert 'href="/me/data.csv"' in page
    client.post("/auth/logout")
    login("admin@demo.example")  # an account without a person record has the downloads too
    assert 'href="/me/data.json"' in client.get("/auth/profile").get_data(as_text=True)


def test_my_data_lists_my_event_registrations_and_the_evaluations_i_answered_but_not_my_answers(client, demo, login):
    from netapp.blueprints.evaluations.models import Questionnaire, Response, ResponseReceipt

    me = _person("ressurs@demo.example")
    # The demo's evaluation of the network, titled with the year it was opened (about 300 days ago).
    questionnaire = db.session.scalar(select(Questionnaire).where(Questionnaire.title.like("Evaluering av nettverket %")))
    db.session.add(ResponseReceipt(questionnaire_id=questionnaire.id, person_id=me.id))
    db.session.commit()
    assert db.session.scalar(select(Response.id).where(Response.questionnaire_id == questionnaire.id).limit(1))

    login("ressurs@demo.example")
    data = json.loads(client.get("/me/data.json").get_data(as_text=True))
    events = {r["event"]: r for r in data["event_registrations"]}
    past = events["Nettverkssamling: Ivaretakelse av hjelperen"]
    assert past["attended"] is True and past["network"] == "Tverrfaglig nettverk i barnepalliasjon Sør-Rogaland"
    assert "Nettverkssamling: Tverrfaglig samarbeid" not in events  # not registered there
    assert data["questionnaires_answered"] == [
        {"questionnaire": questionnaire.title, "network": past["network"]}]
    assert "Flere pauser" not in json.dumps(data, ensure_ascii=False)  # the anonymous answers are nobody's

    rows = _csv_rows(client.get("/me/data.csv"))
    assert ["Påmeldinger til arrangementer", "1", "Møtte", "Ja"] in rows
    assert any(row[0].startswith("Evalueringer du har svart på") and row[3] == questionnaire.title
               for row in rows)
