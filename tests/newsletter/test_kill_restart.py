"""Real `flask worker` processes against a real SMTP server: killed mid-send and restarted, nobody is
missed and only the killed worker's uncommitted batch (the message in flight and those since its last
commit, at most delivery.OUTCOME_BATCH) is sent twice; on PostgreSQL several workers share a send."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import ExitStack
from datetime import timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import update

from engagement.core.db import utcnow
from engagement.newsletter.delivery import OUTCOME_BATCH
from engagement.newsletter.issues import schedule
from engagement.newsletter.models import DELIVERED, IN_FLIGHT, SENT, Delivery, Issue, Subscriber, Subscription
from tests.conftest import TEST_SECRET
from tests.support.smtp import Recorder, SMTPServer

ROOT = Path(__file__).resolve().parents[2]


class Blocking(Recorder):
    """Holds the reply to the Nth message until released, so a worker can be killed with it in flight."""

    def __init__(self, block_at: int | None = None, delay: float = 0.0):
        super().__init__()
        self.block_at, self.delay = block_at, delay
        self.blocked, self.release = threading.Event(), threading.Event()
        self.peers: list[int] = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        self.peers.append(session.peer[1])
        return await super().handle_EHLO(server, session, envelope, hostname, responses)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.block_at is not None and len(self.messages) == self.block_at:
            self.blocked.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        return "250 Message accepted"


@pytest.fixture
def server(app):
    """start(handler) runs a recording SMTP server for that handler and returns its port; all stop at the end."""
    with ExitStack() as stack:
        yield lambda handler: stack.enter_context(SMTPServer(handler))[1]


@pytest.fixture
def workers(app, tmp_path):
    """Start `flask worker` subprocesses on the test database; all are killed at the end."""
    running: list[subprocess.Popen] = []
    logs = []

    def start(smtp_port: int) -> subprocess.Popen:
        env = {**os.environ, "APP_ENV": "test", "SECRET_KEY": TEST_SECRET, "BASE_URL": "http://localhost",
               "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "MAIL_SERVER": "127.0.0.1",
               "MAIL_PORT": str(smtp_port), "MAIL_TIMEOUT": "10",
               "MAIL_DEFAULT_SENDER": app.config["MAIL_DEFAULT_SENDER"]}  # fmt: skip
        log = open(tmp_path / f"worker-{len(running)}.log", "wb")  # noqa: SIM115 - closed at teardown
        logs.append(log)
        proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker", "--interval", "0.1"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        running.append(proc)
        return proc

    yield start
    for proc in running:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
    for log in logs:
        log.close()


def _subscribers(db, team, count: int) -> list[str]:
    emails = [f"resident{n:04d}@example.org" for n in range(count)]
    now = utcnow()
    for email in emails:
        db.session.add(Subscriber(email=email, confirmed_at=now, subscriptions=[
            Subscription(team=team, requested_at=now, confirmed_at=now, consent_text="test")]))  # fmt: skip
    db.session.commit()
    return emails


def _wait_until_sent(db, issue_id: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        if db.session.get(Issue, issue_id).status == SENT:
            return
        db.session.rollback()
        time.sleep(0.1)
    pytest.fail("the newsletter was not sent in time")


def test_killed_worker_restarts_without_missing_anyone(db, team, officer, make_issue, server, workers):
    emails = _subscribers(db, team, 120)
    issue = make_issue()
    schedule(issue, actor=officer)
    db.session.commit()
    issue_id = issue.id
    db.session.remove()
    handler = Blocking(block_at=40)
    port = server(handler)

    first = workers(port)
    assert handler.blocked.wait(30), "the worker never reached message 40"
    in_flight = handler.messages[39][1][0]
    first.send_signal(signal.SIGKILL)  # mid-send: message 40 is accepted by the server but not yet recorded
    first.wait(timeout=10)
    handler.release.set()
    assert len(handler.messages) == 40

    rows = db.session.scalars(db.select(Delivery).where(Delivery.status == IN_FLIGHT)).all()
    assert len(rows) >= 1  # the killed worker's leased rows, the in-flight one among them
    committed = db.session.scalar(db.select(db.func.count(Delivery.id)).where(Delivery.status == DELIVERED))
    # Let the dead worker's lease run out (5 minutes in real life) instead of waiting for it.
    db.session.execute(update(Delivery).where(Delivery.status == IN_FLIGHT).values(
        locked_until=utcnow() - timedelta(seconds=1)))  # fmt: skip
    db.session.commit()
    db.session.remove()

    workers(port)
    _wait_until_sent(db, issue_id)

    received = Counter(rcpt[0] for _, rcpt, _ in handler.messages)
    assert set(received) == set(emails)  # nobody missed
    # Outcomes are committed in batches: exactly the copies sent after the last commit go twice, the
    # in-flight one among them, and never more than one batch.
    uncommitted = [rcpt[0] for _, rcpt, _ in handler.messages[committed:40]]
    assert in_flight in uncommitted and len(uncommitted) <= OUTCOME_BATCH
    assert sorted(email for email, n in received.items() if n > 1) == sorted(uncommitted)
    assert sum(received.values()) == len(emails) + len(uncommitted) and max(received.values()) == 2
    copies = [message_from_bytes(c, policy=default) for _, r, c in handler.messages if r == [in_flight]]
    assert copies[0]["Message-ID"] == copies[1]["Message-ID"]  # the same message, recognisably
    statuses = Counter(db.session.scalars(db.select(Delivery.status)))
    assert statuses == {DELIVERED: len(emails)}


def _pid_for_client_port(port: int, pids: list[int]) -> int | None:
    """Which of our worker processes owns the TCP socket whose local port is `port` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return pid
    return None


def test_several_workers_share_one_send_on_postgresql(db, team, officer, make_issue, server, workers):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("several workers share a send with SKIP LOCKED on PostgreSQL; SQLite runs one worker")
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs Linux /proc to tell which worker process sent which message")
    emails = _subscribers(db, team, 150)
    issue = make_issue()
    schedule(issue, actor=officer, send_at=utcnow() + timedelta(seconds=3))  # all workers are up by then
    db.session.commit()
    issue_id = issue.id
    db.session.remove()
    handler = Blocking(delay=0.01)
    port = server(handler)
    procs = [workers(port) for _ in range(3)]
    owners: dict[int, int] = {}

    def watch():
        while not all(p.poll() is not None for p in procs) and len(owners) < 1000:
            for peer in list(handler.peers):
                if peer not in owners and (pid := _pid_for_client_port(peer, [p.pid for p in procs])):
                    owners[peer] = pid
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _wait_until_sent(db, issue_id, seconds=90)
    for proc in procs:
        proc.kill()
    watcher.join(timeout=5)

    received = Counter(rcpt[0] for _, rcpt, _ in handler.messages)
    assert set(received) == set(emails) and sum(received.values()) == len(emails)  # each exactly once
    assert len(set(owners.values())) >= 2, f"only one worker sent anything: {owners}"
    assert Counter(db.session.scalars(db.select(Delivery.status))) == {DELIVERED: len(emails)}
