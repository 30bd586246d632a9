"""Journeys per role, in a real browser against a real server (see conftest.py).

The server's database is shared by the whole session, so each journey works on records no other
journey touches (its own names and addresses, or a demo record only it changes) and never
depends on another journey having run. Later issues add their journeys here.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import links_in, login_through_form, mail_body

pytestmark = pytest.mark.e2e


def nav(page):
    return page.get_by_role("navigation", name="Hovedmeny")


def h1(page):
    return page.get_by_role("heading", level=1)


def count_in_status(page) -> int:
    """The registry's '<n> personer' line."""
    text = page.locator("main p[role=status]").inner_text()
    match = re.search(r"(\d+)", text)
    assert match, text
    return int(match.group(1))


def mails_to(messages, address: str):
    return [m for m in messages if address.lower() in str(m["To"]).lower()]


def link_in_mail(message, pattern: str) -> str:
    links = [link for link in links_in(mail_body(message)) if re.search(pattern, link)]
    assert links, f"no link matching {pattern} in:\n{mail_body(message)}"
    return links[0]


def registration_status(live_server, email: str) -> str:
    rows = live_server.query("SELECT status FROM registration WHERE lower(email) = lower(?)", (email,))
    assert len(rows) == 1, rows
    return rows[0][0]


# ---------------------------------------------------------------- coordinator

def test_coordinator_filters_the_registry_searches_and_opens_a_person(open_page, page_checks):
    page = open_page("coordinator")
    page.goto("/dashboard")
    nav(page).get_by_role("link", name="Register", exact=True).click()
    expect(h1(page)).to_have_text("Register over personer")
    everyone = count_in_status(page)
    assert everyone >= 56

    page.get_by_label("Kommune", exact=True).select_option(label="Stavanger")
    page.get_by_label("Sektor", exact=True).select_option(label="Helse og omsorg")
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page).to_have_url(re.compile(r"municipality=\d+"))
    expect(page).to_have_url(re.compile(r"sector=health_care"))
    # The form shows the filter it applied.
    expect(page.get_by_label("Kommune", exact=True).locator("option:checked")).to_have_text("Stavanger")
    filtered = count_in_status(page)
    assert 0 < filtered < everyone
    rows = page.locator("main table tbody tr")
    places = rows.locator("td:nth-child(4)").all_inner_texts()
    assert places and set(places) == {"Stavanger"}, places
    page_checks.check(page)

    # Search within the filter for the first person's surname, then open the person.
    sort_name = rows.first.locator("td").first.inner_text()
    last_name, first_name = (part.strip() for part in sort_name.split(",", 1))
    page.get_by_label("Søk", exact=True).fill(last_name)
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=" + re.escape(last_name.split()[0][:3])))
    assert 0 < count_in_status(page) <= filtered
    page.get_by_role("link", name=sort_name, exact=True).click()
    expect(page).to_have_url(re.compile(r"/registry/persons/\d+$"))
    expect(h1(page)).to_contain_text(first_name)
    expect(h1(page)).to_contain_text(last_name)
    page_checks.check(page)
    page_checks.assert_clean()


def test_coordinator_approves_a_pending_registration_and_the_person_gets_a_password_link(
    open_page, send_outbox, live_server, page_checks
):
    # Ingeborg Lima is a demo registration the manager has confirmed; only this journey decides it.
    email = "ingeborg.lima@time.demo.example"
    page = open_page("coordinator")
    page.goto("/dashboard")
    nav(page).get_by_role("link", name="Søknader").click()
    expect(h1(page)).to_have_text("Søknader om å bli med")
    page.get_by_role("link", name="Ingeborg Lima").click()
    expect(page).to_have_url(re.compile(r"/registrations/\d+$"))
    expect(h1(page)).to_contain_text("Ingeborg Lima")
    expect(page.locator("main")).to_contain_text("Venter på koordinator")

    page.get_by_role("button", name="Godkjenn").click()
    expect(page.get_by_role("status").filter(has_text="Ingeborg Lima er godkjent")).to_be_visible()
    expect(page.get_by_role("main").get_by_text("Godkjent", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Godkjenn")).to_have_count(0)
    assert registration_status(live_server, email) == "approved"
    page_checks.check(page)

    # She is in the registry now.
    page.locator("main dd a[href*='/registry/persons/']").click()
    expect(h1(page)).to_contain_text("Ingeborg Lima")

    # ... and the e-mail with the set-password link works.
    messages = mails_to(send_outbox(), email)
    assert messages, "no e-mail to the approved person"
    link = link_in_mail(messages[-1], r"/auth/password/")
    assert link.startswith(live_server.url)
    person = open_page()
    person.goto(link)
    page_checks.check(person)
    person.get_by_label("Nytt passord").fill("et langt nytt passord")
    person.get_by_label("Gjenta passordet").fill("et langt nytt passord")
    person.locator("main form").get_by_role("button").click()
    expect(person).to_have_url(re.compile(r"/auth/login"))
    login_through_form(person, email, "et langt nytt passord")
    expect(h1(person)).to_be_visible()
    page_checks.assert_clean()


IMPORT_CSV = (
    "Fornavn;Etternavn;E-post;Telefon;Yrke;Arbeidssted;Kommune;Leder e-post;Stillingsprosent\r\n"
    "Åse;Tjøstheim;ase.tjostheim@import.e2e.example;+47 400 01 001;Barnehagelærer;Lura barnehage;Sandnes;;80\r\n"
    "Øystein;Bærheim;oystein.baerheim@import.e2e.example;;Fysioterapeut;Hjemmesykepleien Sola;1124;;100\r\n"
)


def test_coordinator_imports_a_file_after_seeing_the_preview(open_page, page_checks):
    page = open_page("coordinator")
    page.goto("/registry/")
    page.get_by_role("link", name="Importer").click()
    expect(page).to_have_url(re.compile(r"/registry/import$"))
    expect(h1(page)).to_be_visible()

    form = page.locator("main form:has(input[type=file])")
    form.locator("input[type=file]").set_input_files({
        "name": "ressurspersoner.csv", "mimeType": "text/csv",
        "buffer": b"\xef\xbb\xbf" + IMPORT_CSV.encode("utf-8"),  # Excel's UTF-8 with BOM
    })
    form.locator("[type=submit]").first.click()

    # The preview (a dry run) names both rows and has imported nothing yet.
    main = page.locator("main")
    expect(main).to_contain_text("ase.tjostheim@import.e2e.example")
    expect(main).to_contain_text("oystein.baerheim@import.e2e.example")
    expect(main).to_contain_text("Tjøstheim")
    page_checks.check(page)
    check = open_page("coordinator")
    check.goto("/registry/?q=import.e2e.example&status=all")
    assert count_in_status(check) == 0, "the preview imported something already"

    main.get_by_role("button", name=re.compile(r"^(Importer|Bekreft)", re.I)).click()
    expect(page.get_by_role("status").filter(has_text="Importen er fullført")).to_be_visible()
    page_checks.check(page)
    check.goto("/registry/?q=import.e2e.example&status=all")
    assert count_in_status(check) == 2
    expect(check.get_by_role("link", name="Tjøstheim, Åse")).to_be_visible()
    expect(check.get_by_role("link", name="Bærheim, Øystein")).to_be_visible()
    page_checks.assert_clean()


# ---------------------------------------------------------------- joining

def test_new_person_registers_and_the_manager_confirms_from_the_emailed_link(
    open_page, send_outbox, live_server, page_checks
):
    applicant = "synnove.lura@e2e.example"
    manager = "marit.haugland@e2e.example"
    page = open_page()
    page.goto("/")
    page.locator("main").get_by_role("link", name="Søk om å bli ressursperson").click()
    expect(page).to_have_url(re.compile(r"/register"))
    expect(h1(page)).to_have_text("Søk om å bli ressursperson")

    network = page.get_by_label("Nettverk", exact=True)
    if network.count():
        network.select_option(label="Tverrfaglig nettverk i barnepalliasjon Sør-Rogaland")
    page.get_by_label("Fornavn", exact=True).fill("Synnøve")
    page.get_by_label("Etternavn", exact=True).fill("Lura")
    page.get_by_label("E-post", exact=True).fill(applicant)
    page.get_by_label("Telefon", exact=True).fill("+47 400 09 009")
    page.get_by_label("Yrke", exact=True).fill("Spesialpedagog")
    page.get_by_label("Stillingsprosent", exact=True).fill("60")
    page.get_by_label("Arbeidssted", exact=True).select_option(label="Lura barnehage")
    page.get_by_label("Lederens navn", exact=True).fill("Marit Haugland")
    page.get_by_label("Lederens e-post", exact=True).fill(manager)
    page.get_by_role("checkbox", name=re.compile("offentlige side")).check()
    page.get_by_role("button", name="Send søknaden").click()
    expect(page).to_have_url(re.compile(r"/register/thanks$"))
    expect(page.get_by_role("status").filter(has_text="Søknaden er sendt")).to_be_visible()
    page_checks.check(page)
    assert registration_status(live_server, applicant) == "awaiting_manager"

    messages = send_outbox()
    assert mails_to(messages, applicant), "no receipt to the person who registered"
    to_manager = mails_to(messages, manager)
    assert to_manager, "no e-mail to the manager"
    link = link_in_mail(to_manager[-1], r"/register/confirm/")
    assert link.startswith(live_server.url)

    # The manager opens the link: a page with a button; opening it changes nothing.
    boss = open_page()
    boss.goto(link)
    expect(h1(boss)).to_have_text("Bekreft ressursperson")
    expect(boss.locator("main")).to_contain_text("Synnøve Lura")
    assert registration_status(live_server, applicant) == "awaiting_manager"
    page_checks.check(boss)
    assert registration_status(live_server, applicant) == "awaiting_manager"
    boss.get_by_role("button", name="Ja, jeg bekrefter").click()
    expect(boss).to_have_url(re.compile(r"/register/confirmed$"))
    expect(boss.get_by_role("status").filter(has_text="Du har bekreftet søknaden")).to_be_visible()
    assert registration_status(live_server, applicant) == "awaiting_coordinator"
    page_checks.check(boss)

    # The coordinators now see it waiting for them.
    coordinator = open_page("coordinator")
    coordinator.goto("/registrations/?status=awaiting_coordinator")
    row = coordinator.locator("main tbody tr", has_text="Synnøve Lura")
    expect(row).to_contain_text("Venter på koordinator")

    # The link works once: a second confirmation is refused with a clear page, never a 500.
    again = boss.goto(link)
    assert again is not None and again.status < 500
    expect(boss.get_by_role("button", name="Ja, jeg bekrefter")).to_have_count(0)
    expect(h1(boss)).to_be_visible()
    page_checks.check(boss)
    page_checks.assert_clean()


# ---------------------------------------------------------------- manager

def test_manager_sees_only_their_staff_and_not_the_registry(open_page, live_server, page_checks):
    expected = {
        f"{last}, {first}" for first, last in live_server.query(
            """SELECT p.first_name, p.last_name FROM person p
               WHERE (p.manager_id = (SELECT person_id FROM "user" WHERE email = 'leder@demo.example')
                      OR p.workplace_id IN (SELECT id FROM workplace WHERE leader_id =
                            (SELECT person_id FROM "user" WHERE email = 'leder@demo.example')))
                 AND p.id != (SELECT person_id FROM "user" WHERE email = 'leder@demo.example')"""  # never themselves
        )
    }
    assert expected, "the demo manager has no staff"
    page = open_page("manager")
    page.goto("/dashboard")
    expect(nav(page).get_by_role("link", name="Register", exact=True)).to_have_count(0)
    nav(page).get_by_role("link", name="Mine ansatte").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    shown = set(page.locator("main table tbody tr td:first-child").all_inner_texts())
    assert shown == expected

    response = page.goto("/registry/")
    assert response.status == 403
    expect(h1(page)).to_be_visible()
    page_checks.check(page)
    outsider = live_server.query(
        """SELECT p.id FROM person p JOIN membership m ON m.person_id = p.id
           WHERE p.manager_id IS NOT (SELECT person_id FROM "user" WHERE email = 'leder@demo.example')
             AND p.workplace_id NOT IN (SELECT id FROM workplace WHERE leader_id =
                   (SELECT person_id FROM "user" WHERE email = 'leder@demo.example'))
           ORDER BY p.id LIMIT 1"""
    )[0][0]
    response = page.goto(f"/registry/persons/{outsider}")
    assert response.status in (403, 404)
    page_checks.assert_clean()


def test_a_change_shows_at_once_in_every_worker(open_page, live_server, page_checks):
    # The server runs two workers, each with its own fragment cache: a page served from either one
    # after the change must show it. The person is one no other journey reads or changes.
    person_id, last_name = live_server.query(
        "SELECT p.id, p.last_name FROM person p WHERE p.status = 'active' AND p.email NOT LIKE '%@demo.example'"
        " AND (SELECT count(*) FROM person q WHERE q.last_name = p.last_name) = 1"
        " AND NOT EXISTS (SELECT 1 FROM user u WHERE u.person_id = p.id) ORDER BY p.id DESC LIMIT 1"
    )[0]
    page = open_page("coordinator")
    search = f"/registry/?q={last_name}"
    for _ in range(4):  # fill both workers' caches
        page.goto(search)
        expect(page.locator("main table tbody tr")).to_have_count(1)
        expect(page.locator("main table tbody")).not_to_contain_text("Barnesykepleier i nettverket")

    page.goto(f"/registry/persons/{person_id}/edit")
    page.get_by_label("Yrke", exact=True).fill("Barnesykepleier i nettverket")
    page.get_by_role("button", name="Lagre").click()
    expect(page).to_have_url(re.compile(rf"/registry/persons/{person_id}$"))
    page_checks.check(page)

    for _ in range(6):
        page.goto(search)
        expect(page.locator("main table tbody tr td:nth-child(2)")).to_have_text("Barnesykepleier i nettverket")
        page.goto(f"/registry/persons/{person_id}")
        expect(page.locator("main")).to_contain_text("Barnesykepleier i nettverket")
    page_checks.assert_clean()
