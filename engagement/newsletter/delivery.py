"""Sending issues: the worker turns a due issue into one delivery row per recipient, then sends them.

Guarantees, and how they are kept:
- Recipients are the confirmed subscribers at the moment sending starts; anyone who leaves
  while the send is under way is skipped when their turn comes.
- Each delivery is claimed under a lease (FOR UPDATE SKIP LOCKED on PostgreSQL, so several
  workers on several hosts share one send) and outcomes are committed in batches, every
  OUTCOME_BATCH messages or OUTCOME_SECONDS, whichever comes first, inside that lease (one
  commit per message held the worker to a quarter of the wire's speed). A worker killed
  mid-send therefore repeats at most its uncommitted batch (the message in flight and those
  since the last commit, never more than OUTCOME_BATCH); the rest of its leased rows go out
  once the lease runs out, and nobody is missed.
- Every copy has a Message-ID fixed when its row was made, so a resend is recognisably the
  same message. Temporary SMTP failures back off and retry; permanent ones are recorded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, insert, or_, select, update

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.i18n import SOURCE, force_language
from engagement.core.mail import PermanentFailure, SmtpConnection, TemporaryFailure, backoff
from engagement.core.urls import public_url
from engagement.extensions import db
from engagement.newsletter import issues as issue_rules
from engagement.newsletter.copies import CopyMaker, sender_domain
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
from engagement.newsletter.references import new_reference
from engagement.newsletter.subscriptions import manage_token_for, recipient_ids, recipients_condition

LEASE = timedelta(minutes=5)
BATCH = 100
OUTCOME_BATCH = 50  # outcomes per commit at most: the most a kill -9 can make us send twice
OUTCOME_SECONDS = 1.0  # and no outcome waits longer than this for its commit (checked as each arrives)
LINK_SLOT = "TOKENSLOT"  # stands for each recipient's token while a link is built once per language


# --- starting a send ---------------------------------------------------------------------------


def _unique_reference() -> str:
    for _ in range(20):
        code = new_reference()
        if db.session.scalar(select(Issue.id).where(Issue.reference == code)) is None:
            return code
    raise RuntimeError("could not find an unused reference code")


def start(issue: Issue, *, now: datetime) -> int:
    """Freeze the content (in English and in each other language the recipients read), give it a
    reference and create a delivery for everyone subscribed now."""
    issue.body_html, issue.body_text = issue_rules.render_content(issue, now)
    issue.reference = _unique_reference()
    ids = db.session.scalars(recipient_ids(issue.team_id, issue.area)).all()
    spoken = select(Subscriber.language).where(Subscriber.id.in_(recipient_ids(issue.team_id, issue.area)))
    issue.bodies = issue_rules.render_bodies(issue, set(db.session.scalars(spoken.distinct())), now) if ids else None
    domain, ref = sender_domain(), issue.reference.lower()
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
    """An issue rendered once per send pass, ready to stamp out each recipient's copy."""

    copies: CopyMaker
    team_id: int | None
    area: str | None
    link_parts: tuple  # the manage and unsubscribe links as (before, after) their token


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


def _prepare(issue_id: int, cache: dict[tuple, Prepared], language: str | None = None) -> Prepared:
    """The issue's frame (test notice, reference, links, footer) in the subscriber's language, rendered
    once per issue and language in a send pass, never per recipient; the body is the content frozen
    in that language when sending started (English if it has none, e.g. started by an older release)."""
    key = (issue_id, language or SOURCE)
    if key not in cache:
        issue = db.session.get(Issue, issue_id)
        with force_language(language) as code:
            html, text = issue_rules.render_email(issue, *issue_rules.body_for(issue, code))
            maker = CopyMaker(issue_rules.envelope(issue), html, text)  # Content-Language: this language
            # The per-recipient links carry ?lang= too (after the token), so the manage page opens in
            # the email's language: each is kept as the parts around the token, built once.
            bases = tuple(tuple(public_url(name, token=LINK_SLOT).split(LINK_SLOT, 1))
                          for name in ("newsletter.manage", "newsletter.unsubscribe"))  # fmt: skip
        cache[key] = Prepared(maker, issue.team_id, issue.area, bases)
    return cache[key]


def _still_subscribed(prepared: Prepared, subscriber_ids: list[int]) -> set[int]:
    query = select(Subscription.subscriber_id).where(
        recipients_condition(prepared.team_id, prepared.area), Subscription.subscriber_id.in_(subscriber_ids)
    )
    return set(db.session.scalars(query))


class Outcomes:
    """Records copies' outcomes as the SMTP replies arrive, committed in batches (every OUTCOME_BATCH
    outcomes or OUTCOME_SECONDS) on a connection of its own, each UPDATE guarded by the lease so a
    worker that lost its rows changes nothing. `flush()` commits what is waiting; callers flush before
    they claim again, give rows back or stop.

    On PostgreSQL these commits do not wait for the WAL flush (synchronous_commit off, for this
    connection only): a killed worker loses only its uncommitted batch, and only a crash of the
    database server itself could forget the last moments of outcomes, which would resend those
    copies, never skip them."""

    def __init__(self, batch: int = OUTCOME_BATCH, seconds: float = OUTCOME_SECONDS):
        self.conn = db.engine.connect()
        dialect = self.conn.dialect
        self.postgres = dialect.name == "postgresql"
        if self.postgres:
            self.conn.exec_driver_sql("SET synchronous_commit TO OFF")
            self.conn.commit()
        # This runs once per copy, so it skips SQL compilation: the statement is written once in the
        # driver's placeholder style, and times go through the column type's own bind processor.
        mark = (lambda n: f"%({n})s") if dialect.paramstyle in ("pyformat", "format") else (lambda n: f":{n}")
        table = Delivery.__table__
        # Built from the table's own name and fixed placeholders, never from input.
        self.sql = (
            f"UPDATE {table.name} SET status = {mark('status')}, attempts = {mark('attempts')}, locked_until = NULL, "  # noqa: S608
            f"sent_at = {mark('sent_at')}, last_error = {mark('error')}, next_attempt_at = {mark('next_at')} "
            f"WHERE id = {mark('id')} AND locked_until = {mark('lease')}"
        )
        self.time = table.c.sent_at.type.bind_processor(dialect) or (lambda value: value)
        self.batch, self.seconds = batch, seconds
        self.pending: list[dict] = []
        self.oldest = 0.0  # monotonic time of the first outcome waiting
        self.commits = 0

    def record(self, delivery_id: int, lease: datetime, *, status: str, attempts: int, error: str | None = None,
               sent_at: datetime | None = None, next_at: datetime | None = None) -> None:  # fmt: skip
        time_ = self.time
        if not self.pending:
            self.oldest = time.monotonic()
        self.pending.append({
            "status": status, "attempts": attempts, "sent_at": time_(sent_at), "error": error,
            "next_at": time_(next_at or utcnow()), "id": delivery_id, "lease": time_(lease)})  # fmt: skip
        if len(self.pending) >= self.batch or time.monotonic() - self.oldest >= self.seconds:
            self.flush()

    def flush(self) -> None:
        """One executemany and one commit for every outcome waiting."""
        if not self.pending:
            return
        self.conn.exec_driver_sql(self.sql, self.pending)
        self.conn.commit()
        self.pending = []
        self.commits += 1

    def give_back(self, ids: list[int], lease: datetime) -> None:
        """Rows not attempted go back to pending (still ours only while the lease holds)."""
        self.flush()
        self.conn.execute(update(Delivery).where(Delivery.id.in_(ids), Delivery.locked_until == lease)
                          .values(status=PENDING, locked_until=None))  # fmt: skip
        self.conn.commit()

    def close(self) -> None:
        try:
            self.flush()  # outcomes already known are true whatever stopped the send
        finally:
            try:
                if self.postgres:
                    self.conn.exec_driver_sql("RESET synchronous_commit")  # pooled connections must come back clean
                    self.conn.commit()
            except Exception:  # noqa: BLE001 - a broken connection must not go back to the pool
                self.conn.invalidate()
            self.conn.close()


def _send(connection: SmtpConnection, to: str, raw: bytes, name: str) -> None:
    if current_app.config["MAIL_SERVER"]:
        connection.send(to, raw)
        return
    folder = Path(current_app.config["MAIL_DIR"])  # development: .eml files instead of SMTP
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(raw)


def _send_batch(ids: list[int], lease: datetime, connection: SmtpConnection, cache: dict[tuple, Prepared],
                outcomes: Outcomes) -> int:  # fmt: skip
    rows = db.session.execute(
        select(
            Delivery.id,
            Delivery.issue_id,
            Delivery.message_id,
            Delivery.attempts,
            Delivery.subscriber_id,
            Subscriber.email,
            Subscriber.secret,
            Subscriber.language,
        )  # plain columns: nothing to reload after each commit
        .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
        .where(Delivery.id.in_(ids))
        .order_by(Delivery.id)
    ).all()
    wanted: dict[int, set[int]] = {}
    for issue_id, language in {(row.issue_id, row.language) for row in rows}:  # one frame per language used
        prepared = _prepare(issue_id, cache, language)
        if issue_id not in wanted:  # the same team and area in every language
            wanted[issue_id] = _still_subscribed(prepared, [r.subscriber_id for r in rows if r.issue_id == issue_id])
    db.session.commit()  # end the read: on SQLite an open read would block the outcome writes
    _record = outcomes.record
    stop_at = time.monotonic() + LEASE.total_seconds() - 2 * current_app.config["MAIL_TIMEOUT"] - 5
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    handled = 0
    for index, row in enumerate(rows):
        if time.monotonic() > stop_at:  # give the rest back before the lease runs out
            outcomes.give_back([r.id for r in rows[index:]], lease)
            break
        prepared = cache[(row.issue_id, row.language or SOURCE)]
        if row.subscriber_id not in wanted[row.issue_id]:
            _record(row.id, lease, status=SKIPPED, attempts=row.attempts, error="Left before this copy was sent")
            continue
        token = manage_token_for(row.subscriber_id, row.secret)
        (manage_start, manage_end), (leave_start, leave_end) = prepared.link_parts
        manage, leave = manage_start + token + manage_end, leave_start + token + leave_end
        raw = prepared.copies.make(row.email, row.message_id, manage, leave)
        attempts = row.attempts + 1
        try:
            _send(connection, row.email, raw, f"newsletter-{row.issue_id}-{row.id}.eml")
        except PermanentFailure as exc:
            _record(row.id, lease, status=FAILED, attempts=attempts, error=str(exc))
        except TemporaryFailure as exc:
            if attempts >= max_attempts:
                _record(
                    row.id, lease, status=FAILED, attempts=attempts, error=f"gave up after {attempts} attempts: {exc}"
                )
            else:
                _record(row.id, lease, status=PENDING, attempts=attempts, error=str(exc),
                        next_at=utcnow() + backoff(attempts))  # fmt: skip
        else:
            _record(row.id, lease, status=DELIVERED, attempts=attempts, sent_at=utcnow())
        handled += 1
    outcomes.flush()  # before the next claim (and finish) read the rows, and well inside the lease
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
    connection, cache, sent, outcomes = SmtpConnection(), {}, 0, None
    try:
        while time.monotonic() < deadline:
            ids, lease = _claim(batch)
            if not ids:
                break
            outcomes = outcomes or Outcomes()
            sent += _send_batch(ids, lease, connection, cache, outcomes)
    finally:
        connection.close()
        db.session.rollback()
        if outcomes is not None:
            outcomes.close()
    finish()
    return sent
