"""What volunteers on a shift date and its team are emailed: cancelled, moved, or short after going ahead.

Queued in the caller's transaction (the worker sends them). Who is told when is decided by the
listeners (shifts.listeners) and the short alert (shifts.staffing); this module only writes.
Volunteers are written to in their own language (Volunteer.language, core.i18n): subject, dates and
links; the team's short alert stays English (officers work in English).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from engagement.core.i18n import force_language, language_of
from engagement.core.mail import queue_templated
from engagement.core.timeutil import format_date, format_range
from engagement.core.urls import public_url
from engagement.events.models import Occurrence
from engagement.extensions import db
from engagement.speedwatch.mail import team_recipients
from engagement.speedwatch.shifts.models import SIGNED_UP, Shift, ShiftSignup


def _volunteers_on(row: Occurrence) -> list[ShiftSignup]:
    return db.session.scalars(
        select(ShiftSignup)
        .options(joinedload(ShiftSignup.volunteer))
        .where(ShiftSignup.occurrence_id == row.id, ShiftSignup.status == SIGNED_UP)
        .order_by(ShiftSignup.id)
    ).all()


def _context(row: Occurrence, shift: Shift) -> dict:
    return {
        "row": row,
        "event": row.event,
        "site": shift.site,
        "team": row.event.team,
        "when": format_range(row.starts_at, row.ends_at),
        "rota_url": public_url("speedwatch.rota"),
        "shifts_url": public_url("speedwatch.volunteer_shifts"),
    }


def tell_volunteers(row: Occurrence, shift: Shift, template: str, subject, **extra) -> int:
    """One email to each volunteer signed up for the date, in their language; returns how many.

    `subject` and any callable value in `extra` are functions called in that language (they hold
    words or dates to translate); other values (the officer's reason) go in as they are."""
    signups = _volunteers_on(row)
    for signup in signups:
        volunteer = signup.volunteer
        with force_language(language_of(volunteer)):
            context = _context(row, shift) | {k: v() if callable(v) else v for k, v in extra.items()}
            title = subject() if callable(subject) else subject
            queue_templated(volunteer.email, title, template, volunteer=volunteer, **context)
    return len(signups)


def team_short_alert(row: Occurrence, shift: Shift, taken: int) -> None:
    """Email the team's contact address and its officers: a date that went ahead is now short."""
    subject = (
        f"Speed Watch shift on {format_date(row.starts_at)} at {shift.site.name} is now short: "
        f"{taken} of {shift.min_team}"
    )
    context = _context(row, shift) | {"taken": taken, "min_team": shift.min_team}
    context["staff_url"] = public_url("speedwatch.shift", occurrence_id=row.id)
    for address in team_recipients(row.event.team):
        queue_templated(address, subject, "speedwatch/email/shift_short", **context)
