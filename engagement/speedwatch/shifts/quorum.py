"""The quorum rule: worker task "speedwatch-quorum" (`check_quorum`) decides each shift date once.

Once a published shift date is within SPEEDWATCH_QUORUM_HOURS of its start, it is checked
exactly once. Below its minimum team it is cancelled through the events services (so feeds
show STATUS:CANCELLED with a higher SEQUENCE) with the reason "Not enough volunteers";
otherwise it goes ahead. A date that later drops below its minimum alerts the team instead
(shifts.staffing.alert_if_short). Volunteers hear of the cancellation from shifts.listeners.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.timeutil import format_date
from engagement.events import series
from engagement.events.models import CANCELLED, PUBLISHED, Event, Occurrence
from engagement.events.services import cancel_event
from engagement.extensions import db
from engagement.speedwatch.shifts.models import AUTO_CANCELLED, GOING_AHEAD, Shift, ShiftStaffing
from engagement.speedwatch.shifts.staffing import ensure_staffing, in_quorum_window, quorum_window, shift_for

QUORUM_REASON = "Not enough volunteers"
BATCH = 200


def due_dates(now: datetime, limit: int = BATCH) -> list[int]:
    """Published, live shift dates starting inside the window and not yet checked, soonest first."""
    query = (
        select(Occurrence.id)
        .join(Event, Event.id == Occurrence.event_id)
        .join(Shift, Shift.event_id == Event.id)
        .outerjoin(ShiftStaffing, ShiftStaffing.occurrence_id == Occurrence.id)
        .where(
            Event.status == PUBLISHED,
            Occurrence.status != CANCELLED,
            Occurrence.starts_at > now,
            Occurrence.starts_at <= now + quorum_window(),
            or_(ShiftStaffing.occurrence_id.is_(None), ShiftStaffing.quorum_checked_at.is_(None)),
        )
        .order_by(Occurrence.starts_at, Occurrence.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _claim(row: Occurrence) -> ShiftStaffing | None:
    """The date's staffing row, locked; None if another worker holds it (SKIP LOCKED on PostgreSQL)."""
    ensure_staffing(row)
    query = (
        select(ShiftStaffing)
        .where(ShiftStaffing.occurrence_id == row.id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(query).one_or_none()


def check_quorum(now: datetime | None = None) -> int:
    """Worker task: decide each due date once (cancel if short, else going ahead); commits per date."""
    now = now or utcnow()
    handled = 0
    for occurrence_id in due_dates(now):
        row = db.session.get(Occurrence, occurrence_id)
        staffing = _claim(row) if row is not None else None
        if staffing is None or staffing.quorum_checked_at is not None or row.is_cancelled:
            db.session.commit()
            continue
        if row.event.status != PUBLISHED or not in_quorum_window(row, now):
            db.session.commit()
            continue
        shift = shift_for(row)
        staffing.quorum_checked_at = now
        if staffing.taken < shift.min_team:
            staffing.quorum_outcome = AUTO_CANCELLED  # read by the listener: the volunteers' email says why
            if row.event.is_series:
                series.cancel_occurrence(row, actor=None, reason=QUORUM_REASON, now=now)
            else:
                cancel_event(row.event, actor=None, reason=QUORUM_REASON, now=now)
        else:
            staffing.quorum_outcome = GOING_AHEAD
        audit.record(
            "speedwatch.quorum",
            target=row,
            summary=f"{row.event.title}, {format_date(row.starts_at)}: {staffing.quorum_outcome} "
            f"({staffing.taken} of min {shift.min_team})",
            taken=staffing.taken,
            min_team=shift.min_team,
        )
        db.session.commit()
        handled += 1
    return handled
