"""Writing questionnaires: creating (with the standard questions), questions, status changes,
the e-mails on the first opening, and the list."""

from __future__ import annotations

from sqlalchemy import func, select

from netapp.blueprints.evaluations.models import Question, Questionnaire, QuestionnaireStatus
from netapp.blueprints.evaluations.standard import STANDARD_QUESTIONS
from netapp.extensions import db
from tests import factories
from tests.conftest import links_in, table_rows


def _questionnaire(qid: int) -> Questionnaire:
    db.session.expire_all()
    return db.session.get(Questionnaire, qid)


def _version(qid: int) -> str:
    """The version a page of the questionnaire shows now, as its forms post it."""
    return str(_questionnaire(qid).version)


def test_create_with_the_standard_questions(client, login, world):
    login("k@test.example")
    page = client.get("/evaluations/new").get_data(as_text=True)
    assert "Start med standardspørsmålene" in page and 'checked' in page
    assert "Skriv aldri opplysninger om pasienter eller barn" in page
    response = client.post("/evaluations/new", data={
        "network_id": str(world.network.id), "event_id": "0", "title": "Evaluering av fagdagen",
        "intro": "Takk for sist.", "use_standard": "y"})
    assert response.status_code == 302
    questionnaire = db.session.scalar(select(Questionnaire).where(Questionnaire.title == "Evaluering av fagdagen"))
    assert response.location.endswith(f"/evaluations/{questionnaire.id}")
    assert questionnaire.status == QuestionnaireStatus.DRAFT
    assert [q.text for q in questionnaire.questions] == [str(text) for _, text, _ in STANDARD_QUESTIONS]
    assert [q.position for q in questionnaire.questions] == list(range(1, len(STANDARD_QUESTIONS) + 1))
    page = client.get(response.location).get_data(as_text=True)
    assert "Hvor stor faglig nytte hadde du av dette?" in page and "Legg til et spørsmål" in page


def test_create_without_the_standard_questions(client, login, world):
    login("k@test.example")
    client.post("/evaluations/new", data={"network_id": str(world.network.id), "event_id": "0", "title": "Tom"})
    questionnaire = db.session.scalar(select(Questionnaire).where(Questionnaire.title == "Tom"))
    assert questionnaire.questions == []


def test_bad_input_is_shown_again_with_the_typed_values(client, login, world):
    login("k@test.example")
    response = client.post("/evaluations/new", data={
        "network_id": "99999999999999999999", "event_id": "abc", "title": "x" * 201, "intro": "Min innledning"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Min innledning" in page and "x" * 201 in page and "Skjemaet har feil" in page
    assert db.session.scalar(select(func.count(Questionnaire.id))) == 0


def test_an_event_of_another_network_is_refused_beside_the_field(client, login, world):
    other_event = factories.make_event(world.other_network, days=-3, title="Samling i det andre nettverket")
    own_event = factories.make_event(world.network, days=-2, title="Egen samling")
    db.session.commit()
    login("admin@test.example")
    page = client.get("/evaluations/new").get_data(as_text=True)
    assert "Samling i det andre nettverket" in page and "Egen samling" in page
    response = client.post("/evaluations/new", data={
        "network_id": str(world.network.id), "event_id": str(other_event.id), "title": "Feil arrangement"})
    assert response.status_code == 200
    assert "Arrangementet hører til et annet nettverk" in response.get_data(as_text=True)
    assert "Feil arrangement" in response.get_data(as_text=True)
    response = client.post("/evaluations/new", data={
        "network_id": str(world.network.id), "event_id": str(own_event.id), "title": "Riktig arrangement"})
    assert response.status_code == 302
    assert db.session.scalar(select(Questionnaire.event_id).where(Questionnaire.title == "Riktig arrangement")) == own_event.id


def test_a_coordinator_sees_only_the_events_and_networks_they_coordinate(client, login, world):
    factories.make_event(world.other_network, title="Skjult samling")
    db.session.commit()
    login("k@test.example")
    page = client.get("/evaluations/new").get_data(as_text=True)
    assert "Skjult samling" not in page and world.other_network.name not in page
    response = client.post("/evaluations/new", data={
        "network_id": str(world.other_network.id), "event_id": "0", "title": "Ikke mitt"})
    assert response.status_code == 200 and "Ikke mitt" in response.get_data(as_text=True)


def test_questions_are_added_moved_and_deleted_while_draft(client, login, world):
    q = factories.make_questionnaire(world.network)
    db.session.commit()
    first, second, third = (x.id for x in q.questions)
    login("k@test.example")
    response = client.post(f"/evaluations/{q.id}/questions", data={"kind": "text", "text": "", "required": "y"})
    assert response.status_code == 200 and "Skriv spørsmålet." in response.get_data(as_text=True)
    response = client.post(f"/evaluations/{q.id}/questions", data={"kind": "nonsense", "text": "Et spørsmål"})
    assert response.status_code == 200 and "Et spørsmål" in response.get_data(as_text=True)
    assert client.post(f"/evaluations/{q.id}/questions", data={"kind": "yes_no", "text": "Kommer du igjen?",
                                                               "required": "y", "version": _version(q.id)}).status_code == 302
    q = _questionnaire(q.id)
    assert q.questions[-1].text == "Kommer du igjen?" and q.questions[-1].required and q.questions[-1].position == 4
    fourth = q.questions[-1].id
    client.post(f"/evaluations/{q.id}/questions/{fourth}/move", data={"direction": "up", "version": _version(q.id)})
    client.post(f"/evaluations/{q.id}/questions/{first}/move", data={"direction": "down", "version": _version(q.id)})
    client.post(f"/evaluations/{q.id}/questions/{first}/move", data={"direction": "sideways", "version": _version(q.id)})
    assert [x.id for x in _questionnaire(q.id).questions] == [second, first, fourth, third]
    page = client.get(f"/evaluations/{q.id}/questions/{first}/delete").get_data(as_text=True)
    assert "Slette spørsmålet?" in page and "Hvor nyttig var dagen?" in page
    assert client.post(f"/evaluations/{q.id}/questions/{first}/delete", data={"version": _version(q.id)}).status_code == 302
    q = _questionnaire(q.id)
    assert [x.id for x in q.questions] == [second, fourth, third]
    assert [x.position for x in q.questions] == [1, 2, 3]


def test_questions_cannot_change_once_opened(client, login, world):
    q = factories.make_questionnaire(world.network, status="open")
    db.session.commit()
    question = q.questions[0]
    login("k@test.example")
    for url, data in [(f"/evaluations/{q.id}/questions", {"kind": "scale", "text": "Sent"}),
                      (f"/evaluations/{q.id}/questions/{question.id}/delete", {}),
                      (f"/evaluations/{q.id}/questions/{question.id}/move", {"direction": "down"}),
                      (f"/evaluations/{q.id}/edit", {"title": "Nytt navn"}),
                      (f"/evaluations/{q.id}/delete", {})]:
        response = client.post(url, data=data)
        assert response.status_code == 302, url
        assert response.location.endswith(f"/evaluations/{q.id}")
    page = client.get(f"/evaluations/{q.id}").get_data(as_text=True)
    assert "kan ikke endres" in page and "Legg til et spørsmål" not in page
    q = _questionnaire(q.id)
    assert len(q.questions) == 3 and q.questions[0].id == question.id and q.title != "Nytt navn"


def test_edit_title_and_intro(client, login, world):
    q = factories.make_questionnaire(world.network, title="Gammelt navn")
    db.session.commit()
    login("k@test.example")
    assert 'value="Gammelt navn"' in client.get(f"/evaluations/{q.id}/edit").get_data(as_text=True)
    response = client.post(f"/evaluations/{q.id}/edit", data={"title": "  ", "intro": "Beholdes"})
    assert response.status_code == 200 and "Beholdes" in response.get_data(as_text=True)
    assert client.post(f"/evaluations/{q.id}/edit", data={"title": "Nytt navn", "intro": "Hei",
                                                          "version": _version(q.id)}).status_code == 302
    q = _questionnaire(q.id)
    assert (q.title, q.intro) == ("Nytt navn", "Hei")


def test_a_draft_is_deleted_after_confirmation(client, login, world):
    q = factories.make_questionnaire(world.network, title="Skal bort")
    db.session.commit()
    login("k@test.example")
    page = client.get(f"/evaluations/{q.id}/delete").get_data(as_text=True)
    assert "Slette «Skal bort»?" in page and "Ja, slett spørreskjemaet" in page
    assert _questionnaire(q.id) is not None  # GET changes nothing
    assert client.post(f"/evaluations/{q.id}/delete").status_code == 302
    assert _questionnaire(q.id) is None
    assert db.session.scalar(select(func.count(Question.id))) == 0


def test_open_needs_a_question(client, login, world):
    q = factories.make_questionnaire(world.network, questions=[])
    db.session.commit()
    login("k@test.example")
    response = client.post(f"/evaluations/{q.id}/open", follow_redirects=True)
    assert "Legg til minst ett spørsmål" in response.get_data(as_text=True)
    assert _questionnaire(q.id).status == QuestionnaireStatus.DRAFT


def test_opening_mails_the_participants_once(client, login, world, outbox):
    left = factories.make_person(world.network, email="sluttet@test.example")
    from netapp.blueprints.registry import services as registry_services
    from netapp.timeutil import today_oslo

    registry_services.deactivate_person(left, today_oslo())
    q = factories.make_questionnaire(world.network, title="Evaluering av våren")
    db.session.commit()
    login("k@test.example")
    response = client.post(f"/evaluations/{q.id}/open", follow_redirects=True)
    assert "3 deltakere har fått e-post" in response.get_data(as_text=True)
    q = _questionnaire(q.id)
    assert q.status == QuestionnaireStatus.OPEN and q.opened_at is not None
    messages = outbox()
    assert sorted(m.to_address for m in messages) == ["ag@test.example", "rp2@test.example", "rp@test.example"]
    message = outbox("rp@test.example")[0]
    assert "Evaluering av våren" in message.subject
    links = links_in(message.body_text)
    assert any(link.endswith(f"/evaluations/{q.id}/answer") for link in links)
    # Opening the link changes nothing.
    login("rp@test.example")
    assert client.get(f"/evaluations/{q.id}/answer").status_code == 200
    # Closed and opened again: no second round of e-mails.
    login("k@test.example")
    assert client.post(f"/evaluations/{q.id}/close").status_code == 302
    q = _questionnaire(q.id)
    assert q.status == QuestionnaireStatus.CLOSED and q.closed_at is not None
    closed_at = q.closed_at
    response = client.post(f"/evaluations/{q.id}/close", follow_redirects=True)  # already closed
    assert "Skjemaet er ikke åpent." in response.get_data(as_text=True)
    assert _questionnaire(q.id).closed_at == closed_at
    assert client.post(f"/evaluations/{q.id}/open").status_code == 302
    response = client.post(f"/evaluations/{q.id}/open", follow_redirects=True)  # a double click
    assert "allerede åpent" in response.get_data(as_text=True)
    assert _questionnaire(q.id).status == QuestionnaireStatus.OPEN
    assert len(outbox()) == 3


def test_with_an_event_only_the_registered_participants_are_mailed(client, login, world, outbox):
    event = factories.make_event(world.network, days=-1)
    factories.make_event_registration(event, world.rp2)
    factories.make_event_registration(event, world.coordinator.person)  # not a participant
    q = factories.make_questionnaire(world.network, event=event)
    db.session.commit()
    login("k@test.example")
    client.post(f"/evaluations/{q.id}/open")
    assert [m.to_address for m in outbox()] == ["rp2@test.example"]


def test_list_for_coordinators_filters_and_counts(client, login, world):
    a = factories.make_questionnaire(world.network, title="Åpen evaluering", status="open")
    factories.make_questionnaire(world.network, title="Et utkast")
    factories.make_questionnaire(world.other_network, title="Andres skjema")
    for _ in range(4):
        factories.make_response(a, {a.questions[0]: 3})
    db.session.commit()
    login("k@test.example")
    page = client.get("/evaluations/").get_data(as_text=True)
    assert "Åpen evaluering" in page and "Et utkast" in page and "Andres skjema" not in page
    assert "2 spørreskjemaer" in page
    header, *rows = table_rows(page)
    # The title's cell also holds the row's key facts for phones: "Åpen evaluering Nettverk · 4 svar".
    responses = {row[0]: row[header.index("Svar")] for row in rows}
    assert [count for title, count in responses.items() if title.startswith("Åpen evaluering")] == ["4"]
    assert "Nytt spørreskjema" in page
    page = client.get("/evaluations/?status=draft").get_data(as_text=True)
    assert "Et utkast" in page and "Åpen evaluering" not in page
    assert client.get("/evaluations/?network=det-andre").status_code == 403
    page = client.get("/evaluations/?status=closed").get_data(as_text=True)
    assert "Ingen spørreskjemaer passer med filteret" in page
    assert client.get("/evaluations/?status=bogus&page=x").status_code == 200


def test_list_for_participants_and_others(client, login, world):
    open_q = factories.make_questionnaire(world.network, title="Svar på meg", status="open")
    factories.make_questionnaire(world.network, title="Hemmelig utkast")
    factories.make_questionnaire(world.network, title="Ferdig", status="closed")
    factories.make_response(open_q, {open_q.questions[0]: 4}, person=world.rp2)
    db.session.commit()
    login("rp@test.example")
    page = client.get("/evaluations/").get_data(as_text=True)
    assert "Svar på meg" in page and "Hemmelig utkast" not in page and "Ferdig" not in page
    assert f"/evaluations/{open_q.id}/answer" in page and "Nytt spørreskjema" not in page
    login("rp2@test.example")
    page = client.get("/evaluations/").get_data(as_text=True)
    assert "Besvart" in page and f"/evaluations/{open_q.id}/answer" not in page
    login("ute@test.example")
    page = client.get("/evaluations/").get_data(as_text=True)
    assert "Ingen evalueringer venter på deg" in page and "Svar på meg" not in page


def test_empty_list_says_what_to_do(client, login, world):
    login("k@test.example")
    page = client.get("/evaluations/").get_data(as_text=True)
    assert "Ingen spørreskjemaer ennå" in page and "/evaluations/new" in page


def test_dashboard_lists_evaluations_waiting_for_an_answer(client, login, world):
    q = factories.make_questionnaire(world.network, title="Venter på deg", status="open")
    db.session.commit()
    login("rp@test.example")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Evalueringer som venter på svar" in page and "Venter på deg" in page
    client.post(f"/evaluations/{q.id}/answer", data={f"q{q.questions[0].id}": "3"})
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Venter på deg" not in page
    login("ute@test.example")
    assert "Evalueringer som venter på svar" not in client.get("/dashboard").get_data(as_text=True)
