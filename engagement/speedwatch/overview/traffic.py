"""Traffic per site and month, for the coordinator overview and each site's page: sessions held,
vehicles counted, % over the limit, % over the reporting threshold and repeat vehicles.

One aggregate query, whatever the number of sessions. Percentages count only returns that recorded
their traffic (returns sent before counts existed have sessions and repeats, no percentages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import case, func, select

from engagement.core.timeutil import local_to_utc
from engagement.extensions import db
from engagement.speedwatch.overview.queries import MONTHS_BACK, month_starts
from engagement.speedwatch.returns.models import SessionReturn, Vehicle
from engagement.speedwatch.sites.models import Site
from engagement.teams.models import Team


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class MonthTraffic:
    month: date | None
    sessions: int = 0
    counted: int = 0  # vehicles that passed, on the returns that counted them
    over_limit: int = 0  # of those, over the limit (whether or not at the threshold)
    over_threshold: int = 0  # of those, at or over the reporting threshold (registrations recorded)
    repeats: int = 0  # vehicles seen before within SPEEDWATCH_REPEAT_DAYS

    @property
    def pct_over_limit(self) -> float | None:
        return percent(self.over_limit, self.counted)

    @property
    def pct_over_threshold(self) -> float | None:
        return percent(self.over_threshold, self.counted)

    def add(self, other: MonthTraffic) -> None:
        for name in ("sessions", "counted", "over_limit", "over_threshold", "repeats"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class SiteTraffic:
    team: str
    site_id: int | None
    site: str
    months: list[MonthTraffic] = field(default_factory=list)

    @property
    def total(self) -> MonthTraffic:
        found = MonthTraffic(None)
        for month in self.months:
            found.add(month)
        return found


def traffic_per_site(
    team_ids: list[int] | None, today: date, *, site_id: int | None = None, months_back: int = MONTHS_BACK
) -> tuple[list[date], list[SiteTraffic]]:
    """(months, sites): each site's traffic in each of the last `months_back` UK months, oldest first."""
    months = month_starts(today, months_back)
    last = months[-1]
    bounds = [local_to_utc(m, time()) for m in months]
    bounds.append(local_to_utc(date(last.year + last.month // 12, last.month % 12 + 1, 1), time()))
    bucket = case(*((SessionReturn.started_at < bounds[i + 1], i) for i in range(months_back)), else_=months_back - 1)
    seen = (
        select(
            Vehicle.return_id.label("return_id"),
            func.count(Vehicle.id).label("registered"),
            func.sum(case((Vehicle.repeat.is_(True), 1), else_=0)).label("repeats"),
        )
        .group_by(Vehicle.return_id)
        .subquery()
    )
    registered = func.coalesce(seen.c.registered, 0)
    counted = SessionReturn.vehicles_counted.is_not(None)
    rows = (
        select(
            Team.name.label("team"),
            SessionReturn.site_id.label("site_id"),
            func.coalesce(Site.name, SessionReturn.site_name).label("site"),
            bucket.label("month"),
            func.coalesce(SessionReturn.vehicles_counted, 0).label("counted"),
            case((counted, func.coalesce(SessionReturn.over_limit_count, 0) + registered), else_=0).label("over"),
            case((counted, registered), else_=0).label("threshold"),
            func.coalesce(seen.c.repeats, 0).label("repeats"),
        )
        .join(Team, Team.id == SessionReturn.team_id)
        .outerjoin(Site, Site.id == SessionReturn.site_id)
        .outerjoin(seen, seen.c.return_id == SessionReturn.id)
        .where(SessionReturn.started_at >= bounds[0], SessionReturn.started_at < bounds[-1])
    )
    if team_ids is not None:
        rows = rows.where(SessionReturn.team_id.in_(team_ids or [-1]))
    if site_id is not None:
        rows = rows.where(SessionReturn.site_id == site_id)
    rows = rows.subquery()  # grouped outside, so GROUP BY names a column (PostgreSQL will not match two CASEs)
    query = select(
        rows.c.team,
        rows.c.site_id,
        rows.c.site,
        rows.c.month,
        func.count(),
        func.sum(rows.c.counted),
        func.sum(rows.c.over),
        func.sum(rows.c.threshold),
        func.sum(rows.c.repeats),
    ).group_by(rows.c.team, rows.c.site_id, rows.c.site, rows.c.month)
    sites: dict[tuple, SiteTraffic] = {}
    for team, sid, name, month, sessions, total, over, threshold, repeats in db.session.execute(query):
        entry = sites.setdefault((team, sid, name), SiteTraffic(team, sid, name, [MonthTraffic(m) for m in months]))
        entry.months[int(month)].add(
            MonthTraffic(None, int(sessions), int(total or 0), int(over or 0), int(threshold or 0), int(repeats or 0))
        )
    return months, sorted(sites.values(), key=lambda s: (s.team, s.site))
