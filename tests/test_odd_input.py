"""Odd input is never a server error: numbers in other digits ('²' passes str.isdigit() and then
fails in int(); '١٢' and '１２' pass int() as 12), and dates at the ends of the calendar (year 1
overflowed in the time-zone conversion). Numbers and dates are read in one place
(netapp/validators.py), ASCII digits only and within bounds; a form says what to fix beside the
field and keeps what was typed. The fuzz tests (test_fuzz.py) send the same to every form and page."""

from __future__ import annotations

from datetime import date, datetime, time
from types import SimpleNamespace

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from netapp.blueprints.evaluations.forms import answer_form_class
from netapp.blueprints.evaluations.models import QuestionKind
from netapp.blueprints.gatherings.models import Event, EventRegistration
from netapp.blueprints.registry import import_plan
from netapp.blueprints.registry.import_parse import parse_file
from netapp.extensions import db
from netapp.timeutil import format_datetime, from_oslo, to_oslo
from netapp.validators import (
    ClockField,
    DayField,
    WholeNumberField,
    int_choice,
    parse_date,
    parse_int,
    parse_time,
)
from tests import factories

OTHER_DIGITS = ["²", "¹²", "٣", "١٢", "１２", "߁", "𝟙", "५०"]


# ------------------------------------------------------------------------------------------ the readers

@pytest.mark.parametrize("text", [*OTHER_DIGITS, "", " ", "1 2", "+1", "-1", "1e3", "1.0", "0x10", "1_000", "12\x00",
                                  "9" * 50, None, 12])
def test_parse_int_takes_ascii_digits_only(text):
    assert parse_int(text) is None


def test_parse_int_bounds_and_signs():
    assert parse_int("42") == 42 and parse_int(" 42 ") == 42 and parse_int("007") == 7
    assert parse_int("0") == 0 and parse_int("0", 1) is None
    assert parse_int(str(2**31 - 1)) == 2**31 - 1 and parse_int(str(2**31)) is None
    assert parse_int("100000", 1, 99999) is None and parse_int("99999", 1, 99999) == 99999
    assert parse_int("-5", None, None) is None and parse_int("-5", -10, 10, signed=True) == -5
    assert parse_int("-²", None, None, signed=True) is None
    assert parse_int("9" * 30, None, None) == int("9" * 30)


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01", "２０２６-１１-２３",
                                  "٢٠٢٦-١١-٢٣", "2026-²1-01", "2026-1-1", "2026-02-30", "23.11.2026", "", None])
def test_parse_date_takes_iso_dates_in_ascii_digits_within_the_years(text):
    assert parse_date(text) is None


def test_parse_date_and_time_read_what_the_inputs_send():
    assert parse_date("2026-11-23") == date(2026, 11, 23) and parse_date("1900-01-01") == date(1900, 1, 1)
    assert parse_date("2099-12-31", 2000, 2100) == date(2099, 12, 31) and parse_date("1999-12-31", 2000, 2100) is None
    assert parse_time("09:30") == time(9, 30) and parse_time("9:30") == time(9, 30) and parse_time("23:59") == time(23, 59)
    for text in ("24:00", "12:60", "２３:５９", "٠٩:٣٠", "¹²:00", "12", "12:5", "-1:00", ""):
        assert parse_time(text) is None, text


def test_int_choice_refuses_other_digits_that_int_accepts():
    assert int_choice("12") == 12 and int_choice(12) == 12 and int_choice(0) == 0
    for text in ("١٢", "１２", "٣", "²", "-1", "", str(2**31)):
        with pytest.raises(ValueError):
            int_choice(text)
    with pytest.raises(ValueError):
        int_choice(None)


def test_time_zone_conversion_at_the_ends_of_the_calendar():
    assert from_oslo(date(2026, 7, 1), time(12, 0)) == datetime(2026, 7, 1, 10, 0)
    assert from_oslo(date(1, 1, 1), time(0, 0)) == datetime.min
    assert from_oslo(date(9999, 12, 31), time(23, 59)) == datetime(9999, 12, 31, 22, 59)
    assert to_oslo(datetime(9999, 12, 31, 23, 30)).year == 9999
    assert format_datetime(datetime.max) and format_datetime(datetime.min)


def test_the_import_reads_position_percentages_in_ascii_digits_only(app):
    cases = (("50", 50), ("50 %", 50), ("50%", 50), ("50,0", 50), ("50.00", 50), ("100", 100),
             ("٥٠", None), ("５０", None), ("²", None), ("1e2", None), ("50,5", None), ("0", None),
             ("101", None), ("-50", None), ("nan", None), ("inf", None), ("5 0", None))
    factories.make_network(default=True)
    lines = ["Fornavn;Etternavn;E-post;Stillingsprosent"] + [
        f"Prosent;Nummer{n};prosent{n}@test.example;{text}" for n, (text, _) in enumerate(cases)]
    plan = import_plan.plan_import(parse_file("\r\n".join(lines).encode("utf-8"), "personer.csv"))
    for row, (text, expected) in zip(plan.rows, cases, strict=True):
        assert row.position_percent == expected, text
        refused = any("Stillingsprosent må være et helt tall fra 1 til 100" in error for error in row.errors)
        assert refused == (expected is None), (text, row.errors)


# ------------------------------------------------------------------------------------------ form fields

class _Form(FlaskForm):
    class Meta:
        csrf = False

    count = WholeNumberField("Antall", minimum=1, maximum=100, message="Skriv et tall fra 1 til 100.")
    day = DayField("Dag", first_year=2000, last_year=2100)
    at = ClockField("Klokka")


@pytest.mark.parametrize("count", ["²", "١٢", "１２", "𝟙", "0", "101", "1e2", "99999999999999999999999"])
def test_a_whole_number_field_refuses_other_digits_beside_the_field_keeping_what_was_typed(app, count):
    with app.test_request_context(method="POST", data={"count": count, "day": "2026-11-23", "at": "10:00"}):
        form = _Form()
        assert not form.validate()
        assert form.count.errors == ["Skriv et tall fra 1 til 100."]
        assert f'value="{count}"' in form.count()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "２０２６-１１-２３", "2026-02-30"])
def test_a_day_field_refuses_other_digits_and_years_out_of_range(app, day):
    with app.test_request_context(method="POST", data={"count": "5", "day": day, "at": "10:00"}):
        form = _Form()
        assert not form.validate() and list(form.errors) == ["day"]
        assert "2000" in str(form.day.errors[0]) and "2100" in str(form.day.errors[0])
        assert f'value="{day}"' in form.day() and 'min="2000-01-01"' in form.day()


def test_the_fields_read_good_values(app):
    with app.test_request_context(method="POST", data={"count": " 7 ", "day": "2026-11-23", "at": "9:05"}):
        form = _Form()
        assert form.validate(), form.errors
        assert (form.count.data, form.day.data, form.at.data) == (7, date(2026, 11, 23), time(9, 5))


def test_an_answer_in_other_digits_is_not_taken_as_a_scale_value(app):
    questions = [SimpleNamespace(id=1, kind=QuestionKind.SCALE, text="Nytte", required=True),
                 SimpleNamespace(id=2, kind=QuestionKind.YES_NO, text="Igjen?", required=False)]
    form_class = answer_form_class(questions)
    for value in ("٣", "３", "𝟛", "²"):
        with app.test_request_context(method="POST", data={"q1": value, "q2": "1"}):
            form = form_class(meta={"csrf": False})
            assert not form.validate() and form.q1.errors, value
    with app.test_request_context(method="POST", data={"q1": "3", "q2": "٠"}):
        form = form_class(meta={"csrf": False})
        assert not form.validate() and list(form.errors) == ["q2"]


# ------------------------------------------------------------------------------------------ through the pages

@pytest.fixture
def coordinator(world, client):
    """The world's coordinator, logged in."""
    assert client.post("/auth/login", data={"email": world.coordinator_email, "password": "demo"}).status_code == 302
    return SimpleNamespace(client=client, network=world.network)


def _event_form(network, **values) -> dict:
    return {"network_id": str(network.id), "kind": "gathering", "title": "Samling", "date": "2031-03-04",
            "start_time": "09:00", "end_time": "15:00", **values}


@pytest.mark.parametrize("field,value", [("date", "0001-01-01"), ("date", "9999-12-31"), ("date", "２０３１-０３-０４"),
                                         ("registration_deadline", "0001-01-01"), ("start_time", "０９:００"),
                                         ("capacity", "²"), ("capacity", "١٢"), ("network_id", "١")])
def test_an_event_with_a_date_at_the_ends_of_the_calendar_is_refused_beside_the_field(coordinator, field, value):
    response = coordinator.client.post("/events/new", data=_event_form(coordinator.network, **{field: value}))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and "Skjemaet har feil" in page
    if field != "network_id":
        assert f'value="{value}"' in page  # what was typed is kept
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_an_event_form_with_good_values_is_stored(coordinator):
    response = coordinator.client.post("/events/new", data=_event_form(coordinator.network, capacity="12"))
    assert response.status_code == 302
    assert db.session.scalar(select(Event.capacity)) == 12


def test_attendance_in_other_digits_changes_nothing_for_other_registrations(coordinator):
    network = coordinator.network
    past, other = factories.make_event(network, days=-2), factories.make_event(network, days=-3)
    persons = [factories.make_person(network) for _ in range(3)]
    shown = [factories.make_event_registration(past, p, attended=a) for p, a in zip(persons, (None, True, None), strict=True)]
    elsewhere = factories.make_event_registration(other, persons[0], attended=True)
    db.session.commit()
    before = {r.id: r.attended for r in (*shown, elsewhere)}
    client = coordinator.client
    for value in ("²", "١٢", str(shown[0].id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))):
        response = client.post(f"/events/{past.id}/attendance", data={"attended": [value]})
        assert response.status_code == 302
        db.session.expire_all()
        assert {r.id: db.session.get(EventRegistration, r.id).attended for r in (*shown, elsewhere)} == before
    # The page's form names the registrations it shows: only those change.
    response = client.post(f"/events/{past.id}/attendance", data=MultiDict(
        [("shown", str(shown[0].id)), ("shown", str(shown[1].id)), ("shown", "²"), ("attended", str(shown[0].id)),
         ("attended", "١٢"), ("attended", str(elsewhere.id))]))
    assert response.status_code == 302
    db.session.expire_all()
    after = {r.id: db.session.get(EventRegistration, r.id).attended for r in (*shown, elsewhere)}
    assert after == {shown[0].id: True, shown[1].id: False, shown[2].id: None, elsewhere.id: True}


def test_a_paged_attendance_form_saves_its_page_only(coordinator, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    network = coordinator.network
    past = factories.make_event(network, days=-2)
    registrations = [factories.make_event_registration(past, factories.make_person(network), attended=True)
                     for _ in range(4)]
    db.session.commit()
    page = coordinator.client.get(f"/events/{past.id}?page=2").get_data(as_text=True)
    on_page = [r.id for r in registrations if f'name="shown" value="{r.id}"' in page]
    assert len(on_page) == 2
    coordinator.client.post(f"/events/{past.id}/attendance?page=2", data={"shown": [str(i) for i in on_page]})
    db.session.expire_all()
    assert {r.id: db.session.get(EventRegistration, r.id).attended for r in registrations} == {
        r.id: r.id not in on_page for r in registrations}


def test_a_new_questionnaire_for_an_event_in_other_digits_is_a_plain_form(coordinator):
    for value in ("²", "١", "-1", "99999999999"):
        assert coordinator.client.get(f"/evaluations/new?event={value}").status_code == 200


def test_a_session_naming_an_account_in_other_digits_is_signed_out(app, client):
    with client.session_transaction() as session:
        session["_user_id"] = "²:token"
        session["_fresh"] = True
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/auth/login" in response.location
