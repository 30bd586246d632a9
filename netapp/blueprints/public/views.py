"""The public face of each network: what it is, whom to contact, and its consenting members."""

from itertools import groupby

from flask import Blueprint, render_template
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from netapp.blueprints.registry.models import (
    Membership,
    MembershipRole,
    Network,
    Organisation,
    Person,
    PersonStatus,
    Workplace,
)
from netapp.cache import fragment
from netapp.extensions import db
from netapp.pagination import page_number, paginate
from netapp.permissions import get_network_or_404

bp = Blueprint("public", __name__)

PUBLIC_PAGE_SIZE = 200


@bp.route("/n/<slug>")
def network_page(slug: str):
    network = get_network_or_404(slug)

    def render_body() -> str:
        members = (
            select(Person)
            .options(joinedload(Person.workplace).joinedload(Workplace.organisation))
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
        page = paginate(members, per_page=PUBLIC_PAGE_SIZE)
        groups = [
            (org, [{"name": p.full_name, "profession": p.profession, "workplace": p.workplace.name} for p in people])
            for org, people in groupby(page.items, key=lambda p: p.workplace.organisation.name)
        ]
        coordinators = db.session.scalars(
            select(Person).options(joinedload(Person.workplace).joinedload(Workplace.organisation))
            .where(Person.id.in_(select(Membership.person_id).where(
                Membership.network_id == network.id, Membership.role == MembershipRole.COORDINATOR,
                Membership.end_date.is_(None))), Person.status == PersonStatus.ACTIVE)
            .order_by(Person.last_name)
        ).all()
        return render_template("public/_network_body.html", network=network, groups=groups,
                               coordinators=coordinators, page=page)

    body = fragment("public.network", (network.id, page_number()), render_body)
    return render_template("_fragment_page.html", page_title=network.name, body=body)


@bp.route("/tilgjengelighet")
def accessibility():
    networks = db.session.scalars(select(Network).order_by(Network.is_default.desc(), Network.name)).all()
    return render_template("public/accessibility.html", networks=networks)


@bp.route("/personvern")
def privacy():
    return render_template("public/privacy.html")
