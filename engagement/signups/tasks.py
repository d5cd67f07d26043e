"""Worker tasks: reminders before a date, and removing residents' details after the retention period.

Reminders: one email (or text, signups.texts) SIGNUP_REMINDER_HOURS (default 24) before the start, to confirmed
sign-ups of dates that still go ahead, exactly once. The email is queued in the outbox and
the sign-up marked "sent" in the same transaction, so a crash before the commit sends
nothing and the next pass sends it; after the commit it is never sent again. Sign-ups made
or promoted inside that window are marked "skipped": their confirmation was the reminder.
On PostgreSQL several workers share the rows with FOR UPDATE SKIP LOCKED.

Retention: SIGNUP_RETENTION_DAYS (default 90) after a date ends, its sign-ups lose the name,
email, phone, mobile and access needs; the counts and attendance stay for the team's figures.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.orm import selectinload

from engagement.core.db import utcnow
from engagement.events.models import PUBLISHED, SCHEDULED, Event, Occurrence
from engagement.extensions import db
from engagement.signups import emails
from engagement.signups.models import (
    CONFIRMED,
    REMINDER_DUE,
    REMINDER_SENT,
    REMINDER_SKIPPED,
    EventsFeed,
    Signup,
)


def send_reminders(now: datetime | None = None, limit: int = 200) -> int:
    """Queue due reminders; returns how many were queued."""
    now = now or utcnow()
    window = timedelta(hours=current_app.config["SIGNUP_REMINDER_HOURS"])
    due = (
        select(Signup.id)
        .join(Occurrence, Occurrence.id == Signup.occurrence_id)
        .join(Event, Event.id == Occurrence.event_id)
        .where(
            Signup.status == CONFIRMED,
            Signup.reminder == REMINDER_DUE,
            or_(Signup.email.is_not(None), Signup.mobile.is_not(None)),
            Occurrence.status == SCHEDULED,
            Event.status == PUBLISHED,
            Occurrence.starts_at > now,
            Occurrence.starts_at <= now + window,
        )
        .order_by(Occurrence.starts_at, Signup.id)
        .limit(limit)
        .with_for_update(of=Signup, skip_locked=True)
    )
    ids = db.session.scalars(due).all()
    if not ids:
        db.session.rollback()
        return 0
    signups = db.session.scalars(
        select(Signup)
        .where(Signup.id.in_(ids))
        .options(selectinload(Signup.occurrence).selectinload(Occurrence.event))
        .order_by(Signup.id)
    ).all()
    sent = 0
    for signup in signups:
        starts = signup.occurrence.starts_at
        if signup.confirmed_at is not None and signup.confirmed_at > starts - window:
            signup.reminder = REMINDER_SKIPPED
            continue
        emails.reminder(signup)
        signup.reminder, signup.reminded_at = REMINDER_SENT, now
        sent += 1
    db.session.commit()
    return sent


PURGE_EVERY = timedelta(hours=1)
_last_purge: dict[str, datetime] = {}


def purge_hourly() -> int:
    """The worker's pass runs every few seconds; the purge needs running about once an hour."""
    now = utcnow()
    last = _last_purge.get(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if last is not None and now - last < PURGE_EVERY:
        return 0
    _last_purge[current_app.config["SQLALCHEMY_DATABASE_URI"]] = now
    return purge_expired(now)


def purge_expired(now: datetime | None = None) -> int:
    """Blank the personal details of sign-ups for dates that ended over the retention period ago."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["SIGNUP_RETENTION_DAYS"])
    ended = select(Occurrence.id).where(Occurrence.ends_at < cutoff)
    result = db.session.execute(
        update(Signup)
        .where(Signup.occurrence_id.in_(ended), or_(Signup.email.is_not(None), Signup.mobile.is_not(None), Signup.name != ""))
        .values(name="", email=None, phone="", mobile=None, access_needs="", request_key=None),
        execution_options={"synchronize_session": False},
    )
    # Feeds of addresses with no sign-up left have nothing to show: remove them.
    db.session.execute(
        delete(EventsFeed).where(~exists().where(Signup.email == EventsFeed.email)),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return result.rowcount or 0
