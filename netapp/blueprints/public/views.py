"""The public face of each network: what it is, whom to contact, and its consenting members."""

from datetime import time
from itertools import groupby

from flask import Blueprint, abort, render_template
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from netapp.blueprints.gatherings import queries as gatherings_queries
from netapp.blueprints.gatherings.models import Event, kind_labels
from netapp.blueprints.registry import queries as registry_queries
from netapp.blueprints.registry.models import (
    Membership,
    MembershipRole,
    Organisation,
    Person,
    PersonStatus,
    Workplace,
)
from netapp.cache import fragment
from netapp.extensions import db
from netapp.look import show_network
from netapp.pagination import page_number, paginate
from netapp.permissions import can_view_event, get_network_or_404
from netapp.timeutil import from_oslo, today_oslo

bp = Blueprint("public", __name__)

PUBLIC_PAGE_SIZE = 200


@bp.route("/n/<slug>")
def network_page(slug: str):
    network = get_network_or_404(slug)

    def render_body() -> str:
        # Columns, not persons: the page shows names, professions and workplaces only. Counted
        # apart: a window total would make the database sort every consenting member with their
        # joins before the LIMIT, where a count of the filter alone is cheap.
        members = (
            select(Organisation.name.label("organisation"), Person.first_name, Person.last_name,
                   Person.profession, Workplace.name.label("workplace"))
            .join(Workplace, Person.workplace_id == Workplace.id)
            .join(Organisation, Workplace.organisation_id == Organisation.id)
            .where(
                Person.public_consent.is_(True),
                Person.status == PersonStatus.ACTIVE,
                exists().where(
                    Membership.person_id == Person.id, Membership.network_id == network.id,
                    Membership.end_date.is_(None),
                    Membership.role.in_([MembershipRole.RESOURCE_PERSON, MembershipRole.WORKING_GROUP]),
                ),
            )
            .order_by(Organisation.kind != "municipality", Organisation.name, Person.last_name, Person.first_name,
                      Person.id)
        )
        page = paginate(members, per_page=PUBLIC_PAGE_SIZE, count_separately=True)
        groups = [
            (org, [{"name": f"{p.first_name} {p.last_name}".strip(), "profession": p.profession,
                    "workplace": p.workplace} for p in people])
            for org, people in groupby(page.items, key=lambda p: p.organisation)
        ]
        coordinators = db.session.scalars(
            select(Person).options(joinedload(Person.workplace).joinedload(Workplace.organisation))
            .where(Person.id.in_(select(Membership.person_id).where(
                Membership.network_id == network.id, Membership.role == MembershipRole.COORDINATOR,
                Membership.end_date.is_(None))), Person.status == PersonStatus.ACTIVE)
            .order_by(Person.last_name)
        ).all()
        # From the start of today: the fragment is kept per day, so it stays right all day.
        events = gatherings_queries.public_upcoming_events(network.id, from_oslo(today_oslo(), time(0)))
        return render_template("public/_network_body.html", network=network, groups=groups,
                               coordinators=coordinators, page=page, events=events)

    body = fragment("public.network", (network.id, page_number()), render_body)
    show_network(network)
    return render_template("_fragment_page.html", page_title=network.name, body=body)


@bp.route("/n/<slug>/events/<int:event_id>")
def view_event(slug: str, event_id: int):
    """A public event of the network, for anyone; members register from the internal page."""
    network = get_network_or_404(slug)
    event = db.session.get(Event, event_id)
    if event is None or event.network_id != network.id or not event.is_public:
        abort(404)
    show_network(network)
    return render_template("public/event.html", network=network, event=event, kind_names=kind_labels(),
                           may_view=can_view_event(event))


@bp.route("/tilgjengelighet")
def accessibility():
    networks = registry_queries.networks()
    return render_template("public/accessibility.html", networks=networks)


@bp.route("/personvern")
def privacy():
    return render_template("public/privacy.html")
