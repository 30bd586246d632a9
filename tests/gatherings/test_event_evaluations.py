"""An event's page leads to its evaluation: coordinators to write or follow it, participants to answer."""

from __future__ import annotations

import re

from netapp.extensions import db
from tests import factories


def _past_event(world):
    """Three days ago in the world's network; rp@ came."""
    event = factories.make_event(world.network, days=-3, title="Samling om sorg")
    factories.make_event_registration(event, world.rp, attended=True)
    db.session.commit()
    return event


def test_a_coordinator_is_offered_to_evaluate_an_event_without_evaluation(world, client, login):
    event = _past_event(world)
    login(world.coordinator_email)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Arrangementet har ingen evaluering ennå." in page
    assert f'href="/evaluations/new?event={event.id}"' in page

    form = client.get(f"/evaluations/new?event={event.id}").get_data(as_text=True)
    assert f'<option selected value="{event.id}">Samling om sorg (' in form  # the event is chosen


def test_the_coordinator_sees_the_event_s_evaluations_and_a_participant_the_open_one_to_answer(world, client, login):
    event = _past_event(world)
    draft = factories.make_questionnaire(world.network, event=event, title="Utkast til evaluering")
    open_one = factories.make_questionnaire(world.network, event=event, title="Evaluering av samlingen", status="open")
    db.session.commit()

    login(world.coordinator_email)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    # Each evaluation with its status in words (a badge), as the reader sees the list item.
    items = [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in re.findall(r"<li>(.*?)</li>", page, re.S)]
    assert "Utkast til evaluering Utkast" in items
    assert "Evaluering av samlingen Åpen for svar" in items
    assert f'href="/evaluations/{draft.id}"' in page and f'href="/evaluations/{open_one.id}"' in page

    other = client.application.test_client()
    login(world.rp.email, c=other)
    page = other.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'href="/evaluations/{open_one.id}/answer">Svar på Evaluering av samlingen</a>' in page
    assert "Utkast til evaluering" not in page

    factories.make_response(open_one, person=world.rp)
    db.session.commit()
    page = other.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Evaluering av samlingen: du har svart. Takk!" in page
    assert f"/evaluations/{open_one.id}/answer" not in page
