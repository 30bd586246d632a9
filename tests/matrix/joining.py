"""Matrix rows for joining: registration, invitations, the manager's confirmation, coordinators."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from netapp.blueprints.auth.services import hash_token
from netapp.blueprints.joining.models import Invitation
from netapp.blueprints.registry.models import Network
from netapp.extensions import db
from netapp.timeutil import utcnow
from tests.matrix import COORDINATORS, Route, everyone, login_required

R = Route

ONLY_OWN_NETWORK = {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403}


def extend_context(ctx: dict) -> None:
    network = db.session.scalar(select(Network).where(Network.slug == ctx["network"]))
    token = secrets.token_urlsafe(32)
    db.session.add(Invitation(network=network, email="invitert@test.example", token_hash=hash_token(token),
                              expires_at=utcnow() + timedelta(days=30)))
    db.session.flush()
    ctx["invitation_token"] = token


ROUTES = [
    # the public form
    R("joining.register", "GET", lambda c: "/register", everyone(200)),
    R("joining.register", "GET", lambda c: f"/register?network={c['other_network']}", everyone(200),
      note="a chosen network"),
    R("joining.register", "GET", lambda c: "/register?network=finnes-ikke", everyone(404), note="unknown network"),
    R("joining.register", "POST", lambda c: "/register", everyone(200), data=lambda c: {"first_name": "Kari"},
      note="incomplete form is shown again"),
    R("joining.registration_received", "GET", lambda c: "/register/thanks", everyone(200)),
    # invitations
    R("joining.accept_invitation", "GET", lambda c: f"/invitation/{c['invitation_token']}", everyone(200)),
    R("joining.accept_invitation", "GET", lambda c: "/invitation/ugyldig", everyone(410), note="unknown token"),
    R("joining.accept_invitation", "POST", lambda c: f"/invitation/{c['invitation_token']}", everyone(200),
      data=lambda c: {"first_name": ""}, note="incomplete form keeps the invitation unused"),
    R("joining.invite", "GET", lambda c: f"/networks/{c['network']}/invite", ONLY_OWN_NETWORK),
    R("joining.invite", "GET", lambda c: "/networks/finnes-ikke/invite", login_required(404, allowed=COORDINATORS)),
    R("joining.invite", "POST", lambda c: f"/networks/{c['network']}/invite", ONLY_OWN_NETWORK,
      data=lambda c: {"emails": "ikke en adresse"}),
    R("joining.invite", "POST", lambda c: f"/networks/{c['network']}/invite",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403},
      data=lambda c: {"emails": "ny.ressurs@test.example"}, fresh=True),
    # the manager's confirmation: no account needed
    R("joining.confirm_manager", "GET", lambda c: f"/register/confirm/{c['manager_token']}", everyone(200)),
    R("joining.confirm_manager", "GET", lambda c: "/register/confirm/ugyldig", everyone(410), note="unknown token"),
    R("joining.confirm_manager", "POST", lambda c: f"/register/confirm/{c['manager_token']}", everyone(200),
      data=lambda c: {"action": "decline", "reason": "x" * 1001}, note="too long a reason is shown again"),
    R("joining.confirm_manager", "POST", lambda c: f"/register/confirm/{c['manager_token']}", everyone(302),
      data=lambda c: {"action": "confirm"}, fresh=True),
    R("joining.confirm_manager", "POST", lambda c: "/register/confirm/ugyldig", everyone(410),
      data=lambda c: {"action": "confirm"}, note="unknown token"),
    R("joining.manager_done", "GET", lambda c: "/register/confirmed", everyone(200)),
    # coordinators
    R("joining.list_registrations", "GET", lambda c: "/registrations/", login_required(200, allowed=COORDINATORS)),
    R("joining.list_registrations", "GET", lambda c: "/registrations/?status=all&page=2",
      login_required(200, allowed=COORDINATORS)),
    R("joining.list_registrations", "GET", lambda c: f"/registrations/?network={c['network']}", ONLY_OWN_NETWORK,
      note="another network's registrations"),
    R("joining.view_registration", "GET", lambda c: f"/registrations/{c['registration']}", ONLY_OWN_NETWORK),
    R("joining.view_registration", "GET", lambda c: "/registrations/999999", login_required(404, allowed=COORDINATORS)),
    R("joining.approve_registration", "POST", lambda c: f"/registrations/{c['registration']}/approve",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403}, fresh=True),
    R("joining.approve_registration", "POST", lambda c: f"/registrations/{c['registration_awaiting_manager']}/approve",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403},
      note="not confirmed by the manager yet: refused with a flash"),
    R("joining.reject_registration", "GET", lambda c: f"/registrations/{c['registration']}/reject", ONLY_OWN_NETWORK),
    R("joining.reject_registration", "POST", lambda c: f"/registrations/{c['registration']}/reject", ONLY_OWN_NETWORK,
      data=lambda c: {"reason": ""}, note="a reason is required"),
    R("joining.reject_registration", "POST", lambda c: f"/registrations/{c['registration']}/reject",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403},
      data=lambda c: {"reason": "Arbeidsstedet er ikke i nettverkets region."}, fresh=True),
]
