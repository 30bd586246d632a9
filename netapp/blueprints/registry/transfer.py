"""Import and export of the registry, in CSV and XLSX, for the web form and the CLI alike.

Import runs in three steps: `parse_file` reads the bytes into rows (or refuses the file with a
message), `plan_import` decides row by row what would happen without writing anything (the dry
run), and `apply_import` carries out a plan that has no rejected row. Lookups are preloaded into
maps, so a file of 10,000 rows costs a handful of queries before the writes.

Functions flush, never commit: the view or the CLI command owns the transaction.
"""

from __future__ import annotations

import codecs
import csv
import enum
import io
import logging
import re
import secrets
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select, true

from netapp.blueprints.registry import services
from netapp.blueprints.registry.forms import sector_labels
from netapp.blueprints.registry.models import (
    Assignment,
    ImportUpload,
    Membership,
    MembershipRole,
    Network,
    Organisation,
    Person,
    PersonStatus,
    Sector,
    Workplace,
)
from netapp.extensions import db
from netapp.timeutil import today_oslo, utcnow
from netapp.validators import check_email, parse_int

log = logging.getLogger(__name__)

# The columns in the order export writes them; the Norwegian header is what export writes and
# the template shows. Aliases are compared after `_key` (case, spaces and punctuation dropped).
COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    ("first_name", "Fornavn", ("fornavn", "firstname", "givenname")),
    ("last_name", "Etternavn", ("etternavn", "lastname", "surname", "familyname")),
    ("email", "E-post", ("epost", "epostadresse", "email", "emailaddress", "mail")),
    ("phone", "Telefon", ("telefon", "telefonnummer", "mobil", "tlf", "phone", "phonenumber")),
    ("profession", "Yrke", ("yrke", "profession", "occupation")),
    ("workplace", "Arbeidssted", ("arbeidssted", "arbeidsstad", "workplace")),
    ("municipality", "Kommune", ("kommune", "municipality", "organisasjon", "organisation", "organization",
                                 "kommuneorganisasjon")),
    ("sector", "Sektor", ("sektor", "sector")),
    ("manager_email", "Leder e-post", ("ledereepost", "lederepost", "ledersepost", "lederepostadresse",
                                       "manageremail", "manager")),
    ("position_percent", "Stillingsprosent", ("stillingsprosent", "stilling", "positionpercent",
                                              "positionpercentage")),
    ("network", "Nettverk", ("nettverk", "network", "networks")),
    ("status", "Status", ("status",)),
]
HEADERS = [header for _key_, header, _aliases in COLUMNS]
REQUIRED = ("first_name", "last_name", "email")
MAX_LENGTHS = {"first_name": 100, "last_name": 100, "email": 254, "phone": 40, "profession": 100,
               "workplace": 200}
# Characters that make a spreadsheet read a cell as a formula (OWASP: CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_COLUMNS = 60
MAX_BLANK_RUN = 1000
CHUNK = 500
STATUS_WORDS = {
    "aktiv": PersonStatus.ACTIVE, "active": PersonStatus.ACTIVE,
    "sluttet": PersonStatus.LEFT, "slutta": PersonStatus.LEFT, "left": PersonStatus.LEFT,
}
STATUS_EXPORT = {PersonStatus.ACTIVE: "aktiv", PersonStatus.LEFT: "sluttet"}
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; the message says why, for the user."""


def _key(value: str) -> str:
    """Compare names without letter case, spaces or punctuation: 'E-post' == 'e post' == 'epost'."""
    return re.sub(r"[\W_]+", "", (value or "").casefold())


def field_labels() -> dict[str, str]:
    return {
        "first_name": _("Fornavn"), "last_name": _("Etternavn"), "email": _("E-post"), "phone": _("Telefon"),
        "profession": _("Yrke"), "workplace": _("Arbeidssted"), "municipality": _("Kommune"),
        "sector": _("Sektor"), "manager_email": _("Leder e-post"), "position_percent": _("Stillingsprosent"),
        "network": _("Nettverk"), "status": _("Status"),
    }


def escape_formula(value: str) -> str:
    """A leading ' keeps a spreadsheet from running the value as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def unescape_formula(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def sector_names_nb() -> dict[Sector, str]:
    """The sector labels in bokmål, whatever the user's language: export writes these."""
    with force_locale("nb"):
        return {sector: str(label) for sector, label in sector_labels().items()}


def _sector_lookup() -> dict[str, Sector]:
    lookup = {_key(s.value): s for s in Sector}
    for locale in ("en", "nn", "nb"):
        with force_locale(locale):
            lookup.update({_key(str(label)): sector for sector, label in sector_labels().items()})
    return lookup


# ---------------------------------------------------------------- reading a file

@dataclass
class ParsedFile:
    kind: str  # "csv" or "xlsx"
    columns: dict[str, int]  # field -> column index
    ignored: list[str]  # headers not understood, reported once
    rows: list[tuple[int, dict[str, str]]]  # (row number in the file, values by field)
    encoding: str = ""
    delimiter: str = ""

    @property
    def description(self) -> str:
        if self.kind == "xlsx":
            return _("Excel-arbeidsbok (.xlsx)")
        separator = _("semikolon") if self.delimiter == ";" else _("komma")
        return _("CSV, %(separator)s, %(encoding)s", separator=separator, encoding=self.encoding)


def parse_file(content: bytes, filename: str, max_rows: int | None = None) -> ParsedFile:
    """Read a CSV or XLSX file into rows keyed by field; refuse anything else with a message."""
    if max_rows is None:
        max_rows = current_app.config["IMPORT_MAX_ROWS"]
    name = (filename or "").strip().lower()
    if not content:
        raise ImportFileError(_("Filen er tom."))
    is_zip = content.startswith(b"PK\x03\x04")
    if name.endswith(".xlsx"):
        if not is_zip:
            raise ImportFileError(_("Filen heter .xlsx, men er ikke en Excel-arbeidsbok. Lagre den på nytt fra Excel."))
        kind, table, extra = "xlsx", _read_xlsx(content, max_rows), {}
    elif name.endswith((".csv", ".txt")):
        if is_zip:
            raise ImportFileError(_("Filen heter .csv, men er en Excel-arbeidsbok. Gi den endelsen .xlsx, "
                                    "eller lagre den som CSV."))
        table, extra = _read_csv(content, max_rows)
        kind = "csv"
    elif name.endswith(".xls"):
        raise ImportFileError(_("Det gamle Excel-formatet (.xls) støttes ikke. Lagre filen som "
                                "Excel-arbeidsbok (.xlsx) eller som CSV."))
    else:
        raise ImportFileError(_("Filtypen støttes ikke. Last opp en CSV-fil (.csv) eller en Excel-arbeidsbok (.xlsx)."))
    return _to_parsed(kind, table, **extra)


def _numbered_rows(rows: Iterable[list[str]], max_rows: int) -> list[tuple[int, list[str]]]:
    """Non-blank rows with their row number in the file (1 = first row), stopping past the limit."""
    result = []
    blank_run = 0
    for number, cells in enumerate(rows, start=1):
        cells = [unescape_formula(c.strip()) for c in cells[:MAX_COLUMNS]]
        if not any(cells):
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:  # formatted but empty rows to the bottom of the sheet
                break
            continue
        blank_run = 0
        result.append((number, cells))
        if len(result) > max_rows + 1:  # +1: the header row
            raise ImportFileError(_("Filen har mer enn %(max)d rader. Del den opp i flere filer.", max=max_rows))
    return result


def _read_csv(content: bytes, max_rows: int) -> tuple[list[tuple[int, list[str]]], dict]:
    if b"\x00" in content:
        raise ImportFileError(_("Filen er ikke en tekstfil. Lagre den som «CSV (semikolondelt)» eller "
                                "«CSV UTF-8», eller som Excel-arbeidsbok (.xlsx)."))
    unreadable = _("Tegnene i filen kan ikke leses. Lagre den som «CSV UTF-8» og prøv igjen.")
    if content.startswith(codecs.BOM_UTF8):
        try:
            text, encoding = content.decode("utf-8-sig"), "UTF-8 med BOM"
        except UnicodeDecodeError:
            raise ImportFileError(unreadable) from None
    else:
        try:
            text, encoding = content.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            try:
                text, encoding = content.decode("cp1252"), "Windows-1252"
            except UnicodeDecodeError:
                raise ImportFileError(unreadable) from None
    if re.search(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        raise ImportFileError(_("Filen inneholder tegn som ikke hører hjemme i en CSV-fil. Er det riktig fil?"))
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = _numbered_rows(reader, max_rows)
    except csv.Error as exc:
        raise ImportFileError(_("Filen kan ikke leses som CSV (rad %(row)d): %(error)s",
                                row=reader.line_num, error=str(exc))) from None
    return rows, {"encoding": encoding, "delimiter": delimiter}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _read_xlsx(content: bytes, max_rows: int) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    unreadable = _("Filen kan ikke leses som Excel-arbeidsbok (.xlsx). Lagre den på nytt fra Excel, eller som CSV.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds (zip, XML, key errors) for a broken file
            raise ImportFileError(unreadable) from None
        try:
            sheet = workbook.worksheets[0] if workbook.worksheets else None
            if sheet is None:
                raise ImportFileError(_("Arbeidsboken har ingen ark."))
            rows = (
                [_cell_text(v) for v in values]
                for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
            )
            return _numbered_rows(rows, max_rows)
        except ImportFileError:
            raise
        except Exception:
            raise ImportFileError(unreadable) from None
        finally:
            workbook.close()


HEADER_SEARCH = 10  # a title or a note above the headers is common in hand-kept sheets


def _to_parsed(kind: str, table: list[tuple[int, list[str]]], encoding: str = "", delimiter: str = "") -> ParsedFile:
    if not table:
        raise ImportFileError(_("Filen har ingen rader."))
    aliases = {alias: key for key, _h, names in COLUMNS for alias in names}
    start = next((i for i, (_n, cells) in enumerate(table[:HEADER_SEARCH])
                  if set(REQUIRED) <= {aliases.get(_key(c)) for c in cells}), 0)
    table = table[start:]
    header = table[0][1]
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        if not title:
            continue
        key = aliases.get(_key(title))
        if key is None:
            ignored.append(title)
        elif key in columns:
            raise ImportFileError(_("Kolonnen «%(column)s» står to ganger i overskriftsraden.", column=title))
        else:
            columns[key] = index
    labels = field_labels()
    missing = [labels[k] for k in REQUIRED if k not in columns]
    if missing:
        raise ImportFileError(_(
            "Overskriftsraden mangler kolonnen %(columns)s. Første rad må ha overskriftene, for eksempel "
            "Fornavn, Etternavn og E-post.", columns=", ".join(missing)))
    rows = [
        (number, {key: (cells[index] if index < len(cells) else "") for key, index in columns.items()})
        for number, cells in table[1:]
    ]
    if not rows:
        raise ImportFileError(_("Filen har ingen rader med personer under overskriftsraden."))
    return ParsedFile(kind=kind, columns=columns, ignored=ignored, rows=rows, encoding=encoding, delimiter=delimiter)


# ---------------------------------------------------------------- planning (the dry run)

class Action(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REJECT = "reject"


@dataclass
class RowPlan:
    row: int
    values: dict[str, str]
    action: Action = Action.CREATE
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    email_norm: str | None = None
    person: Person | None = None
    workplace: Workplace | None = None
    new_workplace: tuple[Organisation, str, Sector | None] | None = None
    set_sector: Sector | None = None  # complete an existing workplace that has no sector
    manager_email: str | None = None
    position_percent: int | None = None
    join: list[Network] = field(default_factory=list)
    status: PersonStatus | None = None  # a change of status, when the file asks for one
    field_changes: dict[str, object] = field(default_factory=dict)
    out_of_scope: bool = False  # rejected because the row reaches beyond what the user may change

    @property
    def name(self) -> str:
        return f"{self.values.get('first_name', '')} {self.values.get('last_name', '')}".strip()

    @property
    def email(self) -> str:
        return self.values.get("email", "")


@dataclass
class ImportPlan:
    parsed: ParsedFile
    rows: list[RowPlan]
    network: Network | None
    lookups: _Lookups

    def count(self, action: Action) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {a.value: self.count(a) for a in Action}

    @property
    def ok(self) -> bool:
        return self.count(Action.REJECT) == 0

    @property
    def rejected(self) -> list[RowPlan]:
        return [r for r in self.rows if r.action == Action.REJECT]

    @property
    def out_of_scope(self) -> bool:
        """Some row would change a person or a network the importing user may not change."""
        return any(r.out_of_scope for r in self.rows)

    @property
    def new_workplaces(self) -> list[tuple[str, str, Sector | None]]:
        seen: dict[tuple[int, str], tuple[str, str, Sector | None]] = {}
        for r in self.rows:
            if r.new_workplace and r.action != Action.REJECT:
                org, name, sector = r.new_workplace
                seen.setdefault((org.id, _key(name)), (name, org.name, sector))
        return list(seen.values())


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class _Lookups:
    """Everything a plan needs, loaded with a few queries instead of one per row.

    `changeable` is the SQL condition for the persons the importing user may change (None: anyone,
    as for an admin or the CLI); it is asked in the same query that finds the persons."""

    def __init__(self, parsed: ParsedFile, changeable=None):
        emails = set()
        for _number, values in parsed.rows:
            for key in ("email", "manager_email"):
                norm = services.normalize(values.get(key))
                if norm:
                    emails.add(norm)
        self.persons: dict[str, Person] = {}
        self.changeable: set[int] = set()
        query = select(Person, true() if changeable is None else changeable)
        for chunk in _chunks(sorted(emails)):
            for person, may_change in db.session.execute(query.where(Person.email_normalized.in_(chunk))):
                self.persons[person.email_normalized] = person
                if may_change:
                    self.changeable.add(person.id)
        person_ids = sorted(p.id for p in self.persons.values())
        self.memberships: dict[int, list[Membership]] = defaultdict(list)
        for chunk in _chunks(person_ids):
            for membership in db.session.scalars(select(Membership).where(Membership.person_id.in_(chunk))):
                self.memberships[membership.person_id].append(membership)
        # Current managers, so comparing and updating does not load them one by one.
        manager_ids = sorted({p.manager_id for p in self.persons.values() if p.manager_id} - set(person_ids))
        for chunk in _chunks(manager_ids):
            list(db.session.scalars(select(Person).where(Person.id.in_(chunk))))

        organisations = list(db.session.scalars(select(Organisation)))
        self.org_by_number = {o.municipality_number: o for o in organisations if o.municipality_number}
        self.org_by_name = {_key(o.name): o for o in organisations}
        self.workplaces: dict[tuple[int, str], Workplace] = {}
        self.workplaces_by_name: dict[str, list[Workplace]] = defaultdict(list)
        for workplace in db.session.scalars(select(Workplace)):
            self.workplaces[(workplace.organisation_id, _key(workplace.name))] = workplace
            self.workplaces_by_name[_key(workplace.name)].append(workplace)
        self.networks = list(db.session.scalars(select(Network).order_by(Network.id)))
        self.network_by_key: dict[str, Network] = {}
        for network in self.networks:
            for label in (network.short_name, network.name, network.slug):
                if label:
                    self.network_by_key[_key(label)] = network
            self.network_by_key[network.slug.lower()] = network
        self.default_network = next((n for n in self.networks if n.is_default), None)
        self.sectors = _sector_lookup()
        self.sector_names = sector_names_nb()
        self.labels = field_labels()  # translated once: gettext per row is slow at 10,000 rows
        self._emails: dict[str, bool] = {}

    def valid_email(self, value: str) -> bool:
        if value not in self._emails:
            self._emails[value] = check_email(value) is not None
        return self._emails[value]

    def organisation(self, value: str) -> Organisation | None:
        match = re.match(r"^\s*(\d{4})\b", value)
        if match and match.group(1) in self.org_by_number:
            return self.org_by_number[match.group(1)]
        return self.org_by_name.get(_key(value))

    def network(self, value: str) -> Network | None:
        return self.network_by_key.get(value.strip().lower()) or self.network_by_key.get(_key(value))

    def networks_in(self, cell: str) -> tuple[list[Network], list[str]]:
        """The networks named in a cell (slugs or names, separated by commas), and unknown names."""
        whole = self.network(cell)
        if whole is not None:
            return [whole], []
        found, unknown = [], []
        for part in re.split(r"[,;]", cell):
            part = part.strip()
            if not part:
                continue
            network = self.network(part)
            if network is None:
                unknown.append(part)
            elif network not in found:
                found.append(network)
        return found, unknown


def plan_import(parsed: ParsedFile, *, network: Network | None = None, coordinated_ids: frozenset[int] | None = None,
                changeable=None, progress: Callable[[int], None] | None = None) -> ImportPlan:
    """The dry run: what each row would do, and why a row is rejected. Writes nothing.

    `network` is the network chosen for rows that name none (the default network otherwise);
    `coordinated_ids` are the networks the importing user coordinates (None: every network);
    `changeable` is the SQL condition for the persons they may change (permissions.
    changeable_persons_clause; None: anyone). A row whose address belongs to anyone else is
    rejected without showing what the registry holds about them.
    """
    lookups = _Lookups(parsed, changeable)
    chosen = network or lookups.default_network
    rows: list[RowPlan] = []
    by_email: dict[str, list[RowPlan]] = defaultdict(list)
    for index, (number, values) in enumerate(parsed.rows, start=1):
        plan = _plan_row(number, values, parsed, lookups, chosen, coordinated_ids)
        rows.append(plan)
        if plan.email_norm:
            by_email[plan.email_norm].append(plan)
        if progress is not None and index % 100 == 0:
            progress(100)
    if progress is not None and len(parsed.rows) % 100:
        progress(len(parsed.rows) % 100)
    for group in by_email.values():
        if len(group) > 1:
            numbers = ", ".join(str(r.row) for r in group)
            for plan in group:
                plan.errors.append(_("Samme e-postadresse står på flere rader i filen (rad %(rows)s). "
                                     "Slå radene sammen til én.", rows=numbers))
                plan.action = Action.REJECT
    return ImportPlan(parsed=parsed, rows=rows, network=chosen, lookups=lookups)


def _plan_row(number: int, values: dict[str, str], parsed: ParsedFile, lookups: _Lookups,
              chosen: Network | None, coordinated_ids: frozenset[int] | None) -> RowPlan:
    plan = RowPlan(row=number, values=values)
    errors = plan.errors
    labels = lookups.labels
    first, last, email = values.get("first_name", ""), values.get("last_name", ""), values.get("email", "")

    if not first:
        errors.append(_("Fornavn mangler."))
    if not last:
        errors.append(_("Etternavn mangler."))
    for key, limit in MAX_LENGTHS.items():
        if len(values.get(key, "")) > limit:
            errors.append(_("%(field)s er for lang (høyst %(max)d tegn).", field=labels[key], max=limit))
    if not email:
        errors.append(_("E-post mangler."))
    elif not lookups.valid_email(email):
        errors.append(_("Ugyldig e-postadresse: «%(value)s».", value=email))
    else:
        plan.email_norm = services.normalize(email)

    person = lookups.persons.get(plan.email_norm) if plan.email_norm else None
    if person is not None:
        if person.status == PersonStatus.ERASED:
            errors.append(_("Personen med denne e-postadressen er slettet fra registeret og kan ikke importeres på nytt."))
        elif person.id not in lookups.changeable:
            errors.append(_("E-postadressen tilhører en person du ikke kan endre. Bare en administrator eller "
                            "personen selv kan endre den."))
            plan.out_of_scope = True
        plan.person = person

    percent = values.get("position_percent", "")
    if percent:
        plan.position_percent = _parse_percent(percent)
        if plan.position_percent is None:
            errors.append(_("Stillingsprosent må være et helt tall fra 1 til 100, ikke «%(value)s».", value=percent))

    status_word = values.get("status", "")
    target_status = None
    if status_word:
        target_status = STATUS_WORDS.get(status_word.strip().casefold())
        if target_status is None:
            errors.append(_("Ukjent status «%(value)s». Skriv aktiv eller sluttet.", value=status_word))

    sector = None
    if values.get("sector"):
        sector = lookups.sectors.get(_key(values["sector"]))
        if sector is None:
            names = ", ".join(lookups.sector_names.values())
            errors.append(_("Ukjent sektor «%(value)s». Bruk en av disse: %(names)s.", value=values["sector"], names=names))

    _plan_workplace(plan, values, lookups, sector)

    manager_email = values.get("manager_email", "")
    if manager_email:
        if not lookups.valid_email(manager_email):
            errors.append(_("Ugyldig e-postadresse for leder: «%(value)s».", value=manager_email))
        elif services.normalize(manager_email) == plan.email_norm:
            errors.append(_("En person kan ikke være sin egen leder."))
        else:
            plan.manager_email = manager_email.strip()

    _plan_networks(plan, values, parsed, lookups, chosen, coordinated_ids, person, target_status)

    if errors:
        plan.action = Action.REJECT
        return plan
    if person is None:
        plan.action = Action.CREATE
        plan.status = PersonStatus.LEFT if target_status == PersonStatus.LEFT else None
        _describe_new(plan, lookups)
    else:
        _compare(plan, person, target_status, lookups)
    return plan


def _parse_percent(value: str) -> int | None:
    """1 to 100 in ASCII digits, with an optional % after it and zero decimals after a comma or a
    point (50, 50 %, 50,0); anything else (other digits, 1e2, 50,5) is None."""
    whole, point, decimals = value.replace("%", "").strip().replace(",", ".").partition(".")
    if point and (decimals.strip("0") or not all(ch in "0123456789" for ch in decimals)):
        return None
    return parse_int(whole, 1, 100)


def _plan_workplace(plan: RowPlan, values: dict[str, str], lookups: _Lookups, sector: Sector | None) -> None:
    name = " ".join(values.get("workplace", "").split())
    where = values.get("municipality", "")
    organisation = None
    if where:
        organisation = lookups.organisation(where)
        if organisation is None:
            plan.errors.append(_("Ukjent kommune eller organisasjon: «%(value)s». Skriv kommunenavnet, "
                                 "kommunenummeret eller navnet på organisasjonen slik det står i registeret.", value=where))
            return
    if not name:
        if organisation is not None:
            plan.notes.append(_("Kommune brukes bare sammen med arbeidssted; arbeidsstedet endres ikke."))
        if sector is not None:
            plan.notes.append(_("Sektor brukes bare sammen med arbeidssted; den blir ikke lagret."))
        return
    if organisation is not None:
        workplace = lookups.workplaces.get((organisation.id, _key(name)))
        if workplace is None:
            plan.new_workplace = (organisation, name, sector)
            return
    else:
        candidates = lookups.workplaces_by_name.get(_key(name), [])
        if len(candidates) != 1:
            if candidates:
                plan.errors.append(_("Flere arbeidssteder heter «%(name)s». Skriv kommunen eller organisasjonen "
                                     "i kolonnen Kommune.", name=name))
            else:
                plan.errors.append(_("Ukjent arbeidssted «%(name)s». Skriv kommunen eller organisasjonen i kolonnen "
                                     "Kommune, så blir arbeidsstedet lagt inn.", name=name))
            return
        workplace = candidates[0]
    plan.workplace = workplace
    if sector is not None and workplace.sector is None:
        plan.set_sector = sector
    elif sector is not None and workplace.sector != sector:
        names = lookups.sector_names
        plan.notes.append(_("Arbeidsstedet står med sektor %(current)s i registeret; sektoren i filen (%(value)s) "
                            "brukes ikke.", current=names[workplace.sector], value=names[sector]))


def _plan_networks(plan: RowPlan, values: dict[str, str], parsed: ParsedFile, lookups: _Lookups,
                   chosen: Network | None, coordinated_ids: frozenset[int] | None, person: Person | None,
                   target_status: PersonStatus | None) -> None:
    """Which networks the row joins: those in its Nettverk cell; otherwise the chosen (or default)
    network. A blank cell in a file that has the column leaves an existing person's networks as they are."""
    cell = values.get("network", "")
    if cell:
        networks, unknown = lookups.networks_in(cell)
        for name in unknown:
            plan.errors.append(_("Ukjent nettverk: «%(value)s».", value=name))
    elif person is not None and "network" in parsed.columns and not (
        person.status == PersonStatus.LEFT and target_status == PersonStatus.ACTIVE
    ):
        networks = []
    elif chosen is None:
        plan.errors.append(_("Ingen nettverk er valgt, og det finnes ikke noe standardnettverk."))
        networks = []
    else:
        networks = [chosen]
    for network in networks:
        if coordinated_ids is not None and network.id not in coordinated_ids:
            plan.errors.append(_("Du koordinerer ikke nettverket «%(name)s».", name=network.name))
            plan.out_of_scope = True
    plan.join = networks


def _describe_new(plan: RowPlan, lookups: _Lookups) -> None:
    _describe_workplace(plan, lookups)
    if plan.manager_email and services.normalize(plan.manager_email) not in lookups.persons:
        plan.notes.append(_("Lederen %(email)s legges inn i registeret.", email=plan.manager_email))
    for network in plan.join:
        plan.changes.append(_("Blir med i nettverket %(name)s.", name=network.name))
    if plan.status == PersonStatus.LEFT:
        plan.changes.append(_("Registreres som sluttet."))


def _describe_workplace(plan: RowPlan, lookups: _Lookups) -> None:
    if plan.new_workplace:
        org, name, sector = plan.new_workplace
        if sector is None:
            plan.notes.append(_("Nytt arbeidssted «%(name)s» under %(org)s, uten sektor: fullfør det under Arbeidssteder.",
                                name=name, org=org.name))
        else:
            plan.notes.append(_("Nytt arbeidssted «%(name)s» under %(org)s (%(sector)s).", name=name, org=org.name,
                                sector=lookups.sector_names[sector]))
    if plan.set_sector:
        plan.notes.append(_("Arbeidsstedet «%(name)s» får sektor %(sector)s.", name=plan.workplace.name,
                            sector=lookups.sector_names[plan.set_sector]))


def _compare(plan: RowPlan, person: Person, target_status: PersonStatus | None, lookups: _Lookups) -> None:
    """An existing person: list what the row changes; a blank cell changes nothing."""
    labels = lookups.labels
    values = plan.values
    for key in ("first_name", "last_name", "phone", "profession"):
        new = values.get(key, "")
        old = getattr(person, key) or ""
        if new and new != old:
            plan.field_changes[key] = new
            plan.changes.append(_("%(field)s: «%(old)s» → «%(new)s»", field=labels[key], old=old, new=new))
    if plan.position_percent is not None and plan.position_percent != person.position_percent:
        plan.field_changes["position_percent"] = plan.position_percent
        plan.changes.append(_("%(field)s: «%(old)s» → «%(new)s»", field=labels["position_percent"],
                              old=person.position_percent or "", new=plan.position_percent))
    if plan.new_workplace or (plan.workplace is not None and plan.workplace is not person.workplace):
        new_name = plan.new_workplace[1] if plan.new_workplace else plan.workplace.name
        old_name = person.workplace.name if person.workplace else ""
        plan.field_changes["workplace"] = True
        plan.changes.append(_("%(field)s: «%(old)s» → «%(new)s»", field=labels["workplace"], old=old_name, new=new_name))
    if plan.manager_email:
        current = person.manager.email_normalized if person.manager else None
        if services.normalize(plan.manager_email) != current:
            plan.field_changes["manager"] = True
            old = person.manager.email if person.manager else ""
            plan.changes.append(_("%(field)s: «%(old)s» → «%(new)s»", field=labels["manager_email"], old=old or "",
                                  new=plan.manager_email))
            if services.normalize(plan.manager_email) not in lookups.persons:
                plan.notes.append(_("Lederen %(email)s legges inn i registeret.", email=plan.manager_email))
    _describe_workplace(plan, lookups)

    if target_status == PersonStatus.LEFT and person.status == PersonStatus.ACTIVE:
        plan.status = PersonStatus.LEFT
        plan.changes.append(_("Registreres som sluttet."))
    elif target_status == PersonStatus.ACTIVE and person.status == PersonStatus.LEFT:
        plan.status = PersonStatus.ACTIVE
        plan.changes.append(_("Registreres som aktiv igjen."))
    final_status = plan.status or person.status
    joins = []
    if final_status == PersonStatus.ACTIVE:
        current = {m.network_id for m in lookups.memberships.get(person.id, []) if m.end_date is None}
        joins = [n for n in plan.join if n.id not in current]
    plan.join = joins
    for network in joins:
        plan.changes.append(_("Blir med i nettverket %(name)s.", name=network.name))
    plan.action = Action.UPDATE if (plan.changes or plan.set_sector) else Action.UNCHANGED


# ---------------------------------------------------------------- applying a plan

def apply_import(plan: ImportPlan) -> dict[str, int]:
    """Carry out a plan without rejected rows: create and update persons, workplaces and
    memberships. Creation mirrors services.create_person without its per-row lookups; updates go
    through services.update_person so workplace and manager history is kept."""
    if not plan.ok:
        raise ValueError("a plan with rejected rows cannot be applied")
    lookups = plan.lookups
    today = today_oslo()
    new_workplaces: dict[tuple[int, str], Workplace] = {}
    counts = {"created": 0, "updated": 0, "unchanged": plan.count(Action.UNCHANGED), "workplaces": 0,
              "workplaces_without_sector": 0}

    def workplace_for(row: RowPlan) -> Workplace | None:
        if row.new_workplace:
            org, name, sector = row.new_workplace
            key = (org.id, _key(name))
            workplace = new_workplaces.get(key)
            if workplace is None:
                workplace = Workplace(organisation=org, name=name, sector=sector)
                db.session.add(workplace)
                new_workplaces[key] = workplace
            elif workplace.sector is None and sector is not None:
                workplace.sector = sector
            return workplace
        if row.workplace is not None and row.set_sector is not None and row.workplace.sector is None:
            row.workplace.sector = row.set_sector
        return row.workplace

    active_rows = [r for r in plan.rows if r.action in (Action.CREATE, Action.UPDATE)]
    for row in active_rows:
        if row.action == Action.CREATE:
            values = row.values
            row.person = Person(
                first_name=values["first_name"], last_name=values["last_name"],
                email=values["email"], email_normalized=row.email_norm, phone=values.get("phone", ""),
                profession=values.get("profession", ""), workplace=workplace_for(row),
                position_percent=row.position_percent, public_consent=False, status=PersonStatus.ACTIVE,
                active_from=today,
            )
            db.session.add(row.person)
            lookups.persons[row.email_norm] = row.person
    db.session.flush()

    for index, row in enumerate(active_rows, start=1):
        person = row.person
        manager = _manager(row.manager_email, lookups)
        if row.action == Action.CREATE:
            person.manager = manager
            db.session.add(Assignment(person=person, workplace=person.workplace, manager=manager, valid_from=today))
            for network in row.join:
                db.session.add(Membership(person=person, network=network, role=MembershipRole.RESOURCE_PERSON,
                                          start_date=today))
            counts["created"] += 1
        else:
            if row.status == PersonStatus.ACTIVE:
                services.reactivate_person(person)
            if row.field_changes:
                fc = row.field_changes
                services.update_person(person, services.PersonData(
                    first_name=fc.get("first_name", person.first_name), last_name=fc.get("last_name", person.last_name),
                    email=person.email, phone=fc.get("phone", person.phone),
                    profession=fc.get("profession", person.profession),
                    workplace=workplace_for(row) if (row.workplace or row.new_workplace) else person.workplace,
                    manager=manager if "manager" in fc else person.manager,
                    position_percent=fc.get("position_percent", person.position_percent),
                    public_consent=person.public_consent,
                ), on=today)
            elif row.set_sector:
                workplace_for(row)
            for network in row.join:
                _join(person, network, lookups.memberships.get(person.id, []), today)
            counts["updated"] += 1
        if row.status == PersonStatus.LEFT:
            db.session.flush()
            services.deactivate_person(person, today)
        if index % CHUNK == 0:
            db.session.flush()
    db.session.flush()
    counts["workplaces"] = len(new_workplaces)
    counts["workplaces_without_sector"] = sum(1 for w in new_workplaces.values() if w.sector is None)
    return counts


def _manager(email: str | None, lookups: _Lookups) -> Person | None:
    if not email:
        return None
    norm = services.normalize(email)
    manager = lookups.persons.get(norm)
    if manager is None:
        manager = services.resolve_manager(email)
        lookups.persons[norm] = manager
    return manager


def _join(person: Person, network: Network, memberships: list[Membership], today: date) -> None:
    ended = next((m for m in memberships if m.network_id == network.id and m.role == MembershipRole.RESOURCE_PERSON), None)
    if ended is not None:
        ended.end_date = None
        ended.start_date = ended.start_date or today
    else:
        db.session.add(Membership(person=person, network=network, role=MembershipRole.RESOURCE_PERSON, start_date=today))


# ---------------------------------------------------------------- uploads kept between preview and confirm

UPLOAD_TTL = timedelta(days=1)


def accept_upload(content: bytes, filename: str, network: Network | None, user) -> ImportUpload:
    """Check that the file can be read (ImportFileError says why not) and keep it for the preview."""
    parse_file(content, filename)
    return store_upload(content, filename, network, user)


def store_upload(content: bytes, filename: str, network: Network | None, user) -> ImportUpload:
    """Keep an uploaded file until the coordinator confirms it; uploads older than a day go."""
    db.session.execute(delete(ImportUpload).where(ImportUpload.created_at < utcnow() - UPLOAD_TTL))
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1][:255] or "import"
    upload = ImportUpload(token=secrets.token_urlsafe(32), filename=name, content=content,
                          network=network, created_by_id=getattr(user, "id", None))
    db.session.add(upload)
    db.session.flush()
    return upload


def find_upload(token: str, user) -> ImportUpload | None:
    """The user's own upload with this token, while it is fresh."""
    return db.session.scalar(select(ImportUpload).where(
        ImportUpload.token == token, ImportUpload.created_by_id == user.id,
        ImportUpload.created_at >= utcnow() - UPLOAD_TTL,
    ))


def plan_upload(upload: ImportUpload, coordinated_ids: frozenset[int] | None, changeable=None) -> ImportPlan:
    parsed = parse_file(upload.content, upload.filename)
    return plan_import(parsed, network=upload.network, coordinated_ids=coordinated_ids, changeable=changeable)


class AlreadyImported(Exception):
    """Another request claimed the upload first: the import is done (or being done) there."""


def claim_upload(upload: ImportUpload) -> None:
    """Take the upload for this transaction, or raise AlreadyImported.

    One conditional DELETE, and the transaction's first write: of concurrent confirmations one
    deletes the row and goes on, the others wait for it and then find nothing to delete (on
    SQLite the write lock, on PostgreSQL the row lock, orders them). A rollback puts the row back."""
    claimed = db.session.execute(
        delete(ImportUpload).where(ImportUpload.id == upload.id).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise AlreadyImported(upload.id)


def import_upload(upload: ImportUpload, coordinated_ids: frozenset[int] | None, user=None,
                  changeable=None) -> tuple[ImportPlan, dict | None]:
    """Claim the upload, plan it again (the registry may have changed since the preview) and, when
    no row is rejected, import it. Returns the plan and the counts (None if refused: the caller
    rolls back, and the upload is kept). Raises AlreadyImported when another request claimed it."""
    content, filename, network = upload.content, upload.filename, upload.network
    claim_upload(upload)
    plan = plan_import(parse_file(content, filename), network=network, coordinated_ids=coordinated_ids,
                       changeable=changeable)
    if not plan.ok:
        return plan, None
    counts = apply_import(plan)
    log.info("user %s imported %s: %s", getattr(user, "email", None), filename, counts)
    db.session.flush()
    return plan, counts


# ---------------------------------------------------------------- export

def export_rows(visible_clause, network_ids: frozenset[int] | None, network: Network | None = None) -> list[list[str]]:
    """Every person the user may see, one row each, in the import's columns: an exported file
    imports again unchanged. Nettverk lists the slugs of the visible networks the person is a
    current member of (for someone who has left: the networks they were in)."""
    from netapp.blueprints.registry.queries import person_select

    query = person_select().where(visible_clause, Person.status != PersonStatus.ERASED)
    if network is not None:
        query = query.where(Person.id.in_(select(Membership.person_id).where(Membership.network_id == network.id)))
    persons = list(db.session.scalars(query.order_by(Person.last_name, Person.first_name, Person.id)).unique())

    membership_query = select(Membership.person_id, Network.slug, Membership.end_date).join(Network).order_by(Network.slug)
    if network_ids is not None:
        membership_query = membership_query.where(Membership.network_id.in_(network_ids))
    current: dict[int, list[str]] = defaultdict(list)
    past: dict[int, list[str]] = defaultdict(list)
    for person_id, slug, end_date in db.session.execute(membership_query):
        target = current if end_date is None else past
        if slug not in target[person_id]:
            target[person_id].append(slug)

    sectors = sector_names_nb()
    rows = []
    for p in persons:
        workplace = p.workplace
        slugs = current.get(p.id, [])
        if p.status == PersonStatus.LEFT and not slugs:
            slugs = past.get(p.id, [])
        values = [
            p.first_name, p.last_name, p.email or "", p.phone or "", p.profession or "",
            workplace.name if workplace else "", workplace.organisation.name if workplace else "",
            sectors[workplace.sector] if workplace and workplace.sector else "",
            (p.manager.email or "") if p.manager else "",
            str(p.position_percent) if p.position_percent is not None else "",
            ", ".join(slugs), STATUS_EXPORT.get(p.status, ""),
        ]
        rows.append([escape_formula(v) for v in values])
    return rows


def to_csv(rows: list[list[str]], headers: list[str] = HEADERS) -> bytes:
    """Semicolon-separated UTF-8 with a BOM: how Excel in Norway opens it correctly."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def to_xlsx(rows: list[list[str]], headers: list[str] = HEADERS, title: str = "Personer") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    percent = headers.index("Stillingsprosent") if "Stillingsprosent" in headers else None
    for row in rows:
        # Values are strings (escaped, so never formulas); the position percentage is a number.
        cells = [value or None for value in row]
        if percent is not None and parse_int(row[percent]) is not None:
            cells[percent] = parse_int(row[percent])
        sheet.append(cells)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        width = max([len(header)] + [len(r[index - 1]) for r in rows[:500]]) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(width, 50)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_persons(fmt: str, visible_clause, network_ids: frozenset[int] | None,
                   network: Network | None = None) -> tuple[bytes, str, str, int]:
    """The export as (content, filename, mimetype, number of persons)."""
    rows = export_rows(visible_clause, network_ids, network)
    stem = f"register-{network.slug}" if network else "register"
    filename = f"{stem}-{today_oslo().isoformat()}.{fmt}"
    if fmt == "xlsx":
        return to_xlsx(rows), filename, XLSX_MIMETYPE, len(rows)
    return to_csv(rows), filename, CSV_MIMETYPE, len(rows)


def template_file(fmt: str) -> tuple[bytes, str, str]:
    """An empty file with the accepted headers, to fill in."""
    if fmt == "xlsx":
        return to_xlsx([]), "importmal.xlsx", XLSX_MIMETYPE
    return to_csv([]), "importmal.csv", CSV_MIMETYPE
