"""Newsletter fixtures: teams, staff, confirmed subscribers, and a real SMTP server on loopback."""

from __future__ import annotations

import re
import socket
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from engagement.core.db import utcnow
from engagement.core.mail import OutboxMessage
from engagement.news.services import PostDetails, save_post
from engagement.newsletter.issues import create_issue
from engagement.newsletter.models import Subscriber, Subscription


class Recorder:
    """An SMTP handler that keeps what it receives and can refuse chosen recipients."""

    def __init__(self):
        self.messages = []
        self.refuse = {}  # address -> SMTP reply
        self.sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"

    def parsed(self):
        return [message_from_bytes(content, policy=default) for _, _, content in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    handler = Recorder()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
    yield handler
    controller.stop()


@pytest.fixture
def team(make_team):
    return make_team(name="Ladywood", coverage=["B1", "B16 8"])


@pytest.fixture
def neighbour(make_team):
    return make_team(name="Edgbaston", coverage=["B15"])


@pytest.fixture
def other_team(make_team):
    return make_team(name="Foleshill", area="Coventry", coverage=["CV6"])


@pytest.fixture
def officer(make_user, team):
    return make_user(role="officer", teams=[team], display_name="Aisha Khan", rank="PCSO", email="aisha@example.org")


@pytest.fixture
def outsider(make_user, other_team):
    return make_user(role="officer", teams=[other_team], display_name="Joy Adeyemi", rank="PC")


@pytest.fixture
def coordinator(make_user):
    return make_user(role="coordinator", display_name="Margaret Hughes", rank="Engagement coordinator")


@pytest.fixture
def subscribe(db):
    """Confirmed subscribers made directly (the double opt-in itself is tested through the pages)."""

    def make(email, *, team=None, area=None, confirmed=True):
        subscriber = db.session.scalar(db.select(Subscriber).where(Subscriber.email == email))
        if subscriber is None:
            subscriber = Subscriber(email=email, confirmed_at=utcnow() if confirmed else None)
            db.session.add(subscriber)
        subscriber.subscriptions.append(Subscription(team=team, area=area, requested_at=utcnow(),
                                                     confirmed_at=utcnow() if confirmed else None,
                                                     consent_text="test consent"))  # fmt: skip
        db.session.commit()
        return subscriber

    return make


@pytest.fixture
def make_issue(db, officer, team):
    def make(subject="Ladywood news, November", *, intro="Hello from the **team**.", actor=None, **scope):
        scope = scope or {"team": team}
        issue = create_issue(actor=actor or officer, subject=subject, intro=intro, weeks=2, **scope)
        db.session.commit()
        return issue

    return make


@pytest.fixture
def make_post(db, officer, team):
    def make(title="Bike marking on Saturday", summary="Free bike marking at the library."):
        post = save_post(None, PostDetails(title, summary, "Bring your **bike**.", team), actor=officer, publish=True)
        db.session.commit()
        return post

    return make


def outbox(db, to: str | None = None):
    """Messages queued in the outbox (one-off emails), parsed, oldest first."""
    query = db.select(OutboxMessage).order_by(OutboxMessage.id)
    rows = db.session.scalars(query).all()
    return [message_from_bytes(r.raw, policy=default) for r in rows if to is None or r.to_addr == to]


def body_text(message) -> str:
    return message.get_body(("plain",)).get_content()


def link(message, pattern: str) -> str:
    """The first URL in the plain-text body whose path matches `pattern`, as a path for the test client."""
    found = re.search(r"http://localhost(" + pattern + r"[^\s]*)", body_text(message))
    assert found, body_text(message)
    return found.group(1)
