"""Import and export of persons: upload, preview (the dry run), confirm; export and a template."""

from __future__ import annotations

import logging

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from netapp.blueprints.registry import export, import_uploads, queries
from netapp.blueprints.registry.columns import sector_names_nb
from netapp.blueprints.registry.import_parse import ImportFileError
from netapp.blueprints.registry.import_plan import Action, ImportPlan
from netapp.blueprints.registry.models import Network
from netapp.blueprints.registry.views import bp
from netapp.extensions import db
from netapp.permissions import (
    can_coordinate,
    changeable_persons_clause,
    coordinated_network_ids,
    coordinated_persons_clause,
    get_network_or_404,
    require_coordinator,
)
from netapp.validators import choices, int_choice

log = logging.getLogger(__name__)

PREVIEW_LIMIT = 500  # rows listed per group on the preview page; the counts cover every row


class ImportForm(FlaskForm):
    file = FileField(_l("Fil"), validators=[FileRequired(_l("Velg en fil å importere."))],
                     description=_l("CSV (semikolon eller komma) eller Excel-arbeidsbok (.xlsx)."))
    network_id = SelectField(_l("Nettverk"), coerce=int_choice, validate_choice=False,
                             description=_l("Personene blir ressurspersoner i dette nettverket, med mindre raden "
                                            "selv har en verdi i kolonnen Nettverk."))


def _import_form(read_request: bool = True) -> ImportForm:
    form = ImportForm() if read_request else ImportForm(formdata=None)
    networks = queries.networks(coordinated_network_ids())
    form.network_id.choices = choices([(n.id, n.name) for n in networks])
    if form.network_id.data is None and networks:
        default = next((n for n in networks if n.is_default), networks[0])
        form.network_id.data = default.id
    return form


def _size_limit() -> str:
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):.3g} MB"
    return f"{max(limit // 1024, 1)} kB"


def _render_form(form: ImportForm, status: int = 200):
    return render_template(
        "registry/import.html", form=form, max_size=_size_limit(), max_rows=current_app.config["IMPORT_MAX_ROWS"],
        sectors=sector_names_nb().values(),
    ), status


@bp.route("/import", methods=["GET", "POST"])
@require_coordinator
def import_persons():
    form = _import_form()
    if form.validate_on_submit():
        chosen = form.network_id.data
        network = db.session.get(Network, chosen) if chosen and 0 < chosen < 2**31 else None
        if network is None or not can_coordinate(network):
            abort(403)
        upload = form.file.data
        content = upload.read()
        try:
            stored = import_uploads.accept_upload(content, upload.filename or "", network, current_user)
        except ImportFileError as exc:
            form.file.errors.append(str(exc))
        else:
            db.session.commit()
            return redirect(url_for("registry.preview_import", token=stored.token))
    return _render_form(form)


@bp.errorhandler(413)
def upload_too_large(error):
    """A file over MAX_CONTENT_LENGTH: say so on the import page, with the form to try again."""
    message = _("Filen er for stor. Største tillatte størrelse er %(size)s. Del filen opp, eller fjern "
                "kolonner som ikke skal importeres.", size=_size_limit())
    if request.endpoint != "registry.import_persons":
        return render_template("errors/error.html", code=413, title=_("Filen er for stor"), message=message), 413
    form = _import_form(read_request=False)  # reading the body again would raise again
    form.file.errors = [message]
    return _render_form(form, 413)


def _own_upload_or_404(token: str):
    upload = import_uploads.find_upload(token, current_user)
    if upload is None:
        abort(404)
    if upload.network is not None and not can_coordinate(upload.network):
        abort(403)
    return upload


def _preview(upload, plan: ImportPlan, status: int = 200):
    shown = {
        action: [r for r in plan.rows if r.action == action][:PREVIEW_LIMIT]
        for action in (Action.REJECT, Action.CREATE, Action.UPDATE)
    }
    return render_template(
        "registry/import_preview.html", upload=upload, plan=plan, counts=plan.counts, shown=shown,
        limit=PREVIEW_LIMIT, new_workplaces=plan.new_workplaces, sector_names=sector_names_nb(),
        total=len(plan.rows),
    ), status


@bp.route("/import/<token>")
@require_coordinator
def preview_import(token: str):
    upload = _own_upload_or_404(token)
    try:
        plan = import_uploads.plan_upload(upload, coordinated_network_ids(), changeable_persons_clause())
    except ImportFileError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("registry.import_persons"))
    return _preview(upload, plan)


@bp.route("/import/<token>", methods=["POST"])
@require_coordinator
def confirm_import(token: str):
    done = _("Importen er allerede gjennomført, eller filen er ikke lenger lagret. Se etter personene i registeret.")
    upload = import_uploads.find_upload(token, current_user)
    if upload is None:  # imported by an earlier click, expired, or never this user's
        flash(done, "info")
        return redirect(url_for("registry.list_persons"))
    if upload.network is not None and not can_coordinate(upload.network):
        abort(403)
    try:
        plan, counts = import_uploads.import_upload(upload, coordinated_network_ids(), current_user,
                                              changeable=changeable_persons_clause())
    except import_uploads.AlreadyImported:
        db.session.rollback()
        flash(done, "info")
        return redirect(url_for("registry.list_persons"))
    except ImportFileError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("registry.import_persons"))
    if counts is None:
        db.session.rollback()  # the upload stays, for the preview
        if plan.out_of_scope:  # rows the user may not change: refused, with the reasons
            return _preview(upload, plan, 403)
        # the registry changed since the preview, and a row no longer fits
        flash(_("Filen har avviste rader, og ingenting er importert. Rett radene og last opp filen på nytt."), "danger")
        return redirect(url_for("registry.preview_import", token=token))
    db.session.commit()
    flash(_("Importen er fullført: %(created)s, %(updated)s, %(unchanged)s.",
            created=ngettext("%(num)d ny", "%(num)d nye", counts["created"]),
            updated=ngettext("%(num)d oppdatert", "%(num)d oppdatert", counts["updated"]),
            unchanged=ngettext("%(num)d uendret", "%(num)d uendret", counts["unchanged"])), "success")
    if counts["workplaces_without_sector"]:
        flash(ngettext("%(num)d nytt arbeidssted mangler sektor. Fullfør det under Arbeidssteder.",
                       "%(num)d nye arbeidssteder mangler sektor. Fullfør dem under Arbeidssteder.",
                       counts["workplaces_without_sector"]), "warning")
    return redirect(url_for("registry.list_persons"))


def _format_arg() -> str:
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        abort(400)
    return fmt


def _download(content: bytes, filename: str, mimetype: str) -> Response:
    return Response(content, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })


@bp.route("/export")
@require_coordinator
def export_persons():
    fmt = _format_arg()
    slug = request.args.get("network", "")
    network = get_network_or_404(slug, coordinate=True) if slug else None
    content, filename, mimetype, count = export.export_persons(
        fmt, coordinated_persons_clause(), coordinated_network_ids(), network)
    log.info("user %s exported %d persons (%s)", current_user.email, count, filename)
    return _download(content, filename, mimetype)


@bp.route("/import/template")
@require_coordinator
def import_template():
    content, filename, mimetype = export.template_file(_format_arg())
    return _download(content, filename, mimetype)

