"""The rows about a person kept by the ground floor, which knows no person: mail to their
addresses in the outbox (with its attachments), and the audit log's account of the changes their
account made."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from netapp.audit import AuditEvent
from netapp.extensions import db
from netapp.mail import OutboxMessage, OutboxStatus, status_labels
from netapp.person_hooks import Section, Subject

TABLES = ("outbox_message", "outbox_attachment", "audit_event")


def merge(keep, duplicate) -> None:
    """Nothing moves: mail is found by address, and the audit log names accounts, which a merge
    keeps."""


def erase(subject: Subject) -> None:
    """Mail to the person's addresses leaves the outbox, except a message being sent right now,
    which belongs to the sender; the next run finds nothing more to send them. Attachments go with
    their message. The audit log keeps who changed what (field names only, never the values)."""
    if not subject.addresses:
        return
    db.session.execute(
        delete(OutboxMessage).where(
            func.lower(OutboxMessage.to_address).in_(sorted(subject.addresses)),
            OutboxMessage.status != OutboxStatus.SENDING,
        ),
        execution_options={"synchronize_session": False},
    )


def _outbox_status_labels() -> dict[str, str]:
    return {status.value: str(label) for status, label in status_labels().items()}


def download(subject: Subject) -> list[Section]:
    """Mail sent to the person's addresses, and the changes their account made (field names only)."""
    messages = [] if not subject.addresses else db.session.scalars(
        select(OutboxMessage).where(func.lower(OutboxMessage.to_address).in_(sorted(subject.addresses)))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    changes = [] if subject.account is None else db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == subject.account.id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    return [
        Section(
            "emails", _("E-post sendt til deg"), [
                {"subject": m.subject, "email": m.to_address, "status": m.status, "created_at": m.created_at,
                 "sent_at": m.sent_at}
                for m in messages
            ], order=100,
            fields={"subject": _("Emne"), "email": _("E-post"), "status": _("Status"), "created_at": _("Opprettet"),
                    "sent_at": _("Sendt")},
            values={"status": _outbox_status_labels()},
        ),
        Section(
            "changes", _("Endringer du har gjort"), [
                {"created_at": e.created_at, "action": e.action, "object_type": e.object_type,
                 "object_id": e.object_id, "fields": e.fields}
                for e in changes
            ], order=110,
            fields={"created_at": _("Opprettet"), "action": _("Handling"), "object_type": _("Type"),
                    "object_id": _("Nummer"), "fields": _("Felt")},
            values={"action": {"create": _("laget"), "update": _("endret"), "delete": _("slettet"),
                               "erase": _("slettet personopplysninger")}},
        ),
    ]
