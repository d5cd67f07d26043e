"""Listeners: volunteers hear of a cancelled or moved date from here, and a suspension frees their places.

"occurrences.changed" compares each date with what its volunteers were last told
(ShiftStaffing.told_*), so a quorum cancellation, an officer's cancellation and a move each
send one email per volunteer; "occurrences.removed" tells them before a changed series drops
the date; "speedwatch.volunteer_suspended" takes a suspended volunteer off every coming date.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from engagement.core.db import utcnow
from engagement.core.i18n import _
from engagement.core.timeutil import format_date, format_range
from engagement.events.models import Occurrence
from engagement.extensions import db
from engagement.speedwatch.shifts.emails import tell_volunteers
from engagement.speedwatch.shifts.models import AUTO_CANCELLED, SIGNED_UP, ShiftSignup, ShiftStaffing
from engagement.speedwatch.shifts.services import withdraw_signup
from engagement.speedwatch.shifts.staffing import shift_for


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
        shift = shift_for(row)
        if shift is None:
            continue
        if row.is_cancelled:
            if told.told_cancelled:
                continue
            told.told_cancelled = True
            if told.quorum_outcome == AUTO_CANCELLED:
                tell_volunteers(
                    row,
                    shift,
                    "speedwatch/email/shift_quorum_cancelled",
                    lambda: _("Speed Watch shift cancelled: not enough volunteers"),
                )
            else:
                tell_volunteers(
                    row,
                    shift,
                    "speedwatch/email/shift_cancelled",
                    lambda row=row: _("Speed Watch shift cancelled: %(date)s", date=format_date(row.starts_at)),
                    reason=row.cancel_message,
                )
            continue
        venue_id = row.venue_id or row.event.venue_id
        if (row.starts_at, venue_id) != (told.told_starts_at, told.told_venue_id) and row.ends_at > utcnow():
            was = told.told_starts_at
            told.told_starts_at, told.told_venue_id = row.starts_at, venue_id
            tell_volunteers(  # the subject and dates are formatted in each volunteer's language
                row,
                shift,
                "speedwatch/email/shift_moved",
                lambda row=row: _(
                    "Speed Watch shift changed: now %(when)s", when=format_range(row.starts_at, row.ends_at)
                ),
                before=lambda was=was: format_date(was) if was else "",
            )


def occurrences_removed(rows) -> None:
    """A changed series rule dropped these dates: tell their volunteers, then remove the rota rows."""
    ids = [r.id for r in rows if r.id is not None]
    if not ids:
        return
    for row in rows:
        shift = shift_for(row)
        if shift is not None and row.ends_at > utcnow() and not row.is_cancelled:
            tell_volunteers(
                row,
                shift,
                "speedwatch/email/shift_cancelled",
                lambda row=row: _("Speed Watch shift cancelled: %(date)s", date=format_date(row.starts_at)),
                reason=lambda: _("This date has been taken out of the series."),
            )
    db.session.execute(
        delete(ShiftSignup).where(ShiftSignup.occurrence_id.in_(ids)), execution_options={"synchronize_session": False}
    )
    db.session.execute(
        delete(ShiftStaffing).where(ShiftStaffing.occurrence_id.in_(ids)),
        execution_options={"synchronize_session": False},
    )


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
        withdraw_signup(signup, signup.occurrence, now, actor=None, why="was suspended and taken off")
    return len(signups)
