"""The development mail catcher: shows each message on the console and keeps it as an .eml file."""

from __future__ import annotations

import smtplib
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from netapp import devmail
from netapp.devmail import MailCatcher, body_text


def a_message(to: str = "kari@test.example") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "netapp <ikke-svar@netapp.example>"
    msg["To"] = to
    msg["Subject"] = "Velkommen til nettverkssamlingen på Sola"
    msg["Message-ID"] = "<test-1@netapp.example>"
    msg.set_content("Hei Kari,\n\nvelkommen til samlingen. Ærlig talt: æøå.\n")
    msg.add_alternative("<p>Hei Kari</p>", subtype="html")
    return msg


def send(catcher: MailCatcher, *messages: EmailMessage) -> None:
    with smtplib.SMTP(catcher.host, catcher.port) as smtp:
        for msg in messages:
            smtp.send_message(msg)


def test_catcher_keeps_parsed_messages_and_eml_files(tmp_path):
    printed = []
    with MailCatcher(directory=tmp_path, echo=printed.append) as catcher:
        send(catcher, a_message(), a_message("ola@test.example"))
        [first, second] = catcher.messages
        assert catcher.connections == 1
        assert catcher.messages_to("ola@test.example") == [second]
    assert isinstance(first, EmailMessage)
    assert first["Subject"] == "Velkommen til nettverkssamlingen på Sola"
    assert first["Message-ID"] == "<test-1@netapp.example>"
    assert "Ærlig talt: æøå." in body_text(first)

    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 2
    stored = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert stored["To"] == "kari@test.example" and "æøå" in body_text(stored)

    assert len(printed) == 2
    assert "From: netapp <ikke-svar@netapp.example>" in printed[0]
    assert "To: kari@test.example" in printed[0]
    assert "Subject: Velkommen til nettverkssamlingen på Sola" in printed[0]
    assert "Ærlig talt: æøå." in printed[0]


def test_catcher_refuses_named_recipients_with_550():
    with MailCatcher(refuse=["borte@test.example"]) as catcher:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(catcher, a_message("Borte@test.example"))
        assert refused.value.recipients["Borte@test.example"][0] == 550
        send(catcher, a_message())
        assert [str(m["To"]) for m in catcher.messages] == ["kari@test.example"]


def test_clear_forgets_messages_and_connections():
    with MailCatcher() as catcher:
        send(catcher, a_message())
        catcher.clear()
        assert catcher.messages == [] and catcher.connections == 0
        send(catcher, a_message())
        assert len(catcher.messages) == 1 and catcher.connections == 1


def test_devmail_command_prints_and_stores_each_message(runner, tmp_path, monkeypatch):
    def deliver_then_stop(catcher):  # instead of waiting for Ctrl-C
        send(catcher, a_message())

    monkeypatch.setattr(devmail, "wait_for_stop", deliver_then_stop)
    result = runner.invoke(args=["devmail", "--port", "0", "--directory", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "devmail tar imot e-post på 127.0.0.1:" in result.output
    assert "From: netapp <ikke-svar@netapp.example>" in result.output
    assert "To: kari@test.example" in result.output
    assert "Subject: Velkommen til nettverkssamlingen på Sola" in result.output
    assert "Ærlig talt: æøå." in result.output
    assert "stoppet etter 1 e-post(er)" in result.output
    [eml] = tmp_path.glob("*.eml")
    assert message_from_bytes(eml.read_bytes(), policy=policy.default)["Message-ID"] == "<test-1@netapp.example>"


def test_devmail_command_says_so_when_the_port_is_taken(runner, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(args=["devmail", "--port", str(port), "--directory", str(tmp_path)])
    assert result.exit_code == 1
    assert f"Kan ikke lytte på 127.0.0.1:{port}" in result.output
