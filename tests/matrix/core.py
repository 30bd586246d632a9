"""Matrix rows for main, public, auth and registry pages, with the registry's object scope: what
the coordinator of the Stavanger group (other_coordinator) may change of the regional network, and
what the demo coordinator may change of a person who is no member (a manager with an account)."""

from sqlalchemy import exists, select

from netapp.blueprints.registry.models import Membership, Network, Person, Workplace
from netapp.extensions import db
from tests.matrix import COORDINATORS, Route, everyone, login_required

R = Route


def _works_at(workplace_id, network_id):
    return exists().where(Person.workplace_id == workplace_id, Membership.person_id == Person.id,
                          Membership.network_id == network_id)


def extend_context(ctx: dict) -> None:
    """no_membership_person: leder@demo.example (a manager with an account, in no network);
    shared_person: a resource person of both networks; group_person: one of the Stavanger group
    only; regional_workplace, group_workplace, shared_workplace: where only members of the regional
    network, only members of the Stavanger group, and members of both work."""
    regional = db.session.scalar(select(Network.id).where(Network.slug == ctx["network"]))
    group = db.session.scalar(select(Network.id).where(Network.slug == ctx["other_network"]))
    ctx["no_membership_person"] = db.session.scalar(select(Person.id).where(Person.email_normalized == "leder@demo.example"))
    in_regional = exists().where(Membership.person_id == Person.id, Membership.network_id == regional)
    in_group = exists().where(Membership.person_id == Person.id, Membership.network_id == group)
    ctx["shared_person"] = db.session.scalar(
        select(Person.id).where(in_regional, in_group, Person.email_normalized.like("%.demo.example"))
        .order_by(Person.id).limit(1))
    ctx["group_person"] = db.session.scalar(
        select(Person.id).where(~in_regional, in_group, Person.email_normalized.like("%.demo.example"))
        .order_by(Person.id).limit(1))
    ctx["shared_workplace"] = db.session.scalar(
        select(Workplace.id).where(_works_at(Workplace.id, regional), _works_at(Workplace.id, group))
        .order_by(Workplace.id).limit(1))
    ctx["regional_workplace"] = db.session.scalar(
        select(Workplace.id).where(_works_at(Workplace.id, regional), ~_works_at(Workplace.id, group))
        .order_by(Workplace.id).limit(1))
    ctx["group_workplace"] = db.session.scalar(
        select(Workplace.id).where(_works_at(Workplace.id, group), ~_works_at(Workplace.id, regional))
        .order_by(Workplace.id).limit(1))
    keys = ("no_membership_person", "shared_person", "group_person", "regional_workplace", "group_workplace",
            "shared_workplace")
    assert None not in [ctx[key] for key in keys], ctx


# Only an admin may change it: a coordinator gets 403, whichever networks they coordinate.
ADMIN_ONLY = {**login_required(200, allowed=COORDINATORS), "coordinator": 403, "other_coordinator": 403}
# A person or workplace of both networks: the coordinator of both may change it, the Stavanger group's may not.
BOTH_NETWORKS = {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403}

ROUTES = [
    # main
    R("main.index", "GET", lambda c: "/", everyone(200)),
    R("main.healthz", "GET", lambda c: "/healthz", everyone(200)),
    R("main.set_language", "POST", lambda c: "/language", everyone(302), data=lambda c: {"language": "nn"}),
    R("main.dashboard", "GET", lambda c: "/dashboard", login_required(200)),
    R("main.my_staff", "GET", lambda c: "/staff/", login_required(200, allowed=("manager", "other_manager", "admin"))),
    R("main.outbox", "GET", lambda c: "/admin/outbox", login_required(200, allowed=("admin",))),
    R("main.audit_log", "GET", lambda c: "/admin/audit?actor=x&type=Person", login_required(200, allowed=("admin",))),
    # public
    R("public.network_page", "GET", lambda c: f"/n/{c['network']}", everyone(200)),
    R("public.privacy", "GET", lambda c: "/personvern", everyone(200)),
    R("public.accessibility", "GET", lambda c: "/tilgjengelighet", everyone(200)),
    # auth
    R("auth.login", "GET", lambda c: "/auth/login",
      {"anonymous": 200, "*": 302}),
    R("auth.login", "POST", lambda c: "/auth/login", {"anonymous": 200, "*": 302}, data=lambda c: {"email": "x@y.example", "password": "nope"}),
    R("auth.logout", "POST", lambda c: "/auth/logout", login_required(302), fresh=True),
    R("auth.forgot_password", "GET", lambda c: "/auth/forgot", everyone(200)),
    R("auth.forgot_password", "POST", lambda c: "/auth/forgot", everyone(200), data=lambda c: {"email": ""}),
    R("auth.set_password", "GET", lambda c: f"/auth/password/{c['password_token']}", everyone(200)),
    R("auth.set_password", "POST", lambda c: f"/auth/password/{c['password_token']}", everyone(200),
      data=lambda c: {"password": "short", "confirm": "other"}),
    R("auth.profile", "GET", lambda c: "/auth/profile", login_required(200)),
    R("auth.profile", "POST", lambda c: "/auth/profile", login_required(200), data=lambda c: {"language": "xx"}),
    # registry
    R("registry.list_persons", "GET", lambda c: "/registry/", login_required(200, allowed=COORDINATORS)),
    R("registry.list_persons", "GET", lambda c: f"/registry/?network={c['network']}",
      {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403}, note="another network's registry"),
    R("registry.view_person", "GET", lambda c: f"/registry/persons/{c['person']}",
      {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403}),
    R("registry.create_person", "GET", lambda c: "/registry/persons/new", login_required(200, allowed=COORDINATORS)),
    R("registry.create_person", "POST", lambda c: "/registry/persons/new", login_required(200, allowed=COORDINATORS),
      data=lambda c: {"first_name": ""}),
    R("registry.edit_person", "GET", lambda c: f"/registry/persons/{c['person']}/edit",
      {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403}),
    R("registry.edit_person", "POST", lambda c: f"/registry/persons/{c['person']}/edit",
      {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403}, data=lambda c: {"first_name": ""}),
    R("registry.edit_person", "POST", lambda c: f"/registry/persons/{c['person']}/edit",
      {**login_required(409, allowed=COORDINATORS), "other_coordinator": 403},
      data=lambda c: {"first_name": "Silje", "last_name": "Endret", "email": "ressurs@demo.example", "workplace_id": "0",
                      "version": "0"}, note="based on another version: refused beside the form, nothing saved"),
    R("registry.deactivate_person", "GET", lambda c: f"/registry/persons/{c['person']}/deactivate",
      {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403}),
    R("registry.deactivate_person", "POST", lambda c: f"/registry/persons/{c['person']}/deactivate",
      {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403}, data=lambda c: {"left_on": "not a date"}),
    R("registry.reactivate_person", "POST", lambda c: f"/registry/persons/{c['person']}/reactivate",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403}, fresh=True),
    R("registry.merge_persons", "GET", lambda c: f"/registry/persons/{c['person']}/merge",
      {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403}),
    R("registry.merge_persons", "POST", lambda c: f"/registry/persons/{c['person']}/merge",
      {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403}, data=lambda c: {"other_id": ""}),
    R("registry.coverage", "GET", lambda c: "/registry/coverage", login_required(200, allowed=COORDINATORS)),
    R("registry.coverage", "GET", lambda c: f"/registry/coverage?network={c['network']}",
      {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403}, note="another network's coverage"),
    R("registry.list_workplaces", "GET", lambda c: "/registry/workplaces", login_required(200, allowed=COORDINATORS)),
    R("registry.edit_workplace", "GET", lambda c: f"/registry/workplaces/{c['group_workplace']}/edit",
      login_required(200, allowed=COORDINATORS), note="only members of the Stavanger group work here"),
    R("registry.edit_workplace", "POST", lambda c: f"/registry/workplaces/{c['group_workplace']}/edit",
      login_required(200, allowed=COORDINATORS), data=lambda c: {"name": ""}),
    R("registry.edit_workplace", "POST", lambda c: f"/registry/workplaces/{c['group_workplace']}/edit",
      login_required(409, allowed=COORDINATORS), data=lambda c: {"name": "Endret navn", "sector": "health_care", "version": "0"},
      note="based on another version: refused beside the form, nothing saved"),
    R("registry.edit_workplace", "GET", lambda c: "/registry/workplaces/999999/edit",
      login_required(404, allowed=COORDINATORS), note="unknown workplace"),
    # object scope: persons and workplaces a coordinator may see (or not) but not change
    R("registry.view_person", "GET", lambda c: f"/registry/persons/{c['shared_person']}",
      login_required(200, allowed=COORDINATORS), note="shown read-only to the Stavanger group's coordinator"),
    *[R(endpoint, method, url, expect, data=data, fresh=fresh, note=note)
      for key, expect, note in (
          ("shared_person", BOTH_NETWORKS, "a member of both networks"),
          ("no_membership_person", ADMIN_ONLY, "a manager with an account, in no network"))
      for endpoint, method, url, data, fresh in (
          ("registry.edit_person", "GET", lambda c, k=key: f"/registry/persons/{c[k]}/edit", None, False),
          ("registry.edit_person", "POST", lambda c, k=key: f"/registry/persons/{c[k]}/edit",
           lambda c: {"first_name": ""}, False),
          ("registry.deactivate_person", "GET", lambda c, k=key: f"/registry/persons/{c[k]}/deactivate", None, False),
          ("registry.deactivate_person", "POST", lambda c, k=key: f"/registry/persons/{c[k]}/deactivate",
           lambda c: {"left_on": "not a date"}, False),
          ("registry.merge_persons", "GET", lambda c, k=key: f"/registry/persons/{c[k]}/merge", None, False),
          ("registry.merge_persons", "POST", lambda c, k=key: f"/registry/persons/{c[k]}/merge",
           lambda c: {"other_id": ""}, False),
      )],
    R("registry.reactivate_person", "POST", lambda c: f"/registry/persons/{c['shared_person']}/reactivate",
      {**BOTH_NETWORKS, "coordinator": 302, "admin": 302}, fresh=True, note="a member of both networks"),
    R("registry.reactivate_person", "POST", lambda c: f"/registry/persons/{c['no_membership_person']}/reactivate",
      {**ADMIN_ONLY, "admin": 302}, fresh=True, note="a manager with an account, in no network"),
    R("registry.merge_persons", "POST", lambda c: f"/registry/persons/{c['person']}/merge",
      {**ADMIN_ONLY, "other_coordinator": 403}, data=lambda c: {"other_id": str(c["no_membership_person"])},
      note="the record to fold in is a manager with an account"),
    R("registry.merge_persons", "POST", lambda c: f"/registry/persons/{c['group_person']}/merge",
      {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403},
      data=lambda c: {"other_id": str(c["shared_person"])},
      note="the Stavanger group's own member, and a member of both networks to fold in"),
    R("registry.edit_workplace", "GET", lambda c: f"/registry/workplaces/{c['regional_workplace']}/edit",
      BOTH_NETWORKS, note="only members of the regional network work here"),
    R("registry.edit_workplace", "POST", lambda c: f"/registry/workplaces/{c['regional_workplace']}/edit",
      BOTH_NETWORKS, data=lambda c: {"name": ""}),
    R("registry.edit_workplace", "GET", lambda c: f"/registry/workplaces/{c['shared_workplace']}/edit",
      BOTH_NETWORKS, note="members of both networks work here"),
    R("registry.edit_workplace", "POST", lambda c: f"/registry/workplaces/{c['shared_workplace']}/edit",
      BOTH_NETWORKS, data=lambda c: {"name": ""}),
    R("static", "GET", lambda c: "/static/css/netapp.css", everyone(200)),
    R("bootstrap.static", "GET", lambda c: "/bootstrap/static/css/bootstrap.min.css", everyone(200)),
]
