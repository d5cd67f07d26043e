"""Each shift date's counter row (ShiftStaffing): the lock, the places, the quorum window, the short alert.

Places are taken with a conditional UPDATE on the date's row (`taken = taken + 1 WHERE taken <
max_team`), so the maximum holds however many volunteers tap "Join" at once. The quorum check
(shifts.quorum) decides each date once, inside the window before it starts; after a date went
ahead, a drop below its minimum alerts the team once (`alert_if_short`). Sign-ups (services),
the quorum check and the listeners all build on this module, which imports none of them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update

from engagement.core import audit
from engagement.core.db import insert_missing, lock_row
from engagement.core.timeutil import format_date
from engagement.events.models import Occurrence
from engagement.extensions import db
from engagement.speedwatch.shifts.emails import team_short_alert
from engagement.speedwatch.shifts.models import GOING_AHEAD, Shift, ShiftStaffing


def quorum_window() -> timedelta:
    return timedelta(hours=current_app.config["SPEEDWATCH_QUORUM_HOURS"])


def in_quorum_window(row: Occurrence, now: datetime) -> bool:
    return now < row.starts_at <= now + quorum_window()


def shift_for(row: Occurrence) -> Shift | None:
    return db.session.get(Shift, row.event_id)


def _new_staffing(row: Occurrence) -> dict:
    """A date's first counter row: nobody on it yet, and volunteers told of its current time and place."""
    return {
        "taken": 0,
        "quorum_outcome": "",
        "told_starts_at": row.starts_at,
        "told_venue_id": row.venue_id or row.event.venue_id,
        "told_cancelled": row.is_cancelled,
    }


def ensure_staffing(row: Occurrence) -> None:
    """Create the date's counter row if it has none (the quorum check locks it with SKIP LOCKED after)."""
    insert_missing(ShiftStaffing, {"occurrence_id": row.id, **_new_staffing(row)})


def lock_staffing(row: Occurrence) -> ShiftStaffing:
    """Take the date's lock (until the transaction ends) and return its counter row, freshly read."""
    return lock_row(ShiftStaffing, {"occurrence_id": row.id}, ShiftStaffing.taken, lambda: _new_staffing(row))


def take_place(row: Occurrence, max_team: int) -> bool:
    """One more volunteer on the date, unless it already has `max_team`; False when it is full."""
    stmt = (
        update(ShiftStaffing)
        .where(ShiftStaffing.occurrence_id == row.id, ShiftStaffing.taken < max_team)
        .values(taken=ShiftStaffing.taken + 1)
    )
    return db.session.execute(stmt, execution_options={"synchronize_session": False}).rowcount == 1


def release_place(row: Occurrence) -> None:
    stmt = (
        update(ShiftStaffing)
        .where(ShiftStaffing.occurrence_id == row.id, ShiftStaffing.taken > 0)
        .values(taken=ShiftStaffing.taken - 1)
    )
    db.session.execute(stmt, execution_options={"synchronize_session": False})


def alert_if_short(row: Occurrence, now: datetime) -> bool:
    """After the quorum check let a date go ahead, a drop below the minimum alerts the team, once."""
    staffing = lock_staffing(row)
    shift = shift_for(row)
    if (
        shift is None
        or staffing.quorum_outcome != GOING_AHEAD
        or staffing.short_alerted_at is not None
        or staffing.taken >= shift.min_team
        or row.is_cancelled
        or not in_quorum_window(row, now)
    ):
        return False
    staffing.short_alerted_at = now
    team_short_alert(row, shift, staffing.taken)
    audit.record(
        "speedwatch.shift_short",
        target=row,
        summary=f"{row.event.title}, {format_date(row.starts_at)}: {staffing.taken} of {shift.min_team}",
    )
    return True
