"""Reusable selects for privacy: retention lists and the counts erasure keeps (a person's own data
is gathered by each domain's person_hooks.download)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from netapp.blueprints.registry.models import (
    Membership,
    Organisation,
    Person,
    PersonStatus,
    Workplace,
)
from netapp.extensions import db

# ---------------------------------------------------------------- retention

def _left_between(visible_clause, after: date | None, until: date):
    query = select(Person).where(
        visible_clause, Person.status == PersonStatus.LEFT, Person.left_on.is_not(None), Person.left_on <= until,
    )
    if after is not None:
        query = query.where(Person.left_on > after)
    return query


def due_for_erasure(visible_clause, cutoff: date):
    """Persons who left on or before `cutoff` and are not erased yet, oldest first (ready to paginate)."""
    return (
        _left_between(visible_clause, None, cutoff)
        .options(joinedload(Person.workplace).joinedload(Workplace.organisation))
        .order_by(Person.left_on, Person.id)
    )


def due_soon(visible_clause, cutoff: date, until: date):
    """Persons whose retention period ends after `cutoff` but no later than `until`."""
    return (
        _left_between(visible_clause, cutoff, until)
        .options(joinedload(Person.workplace).joinedload(Workplace.organisation))
        .order_by(Person.left_on, Person.id)
    )


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def due_ids(visible_clause, cutoff: date, limit: int) -> list[int]:
    return list(db.session.scalars(
        _left_between(visible_clause, None, cutoff).with_only_columns(Person.id).order_by(Person.id).limit(limit)
    ))


# ---------------------------------------------------------------- what erasure keeps

def member_counts(network_id: int, start: date, end: date) -> dict[tuple[str, str], int]:
    """Members of a network at any time in [start, end], per organisation (municipality) and sector.

    Counts memberships, whatever the person's status, so erased persons still count for the
    periods they were members: the anonymous rows reports rely on.
    """
    rows = db.session.execute(
        select(Organisation.name, Workplace.sector, func.count(func.distinct(Membership.person_id)))
        .join(Person, Person.id == Membership.person_id)
        .join(Workplace, Person.workplace_id == Workplace.id)
        .join(Organisation, Workplace.organisation_id == Organisation.id)
        .where(
            Membership.network_id == network_id,
            or_(Membership.start_date.is_(None), Membership.start_date <= end),
            or_(Membership.end_date.is_(None), Membership.end_date >= start),
        )
        .group_by(Organisation.name, Workplace.sector)
    ).all()
    return {(org, sector.value if sector else "unknown"): n for org, sector, n in rows}
