"""Reads for the return pages: which dates have a return, and the filtered list, each one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from engagement.core.timeutil import local_to_utc
from engagement.extensions import db
from engagement.speedwatch.returns.models import SessionReturn, Vehicle
from engagement.teams.models import Team


def returned_dates(occurrence_ids) -> set[int]:
    """Which of these dates already have a return, in one query (for "Send the return" links)."""
    ids = list(occurrence_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(SessionReturn.occurrence_id).where(SessionReturn.occurrence_id.in_(ids))))


@dataclass
class ReturnFilter:
    team_ids: list[int] | None = None  # None: every team
    month: date | None = None  # the first day of a month, in UK local time

    def conditions(self) -> list:
        found = []
        if self.team_ids is not None:
            found.append(SessionReturn.team_id.in_(self.team_ids or [-1]))
        if self.month is not None:
            following = date(self.month.year + self.month.month // 12, self.month.month % 12 + 1, 1)
            found.append(SessionReturn.started_at >= local_to_utc(self.month, time()))
            found.append(SessionReturn.started_at < local_to_utc(following, time()))
        return found

    def describe(self) -> dict:
        """The filter as stored in the audit log."""
        return {
            "teams": sorted(self.team_ids) if self.team_ids is not None else "all",
            "month": f"{self.month:%Y-%m}" if self.month else None,
        }


def list_returns(filters: ReturnFilter, *, page: int = 1, per_page: int = 50):
    """(rows, has_next): each row is (return, team name, vehicles, repeats); one aggregate query."""
    counts = (
        select(
            Vehicle.return_id.label("return_id"),
            func.count(Vehicle.id).label("vehicles"),
            func.sum(case((Vehicle.repeat.is_(True), 1), else_=0)).label("repeats"),
        )
        .group_by(Vehicle.return_id)
        .subquery()
    )
    query = (
        select(
            SessionReturn,
            Team.name,
            func.coalesce(counts.c.vehicles, 0),
            func.coalesce(counts.c.repeats, 0),
        )
        .join(Team, Team.id == SessionReturn.team_id)
        .outerjoin(counts, counts.c.return_id == SessionReturn.id)
        .where(*filters.conditions())
        .order_by(SessionReturn.started_at.desc(), SessionReturn.id.desc())
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    )
    rows = db.session.execute(query).all()
    return rows[:per_page], len(rows) > per_page


def return_with_vehicles(return_id: int) -> SessionReturn | None:
    """One return with its vehicles and who recorded it, for its page (two queries)."""
    return db.session.scalar(
        select(SessionReturn)
        .where(SessionReturn.id == return_id)
        .options(selectinload(SessionReturn.vehicles), selectinload(SessionReturn.recorded_by))
    )
