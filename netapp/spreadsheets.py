"""Spreadsheet files: CSV and XLSX written the way Excel in Norway opens them, and never with a
cell that a spreadsheet would run as a formula.

Every cell (headers included) goes through escape_formula on the way out; the registry's import
reads its own exports back with unescape_formula, so a round trip leaves the values as they were.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Sequence

from netapp.validators import parse_int

# A mimetype, not a Content-Type: Werkzeug adds "; charset=utf-8" to a text/* mimetype itself (the
# files are UTF-8), so naming it here too sent the charset twice.
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters that make a spreadsheet read a cell as a formula (OWASP: CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: str) -> str:
    """A leading ' keeps a spreadsheet from running the value as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def unescape_formula(value: str) -> str:
    """The value escape_formula was given (for a file read back in)."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def to_csv(rows: Iterable[Sequence[str]], headers: Sequence[str]) -> bytes:
    """Semicolon-separated UTF-8 with a BOM: how Excel in Norway opens it correctly."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([escape_formula(cell) for cell in headers])
    writer.writerows([escape_formula(cell) for cell in row] for row in rows)
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def to_xlsx(rows: Sequence[Sequence[str]], headers: Sequence[str], *, title: str,
            numbers: Iterable[str] = ()) -> bytes:
    """One sheet named `title`: bold headers frozen at the top, columns as wide as their text (at
    most 50). Cells are strings (escaped, so never formulas); in the columns whose header is in
    `numbers`, a whole number is written as a number."""
    # Imported here: openpyxl is slow to load, and only an XLSX file needs it.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append([escape_formula(cell) for cell in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    numeric = [index for index, header in enumerate(headers) if header in set(numbers)]
    escaped = [[escape_formula(value) for value in row] for row in rows]
    for row in escaped:
        cells: list = [value or None for value in row]
        for index in numeric:
            if parse_int(row[index]) is not None:
                cells[index] = parse_int(row[index])
        sheet.append(cells)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        width = max([len(header)] + [len(r[index - 1]) for r in escaped[:500]]) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(width, 50)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
