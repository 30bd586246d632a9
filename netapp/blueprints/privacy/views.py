"""Privacy pages: download my data, withdraw consent, erase a person, the retention list."""

import logging

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from netapp.blueprints.privacy import download, queries, services
from netapp.blueprints.registry.models import PersonStatus
from netapp.extensions import db
from netapp.pagination import paginate
from netapp.permissions import (
    changeable_persons_clause,
    get_person_or_404,
    require_coordinator,
    require_login,
)

log = logging.getLogger(__name__)

bp = Blueprint("privacy", __name__)

@bp.route("/me/data.<any(json, csv):fmt>")
@require_login
def download_my_data(fmt: str):
    data = download.personal_data(current_user)
    content = download.to_json(data) if fmt == "json" else download.to_csv(data)
    log.info("user %s downloaded their own data (%s)", current_user.id, fmt)
    return Response(content, mimetype=download.MIMETYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{download.export_filename(fmt)}"',
        "Cache-Control": "no-store",
    })


@bp.route("/me/withdraw-consent", methods=["POST"])
@require_login
def withdraw_consent():
    person = current_user.person
    if person is not None and services.withdraw_consent(person):
        db.session.commit()
        flash(_("Samtykket er trukket. Du vises ikke lenger på nettverkets offentlige side."), "success")
    else:
        flash(_("Du står ikke oppført på noen offentlig side."), "info")
    return redirect(url_for("auth.profile"))


@bp.route("/privacy/persons/<int:person_id>/erase", methods=["GET", "POST"])
@require_coordinator
def erase_person(person_id: int):
    person = get_person_or_404(person_id, edit=True)
    erased = person.status == PersonStatus.ERASED
    own = person.id == current_user.person_id
    if request.method == "POST":
        if erased:
            flash(_("Personopplysningene er allerede slettet."), "info")
        elif own:
            flash(_("Du kan ikke slette dine egne personopplysninger her. Be en annen koordinator om det."), "danger")
            return redirect(url_for("registry.view_person", person_id=person.id))
        else:
            services.erase_person(person)
            db.session.commit()
            log.info("user %s erased person %s", current_user.id, person.id)
            flash(_("Personopplysningene er slettet. Anonyme tall i rapportene er beholdt."), "success")
        return redirect(url_for("registry.list_persons"))
    return render_template("privacy/erase.html", person=person, erased=erased, own=own,
                           active=person.status == PersonStatus.ACTIVE)


@bp.route("/privacy/retention")
@require_coordinator
def retention():
    window = services.retention_window()
    clause = changeable_persons_clause()  # the persons this user may erase; the nightly job takes the rest
    due = queries.due_for_erasure(clause, window.cutoff)
    soon = queries.due_soon(clause, window.cutoff, window.upcoming_until)
    showing = "upcoming" if request.args.get("list") == "upcoming" else "due"
    page = paginate(soon if showing == "upcoming" else due, per_page=current_app.config["PAGE_SIZE"])
    rows = [{"person": p, "due_on": window.due_on(p.left_on)} for p in page.items]
    due_count = page.total if showing == "due" else queries.count(due)
    soon_count = page.total if showing == "upcoming" else queries.count(soon)
    return render_template(
        "privacy/retention.html", window=window, page=page, rows=rows, showing=showing,
        due_count=due_count, soon_count=soon_count, args={"list": showing},
        upcoming_months=services.UPCOMING_MONTHS,
    )


@bp.route("/privacy/retention/erase-due", methods=["GET", "POST"])
@require_coordinator
def erase_due():
    window = services.retention_window()
    clause = changeable_persons_clause()  # the persons this user may erase; the nightly job takes the rest
    if request.method == "POST":
        erased = services.erase_due(clause, window)
        db.session.commit()
        log.info("user %s erased %d person(s) whose retention period had ended", current_user.id, erased)
        if erased:
            flash(ngettext("Personopplysningene til %(num)d person er slettet.",
                           "Personopplysningene til %(num)d personer er slettet.", erased), "success")
        else:
            flash(_("Ingen personer hadde passert slettefristen."), "info")
        return redirect(url_for("privacy.retention"))
    return render_template("privacy/erase_due.html", window=window,
                           due_count=queries.count(queries.due_for_erasure(clause, window.cutoff)))
