"""Helpers for the robustness tests (test_fuzz.py) and the CSRF test (test_csrf.py).

- hostile text: the strategies hypothesis draws form values from;
- a snapshot of the seeded demo, restored in a fraction of a second, so each test starts from the
  route matrix's demo without seeding it again (seeding takes seconds);
- form discovery: the forms each role is shown on the matrix's GET pages, matched to the matrix's
  POST routes, so a new form is fuzzed as soon as its route is in the matrix;
- HTML checks: no injected markup, a strict structural check, and the Nu Html Checker in a batch.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tempfile
import traceback
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from hypothesis import strategies as st
from sqlalchemy import Integer, bindparam, select, text, update
from werkzeug.datastructures import MultiDict

from netapp.extensions import db
from tests.conftest import wipe_tables
from tests.matrix import ROLES, Route

ROOT = Path(__file__).resolve().parents[1]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# ------------------------------------------------------------------------------------------ hostile text

MARKUP = "<script>alert(1)</script>"
ATTRIBUTE_BREAK = '"><img src=x onerror=alert(1)>'
HOSTILE = [
    MARKUP,
    ATTRIBUTE_BREAK,
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
    "</textarea><script>alert(1)</script>",
    "' OR 1=1 --",
    "'; DROP TABLE person; --",
    "\" OR \"\"=\"",
    "%' AND 1=0 UNION SELECT NULL --",
    "%(name)s",
    "%s%s%s%n",
    "{0}",
    "{name!r}",
    "{{ 7*7 }}",
    "${7*7}",
    "\x00",
    "nul\x00midt i",
    "\x1b[31mrød\x1b[0m",
    "linje\rlinje\r\nlinje\n",
    "\t \u00a0 \u2028\u2029",
    "\u202eredro",
    "\u200fمرحبا\u200f",
    "\u200b\u200d\ufeff",
    "👩‍⚕️🧒🏽👨‍👩‍👧‍👦",
    "e\u0301\u0301\u0301 Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
    "Ærlige Øystein Åsheim",
    "æøå ÆØÅ",
    "Bjørg Sæbø-Ødegård",
    "=HYPERLINK(\"http://x.example\")",
    "+47 51 50 50 50",
    "@SUM(1+1)",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "2026-02-30",
    "31.12.2026",
    "",
    " ",
    "null",
    "../../etc/passwd",
    "a" * 101,
    "ø" * 255,
]

# Digits that are not ASCII: str.isdigit() takes all of them, int() and strptime() all but the
# superscripts ('²' passes isdigit() and then fails in int(); '١٢' and '１２' become 12).
UNICODE_DIGITS = ["²", "¹²", "٣", "١٢", "１２", "߁", "𝟙", "५०", "²０２６", "٢٠٢٦"]

# Numbers that are valid text but not valid ids: past PostgreSQL's INTEGER and SQLite's 64 bits,
# negative, other digits Python's int() accepts.
NUMBERS = ["-1", "0", "2147483648", "9223372036854775808", "99999999999999999999999", "1e3", " 7 ", "+5", "5 0",
           *UNICODE_DIGITS]

# Query-string parameters the views read as numbers (besides the forms' own number fields).
NUMERIC_PARAMS = ("page", "network", "municipality", "organisation", "event", "other")

# Dates at and near the ends of what Python's date holds, and dates in other digits.
EXTREME_DATES = ["0001-01-01", "9999-12-31", "0001-01-02", "9999-12-30", "1899-12-31", "2201-01-01",
                 "２０２６-１１-２３", "٢٠٢٦-١١-٢٣", "2026-²1-01", "2026-1-1", "2026-02-29", "0000-01-01"]
EXTREME_TIMES = ["00:00", "23:59", "24:00", "9:5", "２３:５９", "٠٩:٣٠", "¹²:00", "10:00:00", "-1:00"]

# The characters that break things most often, mixed into otherwise ordinary text.
_NASTY_CHARS = "\x00\x01\x08\x0b\x0c\x1b\x7f\x85\u2028\u202e\u200f\ufeff\ufffe<>\"'&%{}\\;æøåÆØÅ"


def hostile_text(max_size: int = 60) -> st.SearchStrategy[str]:
    """Short hostile strings: the known-bad list, arbitrary Unicode, and mixtures of both."""
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=max_size),
        st.text(alphabet=st.sampled_from(_NASTY_CHARS), min_size=1, max_size=max_size),
        st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=4).map("".join),
    )


def long_text() -> st.SearchStrategy[str]:
    """10 000 to 100 000 characters (built by repetition: hypothesis cannot draw that much)."""
    return st.builds(
        lambda chunk, size: (chunk * (size // len(chunk) + 1))[:size],
        st.sampled_from(["a", "ø", "👩‍⚕️", MARKUP, "' OR 1=1 -- ", "\u202e\x1b", "e\u0301"]),
        st.integers(10_000, 100_000),
    )


def any_text() -> st.SearchStrategy[str]:
    # Long strings are expensive; they get one branch in three.
    return st.one_of(hostile_text(), hostile_text(), long_text())


def unicode_number() -> st.SearchStrategy[str]:
    """Numbers written in other digits: the known ones, and any run of Unicode digits (Nd, No)."""
    return st.one_of(st.sampled_from(UNICODE_DIGITS),
                     st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=6))


def any_date() -> st.SearchStrategy[str]:
    """Dates from year 1 to 9999 as a date input sends them (YYYY-MM-DD), the extremes, and odd digits."""
    return st.one_of(st.dates().map(date.isoformat), st.sampled_from(EXTREME_DATES))


def any_time() -> st.SearchStrategy[str]:
    return st.one_of(st.times().map(lambda t: t.strftime("%H:%M")), st.sampled_from(EXTREME_TIMES))


def is_numeric(f) -> bool:
    """A number field, a select or button with numeric options, or a query parameter read as a number."""
    return (f.type == "number" or f.name in NUMERIC_PARAMS or (f.value.isascii() and f.value.isdigit())
            or any(o.isascii() and o.isdigit() for o in f.options))


# ------------------------------------------------------------------------------------------ demo snapshot

def take_snapshot() -> dict[str, list[dict]]:
    """Every row of every table, in dependency order (commit first)."""
    db.session.remove()
    with db.engine.connect() as conn:
        return {
            table.name: [dict(row._mapping) for row in conn.execute(select(table).order_by(*table.primary_key.columns))]
            for table in db.metadata.sorted_tables
        }


def restore_snapshot(snapshot: dict[str, list[dict]]) -> None:
    """Empty the database and put the snapshot back, ids included (SQLite and PostgreSQL).

    A foreign key to the table itself or to a later table is filled in by an UPDATE after all rows
    are in, so the inserts never point at a missing row; PostgreSQL's sequences are moved past
    the highest id afterwards.
    """
    wipe_tables()
    tables = db.metadata.sorted_tables
    position = {table.name: i for i, table in enumerate(tables)}
    deferred: list[tuple] = []
    with db.engine.begin() as conn:
        postgres = conn.dialect.name == "postgresql"
        for i, table in enumerate(tables):
            rows = snapshot.get(table.name) or []
            if not rows:
                continue
            later = {fk.parent.name for fk in table.foreign_keys if position.get(fk.column.table.name, -1) >= i}
            if later:
                rows = [{**row, **{name: None for name in later}} for row in rows]
                deferred.append((table, later))
            conn.execute(table.insert(), rows)
        for table, later in deferred:
            pk = list(table.primary_key.columns)
            # Columns with an onupdate default (updated_at) keep their stored value.
            kept = [c.name for c in table.columns if c.onupdate is not None or c.server_onupdate is not None]
            for name in later:
                values = [
                    {**{f"pk_{c.name}": row[c.name] for c in pk}, "deferred_value": row[name],
                     **{f"kept_{k}": row[k] for k in kept}}
                    for row in snapshot[table.name] if row[name] is not None
                ]
                if values:
                    statement = update(table).where(*[c == bindparam(f"pk_{c.name}") for c in pk]).values(
                        {name: bindparam("deferred_value"), **{k: bindparam(f"kept_{k}") for k in kept}})
                    conn.execute(statement, values)
        if postgres:
            quote = conn.dialect.identifier_preparer.quote
            for table in tables:
                for column in table.primary_key.columns:
                    if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
                        conn.execute(text(
                            f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                            f"COALESCE((SELECT MAX({quote(column.name)}) FROM {quote(table.name)}), 0) + 1, false)"
                        ), {"table": quote(table.name), "column": column.name})
    db.session.remove()


_DEMO: dict[int, tuple[dict, dict]] = {}


def fresh_demo(app) -> dict:
    """The route matrix's demo data, freshly in place; returns its context (ids, slugs, tokens).

    Seeded once per test session, restored from a snapshot for every later call."""
    from tests.test_route_matrix import _reset_and_seed

    key = id(app)
    if key not in _DEMO:
        ctx = _reset_and_seed()
        _DEMO[key] = (take_snapshot(), ctx)
    else:
        restore_snapshot(_DEMO[key][0])
    return dict(_DEMO[key][1])


# ------------------------------------------------------------------------------------------ forms

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Field:
    name: str
    kind: str  # input, select, textarea, button
    type: str = "text"  # the input's type
    value: str = ""
    options: list[str] = field(default_factory=list)
    selected: str | None = None
    required: bool = False
    checked: bool = False


@dataclass
class FormSpec:
    page: str
    action: str
    method: str
    enctype: str
    fields: list[Field] = field(default_factory=list)

    @property
    def path(self) -> str:
        return urlsplit(self.action).path

    def names(self) -> list[str]:
        return [f.name for f in self.fields if f.name != "csrf_token"]


class _FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[FormSpec] = []
        self._form: FormSpec | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = FormSpec(page=self.page, action=urljoin(self.page, a.get("action") or self.page),
                                  method=(a.get("method") or "get").lower(), enctype=a.get("enctype", ""))
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image", "reset") and not a.get("value"):
                return
            self._form.fields.append(Field(name, "input", kind, a.get("value", ""), required="required" in a,
                                           checked="checked" in a))
        elif tag == "button" and name:
            existing = next((f for f in self._form.fields if f.name == name and f.kind == "button"), None)
            if existing:
                existing.options.append(a.get("value", ""))
            else:
                self._form.fields.append(Field(name, "button", "button", a.get("value", ""), [a.get("value", "")]))
        elif tag == "select" and name:
            self._select = Field(name, "select", "select", required="required" in a)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a:
                self._select.selected = value
        elif tag == "textarea" and name:
            self._textarea = Field(name, "textarea", "textarea", required="required" in a)
            self._form.fields.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data


def parse_forms(html: str, page: str) -> list[FormSpec]:
    parser = _FormParser(page)
    parser.feed(html)
    parser.close()
    for form in parser.forms:
        for f in form.fields:
            if f.kind == "select" and f.selected is None and f.options:
                f.selected = f.options[0]
    return parser.forms


class _Symbolic(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def url_template(route: Route) -> str:
    """/registry/persons/{person}/edit: the route's URL with the context's names in place of values."""
    return route.url(_Symbolic())


@dataclass
class PostTarget:
    """A POST route of the matrix, with the form data its matrix rows post (valid and invalid)."""

    key: str
    route: Route
    samples: list = field(default_factory=list)
    fresh: bool = False  # a matrix row marks it as changing state for good (log out)

    def sample_data(self, ctx: dict) -> list[dict]:
        return [dict(sample(ctx)) for sample in self.samples]


def post_routes(routes: list[Route]) -> list[PostTarget]:
    """The matrix's POST routes, one per URL shape, leaving out those every role is refused."""
    targets: dict[str, PostTarget] = {}
    for route in routes:
        if route.method != "POST" or all(route.expected(role) >= 400 for role in ROLES):
            continue
        template = url_template(route)
        target = targets.setdefault(template, PostTarget(f"{route.endpoint}:{template}", route))
        if route.data:
            target.samples.append(route.data)
        target.fresh = target.fresh or route.fresh
    return list(targets.values())


# The order in which roles are tried to use a form: the most powerful signed-in roles first,
# anonymous last, so a page that needs an account is fuzzed with one.
PREFERRED_ROLES = ("coordinator", "admin", "manager", "resource_person", "anonymous")
_NOT_HTML = ("/static/", "/bootstrap/", "/export", "/import/template", "/healthz")

_FORMS: dict[tuple[int, str], list[FormSpec]] = {}


def forms_seen_by(app, role: str, ctx: dict, routes: list[Route]) -> list[FormSpec]:
    """Every form on the matrix's GET pages this role may open (cached: the ids never change)."""
    from tests.test_route_matrix import _client_for

    key = (id(app), role)
    if key not in _FORMS:
        client = _client_for(app, role)
        forms: list[FormSpec] = []
        seen = set()
        for route in routes:
            if route.method != "GET" or route.expected(role) != 200:
                continue
            url = route.url(ctx)
            if url in seen or any(part in url for part in _NOT_HTML):
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code == 200 and response.mimetype == "text/html":
                forms.extend(parse_forms(response.get_data(as_text=True), "http://localhost" + url))
        _FORMS[key] = forms
    return _FORMS[key]


def role_and_forms(app, route: Route, ctx: dict, routes: list[Route]) -> tuple[str, list[FormSpec]]:
    """A role that may use this POST route, and the forms it is shown for it (none if no page has one).

    A page may hold several forms for one route (confirm and decline); the route's own page wins."""
    path = urlsplit(route.url(ctx)).path
    allowed = [role for role in PREFERRED_ROLES if route.expected(role) < 400]
    for role in allowed:
        if role == "anonymous" and route.expected(role) == 302 and any(route.expected(r) != 302 for r in ROLES):
            continue  # anonymous is sent to the login page
        candidates = [f for f in forms_seen_by(app, role, ctx, routes) if f.method == "post" and f.path == path]
        if candidates:
            own = [f for f in candidates if urlsplit(f.page).path == path]
            return role, own or candidates[:1]
    signed_in = [r for r in allowed if r != "anonymous"]
    return (signed_in or allowed)[0], []


def get_forms(app, role: str, ctx: dict, routes: list[Route]) -> list[FormSpec]:
    """The distinct GET forms (filters, searches) this role is shown."""
    result, seen = [], set()
    for form in forms_seen_by(app, role, ctx, routes):
        key = (form.path, tuple(form.names()))
        if form.method == "get" and key not in seen:
            seen.add(key)
            result.append(form)
    return result


# ------------------------------------------------------------------------------------------ values

def baseline_value(f: Field, unique: str, sample: dict | None = None) -> str:
    """A value that passes the form's own checks, so a single hostile field reaches the service.

    The matrix's own data for the route (`sample`) comes first: it knows what a field means."""
    if sample and f.name in sample:
        return str(sample[f.name])
    if f.kind == "select":
        if f.selected not in (None, "", "0"):
            return f.selected
        real = [o for o in f.options if o not in ("", "0")]
        return real[0] if real else (f.selected or "")
    if f.kind == "button":
        return f.value
    if f.value:
        return f.value
    if f.type == "email":
        return f"fuzz.{f.name.replace('_', '.')}.{unique}@test.example"
    if f.type == "date":
        return date.today().isoformat()
    if f.type == "time":
        return "10:00"
    if f.type == "number":
        return "50"
    if f.type == "password":
        return "et langt nok passord"
    if f.required or f.kind == "textarea":
        return "Kari"
    return ""


def _field_value(f: Field, unique: str, sample: dict) -> st.SearchStrategy[str]:
    options = [baseline_value(f, unique, sample)]
    typed = []
    if f.kind in ("select", "button") and f.options:
        options += f.options
    if f.type == "email":
        options.append(f"o'hara+{unique}@test.example")
    if f.type == "date":
        options.append("2026-11-23")
        typed.append(any_date())
    if f.type == "time":
        typed.append(any_time())
    if is_numeric(f):
        options += NUMBERS
        typed.append(unicode_number())
    # A field with a type of its own gets values of that type half the time.
    return st.one_of(st.sampled_from(options), *typed, *typed, any_text())


@st.composite
def form_data(draw, spec: FormSpec | None, samples: list[dict], unique: str, extra_names=()) -> MultiDict:
    """Values for a form: sometimes all hostile, sometimes valid but one field; fields left out,
    sent twice, and unknown fields added now and then. `samples` are known submissions (the
    matrix's data for the route), whose fields are sent too."""
    sample = draw(st.sampled_from([{}, *samples]))
    fields = [f for f in (spec.fields if spec else []) if f.name != "csrf_token"]
    names = {f.name for f in fields}
    for name in [*extra_names, *(k for s in samples for k in s)]:
        if name not in names:
            names.add(name)
            fields.append(Field(name, "input"))
    data = MultiDict()
    if fields and draw(st.booleans()):
        target = draw(st.sampled_from(fields))
        for f in fields:
            if f is target:
                data.add(f.name, draw(_field_value(f, unique, sample)))
            elif f.kind == "input" and f.type == "checkbox":
                if draw(st.booleans()):
                    data.add(f.name, f.value or "y")
            elif f.type != "file":
                data.add(f.name, baseline_value(f, unique, sample))
    else:
        for f in fields:
            if f.type == "file":
                continue
            choice = draw(st.sampled_from(["value", "value", "value", "absent", "twice"]))
            if choice == "absent":
                continue
            data.add(f.name, draw(_field_value(f, unique, sample)))
            if choice == "twice":
                data.add(f.name, draw(hostile_text()))
    if draw(st.integers(0, 4)) == 0:
        data.add(draw(st.sampled_from(["x", "next", "id", "confirmed", "role", "is_admin", "<b>", "a" * 300])),
                 draw(hostile_text()))
    for f in fields:
        if f.type == "file":
            data[f.name] = draw(upload_file())
    return data


# Every field of every form gets each of these once, the other fields valid (see sweep).
SWEEP = ["99999999999999999999999", MARKUP + ATTRIBUTE_BREAK + "' OR 1=1 --%(name)s{0}\x00\x1b\u202e👩‍⚕️",
         ("ø" + MARKUP) * 4000]
# ... and each field with a type of its own these (the checks people forget: other digits, the
# ends of the calendar).
SWEEP_NUMBER = ["²", "١٢", "𝟙"]
SWEEP_DATE = ["0001-01-01", "9999-12-31", "２０２６-１１-２３"]
SWEEP_TIME = ["２３:５９", "24:00"]


def sweep_values(f: Field) -> list[str]:
    values = list(SWEEP)
    if f.type == "date":
        values += SWEEP_DATE
    if f.type == "time":
        values += SWEEP_TIME
    if is_numeric(f):
        values += SWEEP_NUMBER
    return values


def sweep(spec: FormSpec | None, samples: list[dict], unique: str):
    """Deterministic submissions: each field in turn gets each of its sweep values, the others valid."""
    if spec is None:
        return
    fields = [f for f in spec.fields if f.name != "csrf_token" and f.type not in ("file", "checkbox")]
    # A checkbox carrying an id (attendance) is swept with other digits only; the others stay unchecked.
    boxes = [f for f in spec.fields if f.type == "checkbox" and is_numeric(f)]
    sample = samples[-1] if samples else {}
    for target in fields + boxes[:1]:
        for value in sweep_values(target) if target.type != "checkbox" else SWEEP_NUMBER:
            data = MultiDict()
            for f in fields:
                data.add(f.name, value if f is target else baseline_value(f, unique, sample))
            if target.type == "checkbox":
                data.add(target.name, value)
            for f in spec.fields:
                if f.type == "file":
                    data[f.name] = (io.BytesIO(b"Fornavn;Etternavn;E-post\nKari;Nordmann;kari@test.example\n"), "fil.csv")
            yield data


@st.composite
def upload_file(draw):
    """An upload: a CSV with hostile cells, or hostile bytes, under a hostile name."""
    cells = draw(st.lists(hostile_text(40), min_size=3, max_size=3))
    kind = draw(st.sampled_from(["csv", "csv", "bytes", "empty"]))
    if kind == "csv":
        body = ("Fornavn;Etternavn;E-post;Yrke\n" + ";".join(cells) + ";fuzz@test.example\n").encode(
            draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])), errors="replace")
    elif kind == "bytes":
        body = draw(st.binary(max_size=2000))
    else:
        body = b""
    name = draw(st.sampled_from(["fil.csv", "fil.xlsx", "fil.txt", "../../fil.csv", "<script>.csv", "ø😀.csv", ""]))
    return io.BytesIO(body), name


# ------------------------------------------------------------------------------------------ requests

@dataclass
class Answer:
    status: int
    body: str
    location: str = ""
    mimetype: str = ""
    error: str = ""

    def describe(self) -> str:
        return self.error or f"{self.status} {self.body[:300]!r}"


def send(client, method: str, url: str, data=None, **kwargs) -> Answer:
    """One request; an exception inside the app (the testing config lets it through) counts as 500."""
    try:
        if method == "GET":
            response = client.get(url, query_string=data, **kwargs)
        else:
            response = client.post(url, data=data, **kwargs)
    except Exception as exc:  # the point of fuzzing: show which input raised, and where
        db.session.rollback()
        return Answer(500, "", error=_where(exc))
    try:
        body = response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""
        return Answer(response.status_code, body, response.location or "", response.mimetype)
    finally:
        response.close()


def _where(exc: BaseException) -> str:
    """The exception with the app's own frames (and the last one), not the library's."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if f"{ROOT.name}/netapp/" in f.filename] + frames[-1:]
    lines = "".join(traceback.format_list(own))
    return f"server error:\n{lines}{type(exc).__name__}: {exc}"


# ------------------------------------------------------------------------------------------ HTML checks

def forbidden_code_points(value: str) -> list[str]:
    """Characters HTML forbids in a document (what the Nu Html Checker calls forbidden code points)."""
    bad = []
    for ch in value:
        cp = ord(ch)
        if (cp < 0x20 and ch not in "\t\n\f\r") or 0x7F <= cp <= 0x9F or 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE:
            bad.append(f"U+{cp:04X}")
    return sorted(set(bad))


class _Checker(HTMLParser):
    # End tags HTML lets authors leave out; the app's templates close them anyway, so only
    # these are closed implicitly before a mismatch is reported.
    OPTIONAL_END = {"p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.label_for: list[str] = []
        self.described: list[str] = []
        self.counts: dict[str, int] = {}
        self.lang = ""
        self.title = ""
        self.doctype = False
        self.injected: list[str] = []
        self._script_text = ""

    def handle_decl(self, decl):
        if decl.lower() == "doctype html":
            self.doctype = True

    def handle_starttag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        a = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.injected.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.injected.append(f"<{tag} {name}={value!r}>")
        if tag in ("iframe", "object", "embed", "base"):
            self.injected.append(f"<{tag}>")
        if tag == "script" and not a.get("src"):
            self.injected.append("<script> without src")
        if tag == "img" and a.get("src") == "x":
            self.injected.append("<img src=x>")
        if "id" in a:
            self.ids.append(a["id"] or "")
        if tag == "label" and a.get("for"):
            self.label_for.append(a["for"])
        if a.get("aria-describedby"):
            self.described.extend(a["aria-describedby"].split())
        if tag == "html":
            self.lang = a.get("lang") or ""
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            self.problems.append(f"end tag </{tag}> for a void element")
            return
        while self.stack and self.stack[-1] != tag and self.stack[-1] in self.OPTIONAL_END:
            self.stack.pop()
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close the open element <{self.stack[-1] if self.stack else '(none)'}>"
                                 f" (line {self.getpos()[0]})")
            if tag in self.stack:
                while self.stack[-1] != tag:
                    self.stack.pop()
                self.stack.pop()
            return
        self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "title":
            self.title += data


def check_page(html: str) -> tuple[list[str], list[str]]:
    """(structural problems, injected markup) of one HTML page."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    problems = list(checker.problems)
    if not checker.doctype:
        problems.append("no <!doctype html>")
    if not checker.lang:
        problems.append("no lang on <html>")
    if not checker.title.strip():
        problems.append("empty <title>")
    for tag in ("html", "head", "body", "title", "h1", "main"):
        if checker.counts.get(tag, 0) != 1:
            problems.append(f"{checker.counts.get(tag, 0)} <{tag}> elements (want exactly 1)")
    open_left = [t for t in checker.stack if t not in checker.OPTIONAL_END]
    if open_left:
        problems.append(f"elements never closed: {open_left}")
    duplicates = sorted({i for i in checker.ids if checker.ids.count(i) > 1})
    if duplicates:
        problems.append(f"duplicate ids: {duplicates}")
    ids = set(checker.ids)
    missing = sorted({i for i in checker.label_for + checker.described if i not in ids})
    if missing:
        problems.append(f"label for / aria-describedby pointing at no element: {missing}")
    bad = forbidden_code_points(html)
    if bad:
        problems.append(f"forbidden code points in the page: {', '.join(bad)}")
    return problems, checker.injected


def vnu_available() -> bool:
    return VNU_JAR.exists() and shutil.which("java") is not None


def vnu_errors(pages: dict[str, str]) -> list[str]:
    """The Nu Html Checker's errors for these pages (name -> HTML), in one run of the checker."""
    with tempfile.TemporaryDirectory(prefix="netapp-vnu-") as tmp:
        files = {}
        for i, (name, html) in enumerate(pages.items()):
            path = Path(tmp) / f"page{i:03d}.html"
            path.write_text(html, encoding="utf-8")
            files[path.name] = name
        result = subprocess.run(
            ["java", "-Xss2m", "-XX:TieredStopAtLevel=1", "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
             "--stdout", *sorted(str(Path(tmp) / f) for f in files)],
            capture_output=True, timeout=300, check=False,
        )
        try:
            messages = json.loads(result.stdout.decode("utf-8", "replace"))["messages"]
        except (ValueError, KeyError) as exc:
            raise AssertionError(f"vnu gave no JSON (exit {result.returncode}): {result.stderr[:500]!r}") from exc
    errors = []
    for m in messages:
        if m.get("type") not in ("error", "non-document-error") and m.get("subType") != "fatal":
            continue
        page = files.get(m.get("url", "").rsplit("/", 1)[-1], m.get("url", ""))
        errors.append(f"{page} line {m.get('lastLine')}: {m.get('message')} [{(m.get('extract') or '').strip()[:120]!r}]")
    return errors
