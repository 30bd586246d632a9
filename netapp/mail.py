"""The one outbox: messages are stored in the caller's transaction and sent by one sender.

`enqueue()` only adds a row and flushes; the view, job or command that caused the message commits
it together with its own change, so a rolled-back change never sends mail. `send_due()` (run by
`flask outbox send` and every minute by the scheduler) claims one message at a time with a
conditional UPDATE and commits the claim before talking to the SMTP server. A sender killed
mid-batch therefore repeats at most the one message that was in flight, with the same Message-ID,
once its claim has gone stale.

A message about an anonymous questionnaire is queued with a topic and `anonymous=True`: the
outbox page shows such messages as counts per topic, never by recipient, and once sent, its
address and text are wiped, so the outbox does not tell who was written to when.

A message may carry extra headers from a short list (List-Unsubscribe and List-Unsubscribe-Post
for newsletters, RFC 2369 and 8058; List-Id, Reply-To, Auto-Submitted), checked when it is
queued: a name off the list or a line break in a value is refused, so nothing a user typed can add
a header of its own. Attachments (an event's .ics file) are stored beside the message, in the
database, so a message queued before a crash goes out after it with the same attachments, and
they go with the message when it is deleted. `source` says what sent a message (a newsletter
issue, an invitation, an evaluation: a type and an id, indexed), so its delivery to each recipient
can be shown where it was sent from (`source_messages`). An anonymous message loses its headers
and attachments with its address once it is sent.
"""

from __future__ import annotations

import enum
import json
import logging
import re
import smtplib
import ssl
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from jinja2 import TemplateNotFound
from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    and_,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from netapp import cache, person_hooks
from netapp.dbtypes import enum_type
from netapp.extensions import db
from netapp.timeutil import utcnow

log = logging.getLogger(__name__)


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


def status_labels():
    return {OutboxStatus.QUEUED: _l("I kø"), OutboxStatus.SENDING: _l("Sendes"), OutboxStatus.SENT: _l("Sendt"),
            OutboxStatus.FAILED: _l("Feilet")}


@person_hooks.personal_data
@cache.bookkeeping
class OutboxMessage(db.Model):
    __table_args__ = (Index("ix_outbox_message_source", "source_type", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_type(OutboxStatus, "outbox_status"), default=OutboxStatus.QUEUED, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # What the message is about, e.g. "questionnaire:12": messages are counted by it.
    topic: Mapped[str | None] = mapped_column(String(64), index=True)
    # Shown and kept as counts only: the recipient is wiped once it is sent.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # Extra headers as a JSON list of [name, value] pairs, checked on enqueue (see ALLOWED_HEADERS).
    headers: Mapped[str | None] = mapped_column(Text)
    # What sent the message, e.g. ("newsletter_issue", 3), ("event", 12): its delivery per recipient.
    source_type: Mapped[str | None] = mapped_column(String(32))
    source_id: Mapped[int | None] = mapped_column(Integer)

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="message", order_by="OutboxAttachment.id", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def extra_headers(self) -> list[tuple[str, str]]:
        return [(name, value) for name, value in json.loads(self.headers)] if self.headers else []

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.to_address} {self.status}>"


@person_hooks.personal_data
@cache.bookkeeping
class OutboxAttachment(db.Model):
    """A file sent with a message (an event's .ics), kept with it until the message is deleted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")

    def __repr__(self) -> str:
        return f"<OutboxAttachment {self.id} {self.filename} ({self.content_type}, {len(self.data)} bytes)>"


# ---------------------------------------------------------------- what a message may carry

# The extra headers a message may carry, by their lower-cased name. The rest (From, To, Subject,
# Message-ID, Date, MIME) the outbox writes itself.
ALLOWED_HEADERS = {name.lower(): name for name in (
    "List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Reply-To", "Auto-Submitted")}
# Anything that could end a header line (CR, LF and Python's other line boundaries) or is a control.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_URI_LIST = re.compile(r"<[^<>\s]+>(\s*,\s*<[^<>\s]+>)*")  # List-Unsubscribe: <https://…>, <mailto:…>
ONE_CLICK = "List-Unsubscribe=One-Click"  # the only value RFC 8058 allows for List-Unsubscribe-Post
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
_SOURCE_TYPE = re.compile(r"[a-z][a-z0-9_]{0,31}")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # all attachments of one message together


class HeaderError(ValueError):
    """A header, attachment or source the outbox will not write (a programming error: what users
    type never becomes a header name, and a line break in a value is refused)."""


@dataclass(frozen=True)
class Attachment:
    """A file to send with a message: e.g. Attachment("samling.ics", "text/calendar", data)."""

    filename: str
    content_type: str
    data: bytes


def checked_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]] | None) -> list[tuple[str, str]]:
    """The extra headers as (name, value) pairs, each name as ALLOWED_HEADERS spells it; raises
    HeaderError on a name off the list, a name given twice, a value that is empty, longer than a
    header line may be or holds a line break or control character, a List-Unsubscribe that is
    not a list of <URI>s, or a List-Unsubscribe-Post other than RFC 8058's one value or without
    a List-Unsubscribe beside it."""
    pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers or ())
    checked: dict[str, str] = {}
    for pair in pairs:
        name, value = pair
        canonical = ALLOWED_HEADERS.get(name.lower()) if isinstance(name, str) else None
        if canonical is None:
            raise HeaderError(f"header not allowed in the outbox: {name!r}")
        if canonical in checked:
            raise HeaderError(f"header given twice: {canonical}")
        if not isinstance(value, str) or not value.strip() or len(value) > 900 or _UNSAFE.search(value):
            raise HeaderError(f"{canonical}: not a single line of at most 900 characters")
        checked[canonical] = value.strip()
    if "List-Unsubscribe" in checked and not _URI_LIST.fullmatch(checked["List-Unsubscribe"]):
        raise HeaderError("List-Unsubscribe: one or more <URI>, separated by commas")
    if "List-Unsubscribe-Post" in checked and (
            checked["List-Unsubscribe-Post"] != ONE_CLICK or "List-Unsubscribe" not in checked):
        raise HeaderError(f"List-Unsubscribe-Post: only {ONE_CLICK!r}, with a List-Unsubscribe")
    return list(checked.items())


def _checked_attachment(attachment: Attachment) -> Attachment:
    name = attachment.filename
    if not isinstance(name, str) or not name.strip() or len(name) > 255 or _UNSAFE.search(name) or any(
            c in name for c in '/\\"'):
        raise HeaderError(f"attachment file name not allowed: {name!r}")
    if not isinstance(attachment.content_type, str) or not _CONTENT_TYPE.fullmatch(attachment.content_type):
        raise HeaderError(f"attachment content type not allowed: {attachment.content_type!r}")
    if not isinstance(attachment.data, bytes):
        raise HeaderError("attachment data must be bytes")
    return attachment


def _checked_source(source: tuple[str, int] | None) -> tuple[str | None, int | None]:
    if source is None:
        return None, None
    source_type, source_id = source
    if not isinstance(source_type, str) or not _SOURCE_TYPE.fullmatch(source_type) or not isinstance(source_id, int):
        raise HeaderError(f"source must be (a short lower-case name, an id): {source!r}")
    return source_type, source_id


def _sender_domain() -> str:
    address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    return address.rpartition("@")[2] or "netapp.example"


def absolute_url(endpoint: str, **values) -> str:
    """A link for an e-mail: BASE_URL and the endpoint's path (in a request or not: jobs, CLI)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return base + url_for(endpoint, **values)


def enqueue_each(recipients, subject: Callable[[], str], template: str, *, topic: str | None = None,
                 anonymous: bool = False, headers=None, attachments: Iterable[Attachment] | Callable = (),
                 source: tuple[str, int] | None = None, **context) -> int:
    """Enqueue `template` to each (email, first_name, language) in the recipient's own language
    (the default language when they chose none); `subject` is called in that language. `headers`
    and `attachments` are as for enqueue, or callables given the recipient's address that return
    them (a newsletter's unsubscribe link is each recipient's own); attachments are called in the
    recipient's language too."""
    count = 0
    for email, first_name, language in recipients:
        with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
            enqueue_template(email, subject(), template, first_name=first_name, topic=topic, anonymous=anonymous,
                             headers=headers(email) if callable(headers) else headers,
                             attachments=attachments(email) if callable(attachments) else attachments,
                             source=source, **context)
        count += 1
    return count


def enqueue(to: str, subject: str, body_text: str, body_html: str | None = None, *,
            headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
            attachments: Iterable[Attachment] = (), source: tuple[str, int] | None = None,
            topic: str | None = None, anonymous: bool = False) -> OutboxMessage:
    """Store a message to send; flushed, never committed (the caller's transaction decides).

    `headers`: extra headers (see checked_headers; HeaderError when one is not allowed);
    `attachments`: Attachment files; `source`: what sent it, (type, id); `topic` and `anonymous`:
    see the module's docstring."""
    pairs = checked_headers(headers)
    files = [_checked_attachment(a) for a in attachments]
    if sum(len(a.data) for a in files) > MAX_ATTACHMENT_BYTES:
        raise HeaderError("attachments too large for one message")
    source_type, source_id = _checked_source(source)
    now = utcnow()
    msg = OutboxMessage(
        # Chosen once, here: a message sent again after a crash keeps its Message-ID.
        message_id=make_msgid(domain=_sender_domain()),
        to_address=to.strip(),
        subject=subject[:255],
        body_text=body_text,
        body_html=body_html,
        status=OutboxStatus.QUEUED,
        created_at=now,
        due_at=now,
        attempts=0,
        last_error="",
        topic=topic,
        anonymous=anonymous,
        headers=json.dumps(pairs, ensure_ascii=False) if pairs else None,
        source_type=source_type,
        source_id=source_id,
        attachments=[OutboxAttachment(filename=a.filename.strip(), content_type=a.content_type, data=a.data)
                     for a in files],
    )
    db.session.add(msg)
    db.session.flush()
    return msg


def enqueue_template(to: str, subject: str, template: str, *, headers=None, attachments: Iterable[Attachment] = (),
                     source: tuple[str, int] | None = None, topic: str | None = None, anonymous: bool = False,
                     **context) -> OutboxMessage:
    """Render `<template>.txt` (and `<template>.html` when it exists) and enqueue the result, with
    enqueue's headers, attachments, source, topic and anonymous."""
    body_text = render_template(f"{template}.txt", **context)
    try:
        body_html = render_template(f"{template}.html", **context)
    except TemplateNotFound as exc:
        if exc.name != f"{template}.html":  # a missing include inside the HTML is a real error
            raise
        body_html = None
    return enqueue(to, subject, body_text, body_html, headers=headers, attachments=attachments, source=source,
                   topic=topic, anonymous=anonymous)


def source_messages(source_type: str, source_id: int | None = None):
    """The messages `source_type` (and `source_id`) sent, as a select of (id, to_address, status,
    created_at, sent_at, attempts, last_error, anonymous), by recipient: what a page shows as each
    recipient's delivery. Anonymous messages are there too (their address wiped once sent): such a
    page counts them instead."""
    query = select(OutboxMessage.id, OutboxMessage.to_address, OutboxMessage.status, OutboxMessage.created_at,
                   OutboxMessage.sent_at, OutboxMessage.attempts, OutboxMessage.last_error,
                   OutboxMessage.anonymous).where(OutboxMessage.source_type == source_type)
    if source_id is not None:
        query = query.where(OutboxMessage.source_id == source_id)
    return query.order_by(OutboxMessage.to_address, OutboxMessage.id)


def outbox_topics(status: str | None = None, limit: int = 50) -> list:
    """Anonymous messages as counts: (topic, subject, first queued, queued, sending, sent,
    failed) per topic, newest first; one query."""
    counts = [func.count().filter(OutboxMessage.status == s).label(s.value) for s in OutboxStatus]
    query = (
        select(OutboxMessage.topic, func.max(OutboxMessage.subject).label("subject"),
               func.min(OutboxMessage.created_at).label("created_at"), *counts)
        .where(OutboxMessage.anonymous.is_(True))
        .group_by(OutboxMessage.topic)
        .order_by(func.min(OutboxMessage.created_at).desc(), OutboxMessage.topic)
        .limit(limit)
    )
    if status:
        query = query.where(OutboxMessage.status == status)
    return list(db.session.execute(query))


# ---------------------------------------------------------------- sending

def stale_claim_limit() -> timedelta:
    """A claim older than this belongs to a sender that died mid-message; the message is retried."""
    return timedelta(minutes=current_app.config.get("MAIL_STALE_CLAIM_MINUTES", 10))


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: 1, 4, 16, 64, 256 minutes, at most 6 hours."""
    return min(timedelta(minutes=4 ** max(attempts - 1, 0)), timedelta(hours=6))


def build_email(msg: OutboxMessage) -> EmailMessage:
    """The message as sent; a resend after a crash carries the same Message-ID, Date, headers and
    attachments. The stored headers are checked again (a row written by other means): a header
    that may not be written raises HeaderError, and the message fails without being sent."""
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = msg.to_address
    email["Subject"] = msg.subject
    email["Message-ID"] = msg.message_id
    email["Date"] = format_datetime(msg.created_at.replace(tzinfo=UTC))
    for name, value in checked_headers(msg.extra_headers):
        email[name] = value
    email.set_content(msg.body_text)
    if msg.body_html:
        email.add_alternative(msg.body_html, subtype="html")
    for attachment in msg.attachments:
        _checked_attachment(attachment)
        maintype, subtype = attachment.content_type.split("/")
        email.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return email


def claim_next() -> OutboxMessage | None:
    """Take the next due message (or one whose claim went stale) and commit the claim.

    One conditional UPDATE picks and marks the row, so two senders never share a message: on
    PostgreSQL the subquery skips rows another sender has locked; on SQLite the statement holds the
    write lock for its whole run.
    """
    now = utcnow()
    due = or_(
        and_(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.due_at <= now),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at <= now - stale_claim_limit()),
    )
    next_id = (
        select(OutboxMessage.id)
        .where(due)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed_id = db.session.scalar(
        update(OutboxMessage)
        .where(OutboxMessage.id == next_id, due)
        .values(status=OutboxStatus.SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return db.session.get(OutboxMessage, claimed_id) if claimed_id is not None else None


def _connect() -> smtplib.SMTP:
    cfg = current_app.config
    smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg.get("MAIL_TIMEOUT", 30))
    try:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


# The server answered and refused this message; the connection stays usable for the next one.
_REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError, smtplib.SMTPNotSupportedError)


def _is_permanent(exc: smtplib.SMTPException) -> bool:
    """A 5xx for this recipient or this message: no retry can change the answer.

    A refused sender (MAIL FROM) is left to the retries: it refuses every message alike and is
    usually a configuration slip, which should not fail the whole queue in one batch.
    """
    if isinstance(exc, smtplib.SMTPNotSupportedError):  # e.g. a non-ASCII address without SMTPUTF8
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPDataError):
        return 500 <= exc.smtp_code < 600
    return False


def _describe(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:2000]


def _mark_sent(msg: OutboxMessage) -> None:
    msg.status = OutboxStatus.SENT
    msg.sent_at = utcnow()
    msg.last_error = ""
    if msg.anonymous:  # counted, not kept by recipient
        msg.to_address, msg.body_text, msg.body_html, msg.headers = "", "", None, None
        msg.attachments.clear()
        db.session.commit()
        log.info("mail %s sent (%s)", msg.message_id, msg.topic or "anonymous")
        return
    db.session.commit()
    log.info("mail %s sent to %s: %s", msg.message_id, msg.to_address, msg.subject)


def _mark_failed(msg: OutboxMessage, error: str) -> str:
    msg.status = OutboxStatus.FAILED
    msg.last_error = error
    db.session.commit()
    log.error("mail %s to %s failed after %d attempt(s): %s", msg.message_id,
              msg.topic if msg.anonymous else msg.to_address, msg.attempts, error)
    return "failed"


def _retry_or_fail(msg: OutboxMessage, error: str, max_attempts: int) -> str:
    if msg.attempts >= max_attempts:
        return _mark_failed(msg, error)
    msg.status = OutboxStatus.QUEUED
    msg.due_at = utcnow() + backoff(msg.attempts)
    msg.claimed_at = None
    msg.last_error = error
    db.session.commit()
    log.warning("mail %s to %s not sent (attempt %d), retry after %s UTC: %s",
                msg.message_id, msg.topic if msg.anonymous else msg.to_address, msg.attempts, msg.due_at.isoformat(timespec="seconds"), error)
    return "retry"


def send_due(limit: int | None = None, stop: threading.Event | None = None) -> dict[str, int]:
    """Deliver what is due over one SMTP connection; returns counts of sent, retried and failed.

    Stops after `limit` messages, when nothing is due, when `stop` is set (the scheduler is shutting
    down: the message in flight is finished first), or when the server cannot be reached (the rest
    waits for the next run rather than hammering a server that is down).
    """
    cfg = current_app.config
    limit = limit or cfg["MAIL_BATCH_SIZE"]
    max_attempts = cfg["MAIL_MAX_ATTEMPTS"]
    counts = {"sent": 0, "retry": 0, "failed": 0}
    smtp: smtplib.SMTP | None = None
    try:
        for _ in range(limit):
            if stop is not None and stop.is_set():
                break
            msg = claim_next()
            if msg is None:
                break
            if msg.attempts > max_attempts:  # claimed again and again: the sender died on it each time
                counts[_mark_failed(msg, msg.last_error or "the sender stopped while sending this message")] += 1
                continue
            try:
                email = build_email(msg)
            except (ValueError, TypeError) as exc:  # a header that cannot be written; retries cannot help
                counts[_mark_failed(msg, _describe(exc))] += 1
                continue
            if smtp is None:
                try:
                    smtp = _connect()
                except (smtplib.SMTPException, OSError) as exc:
                    counts[_retry_or_fail(msg, _describe(exc), max_attempts)] += 1
                    break
            try:
                smtp.send_message(email)
            except _REFUSALS as exc:
                if _is_permanent(exc):
                    counts[_mark_failed(msg, _describe(exc))] += 1
                else:
                    counts[_retry_or_fail(msg, _describe(exc), max_attempts)] += 1
                if smtp.sock is None:  # the server closed the connection with its answer (421)
                    smtp = None
                continue
            except (smtplib.SMTPException, OSError) as exc:  # the connection broke: try again later
                smtp.close()
                smtp = None
                counts[_retry_or_fail(msg, _describe(exc), max_attempts)] += 1
                break
            _mark_sent(msg)
            counts["sent"] += 1
    finally:
        if smtp is not None:
            _quit(smtp)
    return counts
