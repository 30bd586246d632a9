"""Matrix rows for privacy: my data, withdrawn consent, erasure and the retention list."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from netapp.blueprints.registry import services
from netapp.blueprints.registry.models import Network
from netapp.extensions import db
from tests import factories
from tests.matrix import COORDINATORS, Route, login_required

R = Route

ONLY_OWN_NETWORK = {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403}


def extend_context(ctx: dict) -> None:
    """A person who left the regional network (only), long enough ago to be due for erasure."""
    regional = db.session.scalar(select(Network).where(Network.slug == ctx["network"]))
    person = factories.make_person(regional, first_name="Sluttet", last_name="Forlengst",
                                   email="sluttet.forlengst@test.example")
    services.deactivate_person(person, date(2020, 6, 30))
    ctx["left_person"] = person.id


ROUTES = [
    R("privacy.download_my_data", "GET", lambda c: "/me/data.json", login_required(200)),
    R("privacy.download_my_data", "GET", lambda c: "/me/data.csv", login_required(200)),
    R("privacy.withdraw_consent", "POST", lambda c: "/me/withdraw-consent", login_required(302), fresh=True),
    R("privacy.erase_person", "GET", lambda c: f"/privacy/persons/{c['left_person']}/erase", ONLY_OWN_NETWORK),
    R("privacy.erase_person", "GET", lambda c: "/privacy/persons/999999/erase",
      login_required(404, allowed=COORDINATORS), note="unknown person"),
    R("privacy.erase_person", "POST", lambda c: f"/privacy/persons/{c['left_person']}/erase",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403}, fresh=True),
    R("privacy.retention", "GET", lambda c: "/privacy/retention", login_required(200, allowed=COORDINATORS)),
    R("privacy.retention", "GET", lambda c: "/privacy/retention?list=upcoming&page=2",
      login_required(200, allowed=COORDINATORS), note="the coming list, past its last page"),
    R("privacy.erase_due", "GET", lambda c: "/privacy/retention/erase-due", login_required(200, allowed=COORDINATORS)),
    R("privacy.erase_due", "POST", lambda c: "/privacy/retention/erase-due",
      login_required(302, allowed=COORDINATORS), fresh=True),
]
