"""The coordinator overview's numbers: each part is one query (an aggregate, not a loop over rows),
so the page costs the same for one return or thousands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select

from engagement.events.models import CANCELLED, PUBLISHED, Event, Occurrence
from engagement.extensions import db
from engagement.speedwatch.shifts.models import SIGNED_UP, Shift, ShiftSignup
from engagement.speedwatch.sites.models import Site
from engagement.speedwatch.volunteers.models import APPROVED, Volunteer
from engagement.teams.models import Team

WEEKS_AHEAD = 4
MONTHS_BACK = 6


@dataclass
class ShiftRow:
    occurrence_id: int
    starts_at: datetime
    ends_at: datetime
    team: str
    site: str
    taken: int
    min_team: int
    max_team: int
    cancelled: bool

    @property
    def state(self) -> str:
        """ "cancelled", "full", "going ahead" or "needs 2 more": what the team needs to know."""
        if self.cancelled:
            return "cancelled"
        if self.taken >= self.max_team:
            return "full"
        if self.taken >= self.min_team:
            return "going ahead"
        return f"needs {self.min_team - self.taken} more"


def coming_shifts(team_ids: list[int] | None, now: datetime) -> list[ShiftRow]:
    """Published (or cancelled) Speed Watch dates in the next WEEKS_AHEAD weeks with live sign-up counts."""
    taken = (
        select(ShiftSignup.occurrence_id, func.count(ShiftSignup.id).label("taken"))
        .where(ShiftSignup.status == SIGNED_UP)
        .group_by(ShiftSignup.occurrence_id)
        .subquery()
    )
    query = (
        select(
            Occurrence.id,
            Occurrence.starts_at,
            Occurrence.ends_at,
            Team.name,
            Site.name,
            func.coalesce(taken.c.taken, 0),
            Shift.min_team,
            Shift.max_team,
            or_(Occurrence.status == CANCELLED, Event.status == CANCELLED),
        )
        .join(Event, Event.id == Occurrence.event_id)
        .join(Shift, Shift.event_id == Event.id)
        .join(Site, Site.id == Shift.site_id)
        .join(Team, Team.id == Event.team_id)
        .outerjoin(taken, taken.c.occurrence_id == Occurrence.id)
        .where(
            Occurrence.starts_at >= now,
            Occurrence.starts_at < now + timedelta(weeks=WEEKS_AHEAD),
            Event.status.in_((PUBLISHED, CANCELLED)),
        )
        .order_by(Team.name, Occurrence.starts_at, Occurrence.id)
    )
    if team_ids is not None:
        query = query.where(Event.team_id.in_(team_ids or [-1]))
    return [ShiftRow(*row[:8], cancelled=bool(row[8])) for row in db.session.execute(query)]


def training_due(team_ids: list[int] | None, today: date, days: int = 30) -> list:
    """Approved volunteers whose training has expired or expires within `days` (or was never recorded)."""
    query = (
        select(Volunteer.id, Volunteer.name, Team.name.label("team"), Volunteer.training_expires)
        .join(Team, Team.id == Volunteer.team_id)
        .where(
            Volunteer.status == APPROVED,
            or_(Volunteer.training_expires.is_(None), Volunteer.training_expires <= today + timedelta(days=days)),
        )
        .order_by(Volunteer.training_expires.is_(None).desc(), Volunteer.training_expires, Volunteer.name)
    )
    if team_ids is not None:
        query = query.where(Volunteer.team_id.in_(team_ids or [-1]))
    return db.session.execute(query).all()


def month_starts(today: date, months: int = MONTHS_BACK) -> list[date]:
    """The first days of the last `months` months, oldest first, ending with this month."""
    starts, year, month = [], today.year, today.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return starts[::-1]
