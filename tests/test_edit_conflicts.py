"""Edit conflicts: two people (two browsers) open the same edit form and both save. The first save
goes through; the second, based on the version both were shown, is refused beside the form with
what was typed still in it, and saves only when sent again from the form it got back.

The documents: a person, a workplace, an event, a questionnaire and its list of questions.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from netapp import versioning
from netapp.blueprints.evaluations.models import Questionnaire
from netapp.blueprints.gatherings.models import Event
from netapp.blueprints.registry import services as registry_services
from netapp.blueprints.registry.models import Person, Workplace
from netapp.extensions import db
from netapp.timeutil import today_oslo
from tests import factories

REFUSED = "Noen har lagret endringer her etter at du åpnet skjemaet"


def _hidden_version(html: str) -> str:
    match = re.search(r'<input[^>]*name="version"[^>]*value="(\d+)"', html) or re.search(
        r'<input[^>]*value="(\d+)"[^>]*name="version"', html)
    assert match, "the form carries the version it shows"
    return match.group(1)


def _reload(model, id_: int):
    db.session.expire_all()
    return db.session.get(model, id_)


@pytest.fixture
def two_browsers(app, world, login):
    """The coordinator in two browsers of their own."""
    return (login(world.coordinator_email, c=app.test_client()), login(world.coordinator_email, c=app.test_client()))


def _both_save(first, second, url: str, data_first: dict, data_second: dict):
    """Both open the form, then both save what they typed; returns the second's response."""
    version_first = _hidden_version(first.get(url).get_data(as_text=True))
    version_second = _hidden_version(second.get(url).get_data(as_text=True))
    assert version_first == version_second
    assert first.post(url, data={**data_first, "version": version_first}).status_code == 302
    return second.post(url, data={**data_second, "version": version_second})


def _refused_and_kept(response, *typed: str) -> str:
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert REFUSED in html and 'role="alert"' in html
    for value in typed:
        assert value in html, value
    return html


def test_two_editors_of_a_person(world, two_browsers):
    first, second = two_browsers
    person = world.rp
    url = f"/registry/persons/{person.id}/edit"
    form = {"first_name": person.first_name, "last_name": person.last_name, "email": person.email,
            "workplace_id": "0", "manager_name": "", "manager_email": "", "position_percent": ""}
    response = _both_save(first, second, url, {**form, "phone": "+47 400 00 001"},
                          {**form, "phone": "+47 400 00 002", "profession": "Vernepleier"})
    html = _refused_and_kept(response, 'value="+47 400 00 002"', 'value="Vernepleier"')
    stored = _reload(Person, person.id)
    assert (stored.phone, stored.profession) == ("+47 400 00 001", "")  # the first save, nothing of the second
    # Saved again from the form it got back (which carries the stored version), knowingly: it goes through.
    again = second.post(url, data={**form, "phone": "+47 400 00 002", "profession": "Vernepleier",
                                   "version": _hidden_version(html)})
    assert again.status_code == 302
    assert _reload(Person, person.id).phone == "+47 400 00 002"


def test_two_editors_of_a_workplace(world, two_browsers):
    first, second = two_browsers
    workplace = factories.make_workplace(name="Barnebolig")
    registry_services.update_person(world.rp, registry_services.PersonData(
        first_name=world.rp.first_name, last_name=world.rp.last_name, email=world.rp.email, workplace=workplace))
    db.session.commit()
    url = f"/registry/workplaces/{workplace.id}/edit"
    response = _both_save(first, second, url, {"name": "Barnebolig vest", "sector": "health_care"},
                          {"name": "Barnebolig øst", "sector": "education"})
    _refused_and_kept(response, 'value="Barnebolig øst"')
    stored = _reload(Workplace, workplace.id)
    assert stored.name == "Barnebolig vest" and stored.sector.value == "health_care"


def test_two_editors_of_an_event(world, two_browsers):
    first, second = two_browsers
    event = factories.make_event(world.network, title="Samling")
    db.session.commit()
    url = f"/events/{event.id}/edit"
    day = (today_oslo() + timedelta(days=30)).isoformat()
    form = {"kind": "gathering", "date": day, "start_time": "10:00", "end_time": "15:00"}
    response = _both_save(first, second, url, {**form, "title": "Samling om sorg"},
                          {**form, "title": "Samling om omsorg", "description": "Ta med lunsj."})
    _refused_and_kept(response, 'value="Samling om omsorg"', "Ta med lunsj.")
    assert _reload(Event, event.id).title == "Samling om sorg"


def test_two_editors_of_a_questionnaire(world, two_browsers):
    first, second = two_browsers
    questionnaire = factories.make_questionnaire(world.network, title="Evaluering")
    db.session.commit()
    url = f"/evaluations/{questionnaire.id}/edit"
    response = _both_save(first, second, url, {"title": "Evaluering av våren", "intro": ""},
                          {"title": "Evaluering av høsten", "intro": "Takk for sist."})
    _refused_and_kept(response, 'value="Evaluering av høsten"', "Takk for sist.")
    stored = _reload(Questionnaire, questionnaire.id)
    assert (stored.title, stored.intro) == ("Evaluering av våren", "")


def test_the_questions_are_part_of_the_questionnaire(world, two_browsers):
    """A question added, moved or deleted from a page showing an older list is refused: the new
    question's text is kept beside the form; a move or deletion changes nothing and says why."""
    first, second = two_browsers
    questionnaire = factories.make_questionnaire(world.network, title="Evaluering")
    db.session.commit()
    page = f"/evaluations/{questionnaire.id}"
    top, middle, _last = (q.id for q in questionnaire.questions)
    seen = _hidden_version(second.get(page).get_data(as_text=True))
    shown = _hidden_version(first.get(page).get_data(as_text=True))
    assert first.post(f"{page}/questions/{top}/move", data={"direction": "down", "version": shown}).status_code == 302
    response = second.post(f"{page}/questions", data={"kind": "text", "text": "Hva tar du med deg?", "version": seen})
    _refused_and_kept(response, 'value="Hva tar du med deg?"')
    moved = second.post(f"{page}/questions/{top}/move", data={"direction": "down", "version": seen},
                        follow_redirects=True)
    assert "Spørsmålene er endret etter at du åpnet siden" in moved.get_data(as_text=True)
    assert second.post(f"{page}/questions/{middle}/delete", data={"version": seen}).status_code == 302
    stored = _reload(Questionnaire, questionnaire.id)
    assert [q.id for q in stored.questions] == [middle, top, _last]  # only the first browser's move
    # The page as it is now carries the version it shows: from there each goes through.
    now = _hidden_version(second.get(page).get_data(as_text=True))
    assert second.post(f"{page}/questions", data={"kind": "text", "text": "Hva tar du med deg?",
                                                  "version": now}).status_code == 302
    assert _reload(Questionnaire, questionnaire.id).questions[-1].text == "Hva tar du med deg?"


def test_a_save_without_a_version_is_refused(world, two_browsers):
    first, _second = two_browsers
    questionnaire = factories.make_questionnaire(world.network, title="Evaluering")
    db.session.commit()
    response = first.post(f"/evaluations/{questionnaire.id}/edit", data={"title": "Uten versjon"})
    _refused_and_kept(response, 'value="Uten versjon"')
    assert _reload(Questionnaire, questionnaire.id).title == "Evaluering"


def test_a_change_between_the_check_and_the_update_is_a_conflict_too(world):
    """Another transaction may save in the instant after the version was checked: the UPDATE's
    WHERE on the version it read then matches no row, and nothing is written."""
    person = db.session.scalar(select(Person).where(Person.id == world.rp.id))
    seen = person.version
    with db.engine.begin() as other:  # someone else's save, committed in between
        other.execute(text("UPDATE person SET version = version + 1, phone = 'annen' WHERE id = :id"), {"id": person.id})
    with pytest.raises(versioning.EditConflict):
        with versioning.saving(person, seen):
            person.phone = "min"
    db.session.rollback()
    assert _reload(Person, person.id).phone == "annen"
