"""Matrix rows for the administration pages: networks and their regions, organisations,
workplaces and coordinators are for admins only; a network's description and contact address
also for its coordinators, and not for the coordinator of another network. Nobody reaches the
pages that grant the coordinator role but an admin, so a coordinator cannot grant it to themselves."""

from sqlalchemy import select

from netapp.blueprints.registry.models import Network, Organisation, OrganisationKind, Person, Workplace
from netapp.extensions import db
from tests import factories
from tests.matrix import Route, login_required

R = Route


def extend_context(ctx: dict) -> None:
    """network_id, other_network_id: the regional network's and the Stavanger group's ids;
    organisation: a hospital department; municipality: a municipality (reference data);
    admin_workplace: a workplace; candidate: an active person who coordinates nothing;
    coordinator_person: the demo coordinator's person."""
    ctx["network_id"] = db.session.scalar(select(Network.id).where(Network.slug == ctx["network"]))
    ctx["other_network_id"] = db.session.scalar(select(Network.id).where(Network.slug == ctx["other_network"]))
    ctx["organisation"] = db.session.scalar(select(Organisation.id).where(
        Organisation.kind == OrganisationKind.HOSPITAL_DEPARTMENT).order_by(Organisation.id).limit(1))
    ctx["municipality"] = db.session.scalar(select(Organisation.id).where(
        Organisation.kind == OrganisationKind.MUNICIPALITY).order_by(Organisation.id).limit(1))
    ctx["admin_workplace"] = db.session.scalar(select(Workplace.id).order_by(Workplace.id).limit(1))
    ctx["candidate"] = factories.make_person(email="kandidat@test.example", first_name="Kari",
                                             last_name="Kandidat").id
    ctx["coordinator_person"] = db.session.scalar(select(Person.id).where(
        Person.email_normalized == "koordinator@demo.example"))
    assert None not in [ctx[k] for k in ("network_id", "other_network_id", "organisation", "municipality",
                                         "admin_workplace", "coordinator_person")], ctx


ADMIN = login_required(200, allowed=("admin",))
ADMIN_REDIRECT = login_required(302, allowed=("admin",))
# The network's coordinators and admins; the Stavanger group's coordinator coordinates another network.
OWN_NETWORK = {**login_required(200, allowed=("coordinator", "admin", "other_coordinator")), "other_coordinator": 403}

ROUTES = [
    R("admin.index", "GET", lambda c: "/admin/", ADMIN),
    # networks
    R("admin.list_networks", "GET", lambda c: "/admin/networks", ADMIN),
    R("admin.create_network", "GET", lambda c: "/admin/networks/new", ADMIN),
    R("admin.create_network", "POST", lambda c: "/admin/networks/new", ADMIN,
      data=lambda c: {"name": "", "slug": "Ikke Gyldig", "county": "11"}, note="errors beside the fields"),
    R("admin.create_network", "POST", lambda c: "/admin/networks/new", ADMIN_REDIRECT, fresh=True,
      data=lambda c: {"name": "Nytt nettverk", "slug": "nytt-nettverk", "region": str(c["municipality"])}),
    R("admin.edit_network", "GET", lambda c: f"/admin/networks/{c['network_id']}/edit", ADMIN),
    R("admin.edit_network", "POST", lambda c: f"/admin/networks/{c['network_id']}/edit", ADMIN,
      data=lambda c: {"name": "", "slug": c["other_network"]}, note="the slug is taken"),
    R("admin.edit_network", "GET", lambda c: "/admin/networks/999999/edit", login_required(404, allowed=("admin",)),
      note="unknown network"),
    # the network's description and contact address: its coordinators too
    R("admin.edit_network_about", "GET", lambda c: f"/admin/networks/{c['network_id']}/about", OWN_NETWORK),
    R("admin.edit_network_about", "POST", lambda c: f"/admin/networks/{c['network_id']}/about", OWN_NETWORK,
      data=lambda c: {"description": "Om oss", "contact_email": "ikke en adresse"}),
    R("admin.edit_network_about", "POST", lambda c: f"/admin/networks/{c['network_id']}/about",
      {**OWN_NETWORK, "coordinator": 302, "admin": 302}, fresh=True,
      data=lambda c: {"description": "Om oss", "contact_email": "post@nettverk.example"},
      note="a coordinator of another network cannot change this one's description"),
    R("admin.edit_network_about", "GET", lambda c: f"/admin/networks/{c['other_network_id']}/about",
      login_required(200, allowed=("coordinator", "admin", "other_coordinator"))),
    # coordinators: admins only, so nobody grants the role to themselves
    R("admin.coordinators", "GET", lambda c: f"/admin/networks/{c['network_id']}/coordinators?q=kandidat", ADMIN),
    R("admin.coordinators", "POST", lambda c: f"/admin/networks/{c['network_id']}/coordinators", ADMIN,
      data=lambda c: {"email": "ikke en adresse"}),
    R("admin.coordinators", "POST", lambda c: f"/admin/networks/{c['network_id']}/coordinators", ADMIN_REDIRECT,
      fresh=True, data=lambda c: {"email": "ny.koordinator@test.example", "first_name": "Nora", "last_name": "Ny"}),
    R("admin.grant_coordinator", "POST", lambda c: f"/admin/networks/{c['network_id']}/coordinators/{c['candidate']}",
      ADMIN_REDIRECT, fresh=True, note="a coordinator cannot grant the role, to themselves or anyone"),
    R("admin.grant_coordinator", "POST", lambda c: f"/admin/networks/{c['network_id']}/coordinators/999999",
      login_required(404, allowed=("admin",)), note="unknown person"),
    R("admin.withdraw_coordinator", "GET",
      lambda c: f"/admin/networks/{c['network_id']}/coordinators/{c['coordinator_person']}/withdraw", ADMIN),
    R("admin.withdraw_coordinator", "POST",
      lambda c: f"/admin/networks/{c['other_network_id']}/coordinators/{c['coordinator_person']}/withdraw",
      ADMIN_REDIRECT, fresh=True),
    # organisations
    R("admin.list_organisations", "GET", lambda c: "/admin/organisations?q=a&kind=ngo&page=1", ADMIN),
    R("admin.create_organisation", "GET", lambda c: "/admin/organisations/new", ADMIN),
    R("admin.create_organisation", "POST", lambda c: "/admin/organisations/new", ADMIN,
      data=lambda c: {"name": "", "kind": "municipality"}, note="a municipality is reference data"),
    R("admin.edit_organisation", "GET", lambda c: f"/admin/organisations/{c['organisation']}/edit", ADMIN),
    R("admin.edit_organisation", "POST", lambda c: f"/admin/organisations/{c['organisation']}/edit", ADMIN,
      data=lambda c: {"name": ""}),
    R("admin.edit_organisation", "GET", lambda c: f"/admin/organisations/{c['municipality']}/edit",
      login_required(404, allowed=("admin",)), note="municipalities are reference data, not edited"),
    # workplaces
    R("admin.list_workplaces", "GET", lambda c: "/admin/workplaces?q=a&page=1", ADMIN),
    R("admin.create_workplace", "GET", lambda c: f"/admin/workplaces/new?organisation={c['organisation']}", ADMIN),
    R("admin.create_workplace", "POST", lambda c: "/admin/workplaces/new", ADMIN, data=lambda c: {"name": ""}),
    R("admin.edit_workplace", "GET", lambda c: f"/admin/workplaces/{c['admin_workplace']}/edit", ADMIN),
    R("admin.edit_workplace", "POST", lambda c: f"/admin/workplaces/{c['admin_workplace']}/edit", ADMIN,
      data=lambda c: {"name": ""}),
    R("admin.edit_workplace", "POST", lambda c: f"/admin/workplaces/{c['admin_workplace']}/edit",
      login_required(409, allowed=("admin",)),
      data=lambda c: {"organisation_id": str(c["organisation"]), "name": "Endret navn", "sector": "health_care",
                      "version": "0"}, note="based on another version: refused beside the form, nothing saved"),
]

