"""An evaluation from start to results, in a real browser (see conftest.py).

The coordinator writes a questionnaire with the standard questions and opens it; the resource
person answers it with the keyboard (radio groups: arrow keys choose, Tab moves on); the
coordinator then sees one answer waiting and the threshold message, not the answers. The questionnaire
has its own title, so the journey touches nothing another test uses.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def h1(page):
    return page.get_by_role("heading", level=1)


def test_coordinator_writes_and_opens_a_questionnaire_and_a_resource_person_answers(open_page, page_checks, live_server):
    title = f"Evaluering av fagdagen {uuid.uuid4().hex[:8]}"

    # The coordinator writes the questionnaire from the standard questions and opens it.
    page = open_page("coordinator")
    page.goto("/evaluations/")
    page.get_by_role("link", name="Nytt spørreskjema").first.click()
    expect(h1(page)).to_have_text("Nytt spørreskjema")
    page.get_by_label("Nettverk", exact=True).select_option(label="Tverrfaglig nettverk i barnepalliasjon Sør-Rogaland")
    page.get_by_label("Tittel").fill(title)
    page.get_by_label("Innledning").fill("Takk for at du var med på fagdagen.")
    expect(page.get_by_label("Start med standardspørsmålene")).to_be_checked()
    page_checks.check(page)
    page.get_by_role("button", name="Opprett").click()
    expect(h1(page)).to_have_text(title)
    expect(page.locator("#questions + ol > li")).to_have_count(6)
    page_checks.check(page)
    page.get_by_role("button", name="Åpne for svar").click()
    expect(page.get_by_role("status").filter(has_text="Skjemaet er åpent for svar")).to_be_visible()
    questionnaire_id = int(re.search(r"/evaluations/(\d+)", page.url).group(1))

    # The resource person finds it on the list and answers with the keyboard only.
    answer = open_page("resource_person")
    answer.goto("/evaluations/")
    answer.get_by_role("link", name=re.compile(re.escape(title))).click()
    expect(h1(answer)).to_have_text(title)
    page_checks.check(answer)
    groups = answer.get_by_role("group")
    first = groups.filter(has_text="Hvor stor faglig nytte hadde du av dette?")
    first.get_by_role("radio", name="1 – I liten grad").focus()
    answer.keyboard.press("ArrowRight")  # arrow keys move the choice within the group
    answer.keyboard.press("ArrowRight")
    answer.keyboard.press("ArrowRight")
    expect(first.get_by_role("radio", name="4")).to_be_checked()
    second = groups.filter(has_text="Hvordan vurderer du foredragsholderne?")
    second.get_by_role("radio", name="1 – I liten grad").focus()
    answer.keyboard.press("Space")  # choose 1, then go round the group backwards to 5
    answer.keyboard.press("ArrowLeft")
    expect(second.get_by_role("radio", name="5 – I stor grad")).to_be_checked()
    answer.get_by_label("Hva bør vi endre til neste gang?").focus()
    answer.keyboard.type("Flere pauser og mer tid til refleksjon.")
    answer.get_by_role("button", name="Send svar").focus()
    answer.keyboard.press("Enter")
    expect(h1(answer)).to_have_text("Takk for svaret")
    page_checks.check(answer)
    answer.goto(f"/evaluations/{questionnaire_id}/answer")
    expect(answer.get_by_text("Du har allerede svart")).to_be_visible()

    # The coordinator sees one response and the threshold message, not the answers.
    page.goto(f"/evaluations/{questionnaire_id}/results")
    expect(page.locator("main p.lead")).to_contain_text("1 svar")
    expect(page.get_by_text("Resultatene vises når minst 3 har svart")).to_be_visible()
    expect(page.get_by_text("Flere pauser")).to_have_count(0)
    expect(page.get_by_text("1 svar venter og kommer med i resultatene sammen med andre")).to_be_visible()
    page_checks.check(page)
    # The answer waits, sealed, until enough others join it; the receipt says only who answered.
    for table, count in (("held_response", 1), ("response", 0), ("response_receipt", 1)):
        rows = live_server.query(f"SELECT count(*) FROM {table} WHERE questionnaire_id = ?", (questionnaire_id,))
        assert rows == [(count,)], table


def test_results_with_enough_responses_are_valid_and_accessible(open_page, page_checks, live_server):
    """The demo's evaluations have enough responses to show the tables and bars."""
    rows = live_server.query(
        "SELECT questionnaire_id FROM response GROUP BY questionnaire_id HAVING count(*) >= 3 ORDER BY 1 LIMIT 1")
    assert rows, "the demo has no evaluation with three responses or more"
    page = open_page("coordinator")
    page.goto(f"/evaluations/{rows[0][0]}/results")
    expect(page.get_by_text("Gjennomsnitt:").first).to_be_visible()
    expect(page.locator("main table th[scope=row]").first).to_be_visible()
    page_checks.check(page)
    page.goto("/evaluations/")
    page_checks.check(page)
