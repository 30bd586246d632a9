"""Robustness: hostile text in every form never gives a server error, and stored hostile values
are shown escaped on pages that still answer and validate. Numbers are also drawn in other
digits ('²', '١٢', '１２'), dates from year 1 to 9999 and odd times, for every number, date and
time field, every select with numeric options, and the page and numeric filters of every page.

The forms are found, not listed: every POST route of the route x role matrix is posted to as a
role that may use it, with the fields of the form that role is shown for it (see
tests/fuzz_support.py), so a new form is fuzzed as soon as its route is in the matrix. The demo
data is seeded once per session and restored from a snapshot for each test, and again after an
example that was answered with a redirect (it may have used a token or decided a registration),
so most examples meet the demo as it was; the others meet what earlier ones left, which is fine:
the claim is only "no 5xx, and nothing typed becomes markup".

Hypothesis profiles (tests/conftest.py): "ci" by default (few, repeatable examples), or
HYPOTHESIS_PROFILE=dev / thorough for a longer hunt.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import select

from netapp.blueprints.joining.models import Registration
from netapp.blueprints.registry.models import Network, Organisation, Person, Workplace
from netapp.extensions import db
from tests.conftest import links_in
from tests.fuzz_support import (
    ATTRIBUTE_BREAK,
    MARKUP,
    NUMERIC_PARAMS,
    PREFERRED_ROLES,
    UNICODE_DIGITS,
    check_page,
    forbidden_code_points,
    form_data,
    fresh_demo,
    get_forms,
    hostile_text,
    post_routes,
    role_and_forms,
    send,
    sweep,
    vnu_available,
    vnu_errors,
)
from tests.matrix import ROLES
from tests.test_route_matrix import ROUTES, _client_for

POST_ROUTES = post_routes(ROUTES)
_unique = itertools.count(1)


def _no_injection(answer, where: str) -> None:
    if answer.mimetype == "text/html":
        _, injected = check_page(answer.body)
        assert not injected, f"{where}: the value became markup: {injected}"


# ------------------------------------------------------------------------------------------ every form

def test_the_fuzzer_finds_the_forms_of_the_matrix_routes(app):
    ctx = fresh_demo(app)
    found = {}
    for target in POST_ROUTES:
        role, forms = role_and_forms(app, target.route, ctx, ROUTES)
        found[target.key] = (role, {name for form in forms for name in form.names()}, bool(forms))
    fields = {key.split(":")[0]: names for key, (_, names, _) in found.items()}
    assert {"first_name", "last_name", "email", "workplace_id", "network_id"} <= fields["registry.create_person"]
    assert {"email", "password"} <= fields["auth.login"] and found["auth.login:/auth/login"][0] == "anonymous"
    assert {"first_name", "email", "manager_email", "new_workplace_name"} <= fields["joining.register"]
    assert {"action", "reason"} <= fields["joining.confirm_manager"]
    assert "file" in fields["registry.import_persons"]
    # A route without a form in the demo's state (reactivate: nobody has left) is posted with the
    # matrix's data and unknown fields; most routes must have their form found (a button's form
    # holding only the CSRF token counts as found).
    without = sorted(key for key, (_, _, seen) in found.items() if not seen)
    assert len(without) <= len(found) // 3, f"no form found for {without}"


@pytest.mark.parametrize("target", POST_ROUTES, ids=[target.key for target in POST_ROUTES])
def test_hostile_text_posted_to_a_form_never_gives_a_server_error(app, target):
    ctx = fresh_demo(app)
    route = target.route
    role, forms = role_and_forms(app, route, ctx, ROUTES)
    url, samples = route.url(ctx), target.sample_data(ctx)
    client = _client_for(app, role)

    def check(values):
        # Logging out ends the session for good: such routes get a new one each time.
        c = _client_for(app, role) if target.fresh else client
        answer = send(c, "POST", url, data=values)
        assert answer.status < 500, f"POST {url} as {role} with {dict(values.lists())!r:.2000}\n{answer.describe()}"
        _no_injection(answer, f"POST {url} as {role}")
        if 300 <= answer.status < 400:
            fresh_demo(app)  # it may have changed (used a token, decided a registration): start over

    # First the same few nasty values in each field in turn, then whatever hypothesis draws.
    for form in forms:
        for values in sweep(form, samples, str(next(_unique))):
            check(values)

    @given(data=st.data())
    def post(data):
        form = data.draw(st.sampled_from(forms)) if forms else None
        check(data.draw(form_data(form, samples, str(next(_unique)))))

    post()


def _with_params(url: str, **params: str) -> str:
    """The URL with these query parameters set (replacing any the URL already has)."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode(kept + list(params.items()))))


def test_hostile_text_in_search_and_filter_forms_never_gives_a_server_error(app):
    ctx = fresh_demo(app)
    clients = {}

    def client_for(role):
        if role not in clients:
            clients[role] = _client_for(app, role)
        return clients[role]

    # First every GET page of the matrix (as the most powerful role that may open it, and
    # anonymously too where anonymous may), with a number in other digits in the page and in
    # every numeric filter; the network filter (a slug on some pages, an id on others) on its own.
    digits = itertools.cycle(UNICODE_DIGITS)
    tried = 0
    for route in ROUTES:
        allowed = [role for role in PREFERRED_ROLES if route.expected(role) == 200]
        if route.method != "GET" or not allowed:
            continue
        for role in dict.fromkeys([allowed[0], *(["anonymous"] if "anonymous" in allowed else [])]):
            url = route.url(ctx)
            for params in ({name: next(digits) for name in NUMERIC_PARAMS if name != "network"},
                           {"network": next(digits)}):
                target = _with_params(url, **params)
                answer = send(client_for(role), "GET", target)
                tried += 1
                assert answer.status < 500, f"GET {target} as {role}\n{answer.describe()}"
    assert tried > 100

    pairs = [(role, form) for role in ("coordinator", "admin", "manager", "anonymous")
             for form in get_forms(app, role, ctx, ROUTES)]
    assert any(form.path == "/registry/" and "q" in form.names() for _, form in pairs), "no registry search form found"

    @given(data=st.data())
    def search(data):
        role, form = data.draw(st.sampled_from(pairs))
        values = data.draw(form_data(form, [], str(next(_unique)), extra_names=["sort", "dir", "next", *NUMERIC_PARAMS]))
        answer = send(client_for(role), "GET", form.path, data=values)
        assert answer.status < 500, f"GET {form.path} as {role} with {dict(values.lists())!r:.2000}\n{answer.describe()}"
        _no_injection(answer, f"GET {form.path} as {role}")

    search()


def test_a_page_number_in_other_digits_shows_the_first_page_everywhere(app):
    """`?page=²` passed str.isdigit() and then failed in int(): every paginated page answered 500,
    the public network pages too. Every GET page of the matrix, for every role that may open it,
    answers as it does without the parameter."""
    ctx = fresh_demo(app)
    failures, tried = [], 0
    for role in ROLES:
        client = _client_for(app, role)
        for url in dict.fromkeys(r.url(ctx) for r in ROUTES if r.method == "GET" and r.expected(role) == 200):
            answer = send(client, "GET", _with_params(url, page="²"))
            tried += 1
            if answer.status != 200:
                failures.append(f"GET {_with_params(url, page='²')} as {role}: {answer.describe().splitlines()[-1]}")
    assert tried > 200 and f"/n/{ctx['network']}" in {r.url(ctx) for r in ROUTES if r.expected("anonymous") == 200}
    assert not failures, "\n".join(failures)


HUGE = 10**22  # past PostgreSQL's INTEGER and SQLite's 64-bit integers


def test_ids_too_large_for_the_database_in_a_url_are_not_a_server_error(app):
    """Every matrix route with an id in its path, with an id no integer column can hold: the
    answer is "not found" (or a refusal), never a server error."""
    ctx = fresh_demo(app)
    huge = {key: HUGE if isinstance(value, int) else value for key, value in ctx.items()}
    client = _client_for(app, "coordinator")
    tried, failures = set(), []
    for route in ROUTES:
        url = route.url(huge)
        if str(HUGE) not in url or (route.method, url) in tried:
            continue
        tried.add((route.method, url))
        answer = send(client, route.method, url, data=route.data(huge) if route.method == "POST" and route.data else None)
        if answer.status >= 500:
            failures.append(f"{route.method} {url} ({route.endpoint}): {answer.describe().splitlines()[-1]}")
    assert len(tried) >= 5, tried
    assert not failures, "server errors:\n" + "\n".join(failures)


# ------------------------------------------------------------------------------------------ stored values

def _valid_text(max_size: int) -> st.SearchStrategy[str]:
    """Hostile text the forms accept: non-blank, within the field's length."""
    return hostile_text(max_size).filter(lambda v: v.strip() and len(v) <= max_size)


def _check_pages(client, urls: list[str], who: str) -> dict[str, str]:
    pages = {}
    for url in urls:
        answer = send(client, "GET", url)
        assert answer.status == 200, f"GET {url} as {who}: {answer.describe()}"
        problems, injected = check_page(answer.body)
        assert not injected, f"GET {url} as {who}: a stored value became markup: {injected}"
        assert not problems, f"GET {url} as {who}: {problems}"
        pages[f"{who} {url}"] = answer.body
    return pages


def _network_id(ctx) -> str:
    return str(db.session.scalar(select(Network.id).where(Network.slug == ctx["network"])))


def _organisation_id() -> str:
    return str(db.session.scalar(select(Organisation.id).order_by(Organisation.id).limit(1)))


def _version(model, id_: int) -> str:
    """The version an edit form of the row shows now, as the form posts it."""
    db.session.expire_all()
    return str(db.session.get(model, id_).version)


def _person_form(ctx, **values) -> dict:
    """A valid person for the registry's form: managed by leder@ (so on the manager's staff page),
    consenting, at a workplace (so on the public page)."""
    workplace = db.session.scalar(select(Workplace.id).order_by(Workplace.id).limit(1))
    base = {"first_name": "Kari", "last_name": "Nordmann", "email": f"fuzz{next(_unique)}@test.example",
            "phone": "", "profession": "sykepleier", "workplace_id": str(workplace), "manager_name": "Ingrid Håland",
            "manager_email": "leder@demo.example", "position_percent": "50", "public_consent": "y",
            "network_id": _network_id(ctx), "role": "resource_person"}
    return {**base, **values}


def test_hostile_values_stored_on_a_person_are_shown_escaped_on_valid_pages(app):
    ctx = fresh_demo(app)
    coordinator, manager = _client_for(app, "coordinator"), _client_for(app, "manager")
    anonymous = app.test_client()
    person_fields = st.fixed_dictionaries({
        "first_name": _valid_text(100), "last_name": _valid_text(100), "profession": _valid_text(100),
        "phone": _valid_text(40), "manager_name": _valid_text(100),
    })

    stored = []

    @given(values=person_fields)
    def store_and_show(values):
        fresh_demo(app)  # each example on its own: the list pages show every stored person
        answer = send(coordinator, "POST", "/registry/persons/new", data=_person_form(ctx, **values))
        assert answer.status in (200, 302), answer.describe()
        if answer.status == 200:
            _no_injection(answer, "the person form shown again")
            return  # refused with a message beside the field: nothing stored
        stored.append(values)
        person_id = int(re.search(r"/registry/persons/(\d+)$", answer.location).group(1))
        _check_pages(coordinator, [
            f"/registry/persons/{person_id}", f"/registry/persons/{person_id}/edit",
            "/registry/?" + urlencode({"q": values["last_name"].strip()[:100]}), "/registry/?sort=name",
            f"/registry/persons/{person_id}/deactivate",
        ], "coordinator")
        _check_pages(manager, ["/staff/"], "manager")
        _check_pages(anonymous, [f"/n/{ctx['network']}"], "anonymous")

    store_and_show()
    assert stored, "no example was stored: the test checked no page"


def test_hostile_values_in_a_registration_are_shown_escaped_on_valid_pages(app, outbox):
    ctx = fresh_demo(app)
    network_id, organisation_id = _network_id(ctx), _organisation_id()
    coordinator, anonymous = _client_for(app, "coordinator"), app.test_client()
    registration_fields = st.fixed_dictionaries({
        "first_name": _valid_text(100), "last_name": _valid_text(100), "profession": _valid_text(100),
        "phone": _valid_text(40), "manager_name": _valid_text(100), "new_workplace_name": _valid_text(200),
    })

    stored = []

    @given(values=registration_fields)
    def register_and_show(values):
        fresh_demo(app)
        n = next(_unique)
        form = {**values, "network_id": network_id, "email": f"paamelding{n}@test.example", "workplace_id": "0",
                "new_workplace_organisation_id": organisation_id, "new_workplace_sector": "education",
                "manager_email": f"sjef{n}@test.example", "position_percent": "80", "public_consent": "y"}
        answer = send(anonymous, "POST", "/register", data=form)
        assert answer.status in (200, 302), answer.describe()
        if answer.status == 200:
            _no_injection(answer, "the registration form shown again")
            return
        stored.append(values)
        registration = db.session.scalar(select(Registration).where(Registration.email == form["email"]))
        [mail] = outbox(form["manager_email"])
        confirm = next(link for link in links_in(mail.body_text) if "/register/confirm/" in link)
        _check_pages(anonymous, [confirm.replace("http://localhost", "")], "manager (no account)")
        _check_pages(coordinator, [
            "/registrations/?status=all", f"/registrations/{registration.id}",
            f"/registrations/{registration.id}/reject",
        ], "coordinator")
        db.session.remove()

    register_and_show()
    assert stored, "no example was stored: the test checked no page"


# ------------------------------------------------------------------------------------------ known payloads

FIRST = MARKUP
LAST = ATTRIBUTE_BREAK + "Sæbø"
PROFESSION = "' OR 1=1 --; %(name)s {0} {{ 7*7 }}"
PHONE = "'; DROP TABLE person; --"
MANAGER = "Åse \u202eØdegård\u200f 👩‍⚕️ e\u0301"
WORKPLACE = "</td><script>alert(1)</script> barnehage"
REASON = "<b>Feil</b> arbeidssted & <script>alert(1)</script>"


def _shows(html: str, value: str) -> bool:
    return str(escape(value)) in html


def test_known_hostile_values_are_escaped_everywhere_and_pass_the_html_checker(app, outbox):
    """One person, registration, workplace and rejection full of markup, SQL and format strings;
    every page that shows them answers, shows them as text, and passes the Nu Html Checker."""
    ctx = fresh_demo(app)
    coordinator, admin, manager = (_client_for(app, r) for r in ("coordinator", "admin", "manager"))
    anonymous = app.test_client()

    # a person, created and then edited by the coordinator
    answer = send(coordinator, "POST", "/registry/persons/new", data=_person_form(
        ctx, first_name="Midlertidig", last_name=LAST, profession=PROFESSION, phone=PHONE, manager_name=MANAGER,
        email="o'hara+fuzz@test.example"))
    assert answer.status == 302, answer.describe()
    person_id = int(answer.location.rsplit("/", 1)[1])
    answer = send(coordinator, "POST", f"/registry/persons/{person_id}/edit", data=_person_form(
        ctx, first_name=FIRST, last_name=LAST, profession=PROFESSION, phone=PHONE, manager_name=MANAGER,
        email="o'hara+fuzz@test.example", version=_version(Person, person_id)))
    assert answer.status == 302, answer.describe()
    person = db.session.get(Person, person_id)
    assert (person.first_name, person.last_name, person.profession, person.phone) == (FIRST, LAST, PROFESSION, PHONE)

    # a workplace renamed, a registration from the public form, rejected with a reason
    workplace_id = ctx["workplace"]
    answer = send(coordinator, "POST", f"/registry/workplaces/{workplace_id}/edit",
                  data={"name": WORKPLACE, "sector": "education", "leader_email": "",
                        "version": _version(Workplace, workplace_id)})
    assert answer.status == 302, answer.describe()
    answer = send(anonymous, "POST", "/register", data={
        "network_id": _network_id(ctx), "first_name": FIRST, "last_name": LAST, "email": "paamelding.fuzz@test.example",
        "profession": PROFESSION, "phone": PHONE, "workplace_id": "0", "new_workplace_organisation_id": _organisation_id(),
        "new_workplace_sector": "education", "new_workplace_name": WORKPLACE + " ny", "manager_name": MANAGER,
        "manager_email": "sjef.fuzz@test.example", "position_percent": "80", "public_consent": "y"})
    assert answer.status == 302, answer.describe()
    registration = db.session.scalar(select(Registration).where(Registration.email == "paamelding.fuzz@test.example"))
    [mail] = outbox("sjef.fuzz@test.example")
    confirm = next(link for link in links_in(mail.body_text) if "/register/confirm/" in link).replace("http://localhost", "")
    confirm_page = send(anonymous, "GET", confirm)
    rejected_id = ctx["registration"]
    answer = send(coordinator, "POST", f"/registrations/{rejected_id}/reject", data={"reason": REASON})
    assert answer.status == 302, answer.describe()
    db.session.remove()

    pages = {"manager (no account) confirmation page": confirm_page.body}
    assert confirm_page.status == 200
    pages |= _check_pages(coordinator, [
        f"/registry/persons/{person_id}", f"/registry/persons/{person_id}/edit",
        "/registry/?q=S%C3%A6b%C3%B8", "/registry/?" + urlencode({"q": FIRST}), "/registry/?sort=name&dir=desc",
        f"/registry/persons/{person_id}/merge", f"/registry/persons/{person_id}/deactivate",
        "/registry/workplaces", f"/registry/workplaces/{workplace_id}/edit", "/registry/coverage",
        "/registrations/?status=all", f"/registrations/{registration.id}", f"/registrations/{rejected_id}",
        f"/registrations/{registration.id}/reject", "/dashboard",
    ], "coordinator")
    pages |= _check_pages(manager, ["/staff/"], "manager")
    pages |= _check_pages(anonymous, [f"/n/{ctx['network']}", "/"], "anonymous")
    pages |= _check_pages(admin, ["/admin/audit", "/admin/audit?actor=koordinator", "/admin/outbox"], "admin")

    def page(key: str) -> str:
        return next(html for name, html in pages.items() if name.endswith(key))

    for html in pages.values():
        assert MARKUP not in html and "<img src=x" not in html
    for key in (f"/registry/persons/{person_id}", f"/registry/persons/{person_id}/edit", "/registry/?q=S%C3%A6b%C3%B8",
                "/registry/?" + urlencode({"q": FIRST}), "/staff/", f"/n/{ctx['network']}", f"/registrations/{registration.id}",
                "/registrations/?status=all", "confirmation page"):
        assert _shows(page(key), FIRST) and _shows(page(key), LAST), f"{key} does not show the name as text"
    for key in (f"/registry/persons/{person_id}", f"/registrations/{registration.id}"):
        assert _shows(page(key), PROFESSION) and _shows(page(key), PHONE), key
    assert _shows(page(f"/registrations/{registration.id}"), MANAGER) and _shows(page("confirmation page"), FIRST)
    assert _shows(page("/registry/workplaces"), WORKPLACE)
    assert _shows(page(f"/registrations/{rejected_id}"), REASON)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page(f"/registry/persons/{person_id}")

    # the export is a CSV: the values come back as they were typed, formula-safe
    export = coordinator.get("/registry/export?format=csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data().decode("utf-8-sig")), delimiter=";"))
    header, [row] = rows[0], [r for r in rows[1:] if "o'hara+fuzz@test.example" in r]
    record = dict(zip(header, row, strict=False))
    assert (record["Fornavn"], record["Etternavn"], record["Yrke"]) == (FIRST, LAST, PROFESSION)

    # and the HTML validates: the Nu Html Checker when it is installed, the strict check above always
    if vnu_available():
        errors = vnu_errors(pages)
        assert not errors, "Nu Html Checker:\n" + "\n".join(errors)


# ------------------------------------------------------------------------------------------ control characters

CONTROL = {"first_name": "Kari\x1b[31m", "last_name": "Nord\x00mann\x7f", "profession": "sykepleier\x85\x08",
           "manager_name": "Ingrid\x0bHåland\ufffe"}


def test_control_characters_typed_into_a_form_never_reach_a_page(app, outbox):
    """Escape, backspace, DEL, C1 controls and noncharacters are forbidden in HTML: a page showing
    them does not validate. Typed into the registry's person form or the public registration,
    they must be removed (or refused) on input, and never stored."""
    ctx = fresh_demo(app)
    coordinator, anonymous = _client_for(app, "coordinator"), app.test_client()

    edited = send(coordinator, "POST", f"/registry/persons/{ctx['person']}/edit",
                  data=_person_form(ctx, email="ressurs@demo.example", version=_version(Person, ctx["person"]), **CONTROL))
    assert edited.status in (200, 302), edited.describe()
    registered = send(anonymous, "POST", "/register", data={
        **CONTROL, "network_id": _network_id(ctx), "email": "kontroll@test.example", "workplace_id": str(ctx["workplace"]),
        "manager_email": "kontroll.leder@test.example", "phone": "", "position_percent": ""})
    assert registered.status in (200, 302), registered.describe()

    stored = [db.session.get(Person, ctx["person"])]
    stored += db.session.scalars(select(Registration).where(Registration.email == "kontroll@test.example")).all()
    for row in stored:
        for name in ("first_name", "last_name", "profession"):
            assert not forbidden_code_points(getattr(row, name)), f"{type(row).__name__}.{name} = {getattr(row, name)!r}"
    db.session.remove()
    pages = [f"/registry/persons/{ctx['person']}", "/registrations/?status=all"]
    for url in pages:
        page = send(coordinator, "GET", url)
        assert page.status == 200
        assert not forbidden_code_points(page.body), f"{url} shows control characters"
    for answer in (edited, registered):
        if answer.status == 200:
            assert not forbidden_code_points(answer.body), "the form shows the control characters back"
