"""The outbox: stored with the change that caused it, sent over real SMTP to a local catcher."""

from __future__ import annotations

import json
import smtplib
import socket
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from netapp.devmail import CatcherHandler, MailCatcher, body_text
from netapp.extensions import db
from netapp.mail import (
    Attachment,
    HeaderError,
    OutboxAttachment,
    OutboxMessage,
    OutboxStatus,
    backoff,
    claim_next,
    enqueue,
    enqueue_each,
    enqueue_template,
    send_due,
    source_messages,
)
from netapp.timeutil import utcnow


@pytest.fixture
def catcher(app, monkeypatch):
    with MailCatcher() as running:
        monkeypatch.setitem(app.config, "MAIL_SERVER", running.host)
        monkeypatch.setitem(app.config, "MAIL_PORT", running.port)
        yield running


def dead_port() -> int:
    """A loopback port nobody listens on: connecting is refused, as with a mail server that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server_down(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", dead_port())


class Clock:
    """The outbox's notion of now, moved by the test instead of sleeping."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr("netapp.mail.utcnow", fake)
    return fake


def queue(*addresses: str, **kwargs) -> list[OutboxMessage]:
    messages = [enqueue(address, f"Emne til {address}", f"Hei {address}, dette er en test.", **kwargs)
                for address in addresses]
    db.session.commit()
    return messages


def statuses() -> dict[str, OutboxMessage]:
    db.session.expire_all()
    return {m.to_address: m for m in db.session.scalars(select(OutboxMessage))}


def committed_count() -> int:
    """Rows visible to another connection, i.e. committed."""
    with db.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(OutboxMessage))


# ---------------------------------------------------------------- enqueue

def test_enqueue_joins_the_callers_transaction(outbox):
    enqueue("a@test.example", "Emne", "Tekst")
    assert len(outbox()) == 1  # flushed: visible in this transaction
    assert committed_count() == 0  # but not committed
    db.session.rollback()
    assert outbox() == []

    enqueue("a@test.example", "Emne", "Tekst")
    db.session.commit()
    [msg] = outbox()
    assert msg.status == OutboxStatus.QUEUED
    assert msg.message_id.startswith("<") and msg.message_id.endswith("@netapp.example>")


def test_enqueue_template_renders_text_without_html(outbox):
    class Person:
        first_name = "Kari"

    class User:
        person = Person()

    class Account:  # an account without a person (an administrator): no greeting by address
        person = None
        display_name = email = "admin@test.example"

    enqueue_template("kari@test.example", "Nytt passord", "auth/emails/reset_password",
                     user=User(), link="http://localhost/auth/x", hours=2)
    enqueue_template("admin@test.example", "Nytt passord", "auth/emails/reset_password",
                     user=Account(), link="http://localhost/auth/y", hours=1)
    kari, admin = outbox()
    assert kari.body_text.startswith("Hei Kari,\n") and "http://localhost/auth/x" in kari.body_text
    assert "i 2 timer" in kari.body_text
    assert kari.body_html is None
    assert admin.body_text.startswith("Hei,\n") and "admin@test.example" not in admin.body_text
    assert "i 1 time." in admin.body_text


# ---------------------------------------------------------------- sending

def test_batch_is_sent_over_one_connection_with_the_stored_message_ids(catcher):
    queued = queue("a@test.example", "b@test.example", "c@test.example")
    queued_html = enqueue("d@test.example", "Med HTML æøå", "Tekst æøå", "<p>HTML æøå</p>")
    db.session.commit()
    ids = {m.to_address: m.message_id for m in [*queued, queued_html]}

    assert send_due() == {"sent": 4, "retry": 0, "failed": 0}

    assert catcher.connections == 1
    received = {str(m["To"]): m for m in catcher.messages}
    assert set(received) == set(ids)
    for address, message_id in ids.items():
        assert received[address]["Message-ID"] == message_id
        assert received[address]["From"] == "netapp <ikke-svar@netapp.example>"
    assert received["d@test.example"]["Subject"] == "Med HTML æøå"
    assert body_text(received["d@test.example"]).strip() == "Tekst æøå"
    assert received["d@test.example"].get_body(preferencelist=("html",)).get_content().strip() == "<p>HTML æøå</p>"
    for msg in statuses().values():
        assert msg.status == OutboxStatus.SENT and msg.sent_at is not None and msg.attempts == 1

    assert send_due() == {"sent": 0, "retry": 0, "failed": 0}  # nothing twice
    assert len(catcher.messages) == 4


def test_nothing_due_opens_no_connection(catcher):
    assert send_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert catcher.connections == 0


def test_limit_and_stop_bound_a_batch(catcher):
    import threading

    queue("a@test.example", "b@test.example", "c@test.example")
    assert send_due(limit=2)["sent"] == 2
    stop = threading.Event()
    stop.set()
    assert send_due(stop=stop)["sent"] == 0
    assert send_due()["sent"] == 1
    assert len(catcher.messages) == 3


@pytest.mark.parametrize("killed_after_smtp", [True, False], ids=["after-smtp-before-commit", "before-smtp"])
def test_sender_killed_mid_batch_repeats_at_most_the_message_in_flight(catcher, clock, monkeypatch,
                                                                       killed_after_smtp):
    queued = queue(*(f"p{i}@test.example" for i in range(5)))
    in_flight = queued[2]
    in_flight_id = in_flight.message_id
    real_send = smtplib.SMTP.send_message
    calls = {"n": 0, "killed": False}

    def send_then_die(self, msg, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3 and not calls["killed"]:
            calls["killed"] = True
            if killed_after_smtp:
                real_send(self, msg, *args, **kwargs)  # delivered, but the sender dies before recording it
            raise SystemExit("killed")
        return real_send(self, msg, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "send_message", send_then_die)
    with pytest.raises(SystemExit):
        send_due()
    db.session.rollback()
    assert statuses()["p2@test.example"].status == OutboxStatus.SENDING

    # Restarted at once: the rest goes out; the message in flight waits for its claim to go stale.
    assert send_due() == {"sent": 2, "retry": 0, "failed": 0}
    assert statuses()["p2@test.example"].status == OutboxStatus.SENDING

    clock.advance(minutes=11)
    assert send_due() == {"sent": 1, "retry": 0, "failed": 0}

    received = [str(m["Message-ID"]) for m in catcher.messages]
    assert set(received) == {m.message_id for m in queued}  # every message arrived
    duplicates = [mid for mid in set(received) if received.count(mid) > 1]
    assert duplicates == ([in_flight_id] if killed_after_smtp else [])
    assert received.count(in_flight_id) == (2 if killed_after_smtp else 1)
    assert all(m.status == OutboxStatus.SENT for m in statuses().values())


def test_server_down_is_retried_with_backoff_then_sent(app, clock, server_down, monkeypatch):
    queue("a@test.example", "b@test.example")

    assert send_due() == {"sent": 0, "retry": 1, "failed": 0}  # the batch stops at a server that is down
    rows = statuses()
    first = rows["a@test.example"]
    assert first.status == OutboxStatus.QUEUED and first.attempts == 1
    assert first.due_at == clock.now + timedelta(minutes=1)
    assert "Connection refused" in first.last_error or "ConnectionRefused" in first.last_error
    assert rows["b@test.example"].attempts == 0

    clock.advance(minutes=1)
    assert send_due()["retry"] == 1  # b tried and failed; a is due again, but the batch stopped
    clock.advance(minutes=1)
    assert send_due()["retry"] == 1
    first = statuses()["a@test.example"]
    assert first.attempts == 2 and first.due_at == clock.now + timedelta(minutes=4)

    with MailCatcher() as catcher:
        monkeypatch.setitem(app.config, "MAIL_PORT", catcher.port)
        assert send_due() == {"sent": 1, "retry": 0, "failed": 0}  # b is due; a waits out its backoff
        assert [str(m["To"]) for m in catcher.messages] == ["b@test.example"]
        clock.advance(minutes=4)
        assert send_due() == {"sent": 1, "retry": 0, "failed": 0}
        assert [str(m["To"]) for m in catcher.messages] == ["b@test.example", "a@test.example"]
    rows = statuses()
    assert all(m.status == OutboxStatus.SENT and m.last_error == "" for m in rows.values())


def test_backoff_grows_and_is_capped():
    assert [backoff(n) for n in range(1, 6)] == [timedelta(minutes=m) for m in (1, 4, 16, 64, 256)]
    assert backoff(9) == timedelta(hours=6)


def test_failed_after_max_attempts(app, clock, server_down, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    queue("a@test.example")
    results = []
    for _ in range(3):
        results.append(send_due())
        clock.advance(hours=7)
    assert results == [{"sent": 0, "retry": 1, "failed": 0}] * 2 + [{"sent": 0, "retry": 0, "failed": 1}]
    msg = statuses()["a@test.example"]
    assert msg.status == OutboxStatus.FAILED and msg.attempts == 3 and msg.last_error
    assert send_due() == {"sent": 0, "retry": 0, "failed": 0}  # failed stays failed


def test_permanent_refusal_fails_that_message_at_once(app, monkeypatch):
    with MailCatcher(refuse=["finnesikke@test.example"]) as catcher:
        monkeypatch.setitem(app.config, "MAIL_PORT", catcher.port)
        queue("a@test.example", "finnesikke@test.example", "b@test.example")
        assert send_due() == {"sent": 2, "retry": 0, "failed": 1}
        assert catcher.connections == 1  # the refusal did not cost the connection
        assert sorted(str(m["To"]) for m in catcher.messages) == ["a@test.example", "b@test.example"]
    refused = statuses()["finnesikke@test.example"]
    assert refused.status == OutboxStatus.FAILED and refused.attempts == 1
    assert "550" in refused.last_error


class Greylisting(CatcherHandler):
    """Answers 451 (try again later) to the first attempt for each recipient."""

    def __init__(self):
        super().__init__()
        self.seen: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address not in self.seen:
            self.seen.add(address)
            return "451 4.7.1 Greylisted, try again later"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def test_temporary_refusal_is_retried(app, clock, monkeypatch):
    with MailCatcher(handler=Greylisting()) as catcher:
        monkeypatch.setitem(app.config, "MAIL_PORT", catcher.port)
        queue("a@test.example", "b@test.example")
        assert send_due() == {"sent": 0, "retry": 2, "failed": 0}  # both tried on the same connection
        assert all(m.status == OutboxStatus.QUEUED and "451" in m.last_error for m in statuses().values())
        clock.advance(minutes=1)
        assert send_due() == {"sent": 2, "retry": 0, "failed": 0}
        assert len(catcher.messages) == 2 and catcher.connections == 2


def test_a_message_that_cannot_be_written_fails_without_sending(catcher):
    queue("a@test.example\nBcc: someone@test.example")
    assert send_due() == {"sent": 0, "retry": 0, "failed": 1}
    assert catcher.messages == []


def test_a_message_the_sender_keeps_dying_on_is_given_up(app, catcher, clock):
    [msg] = queue("a@test.example")
    msg.status = OutboxStatus.SENDING
    msg.attempts = app.config["MAIL_MAX_ATTEMPTS"]
    msg.claimed_at = clock.now - timedelta(hours=1)
    db.session.commit()
    assert send_due() == {"sent": 0, "retry": 0, "failed": 1}
    assert catcher.messages == []
    assert statuses()["a@test.example"].status == OutboxStatus.FAILED


def test_a_claimed_message_is_not_claimed_again_until_stale(clock):
    queue("a@test.example", "b@test.example")
    first, second = claim_next(), claim_next()
    assert {first.to_address, second.to_address} == {"a@test.example", "b@test.example"}
    assert claim_next() is None
    clock.advance(minutes=11)
    again = claim_next()
    assert again is not None and again.attempts == 2


def test_cli_outbox_send(catcher, runner):
    queue("a@test.example", "b@test.example")
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sendt=2 prøves_igjen=0 feilet=0" in result.output
    assert len(catcher.messages) == 2 and catcher.connections == 1


def test_cli_outbox_send_with_server_down(server_down, runner):
    queue("a@test.example")
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sendt=0 prøves_igjen=1 feilet=0" in result.output


def test_admin_sees_a_failed_message_as_failed(app, demo, login, client, monkeypatch):
    with MailCatcher(refuse=["borte@test.example"]) as catcher:
        monkeypatch.setitem(app.config, "MAIL_PORT", catcher.port)
        queue("borte@test.example")
        assert send_due()["failed"] == 1
    login("admin@demo.example")
    page = client.get("/admin/outbox?status=failed")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "borte@test.example" in html and "550" in html
    assert "Feilet (1)" in html


# ---------------------------------------------------------------- headers, attachments, sources

UNSUBSCRIBE = {"List-Unsubscribe": "<https://nettverk.example/avmeld/abc123>, <mailto:avmeld@nettverk.example>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
               "List-Id": "Nyhetsbrev <nyhetsbrev.nettverket.netapp.example>"}
ICS = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//netapp//test//NO\r\nBEGIN:VEVENT\r\nUID:event-1@test\r\n"
       b"SUMMARY:Fagdag om sorg \xc3\xa6\xc3\xb8\xc3\xa5\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
BINARY = bytes(range(256)) * 4


def _attachments(email) -> list[tuple[str, str, bytes]]:
    return [(part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
            for part in email.iter_attachments()]


def test_extra_headers_arrive_as_given(catcher):
    enqueue("a@test.example", "Nyhetsbrev", "Tekst", headers=UNSUBSCRIBE)
    enqueue("b@test.example", "Vanlig", "Tekst")
    db.session.commit()
    assert send_due()["sent"] == 2
    received = {str(m["To"]): m for m in catcher.messages}
    for name, value in UNSUBSCRIBE.items():
        # A long value is folded onto the next line, which leaves a space before it once parsed.
        assert received["a@test.example"][name].strip() == value
        assert received["b@test.example"][name] is None
    assert body_text(received["a@test.example"]).strip() == "Tekst"


@pytest.mark.parametrize("headers", [
    {"Bcc": "noen@test.example"},
    {"X-Mailer": "netapp"},
    {"List-Id: x\r\nBcc": "noen@test.example"},
    {"List-Id": "Liste\r\nBcc: noen@test.example"},
    {"List-Id": "Liste\nBcc: noen@test.example"},
    {"Reply-To": "svar@test.example\rBcc: noen@test.example"},
    {"Reply-To": "svar@test.example\u2028Bcc: noen@test.example"},
    {"Reply-To": "svar@test.example\x85Bcc: noen@test.example"},
    {"List-Id": ""},
    {"List-Id": "x" * 901},
    {"List-Unsubscribe": "https://uten.klammer.example"},
    {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},  # without a List-Unsubscribe
    {"List-Unsubscribe": "<https://x.example/u>", "List-Unsubscribe-Post": "List-Unsubscribe=Yes"},
    [("List-Id", "en"), ("list-id", "to")],
], ids=lambda h: repr(h)[:40])
def test_a_header_off_the_list_or_with_a_line_break_is_refused(headers, outbox):
    with pytest.raises(HeaderError):
        enqueue("a@test.example", "Emne", "Tekst", headers=headers)
    assert outbox() == []


def test_a_stored_header_that_may_not_be_written_fails_the_message_unsent(catcher):
    [msg] = queue("a@test.example")
    msg.headers = json.dumps([["Bcc", "noen@test.example"]])  # written past enqueue
    db.session.commit()
    assert send_due() == {"sent": 0, "retry": 0, "failed": 1}
    assert catcher.messages == []
    assert "Bcc" in statuses()["a@test.example"].last_error


def test_attachments_arrive_intact_with_their_names_and_types(catcher):
    enqueue("a@test.example", "Invitasjon", "Tekst æøå", "<p>HTML</p>", attachments=[
        Attachment("arrangement-1.ics", "text/calendar", ICS),
        Attachment("vedlegg æøå.bin", "application/octet-stream", BINARY),
    ])
    db.session.commit()
    assert send_due()["sent"] == 1
    [email] = catcher.messages
    assert _attachments(email) == [("arrangement-1.ics", "text/calendar", ICS),
                                   ("vedlegg æøå.bin", "application/octet-stream", BINARY)]
    assert body_text(email).strip() == "Tekst æøå"
    assert email.get_body(preferencelist=("html",)).get_content().strip() == "<p>HTML</p>"


@pytest.mark.parametrize("attachment", [
    Attachment("", "text/calendar", ICS),
    Attachment("a\r\nBcc: noen@test.example.ics", "text/calendar", ICS),
    Attachment("../../etc/passwd", "text/plain", b"x"),
    Attachment('a".ics', "text/calendar", ICS),
    Attachment("a.ics", "text/calendar\r\nBcc: noen@test.example", ICS),
    Attachment("a.ics", "kalender", ICS),
    Attachment("a.ics", "text/calendar", "ikke bytes"),
], ids=lambda a: repr(a)[:50])
def test_a_bad_attachment_is_refused(attachment, outbox):
    with pytest.raises(HeaderError):
        enqueue("a@test.example", "Emne", "Tekst", attachments=[attachment])
    assert outbox() == []


def test_attachments_go_with_their_message(outbox):
    enqueue("a@test.example", "Emne", "Tekst", attachments=[Attachment("a.ics", "text/calendar", ICS)])
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboxAttachment)) == 1
    db.session.execute(delete(OutboxMessage))  # as erasure deletes a person's mail: in bulk
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboxAttachment)) == 0


def test_the_source_is_stored_and_each_recipient_s_delivery_can_be_read_from_it(catcher):
    for address in ("b@test.example", "a@test.example"):
        enqueue(address, "Nyhetsbrev 3", "Tekst", source=("newsletter_issue", 3))
    enqueue("a@test.example", "Nyhetsbrev 4", "Tekst", source=("newsletter_issue", 4))
    enqueue("c@test.example", "Invitasjon", "Tekst", source=("invitation", 3))
    enqueue("d@test.example", "Uten kilde", "Tekst")
    db.session.commit()
    rows = db.session.execute(source_messages("newsletter_issue", 3)).all()
    assert [(r.to_address, r.status) for r in rows] == [("a@test.example", OutboxStatus.QUEUED),
                                                       ("b@test.example", OutboxStatus.QUEUED)]
    assert len(db.session.execute(source_messages("newsletter_issue")).all()) == 3
    send_due()
    rows = db.session.execute(source_messages("newsletter_issue", 3)).all()
    assert [r.status for r in rows] == [OutboxStatus.SENT] * 2 and all(r.sent_at for r in rows)
    stored = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "c@test.example"))
    assert (stored.source_type, stored.source_id) == ("invitation", 3)
    for bad in (("Nyhetsbrev", 3), ("newsletter issue", 3), ("x" * 40, 3), ("invitation", "3")):
        with pytest.raises(HeaderError):
            enqueue("e@test.example", "Emne", "Tekst", source=bad)


def test_each_recipient_gets_their_own_headers_and_the_shared_attachment(outbox):
    recipients = [("a@test.example", "Anne", None), ("b@test.example", "Bo", "en")]
    sent = enqueue_each(
        recipients, lambda: "Nyhetsbrev", "auth/emails/reset_password", user=None, link="http://localhost/x", hours=1,
        headers=lambda email: {"List-Unsubscribe": f"<https://nettverk.example/avmeld/{email}>"},
        attachments=[Attachment("program.ics", "text/calendar", ICS)], source=("newsletter_issue", 7))
    assert sent == 2
    for msg in outbox():
        assert msg.extra_headers == [("List-Unsubscribe", f"<https://nettverk.example/avmeld/{msg.to_address}>")]
        assert [(a.filename, a.data) for a in msg.attachments] == [("program.ics", ICS)]
        assert (msg.source_type, msg.source_id) == ("newsletter_issue", 7)


def test_an_anonymous_message_loses_its_headers_and_attachments_once_sent(catcher):
    msg = enqueue("a@test.example", "Evaluering", "Tekst", headers={"List-Id": "Evaluering <e.netapp.example>"},
                  attachments=[Attachment("a.ics", "text/calendar", ICS)], topic="questionnaire:1", anonymous=True)
    db.session.commit()
    assert send_due()["sent"] == 1
    [email] = catcher.messages
    assert email["List-Id"] == "Evaluering <e.netapp.example>" and len(_attachments(email)) == 1
    db.session.expire_all()
    msg = db.session.get(OutboxMessage, msg.id)
    assert (msg.to_address, msg.body_text, msg.headers, msg.attachments) == ("", "", None, [])
    assert db.session.scalar(select(func.count()).select_from(OutboxAttachment)) == 0


def test_a_message_sent_again_after_a_crash_carries_the_same_headers_and_attachments(catcher, clock, monkeypatch):
    enqueue("a@test.example", "Invitasjon", "Tekst", headers=UNSUBSCRIBE,
            attachments=[Attachment("arrangement-1.ics", "text/calendar", ICS),
                         Attachment("program.bin", "application/octet-stream", BINARY)])
    db.session.commit()
    real_send = smtplib.SMTP.send_message
    calls = {"n": 0}

    def deliver_then_die(self, msg, *args, **kwargs):
        calls["n"] += 1
        real_send(self, msg, *args, **kwargs)
        if calls["n"] == 1:
            raise SystemExit("killed")  # delivered, but the sender dies before recording it

    monkeypatch.setattr(smtplib.SMTP, "send_message", deliver_then_die)
    with pytest.raises(SystemExit):
        send_due()
    db.session.rollback()
    clock.advance(minutes=11)  # the claim goes stale
    assert send_due()["sent"] == 1
    first, again = catcher.messages
    assert again["Message-ID"] == first["Message-ID"] and again["Date"] == first["Date"]
    for name, value in UNSUBSCRIBE.items():
        assert first[name] == again[name] and first[name].strip() == value
    assert _attachments(first) == _attachments(again) == [
        ("arrangement-1.ics", "text/calendar", ICS), ("program.bin", "application/octet-stream", BINARY)]
