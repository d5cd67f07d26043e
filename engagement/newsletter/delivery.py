"""Sending issues: the worker turns a due issue into one delivery row per recipient, then sends them.

Guarantees, and how they are kept:
- Recipients are the confirmed subscribers at the moment sending starts; anyone who leaves
  while the send is under way is skipped when their turn comes.
- Each delivery is claimed under a lease (FOR UPDATE SKIP LOCKED on PostgreSQL, so several
  workers on several hosts share one send) and its outcome is committed straight after the
  SMTP reply. A worker killed mid-send therefore repeats at most the one message that was in
  flight; the rest of its leased rows go out once the lease runs out.
- Every copy has a Message-ID fixed when its row was made, so a resend is recognisably the
  same message. Temporary SMTP failures back off and retry; permanent ones are recorded.
"""

from __future__ import annotations

import email.policy
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, insert, or_, select, update

from engagement.core import audit, mail
from engagement.core.db import utcnow
from engagement.core.mail import PermanentFailure, SmtpConnection, TemporaryFailure, backoff
from engagement.extensions import db
from engagement.newsletter import issues as issue_rules
from engagement.newsletter.links import new_reference, public_url
from engagement.newsletter.models import (
    DELIVERED,
    FAILED,
    IN_FLIGHT,
    PENDING,
    SCHEDULED,
    SENDING,
    SENT,
    SKIPPED,
    Delivery,
    Issue,
    Subscriber,
    Subscription,
)
from engagement.newsletter.subscriptions import manage_token_for, recipient_ids, recipients_condition

LEASE = timedelta(minutes=5)
BATCH = 100
# CRLF line ends (smtplib sends bytes as given, and strict servers refuse bare LF), and headers up
# to RFC 5322's 998 characters so a long List-Unsubscribe URL is never turned into an encoded-word.
WIRE = email.policy.SMTP.clone(max_line_length=998)


def _domain() -> str:
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2] or "localhost"


@dataclass(frozen=True)
class Envelope:
    """What every copy of an issue shares, as plain values (ORM objects expire at each commit)."""

    subject: str
    display_name: str
    list_id: str


def envelope(issue: Issue) -> Envelope:
    scope = issue_rules.scope_label(issue)
    name = issue.team.slug if issue.team is not None else issue.area.lower()
    return Envelope(
        subject=issue.subject,
        display_name=f"{scope}, {current_app.config['FORCE_NAME']}",
        list_id=f"{scope} newsletter <{name}.newsletter.{_domain()}>",
    )


def build_message(env: Envelope, to: str, html: str, text: str, *, subject=None, message_id=None, unsubscribe=None):
    """The MIME message for one copy: the team's name on the From line and list headers (RFC 2369/8058)."""
    headers = {
        "List-Id": env.list_id,
        "List-Archive": f"<{public_url('newsletter.archive')}>",
        "Precedence": "bulk",
    }
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg = mail.build_message(to, subject or env.subject, text, html, headers=headers)
    sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    msg.replace_header("From", Address(display_name=env.display_name, addr_spec=sender))
    if message_id:
        msg.replace_header("Message-ID", message_id)
    return msg


# --- starting a send ---------------------------------------------------------------------------


def _unique_reference() -> str:
    for _ in range(20):
        code = new_reference()
        if db.session.scalar(select(Issue.id).where(Issue.reference == code)) is None:
            return code
    raise RuntimeError("could not find an unused reference code")


def start(issue: Issue, *, now: datetime) -> int:
    """Freeze the content, give it a reference and create a delivery for everyone subscribed now."""
    issue.body_html, issue.body_text = issue_rules.render_content(issue, now)
    issue.reference = _unique_reference()
    ids = db.session.scalars(recipient_ids(issue.team_id, issue.area)).all()
    domain, ref = _domain(), issue.reference.lower()
    if ids:
        db.session.execute(
            insert(Delivery),
            [
                {
                    "issue_id": issue.id,
                    "subscriber_id": sid,
                    "message_id": f"<nl.{issue.id}.{sid}.{ref}@{domain}>",
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                }  # fmt: skip
                for sid in ids
            ],
        )
    issue.status, issue.started_at, issue.recipients = SENDING, now, len(ids)
    if not ids:
        issue.status, issue.finished_at = SENT, now
    audit.record("newsletter.start", target=issue, summary=issue.subject, recipients=len(ids),
                 reference=issue.reference)  # fmt: skip
    return len(ids)


def start_due(now: datetime | None = None) -> int:
    """Worker task: start every scheduled issue whose time has come. SKIP LOCKED: one worker per issue."""
    now = now or utcnow()
    query = (
        select(Issue)
        .where(Issue.status == SCHEDULED, Issue.send_at <= now)
        .order_by(Issue.send_at, Issue.id)
        .limit(5)
        .with_for_update(skip_locked=True)
    )
    started = 0
    for issue in db.session.scalars(query).all():
        start(issue, now=now)
        started += 1
    db.session.commit()
    return started


# --- sending deliveries ------------------------------------------------------------------------


@dataclass
class Prepared:
    """An issue rendered once per send, with slots for each recipient's own links."""

    envelope: Envelope
    team_id: int | None
    area: str | None
    html: str
    text: str


def _claim(limit: int) -> tuple[list[int], datetime]:
    now = utcnow()
    due = or_(
        and_(Delivery.status == PENDING, Delivery.next_attempt_at <= now),
        and_(Delivery.status == IN_FLIGHT, Delivery.locked_until < now),
    )
    query = select(Delivery.id).where(due).order_by(Delivery.id).limit(limit).with_for_update(skip_locked=True)
    ids = list(db.session.scalars(query))
    lease = now + LEASE
    if ids:
        db.session.execute(update(Delivery).where(Delivery.id.in_(ids)).values(status=IN_FLIGHT, locked_until=lease))
    db.session.commit()
    return ids, lease


def _prepare(issue_id: int, cache: dict[int, Prepared]) -> Prepared:
    if issue_id not in cache:
        issue = db.session.get(Issue, issue_id)
        html, text = issue_rules.render_email(issue, issue.body_html, issue.body_text)
        cache[issue_id] = Prepared(envelope(issue), issue.team_id, issue.area, html, text)
    return cache[issue_id]


def _still_subscribed(prepared: Prepared, subscriber_ids: list[int]) -> set[int]:
    query = select(Subscription.subscriber_id).where(
        recipients_condition(prepared.team_id, prepared.area), Subscription.subscriber_id.in_(subscriber_ids)
    )
    return set(db.session.scalars(query))


def _record(delivery_id: int, lease: datetime, **values) -> None:
    """Write one outcome, only if this worker still holds the row, and commit it at once."""
    db.session.execute(
        update(Delivery).where(Delivery.id == delivery_id, Delivery.locked_until == lease).values(**values)
    )
    db.session.commit()


def _send(connection: SmtpConnection, to: str, raw: bytes, name: str) -> None:
    if current_app.config["MAIL_SERVER"]:
        connection.send(to, raw)
        return
    folder = Path(current_app.config["MAIL_DIR"])  # development: .eml files instead of SMTP
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(raw)


def _send_batch(ids: list[int], lease: datetime, connection: SmtpConnection, cache: dict[int, Prepared]) -> int:
    rows = db.session.execute(
        select(
            Delivery.id,
            Delivery.issue_id,
            Delivery.message_id,
            Delivery.attempts,
            Delivery.subscriber_id,
            Subscriber.email,
            Subscriber.secret,
        )  # plain columns: nothing to reload after each commit
        .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
        .where(Delivery.id.in_(ids))
        .order_by(Delivery.id)
    ).all()
    wanted: dict[int, set[int]] = {}
    for issue_id in {row.issue_id for row in rows}:
        prepared = _prepare(issue_id, cache)
        wanted[issue_id] = _still_subscribed(prepared, [r.subscriber_id for r in rows if r.issue_id == issue_id])
    stop_at = time.monotonic() + LEASE.total_seconds() - 2 * current_app.config["MAIL_TIMEOUT"] - 5
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    handled = 0
    for index, row in enumerate(rows):
        if time.monotonic() > stop_at:  # give the rest back before the lease runs out
            rest = [r.id for r in rows[index:]]
            db.session.execute(update(Delivery).where(Delivery.id.in_(rest), Delivery.locked_until == lease)
                               .values(status=PENDING, locked_until=None))  # fmt: skip
            db.session.commit()
            break
        prepared = cache[row.issue_id]
        if row.subscriber_id not in wanted[row.issue_id]:
            _record(row.id, lease, status=SKIPPED, locked_until=None, last_error="Left before this copy was sent")
            continue
        token = manage_token_for(row.subscriber_id, row.secret)
        manage = public_url("newsletter.manage", token=token)
        leave = public_url("newsletter.unsubscribe", token=token)
        html = prepared.html.replace(issue_rules.MANAGE_SLOT, manage).replace(issue_rules.UNSUBSCRIBE_SLOT, leave)
        text = prepared.text.replace(issue_rules.MANAGE_SLOT, manage).replace(issue_rules.UNSUBSCRIBE_SLOT, leave)
        msg = build_message(prepared.envelope, row.email, html, text, message_id=row.message_id, unsubscribe=leave)
        attempts = row.attempts + 1
        try:
            _send(connection, row.email, msg.as_bytes(policy=WIRE), f"newsletter-{row.issue_id}-{row.id}.eml")
        except PermanentFailure as exc:
            _record(row.id, lease, status=FAILED, attempts=attempts, locked_until=None, last_error=str(exc))
        except TemporaryFailure as exc:
            if attempts >= max_attempts:
                _record(row.id, lease, status=FAILED, attempts=attempts, locked_until=None,
                        last_error=f"gave up after {attempts} attempts: {exc}")  # fmt: skip
            else:
                _record(row.id, lease, status=PENDING, attempts=attempts, locked_until=None, last_error=str(exc),
                        next_attempt_at=utcnow() + backoff(attempts))  # fmt: skip
        else:
            _record(row.id, lease, status=DELIVERED, attempts=attempts, locked_until=None, sent_at=utcnow(),
                    last_error=None)  # fmt: skip
        handled += 1
    return handled


def finish(now: datetime | None = None) -> int:
    """Mark sending issues with nothing left to do as sent."""
    open_rows = (
        select(Delivery.id).where(Delivery.issue_id == Issue.id, Delivery.status.in_((PENDING, IN_FLIGHT))).exists()
    )
    done = db.session.execute(
        update(Issue).where(Issue.status == SENDING, ~open_rows).values(status=SENT, finished_at=now or utcnow())
    ).rowcount
    db.session.commit()
    return done


def send_due(batch: int = BATCH, budget_seconds: float = 30.0) -> int:
    """Worker task: send due copies in batches over one SMTP connection, for up to `budget_seconds`,
    so the worker's other tasks still get their turn during a large send."""
    deadline = time.monotonic() + budget_seconds
    connection, cache, sent = SmtpConnection(), {}, 0
    try:
        while time.monotonic() < deadline:
            ids, lease = _claim(batch)
            if not ids:
                break
            sent += _send_batch(ids, lease, connection, cache)
    finally:
        connection.close()
        db.session.rollback()
    finish()
    return sent
