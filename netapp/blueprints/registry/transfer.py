"""Moved: the import and export now live in modules named for what they do (columns, import_parse,
import_plan, import_apply, import_uploads, export) and the spreadsheet writing in
netapp.spreadsheets. These names stay here only until the last callers import from there."""

from netapp.blueprints.registry.columns import sector_names_nb  # noqa: F401
from netapp.blueprints.registry.export import export_persons, template_file  # noqa: F401
from netapp.blueprints.registry.import_parse import ImportFileError  # noqa: F401
from netapp.blueprints.registry.import_plan import Action, ImportPlan  # noqa: F401
from netapp.blueprints.registry.import_uploads import (  # noqa: F401
    AlreadyImported,
    accept_upload,
    find_upload,
    import_upload,
    plan_upload,
)
from netapp.spreadsheets import CSV_MIMETYPE, escape_formula, to_csv  # noqa: F401
