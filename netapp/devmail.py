"""A local SMTP catcher (aiosmtpd) for development and tests: no mail ever leaves the machine.

`flask --app wsgi devmail` listens on MAIL_SERVER:MAIL_PORT (127.0.0.1:8025 by default), prints each
message to the console and keeps it as an .eml file under instance/devmail/. Tests use the same
catcher in a background thread on a free port:

    with MailCatcher() as catcher:
        app.config["MAIL_PORT"] = catcher.port
        send_due()
        catcher.messages  # parsed email.message.EmailMessage objects, in arrival order
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

log = logging.getLogger(__name__)


def body_text(message: EmailMessage) -> str:
    """The plain-text body (or the HTML one when there is no plain text)."""
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


class CatcherHandler:
    """aiosmtpd handler: keeps every accepted message, optionally on disk and on the console.

    `refuse` names recipients answered with 550 at RCPT, like a server that knows no such mailbox.
    """

    def __init__(self, *, directory: Path | str | None = None, echo: Callable[[str], None] | None = None,
                 refuse: Iterable[str] = ()):
        self.directory = Path(directory) if directory else None
        self.echo = echo
        self.refuse = {address.lower() for address in refuse}
        self.messages: list[EmailMessage] = []
        self.files: list[Path] = []
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address: str, rcpt_options):  # noqa: N802
        if address.lower() in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.store(envelope.original_content)
        return "250 Message accepted for delivery"

    def store(self, raw: bytes) -> EmailMessage:
        message = message_from_bytes(raw, policy=policy.default)
        with self._lock:
            self.messages.append(message)
            number = len(self.messages)
            path = None
            if self.directory is not None:
                self.directory.mkdir(parents=True, exist_ok=True)
                path = self.directory / f"{datetime.now():%Y%m%d-%H%M%S-%f}-{number:04d}.eml"
                path.write_bytes(raw)
                self.files.append(path)
        if self.echo is not None:
            self.echo(self.describe(message, number, path))
        return message

    @staticmethod
    def describe(message: EmailMessage, number: int, path: Path | None = None) -> str:
        lines = [
            "-" * 72,
            f"E-post nr. {number}" + (f"  ({path})" if path else ""),
            f"From: {message['From']}",
            f"To: {message['To']}",
            f"Subject: {message['Subject']}",
            "",
            body_text(message).rstrip(),
            "-" * 72,
        ]
        return "\n".join(lines)


class _Controller(Controller):
    """Serves on a socket bound beforehand (port 0 gives a free port without a race) and counts
    the SMTP connections it accepts."""

    def __init__(self, handler: CatcherHandler, sock: socket.socket):
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port)
        self._sock = sock
        self.accepted = 0

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._sock)

    def factory(self):
        self.accepted += 1
        return super().factory()


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class MailCatcher:
    """An SMTP server in a background thread that keeps what it receives (see the module doc)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, directory: Path | str | None = None,
                 echo: Callable[[str], None] | None = None, refuse: Iterable[str] = (),
                 handler: CatcherHandler | None = None):
        self.handler = handler or CatcherHandler(directory=directory, echo=echo, refuse=refuse)
        self._sock = _bind(host, port)
        self.host, self.port = self._sock.getsockname()[:2]
        self._controller = _Controller(self.handler, self._sock)
        self._baseline = 0

    def start(self) -> MailCatcher:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command
        try:
            self._controller.start()
        except BaseException:
            self._sock.close()
            raise
        self._baseline = self._controller.accepted  # start() opens one probe connection itself
        return self

    def stop(self) -> None:
        self._controller.stop()
        self._sock.close()

    def __enter__(self) -> MailCatcher:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler._lock:
            return list(self.handler.messages)

    @property
    def connections(self) -> int:
        """SMTP connections accepted since start (the probe of start() not counted)."""
        return self._controller.accepted - self._baseline

    def messages_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def clear(self) -> None:
        with self.handler._lock:
            self.handler.messages.clear()
        self._baseline = self._controller.accepted


def wait_for_stop(catcher: MailCatcher) -> None:
    """Block until Ctrl-C or SIGTERM."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(host: str, port: int, directory: Path | str, echo: Callable[[str], None] = print) -> int:
    """Run the catcher in the foreground until stopped; returns how many messages it caught."""
    with MailCatcher(host, port, directory=directory, echo=echo) as catcher:
        echo(f"devmail tar imot e-post på {catcher.host}:{catcher.port} og lagrer den i {directory}. "
             "Ctrl-C avslutter.")
        wait_for_stop(catcher)
        caught = len(catcher.messages)
    echo(f"devmail stoppet etter {caught} e-post(er).")
    return caught
