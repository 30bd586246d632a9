"""PLACEHOLDER: import and export routes on the registry blueprint (being built)."""

from flask import abort

from netapp.blueprints.registry.views import bp
from netapp.permissions import require_coordinator


@bp.route("/import", methods=["GET", "POST"])
@require_coordinator
def import_persons():
    abort(404)


@bp.route("/export")
@require_coordinator
def export_persons():
    abort(404)
