"""Each date's sign-up lock and place counter (`SignupSlot`), and what residents were last told.

Every change to a date's sign-ups first takes the date's lock: an UPDATE of its `signup_slots`
row (a row lock on PostgreSQL, the single write lock on SQLite), held until the transaction
ends. Places are then taken with a conditional UPDATE,
`SET confirmed = confirmed + n WHERE confirmed + n <= capacity`: no row changed means no room.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from engagement.core.db import lock_row
from engagement.events.models import Event, Occurrence
from engagement.extensions import db
from engagement.signups.models import REMINDER_SKIPPED, WAITING, Signup, SignupSlot


def venue_id_of(row: Occurrence) -> int | None:
    return row.venue_id or row.event.venue_id


def calendar_rid(row: Occurrence) -> str:
    return row.recurrence_id if row.event.is_series else ""


def remember_told(slot: SignupSlot, row: Occurrence) -> None:
    """Record what residents now know about the date: its calendar identity, time and place."""
    slot.calendar_uid, slot.calendar_rid, slot.calendar_sequence = row.event.uid, calendar_rid(row), row.sequence
    slot.told_starts_at, slot.told_ends_at, slot.told_venue_id = row.starts_at, row.ends_at, venue_id_of(row)
    slot.told_cancelled = row.is_cancelled


def lock_slot(row: Occurrence) -> SignupSlot:
    """Take the date's sign-up lock (until commit or rollback) and return its counter row, fresh."""
    return lock_row(
        SignupSlot,
        {"occurrence_id": row.id},
        SignupSlot.confirmed,
        lambda: {
            "confirmed": 0,
            "waiting_seq": 0,
            "calendar_uid": row.event.uid,
            "calendar_rid": calendar_rid(row),
            "calendar_sequence": row.sequence,
            "told_starts_at": row.starts_at,
            "told_ends_at": row.ends_at,
            "told_venue_id": venue_id_of(row),
            "told_cancelled": row.is_cancelled,
        },
    )


def take_places(row: Occurrence, places: int) -> bool:
    """The capacity rule itself: add places only while they fit (capacity NULL means no limit)."""
    capacity = select(Event.capacity).where(Event.id == row.event_id).scalar_subquery()
    stmt = (
        update(SignupSlot)
        .where(
            SignupSlot.occurrence_id == row.id,
            or_(capacity.is_(None), SignupSlot.confirmed + places <= capacity),
        )
        .values(confirmed=SignupSlot.confirmed + places)
    )
    return db.session.execute(stmt, execution_options={"synchronize_session": False}).rowcount == 1


def release_places(row: Occurrence, places: int) -> None:
    stmt = update(SignupSlot).where(SignupSlot.occurrence_id == row.id).values(confirmed=SignupSlot.confirmed - places)
    db.session.execute(stmt, execution_options={"synchronize_session": False})


def next_queue_no(row: Occurrence) -> int:
    stmt = (
        update(SignupSlot)
        .where(SignupSlot.occurrence_id == row.id)
        .values(waiting_seq=SignupSlot.waiting_seq + 1)
        .returning(SignupSlot.waiting_seq)
    )
    return db.session.execute(stmt, execution_options={"synchronize_session": False}).scalar_one()


def fresh(signup: Signup) -> Signup:
    """Re-read a sign-up after taking the lock: another request may have changed it meanwhile."""
    query = select(Signup).where(Signup.id == signup.id).execution_options(populate_existing=True)
    return db.session.scalars(query).one()


def free_places(row: Occurrence, slot: SignupSlot) -> int | None:
    capacity = row.event.capacity
    return None if capacity is None else max(capacity - slot.confirmed, 0)


def waiting_position(signup: Signup) -> int | None:
    """1 for the first on the waiting list; None if not waiting."""
    if signup.status != WAITING:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Signup)
        .where(
            Signup.occurrence_id == signup.occurrence_id, Signup.status == WAITING, Signup.queue_no < signup.queue_no
        )
    )
    return ahead + 1


def _reminder_window() -> timedelta:
    return timedelta(hours=current_app.config["SIGNUP_REMINDER_HOURS"])


def skip_reminder_if_late(signup: Signup, row: Occurrence, now: datetime) -> None:
    """Booked or promoted inside the reminder window: the email just sent is the reminder."""
    if row.starts_at - _reminder_window() <= now:
        signup.reminder = REMINDER_SKIPPED
