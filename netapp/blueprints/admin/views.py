"""Administration pages: networks with their regions, organisations, workplaces and who
coordinates which network (admins); a network's description and contact address (its
coordinators)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from netapp import versioning
from netapp.blueprints.admin import queries, services
from netapp.blueprints.admin.forms import (
    CoordinatorForm,
    NetworkAboutForm,
    NetworkForm,
    NewWorkplaceForm,
    OrganisationForm,
    WorkplaceForm,
)
from netapp.blueprints.registry import network_services, organisations
from netapp.blueprints.registry.forms import sector_choices
from netapp.blueprints.registry.models import (
    Network,
    Organisation,
    OrganisationKind,
    Person,
    Workplace,
    organisation_kind_labels,
    sector_labels,
)
from netapp.blueprints.registry.services import normalize
from netapp.extensions import db
from netapp.pagination import filter_args, paginate
from netapp.permissions import get_network_by_id_or_404, leader_candidate, require_admin, require_coordinator
from netapp.validators import choices, int_arg, parse_int

bp = Blueprint("admin", __name__)


@bp.route("/")
@require_admin
def index():
    return render_template("admin/index.html", counts=queries.section_counts(), steps=queries.first_steps())


# ---------------------------------------------------------------- networks

@bp.route("/networks")
@require_admin
def list_networks():
    return render_template("admin/networks.html", networks=queries.network_list())


def _posted_region() -> tuple[set[int], set[str]]:
    """The municipalities ticked and the counties ticked as a whole (each adds its municipalities
    in force: the form works without JavaScript)."""
    ids = {number for number in (parse_int(v, 1) for v in request.form.getlist("region")) if number is not None}
    counties = {v.strip() for v in request.form.getlist("county") if v.strip().isascii() and v.strip().isdigit()}
    return ids, counties


def _region_from_form() -> set[int] | None:
    ids, counties = _posted_region()
    try:
        return ids | set(network_services.municipality_ids_for_counties(counties))
    except network_services.NetworkRefused:
        return None  # a county number no form offers: read as nothing ticked for it


def _options(municipalities) -> list[tuple[int, str]]:
    ended = _("ikke lenger i bruk")
    return [(m.id, f"{m.name} ({ended})" if m.valid_to else m.name) for m in municipalities]


def _region_context(selected: set[int], counties_ticked: set[str] = frozenset()) -> dict:
    """The region's checkboxes: per county its municipalities (id, label), which are ticked."""
    return {"region_groups": [(county, _options(municipalities))
                              for county, municipalities in queries.counties_with_municipalities(selected)],
            "region_loose": _options(queries.municipalities_without_county(selected)),
            "region_selected": selected, "counties_ticked": counties_ticked}


def _refused(form, error: network_services.NetworkRefused) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, str(error)]
    else:
        form.form_errors.append(str(error))


@bp.route("/networks/new", methods=["GET", "POST"])
@require_admin
def create_network():
    return _network_form(None)


@bp.route("/networks/<int:network_id>/edit", methods=["GET", "POST"])
@require_admin
def edit_network(network_id: int):
    return _network_form(get_network_by_id_or_404(network_id))


def _network_form(network: Network | None):
    """A new network (None) or a network's changes, with its region."""
    form = NetworkForm(obj=network)
    selected = queries.region_ids(network) if network is not None else set()
    if request.method == "POST":
        selected = _region_from_form() or _posted_region()[0]
    if form.validate_on_submit():
        fields = {"name": form.name.data, "slug": form.slug.data, "short_name": form.short_name.data or "",
                  "description": form.description.data or "", "contact_email": form.contact_email.data or None,
                  "region_ids": selected, "is_default": form.is_default.data}
        try:
            if network is None:
                saved = network_services.create_network(**fields)
                message = _("Nettverket %(name)s er opprettet.", name=saved.name)
            else:
                services.update_network(network, **fields)
                message = _("Nettverket %(name)s er lagret.", name=network.name)
        except network_services.NetworkRefused as error:
            db.session.rollback()
            _refused(form, error)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("admin.list_networks"))
    return render_template("admin/network_form.html", form=form, network=network,
                           **_region_context(selected, _posted_region()[1]))


@bp.route("/networks/<int:network_id>/about", methods=["GET", "POST"])
@require_coordinator
def edit_network_about(network_id: int):
    """The network's description and contact address, for its coordinators (and admins)."""
    network = get_network_by_id_or_404(network_id, coordinate=True)
    form = NetworkAboutForm(obj=network)
    if form.validate_on_submit():
        services.update_network_about(network, description=form.description.data or "",
                                      contact_email=form.contact_email.data)
        db.session.commit()
        flash(_("Om nettverket er lagret."), "success")
        return redirect(url_for("public.network_page", slug=network.slug))
    return render_template("admin/network_about.html", form=form, network=network)


# ---------------------------------------------------------------- coordinators

@bp.route("/networks/<int:network_id>/coordinators", methods=["GET", "POST"])
@require_admin
def coordinators(network_id: int):
    """The network's coordinators; search the registry, or give an address, to grant the role."""
    network = get_network_by_id_or_404(network_id)
    form = CoordinatorForm()
    q = (request.args.get("q") or "").strip()[:100]
    if form.validate_on_submit():
        person = services.coordinator_person(form.email.data, form.first_name.data, form.last_name.data)
        return _appoint(network, person)
    candidates = queries.coordinator_candidates(q, network) if q else []
    return render_template("admin/coordinators.html", network=network, form=form, q=q, candidates=candidates,
                           coordinators=queries.coordinators_of(network))


def _appoint(network, person: Person):
    try:
        appointed = services.appoint_coordinator(network, person, actor=current_user)
    except network_services.NetworkRefused as error:
        db.session.rollback()
        flash(str(error), "danger")
        return redirect(url_for("admin.coordinators", network_id=network.id))
    db.session.commit()
    names = {"name": person.full_name, "network": network.display_name}
    if appointed is services.Appointed.ALREADY:
        flash(_("%(name)s er allerede koordinator for %(network)s.", **names), "info")
    elif appointed is services.Appointed.WITH_ACCOUNT:
        flash(_("%(name)s er koordinator for %(network)s og får en e-post med lenke for å velge passord.", **names),
              "success")
    else:
        flash(_("%(name)s er koordinator for %(network)s og har fått beskjed på e-post.", **names), "success")
    return redirect(url_for("admin.coordinators", network_id=network.id))


@bp.route("/networks/<int:network_id>/coordinators/<int:person_id>", methods=["POST"])
@require_admin
def grant_coordinator(network_id: int, person_id: int):
    """Grant the role to a person found by the search on the coordinators' page."""
    network = get_network_by_id_or_404(network_id)
    return _appoint(network, db.get_or_404(Person, person_id))


@bp.route("/networks/<int:network_id>/coordinators/<int:person_id>/withdraw", methods=["GET", "POST"])
@require_admin
def withdraw_coordinator(network_id: int, person_id: int):
    network = get_network_by_id_or_404(network_id)
    person = db.get_or_404(Person, person_id)
    if request.method == "POST":
        result = network_services.withdraw_coordinator(network, person, actor=current_user)
        db.session.commit()
        if not result.changed:
            flash(_("%(name)s var ikke koordinator for %(network)s.", name=person.full_name,
                    network=network.display_name), "info")
        elif result.was_last:
            flash(_("%(name)s er ikke lenger koordinator. Nettverket har ingen koordinator nå.",
                    name=person.full_name), "warning")
        else:
            flash(_("%(name)s er ikke lenger koordinator og har fått beskjed på e-post.", name=person.full_name),
                  "success")
        return redirect(url_for("admin.coordinators", network_id=network.id))
    return render_template("admin/withdraw_coordinator.html", network=network, person=person)


# ---------------------------------------------------------------- organisations

def _kind_choices():
    labels = organisation_kind_labels()
    return choices([("", _("Velg type"))] + [(kind.value, labels[kind]) for kind in organisations.EDITABLE_KINDS])


def _fill_organisation_choices(form: OrganisationForm) -> None:
    form.kind.choices = _kind_choices()
    no_county = _("Uten fylke")
    form.municipality_id.choices = [SelectChoice(0, _("Ingen valgt"))] + [
        SelectChoice(id_, name, optgroup=county or no_county) for id_, name, county in queries.municipality_choices()]


def _municipality(form: OrganisationForm) -> Organisation | None:
    if not form.municipality_id.data:
        return None
    return db.session.get(Organisation, form.municipality_id.data)


@bp.route("/organisations")
@require_admin
def list_organisations():
    q = (request.args.get("q") or "").strip()[:100]
    kind = request.args.get("kind") or ""
    page = paginate(queries.organisation_select(q or None, kind or None), per_page=current_app.config["PAGE_SIZE"])
    labels = organisation_kind_labels()
    return render_template("admin/organisations.html", page=page, q=q, kind=kind, args=filter_args(),
                           kind_names=labels, kinds=[(k.value, labels[k]) for k in OrganisationKind],
                           municipality=OrganisationKind.MUNICIPALITY)


@bp.route("/organisations/new", methods=["GET", "POST"])
@require_admin
def create_organisation():
    return _organisation_form(None)


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@require_admin
def edit_organisation(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    if organisation.kind == OrganisationKind.MUNICIPALITY:
        abort(404)  # reference data: nobody edits a municipality here
    return _organisation_form(organisation)


def _organisation_form(organisation: Organisation | None):
    """A new organisation (None) or an organisation's changes."""
    form = OrganisationForm(obj=organisation)
    _fill_organisation_choices(form)
    if request.method == "GET" and organisation is not None:
        form.kind.data = organisation.kind.value
        form.municipality_id.data = organisation.municipality_id or 0
    if form.validate_on_submit():
        try:
            if organisation is None:
                saved = organisations.create_organisation(form.name.data, form.kind.data, _municipality(form))
                message = _("Organisasjonen %(name)s er opprettet.", name=saved.name)
            else:
                organisations.update_organisation(organisation, form.name.data, form.kind.data, _municipality(form))
                message = _("Organisasjonen %(name)s er lagret.", name=organisation.name)
        except organisations.NameTaken:
            db.session.rollback()
            form.name.errors.append(_("En annen organisasjon har dette navnet."))
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("admin.list_organisations"))
    return render_template("admin/organisation_form.html", form=form, organisation=organisation)


# ---------------------------------------------------------------- workplaces

def _fill_workplace_choices(form: WorkplaceForm) -> None:
    form.organisation_id.choices = choices([("", _("Velg organisasjon"))] + list(queries.organisation_choices()))
    form.sector.choices = sector_choices(blank=_("Velg sektor"))


def _leader(form: WorkplaceForm, current: Person | None):
    """The leader the form names (None: no leader), or False with an error beside the field."""
    norm = normalize(form.leader_email.data)
    if norm is None:
        return None
    if current is not None and current.email_normalized == norm:
        return current
    leader = leader_candidate(norm)
    if leader is None:
        form.leader_email.errors.append(_("Fant ingen person med denne e-postadressen i registeret."))
        return False
    return leader


@bp.route("/workplaces")
@require_admin
def list_workplaces():
    q = (request.args.get("q") or "").strip()[:100]
    page = paginate(queries.workplace_select(q or None), per_page=current_app.config["PAGE_SIZE"])
    return render_template("admin/workplaces.html", page=page, q=q, args=filter_args(), sector_names=sector_labels())


@bp.route("/workplaces/new", methods=["GET", "POST"])
@require_admin
def create_workplace():
    return _workplace_form(None)


@bp.route("/workplaces/<int:workplace_id>/edit", methods=["GET", "POST"])
@require_admin
def edit_workplace(workplace_id: int):
    return _workplace_form(db.get_or_404(Workplace, workplace_id))


def _workplace_form(workplace: Workplace | None):
    """A new workplace (None) or a workplace's changes, checked against the version the form showed."""
    if workplace is None:
        form = NewWorkplaceForm(organisation_id=int_arg("organisation") or 0)
    else:
        form = WorkplaceForm(obj=workplace)
    _fill_workplace_choices(form)
    if request.method == "GET" and workplace is not None:
        form.sector.data = workplace.sector.value if workplace.sector else ""
        form.leader_email.data = workplace.leader.email if workplace.leader else ""
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        leader = _leader(form, workplace.leader if workplace is not None else None)
        if leader is not False:
            try:
                if workplace is None:
                    saved = organisations.create_workplace(organisation, form.name.data, form.sector.data, leader)
                    message = _("Arbeidsstedet %(name)s er opprettet.", name=saved.name)
                elif not versioning.save_form(workplace, form, lambda: organisations.change_workplace(
                        workplace, organisation, form.name.data, form.sector.data, leader)):
                    _fill_workplace_choices(form)
                    return render_template("admin/workplace_form.html", form=form, workplace=workplace), 409
                else:
                    message = _("Arbeidsstedet %(name)s er lagret.", name=workplace.name)
            except organisations.NameTaken:
                db.session.rollback()
                form.name.errors.append(_("Et annet arbeidssted i samme organisasjon har dette navnet."))
            else:
                db.session.commit()
                flash(message, "success")
                return redirect(url_for("admin.list_workplaces"))
    return render_template("admin/workplace_form.html", form=form, workplace=workplace)
