"""The crawler: every page each role reaches by following links answers, is well formed and valid.

One crawl per role (see conftest.crawl) feeds these checks and the axe checks in
test_accessibility.py; it opens one page per endpoint shape. vnu runs once, on the pages of
every role, and each role's test reports its own.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ROLES, write_report

pytestmark = pytest.mark.e2e


def _listing(rows: list[str]) -> str:
    return "\n  " + "\n  ".join(rows)


@pytest.mark.parametrize("role", ROLES)
def test_crawler_reaches_the_pages_of_each_role(crawl, role):
    result = crawl(role)
    paths = {page.path for page in result.pages}
    assert "/" in paths
    # The start page links somewhere for everyone; logged-in roles reach their dashboard.
    assert len(result.pages) >= 3, paths
    if role != "anonymous":
        assert "/dashboard" in paths
    expected = {
        "anonymous": ["/auth/login", "/register"],
        "coordinator": ["/registry/", "/registrations/"],
        "admin": ["/registry/", "/admin/outbox"],
        "manager": ["/staff/"],
        "resource_person": ["/auth/profile"],
    }[role]
    for path in expected:
        assert path in paths, f"{role} never reached {path}; crawled: {sorted(paths)}"
    assert not result.stopped_at_limit, f"{role}: the crawl stopped at {len(result.pages)} pages with shapes left"


@pytest.mark.parametrize("role", ROLES)
def test_no_page_answers_a_server_error(crawl, role):
    result = crawl(role)
    broken = [f"{p.path} -> {p.status or p.error} (linked from {p.from_url or 'start'})"
              for p in result.pages if p.error or p.status >= 500]
    if broken:
        write_report(f"crawl-{role}-errors", broken)
    assert not broken, f"{role}: pages that failed:" + _listing(broken)


@pytest.mark.parametrize("role", ROLES)
def test_no_link_leads_to_a_page_the_role_may_not_see(crawl, role):
    """Navigation fitted to the role: a link a user is shown never ends in 403 or 404."""
    result = crawl(role)
    refused = [f"{p.path} -> {p.status} (linked from {p.from_url or 'start'})"
               for p in result.pages if 400 <= p.status < 500]
    assert not refused, f"{role}: links to pages that refuse this role:" + _listing(refused)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_a_title_one_h1_and_a_language(crawl, role):
    result = crawl(role)
    problems = []
    for p in result.pages:
        if not p.is_html:
            continue
        if not p.title:
            problems.append(f"{p.path}: empty <title>")
        if p.h1_count != 1:
            problems.append(f"{p.path}: {p.h1_count} <h1> elements (want exactly 1)")
        if not p.lang:
            problems.append(f"{p.path}: no lang attribute on <html>")
    if problems:
        write_report(f"crawl-{role}-structure", problems)
    assert not problems, f"{role}:" + _listing(problems)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_the_nu_html_checker(crawl, role):
    result = crawl(role)
    assert result.html_pages, f"{role}: no HTML pages crawled"
    errors = result.vnu_errors()
    if errors:
        write_report(f"vnu-{role}", errors)
    rows = [f"{e['page']} line {e['line']}: {e['message']}  [{e['extract']}]" for e in errors]
    assert not errors, f"{role}: {len(errors)} HTML error(s) from the Nu Html Checker:" + _listing(rows)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_on_a_phone_or_a_laptop(crawl, role):
    """WCAG 1.4.10 (Reflow): at 320 CSS px wide, and at 1280, no page is wider than the window;
    wide tables scroll inside their own box."""
    result = crawl(role)
    wide = [f"{p.path}: {width} px window, {extra} px too wide"
            for p in result.html_pages for width, extra in p.overflow.items() if extra > 0]
    assert not wide, _listing(wide)


# Pages whose lists the phone check must have seen for each role: a crawl that stops reaching them
# would pass the check without checking them.
LIST_PAGES = {
    "anonymous": [],
    "resource_person": ["/events/"],
    "manager": ["/staff/"],
    "coordinator": ["/registry/", "/events/", "/registrations/", "/evaluations/", "/registry/workplaces"],
    "admin": ["/registry/", "/admin/networks", "/admin/organisations", "/admin/workplaces"],
}


@pytest.mark.parametrize("role", ROLES)
def test_every_list_shows_each_rows_name_and_action_on_a_phone(crawl, role):
    """Item lists at 390 px: the first row's name or title and its action lie within the window
    (secondary columns give way on a phone), beside the reflow check's whole-page width."""
    result = crawl(role)
    problems = [f"{p.path}: {problem}" for p in result.html_pages for problem in p.phone_list_problems]
    if problems:
        write_report(f"crawl-{role}-phone-lists", problems)
    assert not problems, f"{role}: lists that need sideways scrolling on a phone:" + _listing(problems)
    with_lists = {p.path.split("?")[0] for p in result.html_pages if p.phone_lists}
    missing = [path for path in LIST_PAGES[role] if path not in with_lists]
    assert not missing, f"{role}: list pages the phone check did not see with a list: {missing}"
