"""Read-only views of the rota for pages, feeds and the dashboard: each list is one query.

`staffing_for` says how a date is staffed ("needs 2 more volunteers", "going ahead", "full",
"cancelled"); `shift_dates` and `volunteer_dates` load what the pages list. The rules that
change the rota live in shifts.services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from engagement.events.models import CANCELLED, Event, Occurrence
from engagement.events.queries import with_everything
from engagement.extensions import db
from engagement.speedwatch.shifts.models import (
    AUTO_CANCELLED,
    DEVICE_OPERATOR,
    NOT_ENOUGH_VOLUNTEERS,
    SIGNED_UP,
    Shift,
    ShiftSignup,
    ShiftStaffing,
)
from engagement.speedwatch.volunteers.models import Volunteer

# --- staffing state --------------------------------------------------------------------------


@dataclass(frozen=True)
class Staffing:
    """How one date is staffed, with the label volunteers and staff see."""

    taken: int
    min_team: int
    max_team: int
    cancelled: bool = False
    cancel_reason: str = ""
    quorum_outcome: str = ""

    @property
    def needed(self) -> int:
        return max(0, self.min_team - self.taken)

    @property
    def going_ahead(self) -> bool:
        return self.taken >= self.min_team

    @property
    def full(self) -> bool:
        return self.taken >= self.max_team

    @property
    def auto_cancelled(self) -> bool:
        return self.cancelled and self.quorum_outcome == AUTO_CANCELLED

    @property
    def label(self) -> str:
        if self.cancelled:
            if self.auto_cancelled:
                return f"cancelled: {NOT_ENOUGH_VOLUNTEERS}"
            return f"cancelled: {self.cancel_reason}" if self.cancel_reason else "cancelled"
        if self.full:
            return "full"
        if self.going_ahead:
            return "going ahead"
        return f"needs {self.needed} more {'volunteer' if self.needed == 1 else 'volunteers'}"

    @property
    def counts(self) -> str:
        """'2 of min 3 (max 6)' for staff lists."""
        return f"{self.taken} of min {self.min_team} (max {self.max_team})"


def staffing_for(occurrence_ids) -> dict[int, Staffing]:
    """Staffing of Speed Watch dates, in one query; dates that are not shifts are left out."""
    ids = list(occurrence_ids)
    if not ids:
        return {}
    query = (
        select(
            Occurrence.id,
            Occurrence.status,
            Occurrence.cancel_reason,
            Occurrence.ends_at,
            Event.status,
            Event.cancel_reason,
            Event.cancelled_at,
            Shift.min_team,
            Shift.max_team,
            ShiftStaffing.taken,
            ShiftStaffing.quorum_outcome,
        )
        .join(Event, Event.id == Occurrence.event_id)
        .join(Shift, Shift.event_id == Event.id)
        .outerjoin(ShiftStaffing, ShiftStaffing.occurrence_id == Occurrence.id)
        .where(Occurrence.id.in_(ids))
    )
    result = {}
    for (
        oid,
        o_status,
        o_reason,
        ends,
        e_status,
        e_reason,
        e_cancelled_at,
        low,
        high,
        taken,
        outcome,
    ) in db.session.execute(query):
        own = o_status == CANCELLED
        whole = e_status == CANCELLED and (e_cancelled_at is None or ends > e_cancelled_at)
        result[oid] = Staffing(
            taken=taken or 0,
            min_team=low,
            max_team=high,
            cancelled=own or whole,
            cancel_reason=(o_reason if own else e_reason) if (own or whole) else "",
            quorum_outcome=outcome or "",
        )
    return result


def roster(row: Occurrence) -> list[ShiftSignup]:
    """The date's volunteers (signed up), with their volunteer rows, in one query."""
    return db.session.scalars(
        select(ShiftSignup)
        .options(joinedload(ShiftSignup.volunteer))
        .where(ShiftSignup.occurrence_id == row.id, ShiftSignup.status == SIGNED_UP)
        .order_by(ShiftSignup.created_at, ShiftSignup.id)
    ).all()


def first_name(name: str) -> str:
    return (name or "").split(" ")[0] or "A volunteer"


# --- lists for pages: each one query ---------------------------------------------------------


def load_date(occurrence_id: int) -> Occurrence | None:
    """One date with its event, team, venue and type loaded, for the shift pages."""
    query = with_everything(select(Occurrence).where(Occurrence.id == occurrence_id))
    return db.session.scalars(query).unique().one_or_none()


def shift_dates(
    team_ids, *, start: datetime, end: datetime, public_only: bool = False, limit: int = 300
) -> list[tuple[Occurrence, Shift]]:
    """Shift dates of these teams starting in [start, end), with event, team, venue and site loaded."""
    ids = list(team_ids)
    if not ids:
        return []
    query = (
        select(Occurrence, Shift)
        .join(Occurrence.event)
        .join(Shift, Shift.event_id == Event.id)
        .where(Event.team_id.in_(ids), Occurrence.starts_at >= start, Occurrence.starts_at < end)
        .options(
            contains_eager(Occurrence.event).joinedload(Event.team),
            contains_eager(Occurrence.event).joinedload(Event.venue),
            joinedload(Occurrence.venue_override),
            joinedload(Shift.site),
            joinedload(Shift.device),
        )
        .order_by(Occurrence.starts_at, Occurrence.id)
        .limit(limit)
    )
    if public_only:
        query = query.where(Event.published_at.is_not(None), Event.status != "draft")
    return [(row, shift) for row, shift in db.session.execute(query).unique()]


def volunteer_dates(volunteer, *, since: datetime, limit: int = 200) -> list[tuple[ShiftSignup, Occurrence, Shift]]:
    """The volunteer's live sign-ups for dates ending after `since`, soonest first, in one query."""
    query = (
        select(ShiftSignup, Occurrence, Shift)
        .join(Occurrence, Occurrence.id == ShiftSignup.occurrence_id)
        .join(Occurrence.event)
        .join(Shift, Shift.event_id == Event.id)
        .where(ShiftSignup.volunteer_id == volunteer.id, ShiftSignup.status == SIGNED_UP, Occurrence.ends_at > since)
        .options(
            contains_eager(Occurrence.event).joinedload(Event.team),
            contains_eager(Occurrence.event).joinedload(Event.venue),
            contains_eager(Occurrence.event).joinedload(Event.event_type),
            joinedload(Occurrence.venue_override),
            joinedload(Shift.site),
            joinedload(Shift.device),
        )
        .order_by(Occurrence.starts_at, Occurrence.id)
        .limit(limit)
    )
    return [tuple(r) for r in db.session.execute(query).unique()]


def collectors(occurrence_ids) -> dict[int, str]:
    """Who collects the device for each date: the first volunteer signed up as device operator (one query)."""
    ids = list(occurrence_ids)
    if not ids:
        return {}
    query = (
        select(ShiftSignup.occurrence_id, Volunteer.name)
        .join(Volunteer, Volunteer.id == ShiftSignup.volunteer_id)
        .where(ShiftSignup.occurrence_id.in_(ids), ShiftSignup.status == SIGNED_UP, ShiftSignup.role == DEVICE_OPERATOR)
        .order_by(ShiftSignup.created_at, ShiftSignup.id)
    )
    found: dict[int, str] = {}
    for occurrence_id, name in db.session.execute(query):
        found.setdefault(occurrence_id, name)
    return found
