"""Matrix rows for events (gatherings) and their public pages.

extend_context adds events of its own in the regional network (so the rows do not depend on the
demo's events): `event` (coming, public, capacity 30, one colleague of ressurs@ registered), `private_event` (coming,
members only), `past_event` (last week, ressurs@ registered), `other_event` (in the Stavanger
group, which other_coordinator coordinates) and `cancelled_event` (coming, cancelled, the colleague
registered)."""

from __future__ import annotations

from sqlalchemy import select

from netapp.blueprints.registry.models import Membership, MembershipRole, Network, Person
from netapp.extensions import db
from netapp.timeutil import utcnow
from tests import factories
from tests.matrix import COORDINATORS, Route, everyone, login_required

R = Route

ONLY_OWN_NETWORK = {**login_required(200, allowed=COORDINATORS), "other_coordinator": 403}
# Coordinators and admins of the regional network, and its members (ressurs@ is a resource person there).
VIEWERS = {**login_required(200, allowed=("resource_person", "coordinator", "admin")), "other_coordinator": 403}
# Only participants (resource persons and the working group) register.
PARTICIPANTS = login_required(302, allowed=("resource_person",))
VALID_EVENT = {
    "kind": "theme_day", "title": "Fagdag i matrisen", "date": "2031-03-04", "start_time": "09:00",
    "end_time": "15:00", "capacity": "40",
}


def extend_context(ctx: dict) -> None:
    regional = db.session.scalar(select(Network).where(Network.slug == ctx["network"]))
    stavanger = db.session.scalar(select(Network).where(Network.slug == ctx["other_network"]))
    ressurs = db.session.get(Person, ctx["person"])
    ctx["network_id"] = regional.id
    event = factories.make_event(regional, days=20, title="Matrisesamling", capacity=30, is_public=True)
    # Someone other than ressurs@ is registered, so coordinators see the attendance form.
    colleague = db.session.scalar(select(Person).join(Membership, Membership.person_id == Person.id).where(
        Membership.network_id == regional.id, Membership.role == MembershipRole.RESOURCE_PERSON,
        Person.id != ressurs.id).order_by(Person.id).limit(1))
    factories.make_event_registration(event, colleague)
    ctx["event"] = event.id
    db.session.flush()
    ctx["event_version"] = str(event.version)  # what its edit form shows, and posts
    ctx["private_event"] = factories.make_event(regional, days=25, title="Intern matrisesamling").id
    past = factories.make_event(regional, days=-7, title="Tidligere matrisesamling")
    factories.make_event_registration(past, ressurs)
    ctx["past_event"] = past.id
    ctx["other_event"] = factories.make_event(stavanger, days=10, title="Matrise i ressursgruppen").id
    cancelled = factories.make_event(regional, days=30, title="Avlyst matrisesamling", cancelled_at=utcnow())
    factories.make_event_registration(cancelled, colleague)
    ctx["cancelled_event"] = cancelled.id


ROUTES = [
    R("gatherings.list_events", "GET", lambda c: "/events/", login_required(200)),
    R("gatherings.list_events", "GET", lambda c: f"/events/?when=past&network={c['network_id']}&kind=gathering&q=samling&page=2",
      login_required(200), note="filters and a page past the end"),
    R("gatherings.create_event", "GET", lambda c: "/events/new", login_required(200, allowed=COORDINATORS)),
    R("gatherings.create_event", "POST", lambda c: "/events/new", login_required(200, allowed=COORDINATORS),
      data=lambda c: {"title": ""}, note="incomplete form is shown again"),
    R("gatherings.create_event", "POST", lambda c: "/events/new",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 200},
      data=lambda c: {**VALID_EVENT, "network_id": str(c["network_id"])}, fresh=True,
      note="other_coordinator may not choose the regional network: the form says so"),
    R("gatherings.view_event", "GET", lambda c: f"/events/{c['event']}", VIEWERS),
    R("gatherings.view_event", "GET", lambda c: f"/events/{c['past_event']}", VIEWERS),
    R("gatherings.view_event", "GET", lambda c: f"/events/{c['past_event']}?page=2", VIEWERS, note="past the last page"),
    R("gatherings.view_event", "GET", lambda c: f"/events/{c['other_event']}",
      login_required(200, allowed=COORDINATORS), note="the Stavanger group's event"),
    R("gatherings.view_event", "GET", lambda c: "/events/999999", login_required(404)),
    R("gatherings.edit_event", "GET", lambda c: f"/events/{c['event']}/edit", ONLY_OWN_NETWORK),
    R("gatherings.edit_event", "GET", lambda c: f"/events/{c['other_event']}/edit", login_required(200, allowed=COORDINATORS)),
    R("gatherings.edit_event", "POST", lambda c: f"/events/{c['event']}/edit", ONLY_OWN_NETWORK,
      data=lambda c: {"title": "", "date": "ikke en dato"}, note="bad input is shown again"),
    R("gatherings.edit_event", "POST", lambda c: f"/events/{c['event']}/edit",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403},
      data=lambda c: {**VALID_EVENT, "version": c["event_version"]}, fresh=True),
    R("gatherings.edit_event", "POST", lambda c: f"/events/{c['event']}/edit",
      {**login_required(409, allowed=COORDINATORS), "other_coordinator": 403}, data=lambda c: {**VALID_EVENT, "version": "0"},
      note="based on another version: refused beside the form, nothing saved"),
    R("gatherings.register_for_event", "POST", lambda c: f"/events/{c['event']}/register", PARTICIPANTS, fresh=True),
    R("gatherings.register_for_event", "POST", lambda c: f"/events/{c['past_event']}/register", PARTICIPANTS,
      note="already past: refused with a flash"),
    R("gatherings.unregister_from_event", "POST", lambda c: f"/events/{c['event']}/unregister", PARTICIPANTS,
      note="not registered: a flash"),
    R("gatherings.unregister_from_event", "POST", lambda c: f"/events/{c['past_event']}/unregister", PARTICIPANTS,
      note="already past: refused with a flash"),
    R("gatherings.save_attendance", "POST", lambda c: f"/events/{c['event']}/attendance",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403}, note="not started: a flash"),
    R("gatherings.save_attendance", "POST", lambda c: f"/events/{c['past_event']}/attendance",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403},
      data=lambda c: {"attended": ["1", "999999", "x"]}, fresh=True),
    R("gatherings.close_attendance", "POST", lambda c: f"/events/{c['event']}/attendance/close",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403}, note="not started: a flash"),
    R("gatherings.close_attendance", "POST", lambda c: f"/events/{c['past_event']}/attendance/close",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403}, fresh=True),
    R("gatherings.close_attendance", "POST", lambda c: f"/events/{c['other_event']}/attendance/close",
      login_required(302, allowed=COORDINATORS), note="the Stavanger group's event, not started: a flash"),
    R("gatherings.cancel_event", "GET", lambda c: f"/events/{c['event']}/cancel", ONLY_OWN_NETWORK),
    R("gatherings.cancel_event", "POST", lambda c: f"/events/{c['event']}/cancel",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403}, fresh=True),
    R("gatherings.edit_event", "GET", lambda c: f"/events/{c['cancelled_event']}/edit",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403},
      note="cancelled: not edited, restored on purpose (a flash)"),
    R("gatherings.restore_event", "GET", lambda c: f"/events/{c['cancelled_event']}/restore", ONLY_OWN_NETWORK),
    R("gatherings.restore_event", "GET", lambda c: f"/events/{c['event']}/restore",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403}, note="not cancelled: a flash"),
    R("gatherings.restore_event", "POST", lambda c: f"/events/{c['cancelled_event']}/restore",
      {**login_required(302, allowed=COORDINATORS), "other_coordinator": 403}, fresh=True),
    R("gatherings.export_participants", "GET", lambda c: f"/events/{c['past_event']}/participants.csv", ONLY_OWN_NETWORK),
    R("gatherings.event_calendar", "GET", lambda c: f"/events/{c['event']}/calendar.ics", everyone(200),
      note="a public event"),
    R("gatherings.event_calendar", "GET", lambda c: f"/events/{c['private_event']}/calendar.ics", VIEWERS,
      note="a members' event"),
    R("gatherings.event_calendar", "GET", lambda c: "/events/999999/calendar.ics", everyone(404)),
    # public
    R("public.view_event", "GET", lambda c: f"/n/{c['network']}/events/{c['event']}", everyone(200)),
    R("public.view_event", "GET", lambda c: f"/n/{c['network']}/events/{c['private_event']}", everyone(404),
      note="not public"),
    R("public.view_event", "GET", lambda c: f"/n/{c['other_network']}/events/{c['event']}", everyone(404),
      note="another network's event"),
]
