"""Events: the network's gatherings, theme days, teaching sessions and meetings."""

import logging

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from netapp import versioning
from netapp.blueprints.gatherings import calendar, queries, services, signals
from netapp.blueprints.gatherings.forms import EventForm, kind_choices
from netapp.blueprints.gatherings.models import Event, kind_labels
from netapp.blueprints.registry import queries as registry_queries
from netapp.blueprints.registry.models import Network
from netapp.cache import cached_page, time_slot
from netapp.extensions import db, login_manager
from netapp.look import show_network
from netapp.pagination import filter_args, paginate
from netapp.permissions import (
    can_coordinate_network_id,
    can_register_for_event,
    can_view_event,
    coordinated_network_ids,
    get_event_or_404,
    is_coordinator,
    member_network_ids,
    require_coordinator,
    require_login,
)
from netapp.spreadsheets import CSV_MIMETYPE, escape_formula, to_csv
from netapp.timeutil import format_date, format_datetime, to_oslo, utcnow
from netapp.validators import int_arg, parse_int

log = logging.getLogger(__name__)
bp = Blueprint("gatherings", __name__)


def _person_id() -> int | None:
    return current_user.person_id if current_user.is_authenticated else None


@bp.route("/")
@require_login
def list_events():
    coordinated = coordinated_network_ids()
    members = member_network_ids()
    now = time_slot(utcnow())

    def context() -> dict:
        networks = registry_queries.network_menu(None if coordinated is None else frozenset(coordinated | members))
        filters = queries.EventFilters(
            when="past" if request.args.get("when") == "past" else "upcoming",
            network_id=int_arg("network"),
            kind=request.args.get("kind") or None,
            q=(request.args.get("q") or "").strip()[:100] or None,
        )
        query = queries.filtered_events(filters, queries.visible_clause(coordinated, members), _person_id(), now)
        page = paginate(query, per_page=current_app.config["PAGE_SIZE"])
        args = filter_args()
        return {
            "page": page, "filters": filters, "args": args, "filtered": any(k in args for k in ("network", "kind", "q")),
            "networks": [(n.id, n.name) for n in networks],
            "kinds": [(k.value, label) for k, label in kind_labels().items()], "kind_names": kind_labels(),
            "may_create": is_coordinator(), "now": now,
        }

    key = (coordinated, members, _person_id(), now, tuple(sorted(request.args.items(multi=True))))
    return cached_page("gatherings.list", key, _("Arrangementer"), "gatherings/list.html", context)


def _event_data(form: EventForm) -> services.EventData:
    return services.EventData(
        kind=form.kind.data, title=form.title.data, day=form.date.data, start=form.start_time.data,
        end=form.end_time.data, theme=form.theme.data or "", description=form.description.data or "",
        location=form.location.data or "", registration_deadline=form.registration_deadline.data,
        capacity=form.capacity.data, is_public=form.is_public.data,
    )


@bp.route("/new", methods=["GET", "POST"])
@require_coordinator
def create_event():
    form = EventForm()
    del form.version  # a new event has none yet
    form.network_id.choices = [(n.id, n.name) for n in registry_queries.networks(coordinated_network_ids())]
    form.kind.choices = kind_choices()
    if request.method == "GET" and int_arg("network"):
        form.network_id.data = int_arg("network")
    if form.validate_on_submit():
        network = db.session.get(Network, form.network_id.data)
        if network is None or not can_coordinate_network_id(network.id):
            abort(403)
        event = services.create_event(network, _event_data(form))
        db.session.commit()
        flash(_("Arrangementet %(title)s er lagt inn.", title=event.title), "success")
        return redirect(url_for("gatherings.view_event", event_id=event.id))
    return render_template("gatherings/event_form.html", form=form, event=None)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@require_coordinator
def edit_event(event_id: int):
    event = get_event_or_404(event_id, coordinate=True)
    if event.cancelled_at is not None:  # a cancelled event is restored on purpose, not edited back
        flash(_("Arrangementet er avlyst og kan ikke endres. Gjenopprett det først hvis det skal gjennomføres likevel."),
              "warning")
        return redirect(url_for("gatherings.view_event", event_id=event.id))
    form = EventForm(obj=event)
    del form.network_id  # an event stays in its network
    form.kind.choices = kind_choices()
    if request.method == "GET":
        starts, ends = to_oslo(event.starts_at), to_oslo(event.ends_at)
        form.kind.data = event.kind.value
        form.date.data, form.start_time.data, form.end_time.data = starts.date(), starts.time(), ends.time()
        form.registration_deadline.data = (
            to_oslo(event.registration_deadline).date() if event.registration_deadline else None
        )
    if form.validate_on_submit():
        registered = services.registered_count(event.id)
        if form.capacity.data is not None and form.capacity.data < registered:
            form.capacity.errors.append(
                ngettext("%(num)d er allerede påmeldt. Antall plasser kan ikke være lavere.",
                         "%(num)d er allerede påmeldt. Antall plasser kan ikke være lavere.", registered))
        else:
            notified = []
            if not versioning.save_form(event, form, lambda: notified.append(services.update_event(event, _event_data(form)))):
                return render_template("gatherings/event_form.html", form=form, event=event), 409
            db.session.commit()
            if notified and notified[0]:
                flash(ngettext("Endringene er lagret. %(num)d påmeldt får den nye tiden eller det nye stedet på e-post.",
                               "Endringene er lagret. %(num)d påmeldte får den nye tiden eller det nye stedet på e-post.",
                               notified[0]), "success")
            else:
                flash(_("Endringene er lagret."), "success")
            return redirect(url_for("gatherings.view_event", event_id=event.id))
    return render_template("gatherings/event_form.html", form=form, event=event)


@bp.route("/<int:event_id>")
@require_login
def view_event(event_id: int):
    event = get_event_or_404(event_id)
    show_network(event.network)
    now = time_slot(utcnow())
    coordinates = can_coordinate_network_id(event.network_id)
    participant = can_register_for_event(event)

    def context() -> dict:
        registered, attended = queries.event_counts(event.id)
        page = None
        if coordinates:
            page = paginate(queries.participants(event.id), per_page=current_app.config["PAGE_SIZE"])
        return {
            # What other domains add (evaluations: the event's questionnaires); gatherings knows none.
            "sections": signals.page_sections(event, person_id=_person_id(), coordinates=coordinates,
                                              participant=participant),
            "event": event, "kind_names": kind_labels(), "registered": registered, "attended": attended,
            "places_left": max(event.capacity - registered, 0) if event.capacity is not None else None,
            "coordinates": coordinates, "participant": participant, "page": page,
            "is_registered": participant and queries.is_registered(event.id, _person_id()),
            "closed_reason": services.closed_reason(event, now), "is_full": services.is_full(event, registered),
            "started": event.starts_at <= now, "may_unregister": event.starts_at > now,
            "may_close_attendance": coordinates and services.attendance_closed_reason(event, now) is None,
            "may_restore": coordinates and services.restore_reason(event, now) is None, "now": now,
        }

    key = (event.id, coordinates, participant and _person_id(), now, request.args.get("page", ""))
    return cached_page("gatherings.event", key, event.title, "gatherings/view.html", context)


def _participant_event_or_403(event_id: int) -> Event:
    event = get_event_or_404(event_id)
    if not can_register_for_event(event) or current_user.person is None:
        abort(403)
    return event


def _change_registration(event_id: int, change, done: str):
    """Register or withdraw the user; flash why not when refused."""
    event = _participant_event_or_403(event_id)
    problem = change(event, current_user.person)
    if problem:
        db.session.rollback()
        flash(problem, "warning")
    else:
        db.session.commit()
        flash(done % {"title": event.title}, "success")
    return redirect(url_for("gatherings.view_event", event_id=event_id))


@bp.route("/<int:event_id>/register", methods=["POST"])
@require_login
def register_for_event(event_id: int):
    return _change_registration(event_id, services.register, _("Du er påmeldt %(title)s."))


@bp.route("/<int:event_id>/unregister", methods=["POST"])
@require_login
def unregister_from_event(event_id: int):
    return _change_registration(event_id, services.unregister, _("Du er meldt av %(title)s."))


MAX_POSTED_IDS = 1000  # a page shows PAGE_SIZE registrations; more is not from the form


def _posted_ids(name: str) -> set[int]:
    """The ids posted under this name; anything but a number in ASCII digits is dropped."""
    return {n for n in map(parse_int, request.form.getlist(name)[:MAX_POSTED_IDS]) if n is not None}


@bp.route("/<int:event_id>/attendance", methods=["POST"])
@require_coordinator
def save_attendance(event_id: int):
    event = get_event_or_404(event_id, coordinate=True)
    if event.starts_at > utcnow():
        flash(_("Oppmøte kan registreres når arrangementet har startet."), "warning")
    else:
        count = services.save_attendance(event, _posted_ids("shown"), _posted_ids("attended"))
        if count is None:
            db.session.rollback()
            flash(_("Oppmøtelisten er stengt, så oppmøtet kan ikke endres."), "warning")
        else:
            db.session.commit()
            flash(ngettext("Oppmøtet er lagret: %(num)d deltok.", "Oppmøtet er lagret: %(num)d deltok.", count), "success")
    return redirect(url_for("gatherings.view_event", event_id=event_id, page=request.args.get("page")))


@bp.route("/<int:event_id>/attendance/close", methods=["POST"])
@require_coordinator
def close_attendance(event_id: int):
    event = get_event_or_404(event_id, coordinate=True)
    attended = services.close_attendance(event)
    if attended is None:  # not started, cancelled, or closed already (perhaps by a concurrent request)
        db.session.rollback()
        flash(services.attendance_closed_reason(event) or _("Oppmøtelisten er allerede stengt."), "info")
    else:
        db.session.commit()
        flash(ngettext("Oppmøtelisten er stengt: %(num)d deltok.", "Oppmøtelisten er stengt: %(num)d deltok.", attended),
              "success")
    return redirect(url_for("gatherings.view_event", event_id=event_id))


def _confirmed_change(event: Event, why_not, change, done, template: str):
    """A change to an event confirmed on its own page (cancel, restore), claimed by one conditional
    UPDATE: refused with a flash when `why_not(event)` says why; the confirmation page on GET; on
    POST `change(event)`, the number told by e-mail, or None when another request was first (then
    `why_not` says why, after the rollback has reloaded the event)."""
    back = redirect(url_for("gatherings.view_event", event_id=event.id))
    reason = why_not(event)
    if reason:
        flash(reason, "info")
        return back
    if request.method == "POST":
        notified = change(event)
        if notified is None:
            db.session.rollback()
            flash(why_not(event) or _("Arrangementet ble endret av noen andre i mellomtiden."), "info")
            return back
        db.session.commit()
        flash(done(notified), "success")
        return back
    registered, _attended = queries.event_counts(event.id)
    return render_template(template, event=event, registered=registered)


def _cancelled_already(event: Event) -> str | None:
    return _("Arrangementet er allerede avlyst.") if event.cancelled_at is not None else None


@bp.route("/<int:event_id>/cancel", methods=["GET", "POST"])
@require_coordinator
def cancel_event(event_id: int):
    return _confirmed_change(
        get_event_or_404(event_id, coordinate=True), _cancelled_already, services.cancel_event,
        lambda n: ngettext("Arrangementet er avlyst. %(num)d påmeldt får beskjed på e-post.",
                           "Arrangementet er avlyst. %(num)d påmeldte får beskjed på e-post.", n),
        "gatherings/cancel.html")


@bp.route("/<int:event_id>/restore", methods=["GET", "POST"])
@require_coordinator
def restore_event(event_id: int):
    """Take back a cancellation on purpose: the kept registrations are told."""
    return _confirmed_change(
        get_event_or_404(event_id, coordinate=True), services.restore_reason, services.restore_event,
        lambda n: ngettext("Arrangementet er gjenopprettet. %(num)d påmeldt får beskjed på e-post.",
                           "Arrangementet er gjenopprettet. %(num)d påmeldte får beskjed på e-post.", n),
        "gatherings/restore.html")


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("ja") if value else _("nei")


@bp.route("/<int:event_id>/participants.csv")
@require_coordinator
def export_participants(event_id: int):
    event = get_event_or_404(event_id, coordinate=True)
    rows = [
        [escape_formula(value) for value in (
            f"{r.first_name} {r.last_name}", r.email or "", r.workplace_name or "", r.organisation_name or "",
            format_datetime(r.registered_at), _yes_no(r.attended))]
        for r in db.session.execute(queries.participants(event.id))
    ]
    headers = [_("Navn"), _("E-post"), _("Arbeidssted"), _("Organisasjon"), _("Påmeldt"), _("Deltok")]
    log.info("user %s exported %d participants of event %s", current_user.email, len(rows), event.id)
    return Response(to_csv(rows, headers), mimetype=CSV_MIMETYPE, headers={
        "Content-Disposition": f'attachment; filename="deltakere-{event.id}-{format_date(event.starts_at)}.csv"',
        "Cache-Control": "no-store",
    })


@bp.route("/<int:event_id>/calendar.ics")
def event_calendar(event_id: int):
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    if not event.is_public:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not can_view_event(event):
            abort(403)
    response = Response(calendar.event_ics(event), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="arrangement-{event.id}.ics"'
    return response

