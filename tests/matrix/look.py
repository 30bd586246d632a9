"""Matrix rows for a network's look: its coordinators (and admins) choose its logo and colour, a
coordinator of another network cannot; the logo and the colour's style sheet are for everyone
(public pages show them)."""

import hashlib

from sqlalchemy import select

from netapp.blueprints.registry.models import Network
from netapp.extensions import db
from tests.matrix import Route, everyone, login_required

R = Route

# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a20000000049454e44ae426082"
)

OWN_NETWORK = login_required(200, allowed=("coordinator", "admin"))
OWN_NETWORK_SAVED = login_required(302, allowed=("coordinator", "admin"))


def extend_context(ctx: dict) -> None:
    """logo_hash: the regional network's logo (a PNG put in place here)."""
    network = db.session.scalar(select(Network).where(Network.slug == ctx["network"]))
    network.logo, network.logo_type = PNG, "image/png"
    network.logo_hash = hashlib.sha256(PNG).hexdigest()[:16]
    ctx["logo_hash"] = network.logo_hash


ROUTES = [
    R("look.edit_network_look", "GET", lambda c: f"/networks/{c['network']}/look", OWN_NETWORK,
      note="a coordinator of another network gets 403"),
    R("look.edit_network_look", "GET", lambda c: f"/networks/{c['other_network']}/look",
      login_required(200, allowed=("coordinator", "admin", "other_coordinator"))),
    R("look.edit_network_look", "GET", lambda c: "/networks/finnes-ikke/look",
      login_required(404, allowed=("coordinator", "admin", "other_coordinator")), note="unknown network"),
    R("look.edit_network_look", "POST", lambda c: f"/networks/{c['network']}/look", OWN_NETWORK,
      data=lambda c: {"colour": "#777777"}, note="a colour no text reads on is refused beside the field"),
    R("look.edit_network_look", "POST", lambda c: f"/networks/{c['network']}/look", OWN_NETWORK_SAVED,
      fresh=True, data=lambda c: {"colour": "#1f5c99"},
      note="a coordinator of another network cannot change this one's look"),
    R("look.network_logo", "GET", lambda c: f"/networks/{c['network']}/logo/{c['logo_hash']}", everyone(200)),
    R("look.network_logo", "GET", lambda c: f"/networks/{c['network']}/logo/0000000000000000", everyone(404),
      note="an old logo's address"),
    R("look.colour_stylesheet", "GET", lambda c: "/look/1f5c99.css", everyone(200)),
    R("look.colour_stylesheet", "GET", lambda c: "/look/zzzzzz.css", everyone(404), note="not a colour"),
]
