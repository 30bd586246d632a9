"""Matrix rows for import and export of the registry."""

from sqlalchemy import select

from netapp.blueprints.auth.models import User
from netapp.blueprints.registry.import_uploads import store_upload
from netapp.blueprints.registry.models import Network
from netapp.extensions import db
from tests.matrix import COORDINATORS, Route, login_required

R = Route

CSV = b"Fornavn;Etternavn;E-post\nMatrise;Testesen;matrise.testesen@test.example\n"


def extend_context(ctx: dict) -> None:
    """Uploads waiting for confirmation: import_token, a new person, by koordinator@demo.example;
    no_member_token, by the same, renaming leder@demo.example (a manager with an account, in no
    network); other_network_token, by the Stavanger group's coordinator into their group, renaming
    ressurs@demo.example (a member of the regional network only)."""
    user = db.session.scalar(select(User).where(User.email == "koordinator@demo.example"))
    other = db.session.scalar(select(User).where(User.email == "annen.koordinator@test.example"))
    network = db.session.scalar(select(Network).where(Network.slug == ctx["network"]))
    group = db.session.scalar(select(Network).where(Network.slug == ctx["other_network"]))
    ctx["import_token"] = store_upload(CSV, "matrise.csv", network, user).token
    ctx["no_member_token"] = store_upload(RENAME % b"leder@demo.example", "leder.csv", network, user).token
    ctx["other_network_token"] = store_upload(RENAME % b"ressurs@demo.example", "ressurs.csv", group,
                                                       other).token


RENAME = b"Fornavn;Etternavn;E-post\nOmd\xc3\xb8pt;Av Import;%s\n"

# Only the coordinator who uploaded a file can see it; anyone else gets 404. A confirmation of
# someone else's upload is told there is nothing (left) to import, like a second click.
OWN_UPLOAD = {**login_required(200, allowed=COORDINATORS), "admin": 404, "other_coordinator": 404}
NOT_KEPT = {**login_required(302, allowed=COORDINATORS)}

ROUTES = [
    R("registry.import_persons", "GET", lambda c: "/registry/import", login_required(200, allowed=COORDINATORS)),
    R("registry.import_persons", "POST", lambda c: "/registry/import", login_required(200, allowed=COORDINATORS),
      data=lambda c: {}, note="no file: the form says what is missing"),
    R("registry.import_template", "GET", lambda c: "/registry/import/template?format=xlsx",
      login_required(200, allowed=COORDINATORS)),
    R("registry.preview_import", "GET", lambda c: f"/registry/import/{c['import_token']}", OWN_UPLOAD),
    R("registry.confirm_import", "POST", lambda c: f"/registry/import/{c['import_token']}", NOT_KEPT, fresh=True),
    # object scope: an import that would change a person the uploader may not change is refused
    R("registry.confirm_import", "POST", lambda c: f"/registry/import/{c['no_member_token']}",
      {**NOT_KEPT, "coordinator": 403}, note="renames a manager with an account, in no network"),
    R("registry.confirm_import", "POST", lambda c: f"/registry/import/{c['other_network_token']}",
      {**NOT_KEPT, "other_coordinator": 403}, note="renames a member of the regional network only"),
    R("registry.export_persons", "GET", lambda c: "/registry/export?format=csv", login_required(200, allowed=COORDINATORS)),
    R("registry.export_persons", "GET", lambda c: f"/registry/export?format=xlsx&network={c['network']}",
      {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403}, note="another network's export"),
]
