"""Events in a real browser: the coordinator creates an event, the resource person registers for
it from the event page, and the coordinator sees them in the participant list. The event has a
title of its own, so the journey touches nothing other journeys use."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

REGIONAL = "Tverrfaglig nettverk i barnepalliasjon Sør-Rogaland"


def h1(page):
    return page.get_by_role("heading", level=1)


def test_coordinator_creates_an_event_the_resource_person_registers_the_coordinator_sees_them(
    open_page, live_server, page_checks
):
    title = f"Fagdag e2e {uuid.uuid4().hex[:8]}"
    day = date.today() + timedelta(days=40)

    coordinator = open_page("coordinator")
    coordinator.goto("/events/")
    expect(h1(coordinator)).to_have_text("Arrangementer")
    coordinator.get_by_role("link", name="Nytt arrangement").click()
    expect(h1(coordinator)).to_have_text("Nytt arrangement")
    page_checks.check(coordinator)
    form = coordinator.locator("main form")
    form.get_by_label("Nettverk", exact=True).select_option(label=REGIONAL)
    form.get_by_label("Type arrangement").select_option(label="Fagdag")
    form.get_by_label("Tittel", exact=True).fill(title)
    form.get_by_label("Tema", exact=True).fill("Samarbeid på tvers")
    form.get_by_label("Beskrivelse").fill("Foredrag om formiddagen.\nGruppearbeid etter lunsj.")
    form.get_by_label("Sted", exact=True).fill("Stavanger")
    form.get_by_label("Dato", exact=True).fill(day.isoformat())
    form.get_by_label("Starter kl.").fill("09:00")
    form.get_by_label("Slutter kl.").fill("15:30")
    form.get_by_label("Antall plasser").fill("30")
    form.get_by_role("checkbox", name="Vis på nettverkets offentlige side").check()
    form.get_by_role("button", name="Lagre").click()
    expect(coordinator).to_have_url(re.compile(r"/events/\d+$"))
    expect(h1(coordinator)).to_have_text(title)
    expect(coordinator.get_by_role("status").filter(has_text=f"Arrangementet {title} er lagt inn")).to_be_visible()
    expect(coordinator.locator("main")).to_contain_text(day.strftime("%d.%m.%Y"))
    expect(coordinator.locator("main")).to_contain_text("09:00")
    # The description is shown with its line break, as typed.
    assert "Foredrag om formiddagen.\nGruppearbeid etter lunsj." in coordinator.locator("main").inner_text()
    event_url = coordinator.url
    page_checks.check(coordinator)

    resource = open_page("resource_person")
    resource.goto("/events/")
    resource.get_by_role("link", name=title).click()
    expect(h1(resource)).to_have_text(title)
    page_checks.check(resource)
    resource.get_by_role("button", name="Meld meg på").click()
    expect(resource.get_by_role("status").filter(has_text="Du er påmeldt")).to_be_visible()
    expect(resource.get_by_role("button", name="Meld meg av")).to_be_visible()
    page_checks.check(resource)

    first, last = live_server.query(
        "SELECT first_name, last_name FROM person WHERE email_normalized = 'ressurs@demo.example'")[0]
    coordinator.goto(event_url)
    participants = coordinator.locator("main table tbody")
    expect(participants.get_by_role("link", name=f"{last}, {first}")).to_be_visible()
    expect(coordinator.locator("main p[role=status]")).to_contain_text("1 påmeldt")
    page_checks.check(coordinator)
    page_checks.assert_clean()
