"""The audit log: who changed what, when.

A domain marks the models whose changes are recorded (`@audit.track` in its models module);
this module knows no domain. Changes to tracked objects made by a logged-in user are recorded
automatically after each flush, so every view, import and approval is covered without each
remembering to log; a change made outside the unit of work (a conditional UPDATE) calls
record(). Only field names are stored, never the values, so the log holds no personal data of
its own. Anonymous answers are never tracked: an audit row names its actor.
"""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, event, insert, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from netapp import cache
from netapp.extensions import db
from netapp.timeutil import utcnow

IGNORED_FIELDS = {"updated_at", "email_normalized", "created_at", "search_text", "version"}
TRACKED = "audited"  # the key in a tracked model's Table.info


def track(model):
    """Class decorator: record the model's creations, changes and deletions in the audit log."""
    model.__table__.info[TRACKED] = True
    return model


def is_tracked(model_or_table) -> bool:
    table = getattr(model_or_table, "__table__", model_or_table)
    return bool(table.info.get(TRACKED))


@cache.bookkeeping
class AuditEvent(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    actor_email: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(16))
    object_type: Mapped[str] = mapped_column(String(64), index=True)
    object_id: Mapped[int | None] = mapped_column(Integer)
    fields: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.object_type} {self.object_id}>"


def _actor():
    if not has_request_context():
        return None
    user = current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def _changed_fields(obj) -> list[str]:
    state = inspect(obj)
    names = []
    for attr in state.mapper.column_attrs:
        if attr.key in IGNORED_FIELDS:
            continue
        if state.attrs[attr.key].history.has_changes():
            names.append(attr.key)
    return names


@event.listens_for(Session, "after_flush")
def _record(session: Session, flush_context) -> None:
    actor = _actor()
    if actor is None:
        return
    rows = []
    now = utcnow()
    for action, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            if not is_tracked(type(obj)):
                continue
            fields = _changed_fields(obj) if action == "update" else []
            if action == "update" and not fields:
                continue
            rows.append({
                "created_at": now, "actor_id": actor.id, "actor_email": actor.email, "action": action,
                "object_type": type(obj).__name__, "object_id": inspect(obj).identity[0] if inspect(obj).identity else None,
                "fields": ", ".join(fields),
            })
    if rows:
        session.connection().execute(insert(AuditEvent.__table__), rows)


def record(action: str, obj, fields: list[str] | tuple[str, ...] = ()) -> None:
    """Log a change made outside the ORM's unit of work (e.g. a conditional UPDATE)."""
    actor = _actor()
    if actor is None:
        return
    db.session.execute(insert(AuditEvent.__table__), [{
        "created_at": utcnow(), "actor_id": actor.id, "actor_email": actor.email, "action": action,
        "object_type": type(obj).__name__, "object_id": obj.id, "fields": ", ".join(fields),
    }])
