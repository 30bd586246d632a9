"""The one outbox: messages are stored in the caller's transaction and sent by one sender.

`enqueue()` only adds a row; the view, job or command that caused the message commits it
together with its own change. `send_due()` (run by `flask outbox send` and by the scheduler)
claims one message at a time, so a sender killed mid-batch repeats at most the message that was
in flight, with the same Message-ID.
"""

from __future__ import annotations

import enum
import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template
from sqlalchemy import DateTime, Integer, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from netapp.blueprints.registry.models import _enum
from netapp.extensions import db
from netapp.timeutil import utcnow

log = logging.getLogger(__name__)


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(
        _enum(OutboxStatus, "outbox_status"), default=OutboxStatus.QUEUED, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.to_address} {self.status}>"


def enqueue(to: str, subject: str, body_text: str, body_html: str | None = None) -> OutboxMessage:
    """Store a message to send; flushed, never committed (the caller's transaction decides)."""
    domain = (current_app.config["MAIL_DEFAULT_SENDER"].rsplit("@", 1)[-1].strip(" >")) or "netapp.example"
    msg = OutboxMessage(
        message_id=make_msgid(domain=domain),
        to_address=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        status=OutboxStatus.QUEUED,
        due_at=utcnow(),
    )
    db.session.add(msg)
    db.session.flush()
    return msg


def enqueue_template(to: str, subject: str, template: str, **context) -> OutboxMessage:
    """Render `<template>.txt` (and `<template>.html` when it exists) and enqueue the result."""
    body_text = render_template(f"{template}.txt", **context)
    try:
        body_html = render_template(f"{template}.html", **context)
    except Exception as exc:  # no HTML variant for this message
        if exc.__class__.__name__ != "TemplateNotFound":
            raise
        body_html = None
    return enqueue(to, subject, body_text, body_html)


# ---------------------------------------------------------------- sending

STALE_CLAIM = timedelta(minutes=10)


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** attempts, 240))


def build_email(msg: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = msg.to_address
    email["Subject"] = msg.subject
    email["Message-ID"] = msg.message_id
    email["Date"] = formatdate(localtime=False)
    email.set_content(msg.body_text)
    if msg.body_html:
        email.add_alternative(msg.body_html, subtype="html")
    return email


def _claim_next(now: datetime) -> OutboxMessage | None:
    """Take the next due message with one conditional UPDATE, so two senders never share one."""
    stale = now - STALE_CLAIM
    candidate = db.session.scalar(
        select(OutboxMessage.id)
        .where(
            or_(
                (OutboxMessage.status == OutboxStatus.QUEUED) & (OutboxMessage.due_at <= now),
                (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_at <= stale),
            )
        )
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(1)
    )
    if candidate is None:
        return None
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == candidate)
        .where(
            or_(
                OutboxMessage.status == OutboxStatus.QUEUED,
                (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_at <= stale),
            )
        )
        .values(status=OutboxStatus.SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
    ).rowcount
    db.session.commit()
    if not claimed:
        return _claim_next(now)
    return db.session.get(OutboxMessage, candidate)


def _connect() -> smtplib.SMTP:
    cfg = current_app.config
    smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30)
    if cfg["MAIL_USE_TLS"]:
        smtp.starttls(context=ssl.create_default_context())
    if cfg["MAIL_USERNAME"]:
        smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
    return smtp


def send_due(limit: int | None = None) -> dict[str, int]:
    """Deliver what is due over one SMTP connection; returns counts of sent, retried and failed."""
    limit = limit or current_app.config["MAIL_BATCH_SIZE"]
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    counts = {"sent": 0, "retry": 0, "failed": 0}
    smtp: smtplib.SMTP | None = None
    try:
        for _ in range(limit):
            now = utcnow()
            msg = _claim_next(now)
            if msg is None:
                break
            try:
                if smtp is None:
                    smtp = _connect()
                smtp.send_message(build_email(msg))
            except (smtplib.SMTPException, OSError) as exc:
                permanent = isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError) and _is_permanent(exc)
                msg.last_error = str(exc)[:2000]
                if permanent or msg.attempts >= max_attempts:
                    msg.status = OutboxStatus.FAILED
                    counts["failed"] += 1
                else:
                    msg.status = OutboxStatus.QUEUED
                    msg.due_at = now + _backoff(msg.attempts)
                    counts["retry"] += 1
                db.session.commit()
                log.warning("mail to %s not sent: %s", msg.to_address, exc)
                if smtp is not None and not isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
                    _quit(smtp)
                    smtp = None
                continue
            msg.status = OutboxStatus.SENT
            msg.sent_at = utcnow()
            msg.last_error = ""
            db.session.commit()
            counts["sent"] += 1
    finally:
        if smtp is not None:
            _quit(smtp)
    return counts


def _is_permanent(exc: smtplib.SMTPException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    code = getattr(exc, "smtp_code", 0)
    return 500 <= code < 600


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
