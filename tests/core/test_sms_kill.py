"""A real `flask worker` killed while Notify holds its answer, then restarted: Notify gets every
reference exactly once, because the interrupted row is looked up by reference before any resend."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from engagement.core.db import utcnow
from engagement.core.mail import SENDING, SENT, OutboxMessage
from engagement.core.notify import IN_FLIGHT
from engagement.core.sms import queue_sms
from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(app, tmp_path, notify_api):
    """start() runs `flask worker` on the test database against the loopback Notify; killed at the end."""
    running = []

    def start() -> subprocess.Popen:
        env = {**os.environ, "APP_ENV": "test", "SECRET_KEY": TEST_SECRET, "BASE_URL": "http://localhost",
               "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "NOTIFY_API_KEY": app.config["NOTIFY_API_KEY"],
               "NOTIFY_BASE_URL": notify_api.base_url, "NOTIFY_SMS_TEMPLATE_ID": notify_api.sms_template,
               "NOTIFY_TIMEOUT": "30", "MAIL_DIR": str(tmp_path / "mail"), "SMS_DIR": str(tmp_path / "sms")}  # fmt: skip
        log = open(tmp_path / f"worker-{len(running)}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker", "--interval", "0.1"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        running.append((proc, log))
        return proc

    yield start
    for proc, log in running:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        log.close()


def test_killed_worker_resends_nothing_twice(app, db, notify_api, worker):
    rows = [queue_sms(f"07700 9001{n:02d}", f"Text {n}") for n in range(8)]
    db.session.commit()
    ids = [row.id for row in rows]
    db.session.remove()
    notify_api.hold_at = 4
    first = worker()
    assert notify_api.held.wait(30), "the worker never reached the fourth text"
    first.send_signal(signal.SIGKILL)  # Notify has accepted text 4, the worker never hears so
    first.wait(timeout=10)
    notify_api.release.set()

    in_flight = db.session.get(OutboxMessage, ids[3])
    assert in_flight.status == SENDING and in_flight.last_error == IN_FLIGHT and in_flight.notify_id is None
    # Let the dead worker's leases run out (5 minutes in real life) instead of waiting.
    db.session.execute(update(OutboxMessage).where(OutboxMessage.status == SENDING).values(
        locked_until=utcnow() - timedelta(seconds=1)))  # fmt: skip
    db.session.commit()
    db.session.remove()

    worker()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        statuses = Counter(db.session.scalars(select(OutboxMessage.status)))
        db.session.rollback()
        if statuses == {SENT: len(ids)}:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"not every text was sent: {statuses}")

    assert notify_api.references() == {str(i): 1 for i in ids}  # every reference once, the in-flight one too
    by_reference = {n["reference"]: n["id"] for n in notify_api.sent("sms")}
    db.session.expire_all()
    assert db.session.get(OutboxMessage, ids[3]).notify_id == by_reference[str(ids[3])]
    lookups = [r["query"]["reference"] for r in notify_api.requests if r["path"] == "/v2/notifications"]
    assert str(ids[3]) in lookups
