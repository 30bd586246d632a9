"""The public face of each network: what it is, whom to contact, and its consenting members."""

from itertools import groupby

from flask import Blueprint, render_template
from sqlalchemy import select
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
from netapp.extensions import db
from netapp.permissions import get_network_or_404

bp = Blueprint("public", __name__)


@bp.route("/n/<slug>")
def network_page(slug: str):
    network = get_network_or_404(slug)
    members = db.session.execute(
        select(Person.first_name, Person.last_name, Person.profession, Workplace.name, Organisation.name, Organisation.kind)
        .join(Workplace, Person.workplace_id == Workplace.id)
        .join(Organisation, Workplace.organisation_id == Organisation.id)
        .where(
            Person.public_consent.is_(True),
            Person.status == PersonStatus.ACTIVE,
            Person.id.in_(select(Membership.person_id).where(
                Membership.network_id == network.id, Membership.end_date.is_(None),
                Membership.role.in_([MembershipRole.RESOURCE_PERSON, MembershipRole.WORKING_GROUP]),
            )),
        )
        .order_by(Organisation.kind != "municipality", Organisation.name, Person.last_name, Person.first_name)
    ).all()
    groups = [
        (org, [{"name": f"{r[0]} {r[1]}", "profession": r[2], "workplace": r[3]} for r in rows])
        for org, rows in groupby(members, key=lambda r: r[4])
    ]
    coordinators = db.session.scalars(
        select(Person).options(joinedload(Person.workplace).joinedload(Workplace.organisation))
        .where(Person.id.in_(select(Membership.person_id).where(
            Membership.network_id == network.id, Membership.role == MembershipRole.COORDINATOR,
            Membership.end_date.is_(None))), Person.status == PersonStatus.ACTIVE)
        .order_by(Person.last_name)
    ).all()
    return render_template("public/network.html", network=network, groups=groups, coordinators=coordinators,
                           member_count=len(members))


@bp.route("/tilgjengelighet")
def accessibility():
    networks = db.session.scalars(select(Network).order_by(Network.is_default.desc(), Network.name)).all()
    return render_template("public/accessibility.html", networks=networks)


@bp.route("/personvern")
def privacy():
    return render_template("public/privacy.html")
