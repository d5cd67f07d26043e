"""The quorum rule and the emails that go with it.

Worker task "speedwatch-quorum" (check_quorum): once a published shift date is within
SPEEDWATCH_QUORUM_HOURS of its start, it is checked exactly once. Below its minimum team
it is cancelled through the events services (so feeds show STATUS:CANCELLED with a higher
SEQUENCE) with the reason "Not enough volunteers"; otherwise it goes ahead. A
date that later drops below its minimum alerts the team instead (shifts.alert_if_short).

Volunteers hear of a cancelled or moved date from one place only, the "occurrences.changed"
listener below, which compares with what they were last told (ShiftStaffing.told_*): so a
quorum cancellation, an officer's cancellation and a move each send one email per volunteer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import joinedload

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.mail import queue_templated
from engagement.core.timeutil import format_date, format_range
from engagement.events import series
from engagement.events.models import CANCELLED, PUBLISHED, Event, Occurrence
from engagement.events.services import cancel_event
from engagement.extensions import db
from engagement.speedwatch import shifts
from engagement.speedwatch.shift_models import (
    AUTO_CANCELLED,
    GOING_AHEAD,
    SIGNED_UP,
    Shift,
    ShiftSignup,
    ShiftStaffing,
)

QUORUM_REASON = "Not enough volunteers"
BATCH = 200


# --- the worker task -------------------------------------------------------------------------


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
            Occurrence.starts_at <= now + shifts.quorum_window(),
            or_(ShiftStaffing.occurrence_id.is_(None), ShiftStaffing.quorum_checked_at.is_(None)),
        )
        .order_by(Occurrence.starts_at, Occurrence.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _claim(row: Occurrence) -> ShiftStaffing | None:
    """The date's staffing row, locked; None if another worker holds it (SKIP LOCKED on PostgreSQL)."""
    shifts.ensure_staffing(row)
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
        if row.event.status != PUBLISHED or not (now < row.starts_at <= now + shifts.quorum_window()):
            db.session.commit()
            continue
        shift = shifts.shift_for(row)
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


# --- emails ----------------------------------------------------------------------------------


def _volunteers_on(row: Occurrence) -> list[ShiftSignup]:
    return db.session.scalars(
        select(ShiftSignup)
        .options(joinedload(ShiftSignup.volunteer))
        .where(ShiftSignup.occurrence_id == row.id, ShiftSignup.status == SIGNED_UP)
        .order_by(ShiftSignup.id)
    ).all()


def _context(row: Occurrence, shift: Shift) -> dict:
    from engagement.events.ical import absolute

    return {
        "row": row,
        "event": row.event,
        "site": shift.site,
        "team": row.event.team,
        "when": format_range(row.starts_at, row.ends_at),
        "rota_url": absolute("speedwatch.rota"),
        "shifts_url": absolute("speedwatch.volunteer_shifts"),
    }


def _tell_volunteers(row: Occurrence, shift: Shift, template: str, subject: str, **extra) -> int:
    signups = _volunteers_on(row)
    context = _context(row, shift) | extra
    for signup in signups:
        queue_templated(signup.volunteer.email, subject, template, volunteer=signup.volunteer, **context)
    return len(signups)


def team_short_alert(row: Occurrence, shift: Shift, taken: int) -> None:
    """Email the team's contact address and its officers: a date that went ahead is now short."""
    from engagement.speedwatch.volunteer_tasks import team_recipients

    team = row.event.team
    subject = (
        f"Speed Watch shift on {format_date(row.starts_at)} at {shift.site.name} is now short: "
        f"{taken} of {shift.min_team}"
    )
    context = _context(row, shift) | {"taken": taken, "min_team": shift.min_team}
    from engagement.events.ical import absolute

    context["staff_url"] = absolute("speedwatch.shift", occurrence_id=row.id)
    for address in team_recipients(team):
        queue_templated(address, subject, "speedwatch/email/shift_short", **context)


def alert_if_short(row: Occurrence, now: datetime) -> bool:
    """After the quorum check let a date go ahead, a drop below the minimum alerts the team, once."""
    staffing = shifts.lock_staffing(row)
    shift = shifts.shift_for(row)
    if (
        shift is None
        or staffing.quorum_outcome != GOING_AHEAD
        or staffing.short_alerted_at is not None
        or staffing.taken >= shift.min_team
        or row.is_cancelled
        or not shifts.in_quorum_window(row, now)
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


def volunteer_suspended(volunteer, now: datetime | None = None) -> int:
    """Listener for "speedwatch.volunteer_suspended": off every coming date, alerting teams left short."""
    now = now or utcnow()
    signups = db.session.scalars(
        select(ShiftSignup)
        .join(Occurrence, Occurrence.id == ShiftSignup.occurrence_id)
        .where(ShiftSignup.volunteer_id == volunteer.id, ShiftSignup.status == SIGNED_UP, Occurrence.starts_at > now)
        .order_by(Occurrence.starts_at)
    ).all()
    for signup in signups:
        shifts.withdraw_signup(signup, signup.occurrence, now, actor=None, why="was suspended and taken off")
    return len(signups)


# --- listeners -------------------------------------------------------------------------------


def occurrences_changed(rows) -> None:
    """Tell signed-up volunteers when a date of theirs is cancelled (by anyone) or moved, once each."""
    rows = [r for r in rows if r.id is not None]
    if not rows:
        return
    staffing = {
        s.occurrence_id: s
        for s in db.session.scalars(select(ShiftStaffing).where(ShiftStaffing.occurrence_id.in_([r.id for r in rows])))
    }
    for row in rows:
        told = staffing.get(row.id)
        if told is None:
            continue  # nobody ever signed up
        shift = shifts.shift_for(row)
        if shift is None:
            continue
        if row.is_cancelled:
            if told.told_cancelled:
                continue
            told.told_cancelled = True
            if told.quorum_outcome == AUTO_CANCELLED:
                _tell_volunteers(
                    row,
                    shift,
                    "speedwatch/email/shift_quorum_cancelled",
                    "Speed Watch shift cancelled: not enough volunteers",
                )
            else:
                _tell_volunteers(
                    row,
                    shift,
                    "speedwatch/email/shift_cancelled",
                    f"Speed Watch shift cancelled: {format_date(row.starts_at)}",
                    reason=row.cancel_message,
                )
            continue
        venue_id = row.venue_id or row.event.venue_id
        if (row.starts_at, venue_id) != (told.told_starts_at, told.told_venue_id) and row.ends_at > utcnow():
            before = format_date(told.told_starts_at) if told.told_starts_at else ""
            told.told_starts_at, told.told_venue_id = row.starts_at, venue_id
            _tell_volunteers(
                row,
                shift,
                "speedwatch/email/shift_moved",
                f"Speed Watch shift changed: now {format_range(row.starts_at, row.ends_at)}",
                before=before,
            )


def occurrences_removed(rows) -> None:
    """A changed series rule dropped these dates: tell their volunteers, then remove the rota rows."""
    ids = [r.id for r in rows if r.id is not None]
    if not ids:
        return
    for row in rows:
        shift = shifts.shift_for(row)
        if shift is not None and row.ends_at > utcnow() and not row.is_cancelled:
            _tell_volunteers(
                row,
                shift,
                "speedwatch/email/shift_cancelled",
                f"Speed Watch shift cancelled: {format_date(row.starts_at)}",
                reason="This date has been taken out of the series.",
            )
    db.session.execute(
        delete(ShiftSignup).where(ShiftSignup.occurrence_id.in_(ids)), execution_options={"synchronize_session": False}
    )
    db.session.execute(
        delete(ShiftStaffing).where(ShiftStaffing.occurrence_id.in_(ids)),
        execution_options={"synchronize_session": False},
    )
