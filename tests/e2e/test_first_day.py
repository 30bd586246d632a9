"""The first day of a real installation, in the browser: on an empty database (migrations and
reference data only) an administrator made with the CLI creates the network for Sør-Rogaland
with its 15 municipalities, an organisation and a workplace, and makes a coordinator by e-mail;
the coordinator chooses a password through the e-mailed link and imports the registry."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from netapp.seed_data import MUNICIPALITIES
from tests.e2e.conftest import (
    context_options,
    links_in,
    login_through_form,
    mail_body,
    save_page_artifacts,
    serve,
)

pytestmark = pytest.mark.e2e

ADMIN = "admin@forste-dag.e2e.example"
ADMIN_PASSWORD = "et langt passord for admin"
COORDINATOR = "kari.koordinator@forste-dag.e2e.example"
COORDINATOR_PASSWORD = "et langt passord for koordinator"

IMPORT_CSV = (
    "Fornavn;Etternavn;E-post;Telefon;Yrke;Arbeidssted;Kommune;Leder e-post;Stillingsprosent\r\n"
    "Åse;Tjøstheim;ase.tjostheim@forste-dag.e2e.example;+47 400 01 001;Barnehagelærer;Lura barnehage;Sandnes;;80\r\n"
    "Øystein;Bærheim;oystein.baerheim@forste-dag.e2e.example;;Fysioterapeut;Hjemmesykepleien Sola;1124;;100\r\n"
)


@pytest.fixture(scope="module")
def empty_server(_tools_present, mail_catcher, tmp_path_factory):
    """A server of its own on a database with the migrations and the reference data only."""
    with serve(tmp_path_factory.mktemp("e2e-first-day"), mail_catcher, "e2e-first-day-server", ("db", "upgrade"),
               ("reference", "load")) as server:
        yield server


@pytest.fixture
def first_day_page(request, browser, empty_server):
    """new_page() -> a page in a fresh browser context on the empty installation."""
    contexts, pages = [], []

    def new_page():
        context = browser.new_context(**context_options(empty_server))
        context.set_default_timeout(10_000)
        contexts.append(context)
        pages.append(context.new_page())
        return pages[-1]

    yield new_page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for number, page in enumerate(pages, start=1):
            if not page.is_closed():
                save_page_artifacts(page, f"first-day-{number}")
    for context in contexts:
        context.close()


def h1(page):
    return page.locator("main h1")


def flash(page, text):
    return page.get_by_role("status").filter(has_text=text)


def test_the_first_day_of_a_network(empty_server, first_day_page, mail_catcher, page_checks):
    server = empty_server
    assert server.query("SELECT count(*) FROM network") == [(0,)]
    assert server.query("SELECT count(*) FROM organisation WHERE kind = 'municipality'")[0][0] >= 357

    # The public start page of an empty installation promises nothing that is not there.
    visitor = first_day_page()
    visitor.goto("/")
    expect(visitor.locator("main")).to_contain_text("ingen nettverk er opprettet")
    expect(visitor.locator("main").get_by_role("link", name="Søk om å bli ressursperson")).to_have_count(0)
    page_checks.check(visitor)

    # The administrator, made on the command line.
    server.flask("users", "create", "--email", ADMIN, "--role", "admin", "--password", ADMIN_PASSWORD)
    admin = first_day_page()
    login_through_form(admin, ADMIN, ADMIN_PASSWORD)
    steps = admin.locator("main section", has_text="Kom i gang")
    expect(steps).to_be_visible()
    expect(steps.get_by_text("Ikke gjort")).to_have_count(3)
    expect(admin.locator("main")).not_to_contain_text("Meld deg på")
    page_checks.check(admin)

    # 1. The network and its region: the 15 municipalities of Sør-Rogaland, ticked one by one.
    steps.get_by_role("link", name=re.compile("Opprett nettverket og regionen")).click()
    expect(h1(admin)).to_have_text("Nytt nettverk")
    admin.get_by_label("Navn", exact=True).fill("Tverrfaglig nettverk i barnepalliasjon Sør-Rogaland")
    admin.get_by_label("Kort navn", exact=True).fill("Barnepalliasjon Sør-Rogaland")
    admin.get_by_label("Kortnavn i adressen").fill("barnepalliasjon-sor-rogaland")
    admin.get_by_label("Om nettverket").fill("Et tverrfaglig nettverk for dem som arbeider med barn med "
                                             "livsbegrensende sykdom og familiene deres.")
    admin.get_by_label("Kontaktadresse").fill("nettverk@forste-dag.e2e.example")
    admin.get_by_label("Standardnettverket").check()
    rogaland = admin.get_by_role("group", name="Rogaland", exact=True)
    for _number, name in MUNICIPALITIES:
        rogaland.get_by_label(name, exact=True).check()
    # The script ticks a whole county and unticks it again.
    agder = admin.get_by_role("group", name="Agder", exact=True)
    agder.get_by_label("Hele Agder").check()
    expect(agder.get_by_label("Kristiansand", exact=True)).to_be_checked()
    agder.get_by_label("Hele Agder").uncheck()
    expect(agder.get_by_label("Kristiansand", exact=True)).not_to_be_checked()
    admin.get_by_role("button", name="Opprett nettverket").click()
    expect(flash(admin, "er opprettet")).to_be_visible()
    region = server.query(
        "SELECT o.municipality_number FROM network_region r JOIN organisation o ON o.id = r.organisation_id "
        "JOIN network n ON n.id = r.network_id WHERE n.slug = 'barnepalliasjon-sor-rogaland'")
    assert sorted(number for (number,) in region) == sorted(number for number, _name in MUNICIPALITIES)
    expect(admin.locator("main")).to_contain_text("15 kommuner")
    page_checks.check(admin)

    # 2. An organisation and a workplace.
    admin.goto("/dashboard")
    expect(admin.locator("main section", has_text="Kom i gang").get_by_text("Ikke gjort")).to_have_count(2)
    admin.locator("main section", has_text="Kom i gang").get_by_role(
        "link", name=re.compile("Legg inn organisasjoner")).click()
    admin.get_by_role("link", name="Ny organisasjon").click()
    admin.get_by_label("Navn", exact=True).fill("Kreftomsorg Rogaland")
    admin.get_by_label("Type").select_option(label="Frivillig organisasjon")
    admin.get_by_label("Kommune").select_option(label="Stavanger")
    admin.get_by_role("button", name="Opprett organisasjonen").click()
    expect(flash(admin, "Kreftomsorg Rogaland er opprettet")).to_be_visible()
    admin.get_by_label("Navn", exact=True).fill("kreft")
    admin.locator("main form[role=search]").get_by_role("button", name="Søk").click()
    admin.get_by_role("link", name=re.compile(r"^Nytt arbeidssted\W+Kreftomsorg Rogaland$")).click()
    expect(admin.get_by_label("Organisasjon")).to_have_value(
        re.compile(r"\d+"))  # the organisation is chosen already
    admin.get_by_label("Navn", exact=True).fill("Likepersonstjenesten")
    admin.get_by_label("Sektor").select_option(label="Frivillig sektor")
    admin.get_by_role("button", name="Opprett arbeidsstedet").click()
    expect(flash(admin, "Likepersonstjenesten er opprettet")).to_be_visible()
    expect(admin.locator("main table")).to_contain_text("Kreftomsorg Rogaland")
    page_checks.check(admin)

    # 3. A coordinator, by e-mail.
    admin.goto("/admin/networks")
    admin.get_by_role("link", name=re.compile("0 koordinatorer")).click()
    expect(h1(admin)).to_contain_text("Koordinatorer for")
    admin.get_by_label("E-post", exact=True).fill(COORDINATOR)
    admin.get_by_label("Fornavn").fill("Kari")
    admin.get_by_label("Etternavn").fill("Koordinator")
    admin.locator("main form[method=post]").get_by_role("button", name="Gjør til koordinator").click()
    expect(flash(admin, "får en e-post med lenke for å velge passord")).to_be_visible()
    expect(admin.locator("main .list-group")).to_contain_text("Kari Koordinator")
    page_checks.check(admin)
    admin.goto("/dashboard")
    expect(admin.locator("main")).not_to_contain_text("Kom i gang")
    expect(admin.locator("main")).to_contain_text("Tverrfaglig nettverk i barnepalliasjon Sør-Rogaland")

    # The coordinator chooses a password through the e-mailed link ...
    server.flask("outbox", "send")
    mails = mail_catcher.messages_to(COORDINATOR)
    links = [link for m in mails for link in links_in(mail_body(m)) if "/auth/password/" in link]
    assert links, f"no set-password link among {len(mails)} e-mail(s) to the coordinator"
    assert links[-1].startswith(server.url)
    coordinator = first_day_page()
    coordinator.goto(links[-1])
    coordinator.get_by_label("Nytt passord").fill(COORDINATOR_PASSWORD)
    coordinator.get_by_label("Gjenta passordet").fill(COORDINATOR_PASSWORD)
    coordinator.locator("main form").get_by_role("button").click()
    expect(coordinator).to_have_url(re.compile(r"/auth/login"))
    login_through_form(coordinator, COORDINATOR, COORDINATOR_PASSWORD)
    expect(coordinator.locator("main")).to_contain_text("Nettverk du koordinerer")
    expect(coordinator.locator("main")).not_to_contain_text("Meld deg på")

    # ... imports the registry, and sees the imported persons.
    coordinator.goto("/registry/import")
    form = coordinator.locator("main form:has(input[type=file])")
    form.locator("input[type=file]").set_input_files({
        "name": "ressurspersoner.csv", "mimeType": "text/csv", "buffer": IMPORT_CSV.encode("utf-8")})
    form.locator("[type=submit]").first.click()
    expect(coordinator.locator("main")).to_contain_text("ase.tjostheim@forste-dag.e2e.example")
    coordinator.locator("main").get_by_role("button", name=re.compile(r"^(Importer|Bekreft)", re.I)).click()
    expect(flash(coordinator, "Importen er fullført")).to_be_visible()
    coordinator.goto("/registry/")
    expect(coordinator.get_by_role("link", name="Tjøstheim, Åse")).to_be_visible()
    expect(coordinator.get_by_role("link", name="Bærheim, Øystein")).to_be_visible()
    page_checks.assert_clean()
