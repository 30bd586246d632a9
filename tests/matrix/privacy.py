"""Matrix rows for privacy: my data, withdrawn consent, erasure and the retention list."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from netapp.blueprints.registry import services
from netapp.blueprints.registry.models import MembershipRole, Network
from netapp.extensions import db
from tests import factories
from tests.matrix import COORDINATORS, Route, login_required

R = Route

ONLY_OWN_NETWORK = {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403}
ADMIN_ONLY = {**login_required(200, allowed=COORDINATORS), "coordinator": 403, "other_coordinator": 403}


def extend_context(ctx: dict) -> None:
    """left_person left the regional network (only), left_shared_person both networks, long
    enough ago to be due for erasure."""
    regional = db.session.scalar(select(Network).where(Network.slug == ctx["network"]))
    person = factories.make_person(regional, first_name="Sluttet", last_name="Forlengst",
                                   email="sluttet.forlengst@test.example")
    services.deactivate_person(person, date(2020, 6, 30))
    ctx["left_person"] = person.id
    group = db.session.scalar(select(Network).where(Network.slug == ctx["other_network"]))
    shared = factories.make_person(regional, first_name="Sluttet", last_name="Begge", email="sluttet.begge@test.example")
    services.add_membership(shared, group, MembershipRole.RESOURCE_PERSON)
    services.deactivate_person(shared, date(2020, 6, 30))
    ctx["left_shared_person"] = shared.id


ROUTES = [
    R("privacy.download_my_data", "GET", lambda c: "/me/data.json", login_required(200)),
    R("privacy.download_my_data", "GET", lambda c: "/me/data.csv", login_required(200)),
    R("privacy.withdraw_consent", "POST", lambda c: "/me/withdraw-consent", login_required(302), fresh=True),
    R("privacy.erase_person", "GET", lambda c: f"/privacy/persons/{c['left_person']}/erase", ONLY_OWN_NETWORK),
    R("privacy.erase_person", "GET", lambda c: "/privacy/persons/999999/erase",
      login_required(404, allowed=COORDINATORS), note="unknown person"),
    R("privacy.erase_person", "POST", lambda c: f"/privacy/persons/{c['left_person']}/erase",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403}, fresh=True),
    # object scope: a person also in another network, and a manager with an account in no network
    R("privacy.erase_person", "GET", lambda c: f"/privacy/persons/{c['left_shared_person']}/erase", ONLY_OWN_NETWORK,
      note="left both networks"),
    R("privacy.erase_person", "POST", lambda c: f"/privacy/persons/{c['left_shared_person']}/erase",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403}, fresh=True),
    R("privacy.erase_person", "GET", lambda c: f"/privacy/persons/{c['no_membership_person']}/erase", ADMIN_ONLY,
      note="a manager with an account, in no network"),
    R("privacy.erase_person", "POST", lambda c: f"/privacy/persons/{c['no_membership_person']}/erase",
      {**ADMIN_ONLY, "admin": 302}, fresh=True),
    R("privacy.retention", "GET", lambda c: "/privacy/retention", login_required(200, allowed=COORDINATORS)),
    R("privacy.retention", "GET", lambda c: "/privacy/retention?list=upcoming&page=2",
      login_required(200, allowed=COORDINATORS), note="the coming list, past its last page"),
    R("privacy.erase_due", "GET", lambda c: "/privacy/retention/erase-due", login_required(200, allowed=COORDINATORS)),
    R("privacy.erase_due", "POST", lambda c: "/privacy/retention/erase-due",
      login_required(302, allowed=COORDINATORS), fresh=True),
]
