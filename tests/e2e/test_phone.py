"""On a phone the list comes first: filters fold behind one button, open while a filter is active,
and are simply shown when JavaScript is off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import context_options

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_filters_fold_behind_one_button_on_a_phone(open_page):
    page = open_page("coordinator")
    page.set_viewport_size(PHONE)
    page.goto("/registry/")
    search = page.get_by_role("searchbox", name="Søk")
    expect(search).to_be_hidden()
    first_person = page.locator("main table tbody tr").first.get_by_role("link")
    expect(first_person).to_be_in_viewport()
    page.get_by_role("button", name="Filter").click()
    expect(search).to_be_visible()
    search.fill("a")
    page.get_by_role("button", name="Vis", exact=True).click()
    # A filter in use: the filters stay open, so what was chosen shows.
    expect(page.get_by_role("searchbox", name="Søk")).to_be_visible()
    expect(page.get_by_role("button", name="Filter")).to_have_attribute("aria-expanded", "true")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/registry/")
    expect(page.get_by_role("button", name="Filter")).to_be_hidden()
    expect(page.get_by_role("searchbox", name="Søk")).to_be_visible()


def test_without_javascript_the_filters_are_shown(browser, live_server, auth_states):
    context = browser.new_context(**{**context_options(live_server), "viewport": PHONE, "java_script_enabled": False,
                                     "storage_state": str(auth_states("coordinator"))})
    try:
        page = context.new_page()
        page.goto("/events/")
        expect(page.get_by_role("searchbox", name="Søk")).to_be_visible()
        expect(page.get_by_role("button", name="Filter")).to_be_hidden()
    finally:
        context.close()
