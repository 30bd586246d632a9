"""Accessibility: axe-core on every crawled page for each role, a keyboard-only walk, the statement.

axe runs with the WCAG 2.0 and 2.1 A and AA rules (tags wcag2a, wcag2aa, wcag21a, wcag21aa)
on the pages the crawler reaches (the same crawl as test_crawl.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ACCOUNTS, PASSWORD, ROLES, write_report

pytestmark = pytest.mark.e2e

# Describes the focused element, and marks it so the walk can tell elements apart.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  if (!el.dataset.kbdWalk) el.dataset.kbdWalk = String(document.querySelectorAll('[data-kbd-walk]').length + 1);
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    key: el.dataset.kbdWalk, tag: el.tagName.toLowerCase(), id: el.id,
    text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 60),
    href: el.getAttribute('href'),
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
    outlineColor: style.outlineColor, boxShadow: style.boxShadow,
    width: box.width, height: box.height,
  };
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def describe(el: dict | None) -> str:
    if el is None:
        return "(nothing: the document)"
    return f"<{el['tag']}{' id=' + el['id'] if el['id'] else ''}> {el['text']!r} {el['href'] or ''}".strip()


def focus_is_visible(el: dict) -> bool:
    outline = el["outlineStyle"] not in ("none", "") and el["outlineWidth"] > 0
    shadow = el["boxShadow"] not in ("none", "")
    return (outline or shadow) and el["width"] > 0 and el["height"] > 0


# ---------------------------------------------------------------- axe on every crawled page

@pytest.mark.parametrize("role", ROLES)
def test_no_axe_violations_on_any_crawled_page(crawl, role):
    result = crawl(role)
    checked = [p for p in result.pages if p.is_html]
    assert checked, f"{role}: no pages crawled"
    findings = []
    for p in checked:
        for violation in p.axe:
            for node in violation["nodes"]:
                findings.append({
                    "page": p.path, "rule": violation["id"], "impact": violation["impact"],
                    "help": violation["help"], "element": node["target"], "html": node["html"],
                    "summary": node["summary"],
                })
    if findings:
        write_report(f"axe-{role}", findings)
    # One line per rule and element, with the pages it occurs on (the layout repeats on every page).
    grouped: dict[tuple[str, str], list[dict]] = {}
    for f in findings:
        grouped.setdefault((f["rule"], f["element"]), []).append(f)
    rows = []
    for (rule, element), items in grouped.items():
        pages = sorted({f["page"] for f in items})
        detail = items[0]["summary"].splitlines()[-1].strip() if items[0]["summary"] else items[0]["help"]
        rows.append(f"{rule} on {element} ({items[0]['html'][:80]}): {detail} | {len(pages)} page(s): "
                    + ", ".join(pages[:4]) + (" ..." if len(pages) > 4 else ""))
    assert not findings, f"{role}: {len(findings)} axe violation(s):\n  " + "\n  ".join(rows)


# ---------------------------------------------------------------- keyboard only

@pytest.mark.parametrize("role, start", [("anonymous", "/"), ("coordinator", "/registry/")])
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(open_page, role, start):
    page = open_page(role)
    page.goto(start)
    page.keyboard.press("Tab")
    first = focused(page)
    assert first is not None and first["text"] == "Hopp til hovedinnholdet", describe(first)
    assert first["href"] == "#main"
    # Hidden until focused, then visible on screen.
    assert first["width"] > 1 and first["height"] > 1, "the skip link stays invisible when focused"
    assert focus_is_visible(first), f"no visible focus indicator on the skip link: {first}"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    inside = page.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert inside, f"after the skip link, Tab went to {describe(focused(page))}"


@pytest.mark.parametrize("role, start", [
    ("anonymous", "/"), ("anonymous", "/register"), ("coordinator", "/registry/"), ("manager", "/staff/"),
])
def test_focus_is_visible_on_every_tab_stop(open_page, role, start):
    page = open_page(role)
    page.goto(start)
    invisible = []
    for _ in range(40):
        page.keyboard.press("Tab")
        el = focused(page)
        if el is None:
            break
        if not focus_is_visible(el):
            invisible.append(f"{describe(el)} outline={el['outlineStyle']} {el['outlineWidth']}px "
                             f"box-shadow={el['boxShadow']} size={el['width']:.0f}x{el['height']:.0f}")
    assert not invisible, f"{start}: focus not visible on:\n  " + "\n  ".join(invisible)


def tab_to(page, predicate, limit: int = 60) -> dict:
    """Press Tab until the focused element satisfies `predicate`; fail after `limit` presses."""
    walked = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        el = focused(page)
        walked.append(describe(el))
        if el is not None and predicate(el):
            return el
    raise AssertionError("never reached the element by Tab; walked:\n  " + "\n  ".join(walked))


def test_keyboard_only_login_reaches_the_registry(page):
    page.goto("/")
    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == "Logg inn")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/auth/login"))
    tab_to(page, lambda el: el["tag"] == "input" and el["id"] == "email")
    page.keyboard.type(ACCOUNTS["coordinator"])
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard"))
    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == "Register")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/registry/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Register over personer")


@pytest.mark.parametrize("role, start", [
    ("anonymous", "/"), ("anonymous", "/register"), ("coordinator", "/registry/"),
    ("coordinator", "/registrations/"),
])
def test_no_keyboard_trap(open_page, role, start):
    """Tabbing goes through distinct elements, leaves the page and comes back to the skip link."""
    page = open_page(role)
    page.goto(start)
    page.keyboard.press("Tab")
    first = focused(page)
    assert first is not None, "Tab focuses nothing"
    order = [first["key"]]
    returned = False
    for _ in range(400):
        page.keyboard.press("Tab")
        el = focused(page)
        if el is None:
            continue  # focus left the document (to the browser), the next Tab comes back
        if el["key"] == first["key"]:
            returned = True
            break
        assert el["key"] not in order, f"focus came back to {describe(el)} before the cycle ended: a trap"
        order.append(el["key"])
    assert returned, f"after {len(order)} Tab stops focus never came back to the start: a keyboard trap"
    assert len(order) >= 3


# ---------------------------------------------------------------- the accessibility statement

def test_accessibility_statement_is_linked_from_every_page_and_says_what_the_law_asks(page):
    page.goto("/")
    link = page.locator("footer").get_by_role("link", name="Tilgjengelighetserklæring")
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(r"/tilgjengelighet$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tilgjengelighetserklæring")
    main = page.locator("main")
    expect(main).to_contain_text("WCAG 2.1")
    expect(main).to_contain_text("AA")
    expect(main).to_contain_text("23.11.2026")
    expect(main).to_contain_text("Tilsynet for universell utforming av ikt")
    # Feedback to the service, and the complaint route to the supervisory authority.
    expect(main.locator("a[href^='mailto:']").first).to_be_visible()
    expect(main.locator("a[href*='uutilsynet.no']").first).to_be_visible()
