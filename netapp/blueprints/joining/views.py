"""Joining a network: registration, invitations, the manager's confirmation, the coordinator's decision."""

import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from netapp.blueprints.joining import queries, services
from netapp.blueprints.joining.forms import InviteForm, ManagerDecisionForm, RegistrationForm, RejectForm
from netapp.blueprints.joining.models import Invitation, RegistrationStatus, status_labels
from netapp.blueprints.registry import queries as registry_queries
from netapp.blueprints.registry.forms import sector_choices
from netapp.blueprints.registry.models import Network, Organisation, Sector, Workplace, sector_labels
from netapp.extensions import db
from netapp.pagination import filter_args, paginate
from netapp.permissions import (
    can_edit_person,
    coordinated_network_ids,
    get_network_or_404,
    get_registration_or_404,
    require_coordinator,
)
from netapp.validators import choices

bp = Blueprint("joining", __name__)

STATUS_FILTERS = ("pending", "awaiting_manager", "awaiting_coordinator", "approved", "rejected", "all")


def _status_filters() -> dict[str, str]:
    """The list's status filter: every status, all pending (the default) and all."""
    return {"pending": _("Venter (alle)"), **{s.value: label for s, label in status_labels().items()}, "all": _("Alle")}


SLUG = re.compile(r"[a-z0-9-]{1,80}")


def _network_or_404(slug: str, *, coordinate: bool = False) -> Network:
    # Anything that cannot be a slug is answered before it reaches the database.
    if not SLUG.fullmatch(slug):
        abort(404)
    return get_network_or_404(slug, coordinate=coordinate)


# ---------------------------------------------------------------- the public registration form

def _registration_form(network: Network | None, *, fixed_network: bool, **defaults) -> RegistrationForm:
    form = RegistrationForm(**defaults)
    networks = [] if fixed_network else registry_queries.networks()
    if len(networks) > 1:
        form.network_id.choices = choices([(n.id, n.name) for n in networks])
        if request.method == "GET" and network is not None:
            form.network_id.data = network.id
    else:
        del form.network_id
    groups = [(w.id, w.name, w.organisation.name) for w in registry_queries.workplaces()]
    form.workplace_id.choices = [SelectChoice(0, _("Velg arbeidssted"))] + [
        SelectChoice(wid, name, optgroup=org) for wid, name, org in groups
    ]
    form.new_workplace_organisation_id.choices = choices(
        [(0, _("Velg kommune eller organisasjon"))] + [(o.id, o.name) for o in registry_queries.organisations(form.new_workplace_organisation_id.data)]
    )
    form.new_workplace_sector.choices = sector_choices(blank=_("Velg sektor"))
    return form


def _registration_data(form: RegistrationForm) -> services.RegistrationData:
    new_name = (form.new_workplace_name.data or "").strip()
    return services.RegistrationData(
        first_name=form.first_name.data, last_name=form.last_name.data, email=form.email.data,
        phone=form.phone.data or "", profession=form.profession.data or "",
        workplace=db.session.get(Workplace, form.workplace_id.data) if form.workplace_id.data else None,
        new_workplace_name=new_name,
        new_workplace_organisation=db.session.get(Organisation, form.new_workplace_organisation_id.data) if new_name else None,
        new_workplace_sector=Sector(form.new_workplace_sector.data) if new_name else None,
        manager_name=form.manager_name.data, manager_email=form.manager_email.data,
        position_percent=form.position_percent.data, public_consent=form.public_consent.data,
    )


def _handle_registration(form: RegistrationForm, network: Network, invitation: Invitation | None = None):
    """Validate and store; returns a redirect on success, None when the form must be shown again."""
    if not form.validate_on_submit():
        return None
    if "network_id" in form:
        network = db.session.get(Network, form.network_id.data)
        if network is None:
            form.network_id.errors.append(_("Velg nettverk."))
            return None
    if form.workplace_id.data and db.session.get(Workplace, form.workplace_id.data) is None:
        form.workplace_id.errors.append(_("Velg arbeidsstedet ditt."))
        return None
    problem = services.registration_problem(network, form.email.data)
    if problem:
        form.email.errors.append(problem)
        return None
    try:
        services.submit_registration(_registration_data(form), network, invitation)
    except services.InvitationUsed:
        db.session.rollback()
        return render_template("joining/token_invalid.html", kind="invitation"), 410
    db.session.commit()
    flash(_("Takk! Søknaden er sendt."), "success")
    return redirect(url_for("joining.registration_received"))


def _render_registration(form: RegistrationForm, network: Network, invitation: Invitation | None = None):
    return render_template(
        "joining/register.html", form=form, network=network, invitation=invitation,
    )


@bp.route("/register", methods=["GET", "POST"])
def register():
    slug = request.args.get("network", "")
    network = _network_or_404(slug) if slug else registry_queries.default_network()
    if network is None:
        abort(404)
    form = _registration_form(network, fixed_network=bool(slug))
    return _handle_registration(form, network) or _render_registration(form, network)


@bp.route("/register/thanks")
def registration_received():
    return render_template("joining/received.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    invitation = queries.valid_invitation(token)
    if invitation is None:
        return render_template("joining/token_invalid.html", kind="invitation"), 410
    defaults = {"email": invitation.email} if request.method == "GET" else {}
    form = _registration_form(invitation.network, fixed_network=True, **defaults)
    return (_handle_registration(form, invitation.network, invitation)
            or _render_registration(form, invitation.network, invitation))


# ---------------------------------------------------------------- the manager's confirmation

@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
def confirm_manager(token: str):
    registration = queries.registration_for_manager_token(token)
    if not services.manager_can_decide(registration):
        return render_template("joining/token_invalid.html", kind="manager", registration=registration), 410
    form = ManagerDecisionForm()
    if form.validate_on_submit():
        action = request.form.get("action")
        if action == "confirm":
            done = services.confirm_by_manager(token)
            message = _("Takk! Du har bekreftet søknaden. Koordinatorene behandler den nå.")
        elif action == "decline":
            done = services.decline_by_manager(token, form.reason.data or "")
            message = _("Takk! Søknaden er stoppet, og %(name)s får beskjed.", name=registration.full_name)
        else:
            abort(400)
        if done is None:
            db.session.rollback()
            return render_template("joining/token_invalid.html", kind="manager", registration=registration), 410
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("joining.manager_done"))
    return render_template(
        "joining/confirm_manager.html", registration=registration, form=form,
        workplace=services.workplace_label(registration),
    )


@bp.route("/register/confirmed")
def manager_done():
    return render_template("joining/manager_done.html")


# ---------------------------------------------------------------- coordinators

@bp.route("/registrations/")
@require_coordinator
def list_registrations():
    slug = request.args.get("network", "")
    network = _network_or_404(slug, coordinate=True) if slug else None
    status = request.args.get("status", "pending")
    if status not in STATUS_FILTERS:
        status = "pending"
    query = queries.registrations_select(
        coordinated_network_ids(), status=status, network_id=network.id if network else None
    )
    page = paginate(query, per_page=current_app.config["PAGE_SIZE"])
    args = filter_args()
    networks = registry_queries.networks(coordinated_network_ids())
    return render_template(
        "joining/list.html", page=page, args=args, network=network, status=status, networks=networks,
        network_options=[(n.slug, n.name) for n in networks], statuses=_status_filters(),
        filtered=bool(network or status != "pending"),
    )


@bp.route("/registrations/<int:registration_id>")
@require_coordinator
def view_registration(registration_id: int):
    registration = get_registration_or_404(registration_id)
    existing = queries.existing_person(registration)
    return render_template(
        "joining/view.html", registration=registration, statuses=status_labels(),
        workplace=services.workplace_label(registration), workplace_is_new=services.workplace_is_new(registration),
        existing=existing, may_approve=_may_approve(existing),
        sector_names=sector_labels(),
    )


def _may_approve(existing) -> bool:
    """Approving updates the registry's person with the registration's address: only someone who
    may change that person approves (the registrant's address is not proven to be theirs)."""
    return existing is None or can_edit_person(existing)


@bp.route("/registrations/<int:registration_id>/approve", methods=["POST"])
@require_coordinator
def approve_registration(registration_id: int):
    registration = get_registration_or_404(registration_id)
    if registration.status != RegistrationStatus.AWAITING_COORDINATOR:
        flash(_("Denne søknaden kan ikke godkjennes nå."), "warning")
        return redirect(url_for("joining.view_registration", registration_id=registration.id))
    if not _may_approve(queries.existing_person(registration)):
        flash(_("E-postadressen tilhører en person i registeret som du ikke kan endre. En administrator må "
                "godkjenne søknaden."), "danger")
        return redirect(url_for("joining.view_registration", registration_id=registration.id))
    try:
        person = services.approve_registration(registration, current_user)
    except services.AlreadyDecided:
        db.session.rollback()
        flash(_("Søknaden er allerede behandlet."), "warning")
        return redirect(url_for("joining.view_registration", registration_id=registration_id))
    db.session.commit()
    flash(_("%(name)s er godkjent og er nå ressursperson i nettverket.", name=person.full_name), "success")
    return redirect(url_for("joining.view_registration", registration_id=registration_id))


@bp.route("/registrations/<int:registration_id>/reject", methods=["GET", "POST"])
@require_coordinator
def reject_registration(registration_id: int):
    registration = get_registration_or_404(registration_id)
    if registration.status not in services.PENDING:
        flash(_("Søknaden er allerede behandlet."), "warning")
        return redirect(url_for("joining.view_registration", registration_id=registration.id))
    form = RejectForm()
    if form.validate_on_submit():
        try:
            services.reject_registration(registration, current_user, form.reason.data)
        except services.AlreadyDecided:
            db.session.rollback()
            flash(_("Søknaden er allerede behandlet."), "warning")
            return redirect(url_for("joining.view_registration", registration_id=registration_id))
        db.session.commit()
        flash(_("Søknaden er avvist, og %(name)s har fått beskjed.", name=registration.full_name), "success")
        return redirect(url_for("joining.list_registrations"))
    return render_template("joining/reject.html", registration=registration, form=form)


@bp.route("/networks/<slug>/invite", methods=["GET", "POST"])
@require_coordinator
def invite(slug: str):
    network = _network_or_404(slug, coordinate=True)
    form = InviteForm()
    if form.validate_on_submit():
        invited, skipped = services.create_invitations(network, form.addresses, form.message.data or "", current_user)
        db.session.commit()
        if invited:
            flash(ngettext("Invitasjonen er sendt til %(num)d adresse.", "Invitasjonen er sendt til %(num)d adresser.",
                           len(invited)), "success")
        if skipped:
            flash(_("Disse er allerede medlemmer eller har en søknad som venter, og fikk ingen invitasjon: %(list)s",
                    list=", ".join(skipped)), "info")
        return redirect(url_for("joining.invite", slug=network.slug))
    return render_template("joining/invite.html", network=network, form=form)
