"""The registry for coordinators: persons, coverage and workplaces."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from netapp import versioning
from netapp.blueprints.auth.models import User
from netapp.blueprints.registry import queries, services, signals
from netapp.blueprints.registry.forms import (
    DeactivateForm,
    MergeForm,
    NewPersonForm,
    PersonForm,
    WorkplaceForm,
    sector_choices,
)
from netapp.blueprints.registry.models import (
    MembershipRole,
    Network,
    PersonStatus,
    Workplace,
    role_labels,
    sector_labels,
)
from netapp.cache import fragment, time_slot
from netapp.extensions import db
from netapp.look import show_network
from netapp.pagination import filter_args, paginate
from netapp.permissions import (
    can_coordinate,
    can_edit_person,
    can_merge_person,
    changeable_persons_clause,
    changeable_workplaces_clause,
    coordinated_network_ids,
    coordinated_persons_clause,
    get_network_or_404,
    get_person_or_404,
    get_workplace_or_404,
    is_admin,
    leader_candidate,
    require_coordinator,
    visible_workplaces_clause,
)
from netapp.timeutil import today_oslo, utcnow
from netapp.validators import choices, int_arg

bp = Blueprint("registry", __name__)


def _selected_network() -> Network | None:
    slug = request.args.get("network", "")
    if slug:
        return get_network_or_404(slug, coordinate=True)
    return None


@bp.route("/")
@require_coordinator
def list_persons():
    network = _selected_network()
    scope = coordinated_network_ids()
    if network is not None:
        show_network(network)

    def render_body() -> str:
        filters = queries.PersonFilters(
            network_id=network.id if network else None,
            municipality_id=int_arg("municipality"),
            organisation_id=int_arg("organisation"),
            sector=request.args.get("sector") or None,
            profession=request.args.get("profession") or None,
            status=request.args.get("status", "active"),
            q=(request.args.get("q") or "").strip()[:100] or None,
            sort=request.args.get("sort", "name"),
            direction="desc" if request.args.get("dir") == "desc" else "asc",
        )
        query = queries.filtered_persons(filters, coordinated_persons_clause())
        # Without a search term the filter is cheap and the joins are not: the total is counted
        # apart (at national scale 10 ms instead of 27 on SQLite, of 55 on PostgreSQL).
        page = paginate(query, per_page=current_app.config["PAGE_SIZE"], count_separately=not filters.q)
        args = filter_args()
        municipalities, organisations = queries.organisation_menus()
        return render_template(
            "registry/_list_body.html", page=page, filters=filters, args=args, network=network,
            networks=[(n.slug, n.name) for n in queries.network_menu(scope)],
            municipalities=[(m.id, m.name) for m in municipalities],
            organisations=[(o.id, o.name) for o in organisations],
            professions=[(p, p) for p in queries.professions()],
            sectors=[(s.value, label) for s, label in sector_labels().items()],
        )

    body = fragment("registry.list", (scope, tuple(sorted(request.args.items(multi=True)))), render_body)
    return render_template("_fragment_page.html", page_title=_("Register"), body=body)


@bp.route("/persons/<int:person_id>")
@require_coordinator
def view_person(person_id: int):
    person = get_person_or_404(person_id)
    changeable = can_edit_person(person)  # asked with the person: no query of its own
    mergeable = can_merge_person(person)

    def render_body() -> str:
        account = db.session.scalar(select(User).where(User.person_id == person.id))
        return render_template(
            "registry/_person_body.html", person=person, memberships=queries.memberships_of(person.id),
            history=queries.history_of(person.id), account=account, role_names=role_labels(),
            sector_names=sector_labels(), changeable=changeable, mergeable=mergeable,
            # What other domains add (gatherings: the events registered for and attended).
            sections=signals.page_sections(person, network_ids=coordinated_network_ids(), now=now),
        )

    now = time_slot(utcnow())  # coming or past: the page is kept at most a few minutes
    key = (person.id, coordinated_network_ids(), is_admin(), changeable, mergeable, now)
    body = fragment("registry.person", key, render_body)
    return render_template("_fragment_page.html", page_title=person.full_name, body=body)


def _editable_person_or_404(person_id: int):
    """A person a coordinator may change; an erased person's record stays as it is."""
    person = get_person_or_404(person_id, edit=True)
    if person.status == PersonStatus.ERASED:
        abort(409)
    return person


def _fill_choices(form: PersonForm) -> None:
    form.workplace_id.choices = choices([(0, _("Ikke oppgitt"))] + [(w.id, w.label) for w in queries.workplaces()])
    if isinstance(form, NewPersonForm):
        form.network_id.choices = choices([(n.id, n.name) for n in queries.networks(coordinated_network_ids())])
        form.role.choices = choices([(r.value, label) for r, label in role_labels().items()])


def _person_data(form: PersonForm) -> services.PersonData:
    workplace = db.session.get(Workplace, form.workplace_id.data) if form.workplace_id.data else None
    manager = services.resolve_manager(form.manager_email.data, form.manager_name.data or "")
    return services.PersonData(
        first_name=form.first_name.data, last_name=form.last_name.data, email=form.email.data,
        phone=form.phone.data or "", profession=form.profession.data or "", workplace=workplace, manager=manager,
        position_percent=form.position_percent.data, public_consent=form.public_consent.data,
    )


@bp.route("/persons/new", methods=["GET", "POST"])
@require_coordinator
def create_person():
    form = NewPersonForm()
    _fill_choices(form)
    if request.method == "GET":
        network = _selected_network()
        if network:
            form.network_id.data = network.id
    if form.validate_on_submit():
        network = db.session.get(Network, form.network_id.data)
        if network is None or not can_coordinate(network):
            abort(403)
        if services.email_taken(form.email.data):
            form.email.errors.append(_("Denne e-postadressen er allerede registrert på en annen person."))
        else:
            person = services.create_person(_person_data(form), network=network, role=MembershipRole(form.role.data))
            db.session.commit()
            flash(_("%(name)s er lagt inn.", name=person.full_name), "success")
            return redirect(url_for("registry.view_person", person_id=person.id))
    return render_template("registry/person_form.html", form=form, person=None)


@bp.route("/persons/<int:person_id>/edit", methods=["GET", "POST"])
@require_coordinator
def edit_person(person_id: int):
    person = _editable_person_or_404(person_id)
    form = PersonForm(obj=person)
    _fill_choices(form)
    if request.method == "GET":
        form.workplace_id.data = person.workplace_id or 0
        if person.manager:
            form.manager_name.data = person.manager.full_name
            form.manager_email.data = person.manager.email
    if form.validate_on_submit():
        if services.email_taken(form.email.data, exclude_id=person.id):
            form.email.errors.append(_("Denne e-postadressen er allerede registrert på en annen person."))
        elif form.manager_email.data and services.normalize(form.manager_email.data) == person.email_normalized:
            form.manager_email.errors.append(_("En person kan ikke være sin egen leder."))
        else:
            if not versioning.save_form(person, form, lambda: services.update_person(person, _person_data(form))):
                return render_template("registry/person_form.html", form=form, person=person), 409
            db.session.commit()
            flash(_("Endringene er lagret."), "success")
            return redirect(url_for("registry.view_person", person_id=person.id))
    return render_template("registry/person_form.html", form=form, person=person)


@bp.route("/persons/<int:person_id>/deactivate", methods=["GET", "POST"])
@require_coordinator
def deactivate_person(person_id: int):
    person = _editable_person_or_404(person_id)
    form = DeactivateForm(left_on=today_oslo())
    if form.validate_on_submit():
        services.deactivate_person(person, form.left_on.data)
        db.session.commit()
        flash(_("%(name)s er registrert som sluttet.", name=person.full_name), "success")
        return redirect(url_for("registry.view_person", person_id=person.id))
    return render_template("registry/deactivate.html", person=person, form=form)


@bp.route("/persons/<int:person_id>/reactivate", methods=["POST"])
@require_coordinator
def reactivate_person(person_id: int):
    person = _editable_person_or_404(person_id)
    services.reactivate_person(person)
    db.session.commit()
    flash(_("%(name)s er aktiv igjen. Legg til nettverk på nytt ved behov.", name=person.full_name), "success")
    return redirect(url_for("registry.view_person", person_id=person.id))


@bp.route("/persons/<int:person_id>/merge", methods=["GET", "POST"])
@require_coordinator
def merge_persons(person_id: int):
    keep = _editable_person_or_404(person_id)
    if not can_merge_person(keep):
        abort(403)
    form = MergeForm()
    other = None
    if form.validate_on_submit():
        other = _editable_person_or_404(form.other_id.data) if form.other_id.data != keep.id else None
        if other is None:
            form.other_id.errors.append(_("Velg en annen oppføring enn denne."))
        elif not can_merge_person(other):
            form.other_id.errors.append(_("Din egen oppføring kan bare slås sammen av en administrator."))
            other = None
        elif request.form.get("confirmed") == "1":
            name = other.full_name
            services.merge_persons(keep, other)
            db.session.commit()
            flash(_("%(name)s er slått sammen med denne oppføringen.", name=name), "success")
            return redirect(url_for("registry.view_person", person_id=keep.id))
    elif request.method == "GET" and int_arg("other"):
        form.other_id.data = int_arg("other")
    candidates = []
    if other is None:
        # The records this user could merge here: the same rule as for the record itself, in SQL.
        query = queries.person_select().where(
            changeable_persons_clause(), queries.Person.id != keep.id, queries.Person.last_name == keep.last_name,
            queries.Person.status != PersonStatus.ERASED,
        )
        if not is_admin() and current_user.person_id is not None:
            query = query.where(queries.Person.id != current_user.person_id)
        candidates = db.session.scalars(query.limit(10)).unique().all()
    return render_template("registry/merge.html", keep=keep, other=other, form=form, candidates=candidates)


@bp.route("/coverage")
@require_coordinator
def coverage():
    scope = coordinated_network_ids()
    networks = queries.network_menu(scope)
    slug = request.args.get("network", "")
    if slug:
        network = get_network_or_404(slug, coordinate=True)
        show_network(network)
    elif networks:
        network = networks[0]  # the default network first; (id, slug, name) is all the page needs
    else:
        abort(403)

    def render_body() -> str:
        return render_template(
            "registry/_coverage_body.html", network=network, data=queries.coverage(network),
            networks=networks, sector_names=sector_labels(),
        )

    body = fragment("registry.coverage", (network.id, scope), render_body)
    return render_template("_fragment_page.html", page_title=_("Dekning"), body=body)


@bp.route("/workplaces")
@require_coordinator
def list_workplaces():
    changeable = changeable_workplaces_clause().label("changeable")
    query = (
        select(Workplace, changeable).options(db.joinedload(Workplace.organisation), db.joinedload(Workplace.leader))
        .join(Workplace.organisation).where(visible_workplaces_clause())
        .order_by(Workplace.sector.is_not(None), queries.Organisation.name, Workplace.name)
    )
    if request.args.get("incomplete") == "1":
        query = query.where(Workplace.sector.is_(None))
    page = paginate(query, per_page=current_app.config["PAGE_SIZE"])
    rows = [(row.Workplace, bool(row.changeable)) for row in page.items]
    args = filter_args()
    return render_template("registry/workplaces.html", page=page, rows=rows, args=args, sector_names=sector_labels(),
                           read_only=not all(may_change for _w, may_change in rows))


def _leader_from_form(form: WorkplaceForm, workplace: Workplace):
    """The leader the form asks for (None: no leader), or False with an error beside the field.
    The current leader may stay; anyone else must be a person the user may choose (leader_candidate)."""
    email = (form.leader_email.data or "").strip()
    if not email:
        return None
    norm = services.normalize(email)
    if workplace.leader is not None and workplace.leader.email_normalized == norm:
        return workplace.leader
    own = current_user.person
    if own is not None and own.email_normalized == norm and not is_admin():
        form.leader_email.errors.append(_("Du kan ikke gjøre deg selv til leder. Be en administrator om det."))
        return False
    leader = leader_candidate(norm)
    if leader is None:
        form.leader_email.errors.append(
            _("Fant ingen person med denne e-postadressen i registeret.") if is_admin() else
            _("Fant ingen person med denne e-postadressen blant medlemmene i nettverkene du koordinerer. "
              "Lederen må være med i et av dem."))
        return False
    return leader


@bp.route("/workplaces/<int:workplace_id>/edit", methods=["GET", "POST"])
@require_coordinator
def edit_workplace(workplace_id: int):
    workplace = get_workplace_or_404(workplace_id, edit=True)
    form = WorkplaceForm(obj=workplace)
    form.sector.choices = sector_choices(blank=_("Velg sektor"))
    if request.method == "GET":
        form.sector.data = workplace.sector.value if workplace.sector else ""
        form.leader_email.data = workplace.leader.email if workplace.leader else ""
    if form.validate_on_submit():
        clash = db.session.scalar(select(Workplace.id).where(
            Workplace.organisation_id == workplace.organisation_id, Workplace.name == form.name.data.strip(),
            Workplace.id != workplace.id))
        if clash:
            form.name.errors.append(_("Et annet arbeidssted i samme organisasjon har dette navnet."))
        leader = _leader_from_form(form, workplace)
        if not clash and leader is not False:
            if not versioning.save_form(workplace, form, lambda: services.update_workplace(
                    workplace, name=form.name.data, sector=form.sector.data, leader=leader)):
                return render_template("registry/workplace_form.html", form=form, workplace=workplace), 409
            db.session.commit()
            flash(_("Arbeidsstedet er lagret."), "success")
            return redirect(url_for("registry.list_workplaces"))
    return render_template("registry/workplace_form.html", form=form, workplace=workplace)
