"""Moved: the import and export live in modules named for what they do (columns, import_parse,
import_plan, import_apply, import_uploads, export), the spreadsheet writing in netapp.spreadsheets.
These names stay here only until the participant and results exports import them from there."""

from netapp.spreadsheets import CSV_MIMETYPE, escape_formula, to_csv  # noqa: F401
