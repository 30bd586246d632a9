"""Who may do what. Views, templates and tests all ask here.

Roles come from data, not from a role column: admin is a flag on the account; a coordinator is
a person with a current coordinator membership *of a network*; a manager is a person marked as
manager or named as someone's manager or as a workplace's leader; a resource person holds a
current resource-person membership. One account can hold several.
"""

from __future__ import annotations

from functools import cache, wraps

from flask import abort, g
from flask_login import current_user
from sqlalchemy import String, and_, bindparam, cast, exists, false, func, literal, or_, select, true
from sqlalchemy.orm import aliased

from netapp.blueprints.auth.models import User
from netapp.blueprints.evaluations.models import Questionnaire
from netapp.blueprints.gatherings.models import Event
from netapp.blueprints.joining.models import Registration
from netapp.blueprints.registry.models import (
    Membership,
    MembershipRole,
    Network,
    Person,
    PersonStatus,
    Workplace,
)
from netapp.cache import cached
from netapp.extensions import db, login_manager

ROLES = ("anonymous", "resource_person", "manager", "coordinator", "admin")


def _user(user=None):
    return current_user if user is None else user


def _authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _cache(user) -> dict:
    """Per-request cache, so role checks cost one query each per request, and a revoked role
    takes effect on the very next request."""
    key = f"_perm_{getattr(user, 'id', None)}"
    store = g.get(key)
    if store is None:
        store = {}
        setattr(g, key, store)
    return store


def is_admin(user=None) -> bool:
    user = _user(user)
    return _authenticated(user) and bool(user.is_admin)


def _manager_clause(person_id):
    """True when the person is marked as manager, is someone's manager or leads a workplace."""
    return (
        exists().where(Person.id == person_id, Person.is_manager.is_(True))
        | exists().where(Person.manager_id == person_id)
        | exists().where(Workplace.leader_id == person_id)
    )


def role_columns(person_id_column):
    """Two columns that carry a person's roles, for the query that loads the account: the current
    memberships as "role:network_id,..." and the manager flag. The login therefore costs one query
    per request, roles included, and a revoked role takes effect on the very next request."""
    memberships = (
        select(func.aggregate_strings(
            cast(Membership.role, String(32)).concat(literal(":")).concat(cast(Membership.network_id, String(12))),
            ",",
        ))
        .where(Membership.person_id == person_id_column, Membership.end_date.is_(None))
        .scalar_subquery()
    )
    return memberships.label("role_memberships"), _manager_clause(person_id_column).label("role_manager")


def prime(user, memberships: str | None, manager) -> None:
    """Fill the per-request role cache from role_columns()."""
    by_role: dict[MembershipRole, set[int]] = {}
    for item in filter(None, (memberships or "").split(",")):
        role, _, network_id = item.partition(":")
        by_role.setdefault(MembershipRole(role), set()).add(int(network_id))
    store = _cache(user)
    store["memberships"] = {r: frozenset(ids) for r, ids in by_role.items()}
    store["manager"] = bool(manager)


def _roles(user) -> dict:
    """The user's current memberships and manager flag, from the per-request cache; the account's
    loader primes it, and for anyone else it costs one query per request."""
    store = _cache(user)
    if "memberships" not in store or "manager" not in store:
        memberships, manager = db.session.execute(select(*role_columns(literal(user.person_id)))).one()
        prime(user, memberships, manager)
    return store


def _network_ids_with_role(user, role: MembershipRole) -> frozenset[int]:
    if not _authenticated(user) or user.person_id is None:
        return frozenset()
    return _roles(user)["memberships"].get(role, frozenset())


def coordinated_network_ids(user=None) -> frozenset[int] | None:
    """Network ids the user coordinates; None means every network (admin)."""
    user = _user(user)
    if is_admin(user):
        return None
    return _network_ids_with_role(user, MembershipRole.COORDINATOR)


def is_coordinator(user=None) -> bool:
    user = _user(user)
    ids = coordinated_network_ids(user)
    return ids is None or bool(ids)


def is_resource_person(user=None) -> bool:
    return bool(_network_ids_with_role(_user(user), MembershipRole.RESOURCE_PERSON))


def is_manager(user=None) -> bool:
    user = _user(user)
    if not _authenticated(user) or user.person_id is None:
        return False
    return _roles(user)["manager"]


def roles_of(user=None) -> list[str]:
    user = _user(user)
    if not _authenticated(user):
        return ["anonymous"]
    roles = []
    if is_admin(user):
        roles.append("admin")
    if coordinated_network_ids(user):
        roles.append("coordinator")
    if is_manager(user):
        roles.append("manager")
    if is_resource_person(user):
        roles.append("resource_person")
    return roles


# ---------------------------------------------------------------- networks and persons

def can_coordinate(network: Network, user=None) -> bool:
    ids = coordinated_network_ids(_user(user))
    return ids is None or network.id in ids


def managed_persons_clause(user=None):
    """SQL condition for the persons a manager sees: direct reports and staff of workplaces led,
    never the manager themselves."""
    user = _user(user)
    pid = user.person_id if _authenticated(user) else None
    if pid is None:
        return Person.id.is_(None) & Person.id.is_not(None)  # nobody
    led = select(Workplace.id).where(Workplace.leader_id == pid)
    # A leader who works at the workplace they lead is not their own staff.
    return or_(Person.manager_id == pid, Person.workplace_id.in_(led)) & (Person.id != pid)


def coordinated_persons_clause(user=None):
    """SQL condition for the persons a coordinator may see: members of networks they coordinate."""
    ids = coordinated_network_ids(_user(user))
    if ids is None:
        return Person.id.is_not(None)
    # A correlated EXISTS per person: cheap for one person and for a page of fifty alike.
    return exists().where(Membership.person_id == Person.id, Membership.network_id.in_(ids))


@cache
def _coordinates_person_select():
    """Built once: is the person (ever) a member of one of the given networks?"""
    return select(exists().where(
        Membership.person_id == bindparam("person_id"),
        Membership.network_id.in_(bindparam("network_ids", expanding=True)),
    ))


def _coordinates_person(person: Person, user) -> bool:
    ids = coordinated_network_ids(user)
    if ids is None:
        return True
    if not ids:
        return False
    return bool(db.session.scalar(_coordinates_person_select(), {"person_id": person.id, "network_ids": sorted(ids)}))


def can_view_person(person: Person, user=None) -> bool:
    user = _user(user)
    if not _authenticated(user):
        return False
    if is_admin(user) or person.id == user.person_id:
        return True
    if is_coordinator(user) and (_coordinates_person(person, user) or can_edit_person(person, user)):
        return True
    return is_manager(user) and bool(
        db.session.scalar(select(exists().where(Person.id == person.id, managed_persons_clause(user))))
    )


# ---------------------------------------------------------------- scope: what a coordinator may change
#
# A person is within a network's scope when they have a membership (current or past) in it, or one
# of their staff has: their direct reports and the staff of workplaces they lead. A coordinator may
# change a person within the scope of a network they coordinate, unless the person is also within
# another network's scope or carries an account with roles of its own (admin, manager, workplace
# leader, coordinator): those are changed by an admin or by the person. A workplace is within a
# network's scope when a member (current or past) works there; a coordinator sees the workplaces
# within their networks' scope and changes those within no other network's scope. Everything is SQL,
# so a list asks once for all its rows.


def _networks(ids, inside: bool):
    """A condition on a membership alias: its network is (inside) or is not among `ids` (a bind)."""
    return lambda m: m.network_id.in_(ids) if inside else m.network_id.not_in(ids)


def _within_scope(person_id, networks):
    """The person, or one of their staff, has a membership (current or past) that `networks` admits."""
    m, staff, led = aliased(Membership), aliased(Person), aliased(Workplace)
    return or_(
        exists().where(m.person_id == person_id, networks(m)),
        exists().where(staff.manager_id == person_id, m.person_id == staff.id, networks(m)),
        exists().where(led.leader_id == person_id, staff.workplace_id == led.id, m.person_id == staff.id, networks(m)),
    )


def _role_account(person_id, is_manager):
    """The person has an account with roles of its own: admin, manager (marked, with staff, or
    leading a workplace) or current coordinator."""
    account, m, staff, led = aliased(User), aliased(Membership), aliased(Person), aliased(Workplace)
    # Flat EXISTS only: a subquery correlates with the query right around it, not further out.
    return or_(
        exists().where(account.person_id == person_id, account.is_admin.is_(True)),
        and_(
            exists().where(account.person_id == person_id),
            or_(
                is_manager.is_(True),
                exists().where(staff.manager_id == person_id),
                exists().where(led.leader_id == person_id),
                exists().where(m.person_id == person_id, m.role == MembershipRole.COORDINATOR, m.end_date.is_(None)),
            ),
        ),
    )


def _changeable(ids, own_person_id):
    """SQL condition on Person: a coordinator of the networks `ids` (a bind) whose own person is
    `own_person_id` may change the person."""
    return or_(
        Person.id == own_person_id,
        and_(
            _within_scope(Person.id, _networks(ids, True)),
            ~_within_scope(Person.id, _networks(ids, False)),
            ~_role_account(Person.id, Person.is_manager),
        ),
    )


def _scope_binds(user) -> tuple:
    ids = sorted(coordinated_network_ids(user))
    return bindparam(None, ids, expanding=True), literal(user.person_id)


def changeable_persons_clause(user=None):
    """SQL condition for the persons the user may change: admins everyone, coordinators those of
    their networks that are within no other network's scope and hold no role of their own (and
    their own record), anyone else nobody."""
    user = _user(user)
    ids = coordinated_network_ids(user)
    if ids is None:
        return true()
    if not ids:
        return false()
    return _changeable(*_scope_binds(user))


@cache
def _changeable_select():
    """Built once: may a coordinator (networks, own person) change this person?"""
    return select(exists().where(
        Person.id == bindparam("person_id"),
        _changeable(bindparam("network_ids", expanding=True), bindparam("own_person_id")),
    ))


def can_edit_person(person: Person, user=None) -> bool:
    """Whether the user may change the person (edit, deactivate, reactivate, merge, erase, import)."""
    user = _user(user)
    if is_admin(user):
        return True
    ids = coordinated_network_ids(user)
    if not ids:
        return False
    known = _cache(user).setdefault("changeable", {})
    if person.id not in known:
        known[person.id] = _changeable_by(person.id, ids, user.person_id)
    return known[person.id]


def can_merge_person(person: Person, user=None) -> bool:
    """Merging moves memberships, staff, leadership and the account: nobody but an admin merges
    their own record (they would grant themselves what the other record holds)."""
    user = _user(user)
    return can_edit_person(person, user) and (is_admin(user) or person.id != user.person_id)


def _workplace_within(workplace_id, networks):
    p, m = aliased(Person), aliased(Membership)
    return exists().where(p.workplace_id == workplace_id, m.person_id == p.id, networks(m))


def visible_workplaces_clause(user=None):
    """SQL condition for the workplaces the user sees as coordinator: where members (current or
    past) of their networks work; admins every workplace."""
    ids = coordinated_network_ids(_user(user))
    if ids is None:
        return true()
    if not ids:
        return false()
    return _workplace_within(Workplace.id, _networks(bindparam(None, sorted(ids), expanding=True), True))


def changeable_workplaces_clause(user=None):
    """SQL condition for the workplaces the user may change: visible ones within no other network's scope."""
    ids = coordinated_network_ids(_user(user))
    if ids is None:
        return true()
    if not ids:
        return false()
    binds = bindparam(None, sorted(ids), expanding=True)
    return and_(_workplace_within(Workplace.id, _networks(binds, True)),
                ~_workplace_within(Workplace.id, _networks(binds, False)))


def get_workplace_or_404(workplace_id: int, *, edit: bool = False) -> Workplace:
    """A workplace the user sees as coordinator (edit=True: may change)."""
    clause = changeable_workplaces_clause() if edit else visible_workplaces_clause()
    row = db.session.execute(select(Workplace, clause).where(Workplace.id == workplace_id)).first()
    if row is None:
        abort(404)
    if not row[1]:
        abort(403)
    return row[0]


def leader_candidate(email_normalized: str | None, user=None) -> Person | None:
    """The person with this (normalised) address whom the user may make a workplace's leader:
    admins anyone in the registry; coordinators a member (current or past) of their networks,
    never themselves. None when there is no such person (an unknown address and one out of scope
    look alike)."""
    user = _user(user)
    if not email_normalized:
        return None
    query = select(Person).where(Person.email_normalized == email_normalized, Person.status != PersonStatus.ERASED)
    if not is_admin(user):
        query = query.where(coordinated_persons_clause(user), Person.id != user.person_id)
    return db.session.scalar(query)


# ---------------------------------------------------------------- decorators and loaders

def require(predicate):
    """Abort with 403 unless predicate(current_user) holds; anonymous users go to login."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not _authenticated(current_user):
                return login_manager.unauthorized()
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


require_login = require(lambda user: True)
require_admin = require(is_admin)
require_coordinator = require(is_coordinator)
require_manager = require(lambda user: is_manager(user) or is_admin(user))


@cache
def _person_in_networks_select():
    """Built once: a person, and whether they are (or were) a member of one of the given networks."""
    network_ids = bindparam("network_ids", expanding=True)
    member = exists().where(Membership.person_id == Person.id, Membership.network_id.in_(network_ids))
    return select(Person, member).where(Person.id == bindparam("person_id"))


def _changeable_by(person_id: int, ids, own_person_id) -> bool:
    """May a coordinator of `ids` change the person? Kept under the data's token (netapp.cache):
    any change to memberships, staff, leadership or accounts renews it, so the answer is never
    stale, and a page read again costs no query for it."""
    params = {"person_id": person_id, "network_ids": sorted(ids), "own_person_id": own_person_id}
    return cached("permissions.changeable", (person_id, tuple(params["network_ids"]), own_person_id),
                  lambda: bool(db.session.scalar(_changeable_select(), params)))


def get_person_or_404(person_id: int, *, edit: bool = False) -> Person:
    """A person the user may see (edit=True: may change, see can_edit_person)."""
    user = _user()
    ids = coordinated_network_ids(user)
    if ids:  # a coordinator: the person and their membership in one query; the scope kept cached
        row = db.session.execute(_person_in_networks_select(), {
            "person_id": person_id, "network_ids": sorted(ids)}).first()
        if row is None:
            abort(404)
        person, coordinated = row
        changeable = _changeable_by(person.id, ids, user.person_id)
        _cache(user).setdefault("changeable", {})[person.id] = changeable
        if changeable or (coordinated and not edit):  # what they may change they may see
            return person
    else:
        person = db.session.get(Person, person_id)
        if person is None:
            abort(404)
    allowed = can_edit_person(person) if edit else can_view_person(person)
    if not allowed:
        abort(403)
    return person


def get_registration_or_404(registration_id: int):
    """A registration for one of the networks the user coordinates (admin: any)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        abort(404)
    if not can_coordinate(registration.network):
        abort(403)
    return registration


def member_network_ids(user=None) -> frozenset[int]:
    """Networks the user currently belongs to in any role (resource person, working group,
    coordinator)."""
    user = _user(user)
    if not _authenticated(user) or user.person_id is None:
        return frozenset()
    return frozenset().union(*_roles(user)["memberships"].values())


def takes_part(user=None) -> bool:
    """Events and evaluations concern the user: they belong to a network (resource person,
    working group, coordinator) or are an admin. A manager who is none of these has no menus
    written for participants."""
    user = _user(user)
    return is_coordinator(user) or bool(member_network_ids(user))


def participant_network_ids(user=None) -> frozenset[int]:
    """Networks where the user takes part as resource person or working-group member: where they
    register for events and answer evaluations."""
    user = _user(user)
    return (_network_ids_with_role(user, MembershipRole.RESOURCE_PERSON)
            | _network_ids_with_role(user, MembershipRole.WORKING_GROUP))


def can_coordinate_network_id(network_id: int, user=None) -> bool:
    ids = coordinated_network_ids(_user(user))
    return ids is None or network_id in ids


def can_view_event(event, user=None) -> bool:
    """Coordinators of the event's network, admins and the network's current members."""
    user = _user(user)
    return can_coordinate_network_id(event.network_id, user) or event.network_id in member_network_ids(user)


def can_register_for_event(event, user=None) -> bool:
    """Resource persons and working-group members of the event's network."""
    return event.network_id in participant_network_ids(_user(user))


def get_event_or_404(event_id: int, *, coordinate: bool = False):
    """An event the user may see (coordinate=True: may change)."""
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    allowed = can_coordinate_network_id(event.network_id) if coordinate else can_view_event(event)
    if not allowed:
        abort(403)
    return event


def can_answer_questionnaire(questionnaire, user=None) -> bool:
    """Resource persons and working-group members of the questionnaire's network."""
    return questionnaire.network_id in participant_network_ids(_user(user))


def get_questionnaire_or_404(questionnaire_id: int, *, coordinate: bool = False):
    """A questionnaire the user may answer or coordinate (coordinate=True: only coordinate)."""
    questionnaire = db.session.get(Questionnaire, questionnaire_id)
    if questionnaire is None:
        abort(404)
    may_coordinate = can_coordinate_network_id(questionnaire.network_id)
    if not (may_coordinate or (not coordinate and can_answer_questionnaire(questionnaire))):
        abort(403)
    return questionnaire


@cache
def _network_by_slug_select():
    return select(Network).where(Network.slug == bindparam("slug"))


def _network_or_404(network: Network | None, coordinate: bool) -> Network:
    if network is None:
        abort(404)
    if coordinate and not can_coordinate(network):
        abort(403)
    return network


def get_network_or_404(slug: str, *, coordinate: bool = False) -> Network:
    return _network_or_404(db.session.scalar(_network_by_slug_select(), {"slug": slug}), coordinate)


def get_network_by_id_or_404(network_id: int, *, coordinate: bool = False) -> Network:
    """A network by its id (coordinate=True: one the user coordinates; admins every network)."""
    return _network_or_404(db.session.get(Network, network_id), coordinate)


def template_helpers() -> dict:
    """The same predicates, for templates to hide what a user may not do."""
    return {
        "is_admin": is_admin,
        "is_coordinator": is_coordinator,
        "is_manager": is_manager,
        "is_resource_person": is_resource_person,
        "takes_part": takes_part,
        "can_edit_person": can_edit_person,
        "can_merge_person": can_merge_person,
        "can_coordinate": can_coordinate,
        "can_coordinate_network_id": can_coordinate_network_id,
        "can_register_for_event": can_register_for_event,
        "can_answer_questionnaire": can_answer_questionnaire,
    }
