"""Matrix rows for main, public, auth and registry pages."""

from tests.matrix import COORDINATORS, Route, everyone, login_required

R = Route

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
    R("registry.edit_workplace", "GET", lambda c: f"/registry/workplaces/{c['workplace']}/edit",
      login_required(200, allowed=COORDINATORS)),
    R("registry.edit_workplace", "POST", lambda c: f"/registry/workplaces/{c['workplace']}/edit",
      login_required(200, allowed=COORDINATORS), data=lambda c: {"name": ""}),
    R("static", "GET", lambda c: "/static/css/netapp.css", everyone(200)),
    R("bootstrap.static", "GET", lambda c: "/bootstrap/static/css/bootstrap.min.css", everyone(200)),
]
