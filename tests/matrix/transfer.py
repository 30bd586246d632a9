"""Matrix rows for import and export of the registry."""

from sqlalchemy import select

from netapp.blueprints.auth.models import User
from netapp.blueprints.registry import transfer
from netapp.blueprints.registry.models import Network
from netapp.extensions import db
from tests.matrix import COORDINATORS, Route, login_required

R = Route

CSV = b"Fornavn;Etternavn;E-post\nMatrise;Testesen;matrise.testesen@test.example\n"


def extend_context(ctx: dict) -> None:
    """An upload by koordinator@demo.example, waiting for confirmation."""
    user = db.session.scalar(select(User).where(User.email == "koordinator@demo.example"))
    network = db.session.scalar(select(Network).where(Network.slug == ctx["network"]))
    ctx["import_token"] = transfer.store_upload(CSV, "matrise.csv", network, user).token


# Only the coordinator who uploaded a file can see or confirm it; anyone else gets 404.
OWN_UPLOAD = {**login_required(200, allowed=COORDINATORS), "admin": 404, "other_coordinator": 404}

ROUTES = [
    R("registry.import_persons", "GET", lambda c: "/registry/import", login_required(200, allowed=COORDINATORS)),
    R("registry.import_persons", "POST", lambda c: "/registry/import", login_required(200, allowed=COORDINATORS),
      data=lambda c: {}, note="no file: the form says what is missing"),
    R("registry.import_template", "GET", lambda c: "/registry/import/template?format=xlsx",
      login_required(200, allowed=COORDINATORS)),
    R("registry.preview_import", "GET", lambda c: f"/registry/import/{c['import_token']}", OWN_UPLOAD),
    R("registry.confirm_import", "POST", lambda c: f"/registry/import/{c['import_token']}",
      {**OWN_UPLOAD, "coordinator": 302}, fresh=True),
    R("registry.export_persons", "GET", lambda c: "/registry/export?format=csv", login_required(200, allowed=COORDINATORS)),
    R("registry.export_persons", "GET", lambda c: f"/registry/export?format=xlsx&network={c['network']}",
      {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403}, note="another network's export"),
]
