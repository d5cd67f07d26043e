"""A real SMTP server (aiosmtpd) on loopback that records what the worker delivers."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.policy import default

from aiosmtpd.controller import Controller


class Recorder:
    """aiosmtpd handler: keeps (mail_from, rcpt_tos, content) for every message accepted.

    `refuse` maps an address to the SMTP reply to give it (e.g. "451 4.3.0 Try again later");
    `sessions` counts EHLOs, so a test can see whether connections were reused.
    """

    def __init__(self):
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse: dict[str, str] = {}
        self.sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"

    def recipients(self) -> list[str]:
        return [rcpt for _from, rcpts, _content in self.messages for rcpt in rcpts]

    def parsed(self):
        return [message_from_bytes(content, policy=default) for _, _, content in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPServer:
    """Start and stop a recording server; `with SMTPServer() as (handler, port):`."""

    def __init__(self, handler: Recorder | None = None, port: int | None = None):
        self.handler = handler or Recorder()
        self.port = port or free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self.handler, self.port

    def __exit__(self, *exc):
        self.controller.stop()


def smtp_fixture(app, handler: Recorder | None = None):
    """Body of the `smtp` fixture: point the app's mail settings at a fresh recording server."""
    with SMTPServer(handler) as (handler, port):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
        yield handler
