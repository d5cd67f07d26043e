"""The coordinator's overview: shifts of the coming weeks with their staffing, training running out,
and vehicles recorded per site per month as a server-drawn chart with the same numbers in a table.

Each part is one query whatever the amount of data (an aggregate, not a loop over rows), so
the page costs the same for one return or thousands. The chart follows surveys.charts: inline
SVG with role="img", a <title> and a <desc> in words, no JavaScript and no inline styles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import case, func, or_, select

from engagement.core.db import utcnow
from engagement.core.permissions import ADMIN, COORDINATOR, require_team, staff_route
from engagement.core.timeutil import local_to_utc, to_local
from engagement.events.models import CANCELLED, PUBLISHED, Event, Occurrence
from engagement.extensions import db
from engagement.speedwatch.models import APPROVED, Site, Volunteer
from engagement.speedwatch.return_models import SessionReturn, Vehicle
from engagement.speedwatch.shift_models import SIGNED_UP, Shift, ShiftSignup
from engagement.speedwatch.views import bp
from engagement.teams.models import Team
from engagement.teams.services import all_teams

WEEKS_AHEAD = 4
MONTHS_BACK = 6
TEXT, BAR, TRACK = "#0b0c0c", "#17406d", "#f3f2f1"
LINE_HEIGHT, BAR_HEIGHT, GAP = 22, 20, 10


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


@dataclass
class SiteCounts:
    team: str
    site: str
    counts: list[int] = field(default_factory=lambda: [0] * MONTHS_BACK)

    @property
    def total(self) -> int:
        return sum(self.counts)


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


def vehicles_per_site(team_ids: list[int] | None, today: date) -> tuple[list[date], list[SiteCounts]]:
    """(months, sites): vehicles seen per site in each of the last MONTHS_BACK months (UK months), one query."""
    months = month_starts(today)
    last = months[-1]
    bounds = [local_to_utc(m, time()) for m in months]
    bounds.append(local_to_utc(date(last.year + last.month // 12, last.month % 12 + 1, 1), time()))
    bucket = case(*((Vehicle.seen_at < bounds[i + 1], i) for i in range(MONTHS_BACK)), else_=MONTHS_BACK - 1)
    # Bucketed in a subquery so GROUP BY names a column (PostgreSQL will not match two bound CASEs).
    seen = (
        select(
            Team.name.label("team"),
            SessionReturn.site_id.label("site_id"),
            func.coalesce(Site.name, SessionReturn.site_name).label("site"),
            bucket.label("month"),
            Vehicle.id.label("vehicle_id"),
        )
        .select_from(Vehicle)
        .join(SessionReturn, SessionReturn.id == Vehicle.return_id)
        .join(Team, Team.id == SessionReturn.team_id)
        .outerjoin(Site, Site.id == SessionReturn.site_id)
        .where(Vehicle.seen_at >= bounds[0], Vehicle.seen_at < bounds[-1])
    )
    if team_ids is not None:
        seen = seen.where(SessionReturn.team_id.in_(team_ids or [-1]))
    seen = seen.subquery()
    query = select(seen.c.team, seen.c.site_id, seen.c.site, seen.c.month, func.count(seen.c.vehicle_id)).group_by(
        seen.c.team, seen.c.site_id, seen.c.site, seen.c.month
    )
    sites: dict[tuple, SiteCounts] = {}
    for team, site_id, name, month, count in db.session.execute(query):
        entry = sites.setdefault((team, site_id, name), SiteCounts(team, name))
        entry.counts[int(month)] += count
    return months, sorted(sites.values(), key=lambda s: (s.team, s.site))


def site_chart(chart_id: str, site: SiteCounts, months: list[date], peak: int) -> Markup:
    """One small horizontal bar chart per site: a bar per month, all scaled to the busiest month of any site."""
    parts, described, y = [], [], 0
    for month, count in zip(months, site.counts, strict=True):
        label = f"{month:%B %Y}: {count}"
        described.append(label)
        y += LINE_HEIGHT
        parts.append(f'<text x="0" y="{y - 5}" font-size="16" fill="{TEXT}">{escape(label)}</text>')
        y += 2
        parts.append(f'<rect x="0" y="{y}" width="100%" height="{BAR_HEIGHT}" fill="{TRACK}"/>')
        if count:
            width = max(100 * count / (peak or 1), 0.5)
            parts.append(f'<rect x="0" y="{y}" width="{width:.1f}%" height="{BAR_HEIGHT}" fill="{BAR}"/>')
        y += BAR_HEIGHT + GAP
    title = f"Vehicles over the limit at {site.site} ({site.team}), by month"
    description = (
        f"Bar chart of vehicles recorded over the limit at {site.site} per month. " + "; ".join(described) + "."
    )
    return Markup(  # noqa: S704 - every interpolated text is escaped
        f'<svg class="chart chart-bars" xmlns="http://www.w3.org/2000/svg" width="100%" height="{y}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        f'font-family="Arial, Helvetica, sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"{''.join(parts)}</svg>"
    )


def _scope(user) -> tuple[list[Team], list[int] | None, Team | None]:
    """(teams to choose from, team ids shown or None for all, chosen team): officers see their own teams."""
    everyone = user.role in (ADMIN, COORDINATOR)
    teams = all_teams() if everyone else sorted(user.teams, key=lambda t: t.name)
    team_ids = None if everyone else [t.id for t in teams]
    slug = request.args.get("team", "")
    chosen = None
    if slug:
        chosen = db.session.scalar(select(Team).where(Team.slug == slug))
        if chosen is None:
            abort(404, "There is no such team.")
        require_team(chosen)
        team_ids = [chosen.id]
    return teams, team_ids, chosen


def _links() -> list[tuple[str, str]]:
    """Links to the other Speed Watch pages that exist in this build."""
    wanted = (
        ("speedwatch.volunteers", "Volunteers"),
        ("speedwatch.sites", "Sites"),
        ("speedwatch.shift_new", "Schedule a shift"),
        ("speedwatch.returns", "Returns and exports"),
    )
    return [(url_for(endpoint), label) for endpoint, label in wanted if endpoint in current_app.view_functions]


@staff_route(bp, "/staff/speed-watch", "staff")
def overview():
    """Shifts in the coming weeks and their staffing, training running out, and vehicles per site per month."""
    now = utcnow()
    today = to_local(now).date()
    teams, team_ids, chosen = _scope(current_user)
    shifts = coming_shifts(team_ids, now)
    months, sites = vehicles_per_site(team_ids, today)
    peak = max((max(s.counts) for s in sites), default=0)
    charts = [site_chart(f"site-chart-{n}", s, months, peak) for n, s in enumerate(sites, start=1)]
    return render_template(
        "speedwatch/overview.html",
        teams=teams,
        chosen=chosen,
        shifts=shifts,
        volunteers=training_due(team_ids, today, current_app.config["SPEEDWATCH_WARNING_DAYS"]),
        today=today,
        months=months,
        sites=sites,
        charts=charts,
        links=_links(),
        weeks=WEEKS_AHEAD,
    )
