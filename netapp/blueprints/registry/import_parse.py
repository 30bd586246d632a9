"""Reading an import file: CSV (UTF-8 or Windows-1252, comma or semicolon) or XLSX into rows keyed
by field, or a message that says why the file cannot be read. The first step of the import; see
import_plan for the dry run and import_apply for the writes."""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from netapp.blueprints.registry.columns import COLUMNS, REQUIRED, field_labels, match_key
from netapp.spreadsheets import unescape_formula

MAX_COLUMNS = 60
MAX_BLANK_RUN = 1000


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; the message says why, for the user."""



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
            raise ImportFileError(ngettext("Filen har mer enn %(num)d rad. Del den opp i flere filer.",
                                           "Filen har mer enn %(num)d rader. Del den opp i flere filer.", max_rows))
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
    # Imported here: openpyxl is slow to load, and only an XLSX file needs it.
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
                  if set(REQUIRED) <= {aliases.get(match_key(c)) for c in cells}), 0)
    table = table[start:]
    header = table[0][1]
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        if not title:
            continue
        key = aliases.get(match_key(title))
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

