"""Browser tests: a real server, a real browser, a real SMTP catcher.

One server per test session: a fresh SQLite database with the demo data, served by gunicorn
(2 workers) on a free loopback port, in the development configuration (CSRF on, so every form is
submitted through the browser). E-mail goes to a `MailCatcher` on another free port; after an
action that sends mail, `send_outbox()` runs `flask outbox send`, then the catcher holds it.

The browser is Debian's chromium driven by Playwright (never Playwright's own download).
`open_page(role)` gives a page in a fresh context, logged in as that role's demo account; a
failing test saves a screenshot and the HTML of every page it opened to test-artifacts/.

The crawler (`crawl(role)`, one crawl per role per session, shared by test_crawl.py and
test_accessibility.py) follows the same-site links from the start page and opens one page per
endpoint shape (the Flask endpoint and the query string's keys: /registry/persons/<id> is one
shape, /registry/?page=N another), the first it finds; it runs axe-core on each HTML page and
measures it at 320 px, at a phone's 390 px (where each list's first row must show its name and
its action without sideways scrolling) and at a laptop's width. Once every role is crawled, the Nu Html Checker
reads all their pages in one run; each role's test reports its own pages' errors. Pages no link
leads to (e-mailed links, one-time URLs, results of a form post) get the same checks from the
journeys through `page_checks.check(page)`, with the checker running as a local service.

The tools come from scripts/install-browser-deps.sh (chromium, Java, node_modules).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-dev-shm-usage", "--no-first-run", "--disable-sync",
]
BIN = Path(sys.executable).parent

PASSWORD = "demo"
ACCOUNTS = {
    "resource_person": "ressurs@demo.example",
    "manager": "leder@demo.example",
    "coordinator": "koordinator@demo.example",
    "admin": "admin@demo.example",
}
ROLES = ["anonymous", *ACCOUNTS]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# A page per endpoint shape (/registry/persons/<id> is one template: one of them says as much as
# fifty); the bound only stops a crawl that runs away, and the crawl test fails when it is reached.
MAX_PAGES_PER_ROLE = 200
SKIP_PATHS = ("/auth/logout", "/static/", "/bootstrap/static/", "/healthz")
SKIP_PATTERNS = (re.compile(r"/export\b"), re.compile(r"\.(csv|xlsx|json|pdf|ics|zip|png|jpe?g|svg|ico)$"))


def _missing_tools() -> list[str]:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(CHROMIUM)
    if not AXE_JS.exists():
        missing.append(str(AXE_JS.relative_to(ROOT)))
    if not VNU_JAR.exists():
        missing.append(str(VNU_JAR.relative_to(ROOT)))
    if shutil.which("java") is None:
        missing.append("java")
    return missing


@pytest.fixture(scope="session")
def _tools_present():
    # Missing tools are an installation problem, reported loudly (never a skip).
    missing = _missing_tools()
    if missing:
        pytest.fail(f"browser-test tools missing: {', '.join(missing)}; run scripts/install-browser-deps.sh",
                    pytrace=False)


# ---------------------------------------------------------------- the server and the mail catcher

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    database: Path
    log: Path
    process: subprocess.Popen | None = None

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run `flask --app wsgi ARGS` against this server's database and mail settings."""
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"flask {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read the server's database directly: an oracle for what a page should show."""
        with sqlite3.connect(self.database) as conn:
            return conn.execute(sql, params).fetchall()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@pytest.fixture(scope="session")
def mail_catcher():
    from netapp.devmail import MailCatcher

    with MailCatcher("127.0.0.1", 0) as catcher:
        yield catcher


def _wait_for_health(server: LiveServer, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f}s:\n{server.log_tail()}")


@contextmanager
def serve(workdir: Path, mail_catcher, log_name: str, *setup: tuple[str, ...]):
    """A gunicorn server (2 workers) on a free loopback port and a fresh SQLite database in
    `workdir`, after the `flask` commands in `setup` (e.g. ("db", "upgrade"), ("seed-demo",))."""
    database = workdir / "e2e.sqlite3"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in {"NETAPP_TEST_DATABASE_URL", "FLASK_APP"}}
    env.update({
        "NETAPP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": os.urandom(24).hex(),
        "BASE_URL": url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mail_catcher.port),
        "MAIL_USE_TLS": "false",
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "DEV_MAIL_CATCHER": "false",
        "PYTHONUNBUFFERED": "1",
    })
    # The server's log goes to test-artifacts/, where a failing run's screenshots are too.
    ARTIFACTS.mkdir(exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    log = ARTIFACTS / f"{log_name}{'-' + worker if worker else ''}.log"
    server = LiveServer(url=url, env=env, database=database, log=log)
    for command in setup:
        server.flask(*command)
    with open(server.log, "wb") as log:
        server.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--graceful-timeout", "5", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        _wait_for_health(server)
        yield server
    finally:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGINT)  # quick shutdown; nothing to drain here
            try:
                server.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait(timeout=5)


@pytest.fixture(scope="session")
def live_server(_tools_present, mail_catcher, tmp_path_factory):
    with serve(tmp_path_factory.mktemp("e2e-server"), mail_catcher, "e2e-server", ("db", "upgrade"),
               ("seed-demo",)) as server:
        yield server


@pytest.fixture
def send_outbox(live_server, mail_catcher):
    """Deliver what the outbox holds, then return the messages the catcher has (all of them)."""

    def send():
        live_server.flask("outbox", "send")
        return mail_catcher.messages

    return send


def mail_body(message) -> str:
    from netapp.devmail import body_text

    return body_text(message)


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s<>\"')]+", text)


# ---------------------------------------------------------------- the browser

@pytest.fixture(scope="session")
def browser(_tools_present):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # two cores shared with gunicorn, Java and Chromium

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def context_options(live_server) -> dict:
    # bypass_csp: axe is injected as an inline script, which a strict CSP would block.
    return {
        "base_url": live_server.url, "locale": "nb-NO", "timezone_id": "Europe/Oslo",
        "viewport": {"width": 1280, "height": 900}, "bypass_csp": True,
    }


def login_through_form(page, email: str, password: str = PASSWORD) -> None:
    """Log in as a user would: the login page, its two fields, its button."""
    from playwright.sync_api import expect

    page.goto("/auth/login")
    form = page.locator("main form")
    form.get_by_label("E-post").fill(email)
    form.get_by_label("Passord").fill(password)
    form.get_by_role("button", name="Logg inn").click()
    expect(page).to_have_url(re.compile(r"/dashboard"))


@pytest.fixture(scope="session")
def auth_states(browser, live_server, tmp_path_factory):
    """A logged-in storage state per role, made once by logging in through the form."""
    directory = tmp_path_factory.mktemp("e2e-auth")
    states: dict[str, Path] = {}

    def state_for(role: str) -> Path:
        if role not in states:
            context = browser.new_context(**context_options(live_server))
            page = context.new_page()
            login_through_form(page, ACCOUNTS[role])
            path = directory / f"{role}.json"
            context.storage_state(path=str(path))
            context.close()
            states[role] = path
        return states[role]

    return state_for


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _artifact_stem(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])[:120]


def save_page_artifacts(page, stem: str) -> list[Path]:
    ARTIFACTS.mkdir(exist_ok=True)
    saved = []
    try:
        png = ARTIFACTS / f"{stem}.png"
        page.screenshot(path=str(png), full_page=True)
        saved.append(png)
        html = ARTIFACTS / f"{stem}.html"
        html.write_text(f"<!-- {page.url} -->\n" + page.content(), encoding="utf-8")
        saved.append(html)
    except Exception as exc:  # a crashed page must not hide the test's own failure
        (ARTIFACTS / f"{stem}.error.txt").write_text(f"{page.url}\n{exc}\n", encoding="utf-8")
    return saved


@pytest.fixture
def open_page(request, browser, live_server, auth_states):
    """open_page(role=None) -> a page in a fresh browser context, logged in as `role`'s demo account."""
    contexts = []
    pages = []

    def open_(role: str | None = None):
        options = context_options(live_server)
        if role and role != "anonymous":
            options["storage_state"] = str(auth_states(role))
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        return page

    yield open_
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        stem = _artifact_stem(request.node.nodeid)
        for number, page in enumerate(pages, start=1):
            if not page.is_closed():
                save_page_artifacts(page, stem if len(pages) == 1 else f"{stem}-{number}")
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    """An anonymous page (a fresh context)."""
    return open_page()


# ---------------------------------------------------------------- the crawler

@dataclass
class CrawledPage:
    url: str
    status: int
    content_type: str = ""
    from_url: str = ""
    title: str = ""
    h1_count: int = 0
    lang: str = ""
    axe: list[dict] = field(default_factory=list)
    # CSS pixels the page is wider than the window (needs sideways scrolling), at each width
    overflow: dict[int, int] = field(default_factory=dict)
    # lists (tables, list groups) on the page, and what of their first rows lies outside a phone's window
    phone_lists: int = 0
    phone_list_problems: list[str] = field(default_factory=list)
    file: Path | None = None
    error: str = ""

    @property
    def is_html(self) -> bool:
        return self.content_type.startswith("text/html")

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Crawl:
    role: str
    pages: list[CrawledPage]
    skipped_by_shape: int
    seconds: float
    stopped_at_limit: bool = False
    html_check: HtmlBatchCheck | None = None

    @property
    def html_pages(self) -> list[CrawledPage]:
        return [p for p in self.pages if p.is_html and p.file is not None]

    def vnu_errors(self) -> list[dict]:
        """The Nu Html Checker's errors on this role's pages, each with the page's path (the one
        run over every role's pages starts when needed, and is waited for)."""
        return self.html_check.errors_for(self.role)


class EndpointShapes:
    """A URL's shape: the Flask endpoint it routes to and the keys of its query string, read from
    the application's own URL map. A URL that routes nowhere (or only redirects) is a shape of its
    own, so the crawler opens it and reports where it leads."""

    def __init__(self, url_map):
        self.adapter = url_map.bind("localhost")

    def __call__(self, url: str) -> str:
        from werkzeug.exceptions import HTTPException

        parts = urlsplit(url)
        try:
            endpoint, _ = self.adapter.match(parts.path, method="GET")
        except HTTPException as exc:  # NotFound, MethodNotAllowed, RequestRedirect
            endpoint = f"{parts.path} ({type(exc).__name__})"
        keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
        return endpoint + ("?" + "&".join(keys) if keys else "")


@pytest.fixture(scope="session")
def endpoint_shapes() -> EndpointShapes:
    from netapp import create_app

    return EndpointShapes(create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"}).url_map)


def crawlable(url: str, origin: str) -> str | None:
    """The normalised URL to visit, or None when the crawler leaves it alone."""
    url, _ = urldefrag(url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    if any(parts.path.startswith(prefix) for prefix in SKIP_PATHS):
        return None
    if any(pattern.search(parts.path) for pattern in SKIP_PATTERNS):
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "format" for key, _ in query):
        return None  # downloads (export?format=csv)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(sorted(query)), ""))


AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.slice(0, 25).map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300),
                                           summary: (n.failureSummary || '').slice(0, 400)})),
  }));
}"""

# WCAG 1.4.10 (Reflow): usable at 320 CSS px without scrolling sideways; at a phone's 390 px, where
# lists are also checked (PHONE_LISTS); and at the desktop size.
REFLOW_WIDTHS = (320, 390, 1280)  # ends at the desktop size the crawl uses
PHONE_WIDTH = 390
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"

# Every list on a phone: in each visible table (the first row of its body) and list group (its
# first item), the name or title (the first cell's link, or the cell itself) and every control a
# reader sees in that row (the main action: a link, button, box) lie within the window's width,
# so nobody scrolls a table sideways to find whom a row is about or what to do with it.
PHONE_LISTS = """() => {
  const width = document.documentElement.clientWidth;
  const shown = el => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  const inside = el => { const r = el.getBoundingClientRect(); return r.left >= -1 && r.right <= width + 1; };
  const text = el => (el.innerText || el.value || el.getAttribute('aria-label') || el.tagName).trim().slice(0, 60);
  const lists = [];
  document.querySelectorAll('main table').forEach(t => {
    if (shown(t) && t.tBodies.length && t.tBodies[0].rows.length) lists.push(['table', t.tBodies[0].rows[0]]);
  });
  document.querySelectorAll('main .list-group').forEach(l => {
    if (shown(l) && l.firstElementChild) lists.push(['list', l.firstElementChild]);
  });
  const problems = [];
  lists.forEach(([kind, row], i) => {
    const first = row.cells ? row.cells[0] : row;
    const title = first.querySelector('a[href]') || first;
    const where = `${kind} ${i + 1}`;
    if (!shown(title)) problems.push(`${where}: the first row's name or title is hidden`);
    else if (!inside(title)) problems.push(`${where}: the first row's name or title «${text(title)}» lies outside the window`);
    row.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea').forEach(c => {
      if (shown(c) && !inside(c)) {
        problems.push(`${where}: «${text(c)}» in the first row ends at ${Math.round(c.getBoundingClientRect().right)} px, the window at ${width}`);
      }
    });
  });
  return {count: lists.length, problems: problems};
}"""

PAGE_FACTS = """() => ({
  title: (document.title || '').trim(),
  h1: document.querySelectorAll('h1').length,
  lang: document.documentElement.getAttribute('lang') || '',
  links: Array.from(document.querySelectorAll('a[href]'), a => a.href),
})"""


def run_crawl(browser, live_server, role: str, state: Path | None, directory: Path, shape_of: EndpointShapes) -> Crawl:
    from playwright.sync_api import Error as PlaywrightError

    started = time.monotonic()
    options = context_options(live_server)
    if state is not None:
        options["storage_state"] = str(state)
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    # axe-core goes into every document the crawler opens, before the page's own scripts; as an
    # init script it is handed to the browser once per crawl instead of once per page.
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    origin = live_server.url
    seeds = ["/"] if role == "anonymous" else ["/", "/dashboard"]
    queue: deque[tuple[str, str]] = deque((crawlable(origin + s, origin), "") for s in seeds)
    seen = {url for url, _ in queue}
    shapes = {shape_of(url) for url, _ in queue}
    skipped_by_shape = 0
    pages: list[CrawledPage] = []
    directory.mkdir(parents=True, exist_ok=True)
    try:
        while queue and len(pages) < MAX_PAGES_PER_ROLE:
            url, from_url = queue.popleft()
            crawled = CrawledPage(url=url, status=0, from_url=from_url)
            pages.append(crawled)
            try:
                response = page.goto(url, wait_until="load")
            except PlaywrightError as exc:
                message = str(exc).splitlines()[0]
                if "Download is starting" in message:  # a file, not a page: nothing to check
                    crawled.status, crawled.content_type = 200, "application/octet-stream"
                else:
                    crawled.error = message
                continue
            if response is None:
                crawled.error = "no response"
                continue
            crawled.status = response.status
            crawled.content_type = response.headers.get("content-type", "")
            if not crawled.is_html:
                continue
            crawled.file = directory / f"{len(pages):03d}.html"
            crawled.file.write_bytes(response.body())
            facts = page.evaluate(PAGE_FACTS)
            crawled.title, crawled.h1_count, crawled.lang = facts["title"], facts["h1"], facts["lang"]
            crawled.axe = page.evaluate(AXE_RUN, AXE_TAGS)
            for width in REFLOW_WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                crawled.overflow[width] = page.evaluate(OVERFLOW)
                if width == PHONE_WIDTH:
                    lists = page.evaluate(PHONE_LISTS)
                    crawled.phone_lists, crawled.phone_list_problems = lists["count"], lists["problems"]
            for link in facts["links"]:
                target = crawlable(link, origin)
                if target is None or target in seen:
                    continue
                seen.add(target)
                shape = shape_of(target)
                if shape in shapes:
                    skipped_by_shape += 1
                    continue
                shapes.add(shape)
                queue.append((target, crawled.path))
    finally:
        context.close()
    return Crawl(role=role, pages=pages, skipped_by_shape=skipped_by_shape, seconds=time.monotonic() - started,
                 stopped_at_limit=bool(queue))


class HtmlBatchCheck:
    """The Nu Html Checker over the crawled pages of every role, in one run (the JVM is slow to
    start, and each start competes with the browser for the two cores). It starts in the
    background once the last role is crawled, so other tests run meanwhile; asking for a role's
    errors before then crawls the roles still missing first."""

    def __init__(self, directory: Path, roles: list[str], crawl_role):
        self.directory = directory
        self.roles = roles
        self.crawl_role = crawl_role  # role -> Crawl, crawling it when not done yet
        self.crawls: dict[str, Crawl] = {}
        self.process: subprocess.Popen | None = None
        self.result: dict[str, list[dict]] | None = None

    def crawled(self, crawl: Crawl) -> None:
        self.crawls[crawl.role] = crawl
        if self.process is None and all(role in self.crawls for role in self.roles):
            self.start()

    def start(self) -> None:
        files = [str(p.file) for crawl in self.crawls.values() for p in crawl.html_pages]
        if not files:
            return
        with open(self.directory / "vnu.json", "wb") as out, open(self.directory / "vnu.stderr", "wb") as err:
            self.process = subprocess.Popen(
                ["java", "-Xss2m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", *files],
                cwd=self.directory, stdout=out, stderr=err,
            )

    def errors_for(self, role: str) -> list[dict]:
        if self.result is None:
            for other in [*self.roles, role]:
                if other not in self.crawls:
                    self.crawl_role(other)
            if self.process is None:
                self.start()
            self.result = self._collect()
        return self.result.get(role, [])

    def _collect(self) -> dict[str, list[dict]]:
        if self.process is None:
            return {}
        self.process.wait(timeout=600)
        raw = (self.directory / "vnu.json").read_text(encoding="utf-8", errors="replace")
        stderr = (self.directory / "vnu.stderr").read_text(encoding="utf-8", errors="replace")
        try:
            messages = json.loads(raw)["messages"]
        except (ValueError, KeyError) as exc:
            raise AssertionError(f"vnu gave no JSON (exit {self.process.returncode}): {raw[:500]} {stderr[:500]!r}") from exc
        pages = {(crawl.role, p.file.name): p for crawl in self.crawls.values() for p in crawl.html_pages}
        errors: dict[str, list[dict]] = {}
        for message in messages:
            if message.get("type") not in ("error", "non-document-error") and message.get("subType") != "fatal":
                continue
            source = message.get("url", "")
            # .../e2e-crawl0/<role>/<n>.html
            role_dir, name = (["", "", *source.split("/")])[-2:]
            page = pages.get((role_dir, name))
            # A message about no crawled page (the checker itself failing) goes to every role.
            for role in [role_dir] if page else self.crawls:
                errors.setdefault(role, []).append({
                    "page": page.path if page else source,
                    "line": message.get("lastLine"),
                    "message": message.get("message", ""),
                    "extract": (message.get("extract") or "").strip()[:200],
                })
        return errors

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _crawled_roles(session) -> list[str]:
    """The roles whose crawl the selected tests use (all of them in a full run)."""
    roles = set()
    for item in session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "crawl" in getattr(item, "fixturenames", ()) and "role" in params:
            roles.add(params["role"])
    return [role for role in ROLES if role in roles] or list(ROLES)


@pytest.fixture(scope="session")
def crawl(request, browser, live_server, auth_states, endpoint_shapes, tmp_path_factory):
    """crawl(role) -> Crawl: made once per role per session, shared by the crawler and axe tests."""
    directory = tmp_path_factory.mktemp("e2e-crawl")
    done: dict[str, Crawl] = {}

    def get(role: str) -> Crawl:
        if role not in done:
            state = None if role == "anonymous" else auth_states(role)
            result = run_crawl(browser, live_server, role, state, directory / role, endpoint_shapes)
            result.html_check = html_check
            done[role] = result
            html_check.crawled(result)
        return done[role]

    html_check = HtmlBatchCheck(directory, _crawled_roles(request.session), get)
    try:
        yield get
    finally:
        html_check.stop()


# ---------------------------------------------------------------- pages the crawler cannot reach

@pytest.fixture(scope="session")
def html_checker(_tools_present, tmp_path_factory):
    """The Nu Html Checker as a local web service (one JVM for the session), for single pages the
    journeys reach through e-mailed links and one-time URLs. Returns the service's URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("e2e-vnu") / "vnu-service.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            ["java", "-Xss2m", "-Dnu.validator.servlet.bind-address=127.0.0.1", "-cp", str(VNU_JAR),
             "nu.validator.servlet.Main", str(port)],
            stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the Nu Html Checker service exited: {log.read_text(errors='replace')[-1000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError("the Nu Html Checker service did not start within 90 s") from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def vnu_check(service: str, html: bytes) -> list[dict]:
    request = urllib.request.Request(
        service + "?out=json&level=error", data=html, method="POST",
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        messages = json.loads(response.read())["messages"]
    return [m for m in messages if m.get("type") in ("error", "non-document-error")]


class PageChecks:
    """The crawler's checks for pages a journey reaches through e-mailed links, one-time URLs or
    form posts: a <title>, one <h1>, a lang attribute, no axe violations, no Nu Html Checker
    errors. `check(page)` records what is wrong with the page the journey is on; the journey calls
    `assert_clean()` at its end, so a broken journey and an inaccessible page fail differently."""

    def __init__(self, service: str):
        self.service = service
        self.problems: list[str] = []
        self.checked: list[str] = []

    def check(self, page) -> None:
        path = urlsplit(page.url).path
        self.checked.append(path)
        facts = page.evaluate(PAGE_FACTS)
        found = []
        if not facts["title"]:
            found.append("empty <title>")
        if facts["h1"] != 1:
            found.append(f"{facts['h1']} <h1> elements (want exactly 1)")
        if not facts["lang"]:
            found.append("no lang attribute on <html>")
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE_JS))
        for violation in page.evaluate(AXE_RUN, AXE_TAGS):
            for node in violation["nodes"]:
                found.append(f"axe {violation['id']} on {node['target']}: {violation['help']}")
        # The server's HTML, fetched again with the page's cookies (a GET never changes anything).
        response = page.context.request.get(page.url)
        for message in vnu_check(self.service, response.body()):
            found.append(f"vnu line {message.get('lastLine')}: {message.get('message')} "
                         f"[{(message.get('extract') or '').strip()[:120]}]")
        self.problems.extend(f"{path}: {problem}" for problem in found)

    def assert_clean(self) -> None:
        assert self.checked, "no page was checked"
        assert not self.problems, (
            "the journey worked, but these pages have accessibility or HTML errors:\n  "
            + "\n  ".join(self.problems)
        )


@pytest.fixture
def page_checks(html_checker) -> PageChecks:
    return PageChecks(html_checker)


def write_report(name: str, data) -> Path:
    """Keep a failing check's findings in test-artifacts/ (JSON), next to the screenshots."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return path
