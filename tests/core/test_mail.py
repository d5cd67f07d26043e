"""The outbox and worker against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path

from engagement.core import mail
from engagement.core.db import utcnow
from engagement.core.mail import FAILED, PENDING, SENT, OutboxMessage, queue_email, send_due
from engagement.core.worker import run_once
from tests.support.smtp import free_port


def test_worker_delivers_over_smtp_exactly_once(app, db, smtp):
    row = queue_email("resident@example.org", "Your place is booked", "See you there.", "<p>See you there.</p>")
    db.session.commit()
    assert smtp.messages == []  # queuing sends nothing
    assert run_once()["mail"] == 1
    assert run_once()["mail"] == 0
    assert len(smtp.messages) == 1
    mail_from, rcpts, content = smtp.messages[0]
    assert rcpts == ["resident@example.org"] and mail_from == "no-reply@example.org"
    parsed = message_from_bytes(content, policy=default)
    assert parsed["Subject"] == "Your place is booked"
    assert parsed["Message-ID"] == row.message_id
    assert parsed.get_body(("plain",)).get_content().strip() == "See you there."
    db.session.refresh(row)
    assert row.status == SENT and row.attempts == 1 and row.sent_at is not None


def test_temporary_failure_backs_off_then_succeeds(app, db, smtp):
    smtp.refuse["busy@example.org"] = "451 4.3.0 Try again later"
    row = queue_email("busy@example.org", "Hello", "Body")
    db.session.commit()
    send_due()
    db.session.refresh(row)
    assert row.status == PENDING and row.attempts == 1 and "451" in row.last_error
    assert row.next_attempt_at > utcnow() + timedelta(seconds=50)
    send_due()  # not due yet: nothing happens
    db.session.refresh(row)
    assert row.attempts == 1
    del smtp.refuse["busy@example.org"]
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    send_due()
    db.session.refresh(row)
    assert row.status == SENT and row.attempts == 2 and row.last_error is None
    assert len(smtp.messages) == 1


def test_permanent_failure_records_reason(app, db, smtp):
    smtp.refuse["gone@example.org"] = "550 5.1.1 No such user"
    row = queue_email("gone@example.org", "Hello", "Body")
    db.session.commit()
    send_due()
    db.session.refresh(row)
    assert row.status == FAILED and row.last_error.startswith("550") and "No such user" in row.last_error


def test_unreachable_server_retries_then_gives_up(app, db):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2, MAIL_MAX_ATTEMPTS=2)
    row = queue_email("resident@example.org", "Hello", "Body")
    db.session.commit()
    send_due()
    db.session.refresh(row)
    assert row.status == PENDING and "ConnectionRefusedError" in row.last_error
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    send_due()
    db.session.refresh(row)
    assert row.status == FAILED and row.last_error.startswith("gave up after 2 attempts")


def test_crashed_send_is_picked_up_after_its_lease(app, db, smtp):
    row = queue_email("resident@example.org", "Hello", "Body")
    row.status, row.locked_until = mail.SENDING, utcnow() + timedelta(minutes=5)
    db.session.commit()
    assert send_due() == 0  # another worker holds the lease
    row.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert send_due() == 1
    assert len(smtp.messages) == 1


def test_without_mail_server_messages_become_eml_files(app, db):
    row = queue_email("resident@example.org", "Hello", "Body text")
    db.session.commit()
    assert app.config["MAIL_SERVER"] == ""
    run_once()
    db.session.refresh(row)
    path = Path(row.file_path)
    assert row.status == SENT and path.parent == Path(app.config["MAIL_DIR"]) and path.suffix == ".eml"
    parsed = message_from_bytes(path.read_bytes(), policy=default)
    assert parsed["To"] == "resident@example.org" and parsed.get_body(("plain",)).get_content().strip() == "Body text"


def test_backoff_grows_and_is_capped():
    assert [mail.backoff(n).total_seconds() for n in (1, 2, 3, 10)] == [60, 120, 240, 3600]


def test_cli_worker_once(app, db):
    queue_email("resident@example.org", "Hello", "Body")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0 and "mail: 1" in result.output
    assert db.session.scalar(db.select(OutboxMessage.status)) == SENT


def test_one_connection_serves_a_batch_and_survives_a_refusal(app, db, smtp):
    smtp.refuse["gone@example.org"] = "550 5.1.1 No such user"
    for n in range(3):
        queue_email(f"r{n}@example.org", "Hello", "Body")
    queue_email("gone@example.org", "Hello", "Body")
    queue_email("r9@example.org", "Hello", "Body")
    db.session.commit()
    sessions_before = smtp.sessions
    assert send_due() == 5
    assert smtp.sessions - sessions_before == 1
    assert sorted(r[0] for _, r, _ in smtp.messages) == [
        "r0@example.org",
        "r1@example.org",
        "r2@example.org",
        "r9@example.org",
    ]


def test_long_messages_go_with_crlf_line_ends(app, db, smtp):
    body = "\n".join(f"Line {n}: the team will be at the library from 6pm." for n in range(200))
    row = queue_email("resident@example.org", "A long message", body, "<p>" + "Long. " * 400 + "</p>")
    db.session.commit()
    assert b"\r\n" in row.raw and b"\n" not in row.raw.replace(b"\r\n", b"")
    send_due()
    db.session.refresh(row)
    assert row.status == SENT, row.last_error
    parsed = message_from_bytes(smtp.messages[0][2], policy=default)
    assert parsed.get_body(("plain",)).get_content().count("Line ") == 200
