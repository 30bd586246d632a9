"""Joining a network: registration, the manager's confirmation, the coordinator's decision.

PLACEHOLDER: the endpoints below exist so the navigation links resolve; the flow is being built.
"""

from flask import Blueprint, abort

from netapp.permissions import require_coordinator

bp = Blueprint("joining", __name__)


@bp.route("/register", methods=["GET", "POST"])
def register():
    abort(404)


@bp.route("/registrations/")
@require_coordinator
def list_registrations():
    abort(404)


@bp.route("/networks/<slug>/invite", methods=["GET", "POST"])
@require_coordinator
def invite(slug: str):
    abort(404)
