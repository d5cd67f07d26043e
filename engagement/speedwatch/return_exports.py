"""Returns for the force's letter process: the filter shared with the list, and the CSV/XLSX exports.

One row per vehicle in a fixed column layout (COLUMNS). The letter process reads these
files by heading, so the headings and their order are a contract: add new columns at the
end, never rename or reorder. Every export is audited (who, filter, row count) before a
row leaves, streams its rows with yield_per, and costs the same few queries for any size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from operator import itemgetter

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import case, func, select

from engagement.core.db import utcnow
from engagement.core.exports import Column, audit_export, csv_response, xlsx_response
from engagement.core.permissions import ADMIN, COORDINATOR, require_team, staff_route
from engagement.core.timeutil import local_to_utc, to_local
from engagement.extensions import db
from engagement.speedwatch.return_forms import ReturnFilterForm
from engagement.speedwatch.return_models import SessionReturn, Vehicle
from engagement.speedwatch.views import bp
from engagement.teams.models import Team
from engagement.teams.services import all_teams

YIELD_PER = 500

EXPORT_HEADINGS = (
    ("return_id", "Return ID"),
    ("team", "Team"),
    ("site", "Site"),
    ("road", "Road"),
    ("speed_limit", "Speed limit (mph)"),
    ("session_date", "Session date"),
    ("session_start", "Session start"),
    ("session_end", "Session end"),
    ("conditions", "Conditions"),
    ("registration", "Registration"),
    ("make", "Make"),
    ("colour", "Colour"),
    ("speed", "Speed (mph)"),
    ("direction", "Direction"),
    ("time_seen", "Time seen"),
    ("repeat", "Repeat within 12 months"),
    ("letter", "Letter"),
    ("recorded_by", "Recorded by"),
)
"""The export's columns, in order: the contract with the force's letter process. One row per vehicle.

Return ID: our number for the session return (the same for every vehicle of one session).
Team, Site, Road, Speed limit (mph): the site as it was when the return was recorded.
Session date (YYYY-MM-DD), Session start, Session end (HH:MM): UK local time (Europe/London).
Conditions: as the volunteers wrote them. Registration: upper case without spaces ("AB12CDE").
Make, Colour, Direction: as written. Speed (mph): a whole number over the limit.
Time seen (HH:MM): UK local time. Repeat within 12 months: "Yes" if the same registration was
recorded (any team, any site) within SPEEDWATCH_REPEAT_DAYS before; then Letter is
"Second letter", otherwise "First letter". Recorded by: the name of who sent the return.
Text a spreadsheet would run as a formula starts with an apostrophe.
"""
COLUMNS = [Column(key, heading, itemgetter(i)) for i, (key, heading) in enumerate(EXPORT_HEADINGS)]


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


def visible_teams(user) -> list[Team]:
    """Coordinators and admins see every team's returns; officers their own teams'."""
    if user.role in (ADMIN, COORDINATOR):
        return all_teams()
    return sorted(user.teams, key=lambda t: t.name)


def read_filters(user) -> tuple[ReturnFilterForm, ReturnFilter, bool]:
    """The list/export filter from the query string: (form, filter, ok). A team outside the
    user's reach is 403, an unknown one 404; a month that is not a month makes ok False."""
    form = ReturnFilterForm(formdata=request.args)
    teams = visible_teams(user)
    everyone = user.role in (ADMIN, COORDINATOR)
    form.team.choices = [("", "All teams" if everyone else "All my teams"), *((t.slug, t.name) for t in teams)]
    team_ids = None if everyone else [t.id for t in teams]
    if form.team.data:
        chosen = db.session.scalar(select(Team).where(Team.slug == form.team.data))
        if chosen is None:
            abort(404, "There is no such team.")
        require_team(chosen)
        team_ids = [chosen.id]
    month = form.month_start()
    return form, ReturnFilter(team_ids=team_ids, month=month), not form.month.errors


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


def _export_query(filters: ReturnFilter):
    from engagement.accounts.models import User

    return (
        select(
            SessionReturn.id,
            Team.name,
            SessionReturn.site_name,
            SessionReturn.road,
            SessionReturn.speed_limit,
            SessionReturn.started_at,
            SessionReturn.ended_at,
            SessionReturn.conditions,
            Vehicle.registration,
            Vehicle.make,
            Vehicle.colour,
            Vehicle.speed_mph,
            Vehicle.direction,
            Vehicle.seen_at,
            Vehicle.repeat,
            User.display_name,
        )
        .select_from(Vehicle)
        .join(SessionReturn, SessionReturn.id == Vehicle.return_id)
        .join(Team, Team.id == SessionReturn.team_id)
        .outerjoin(User, User.id == SessionReturn.recorded_by_id)
        .where(*filters.conditions())
        .order_by(SessionReturn.started_at, SessionReturn.id, Vehicle.seen_at, Vehicle.id)
    )


def count_rows(filters: ReturnFilter) -> int:
    query = (
        select(func.count(Vehicle.id))
        .join(SessionReturn, SessionReturn.id == Vehicle.return_id)
        .where(*filters.conditions())
    )
    return db.session.scalar(query)


def export_rows(filters: ReturnFilter):
    """Tuples in COLUMNS order, read YIELD_PER rows at a time; times in UK local time."""
    result = db.session.execute(_export_query(filters).execution_options(yield_per=YIELD_PER))
    for (
        rid,
        team,
        site,
        road,
        limit,
        start,
        end,
        conditions,
        reg,
        make,
        colour,
        speed,
        direction,
        seen,
        repeat,
        by,
    ) in result:
        local_start = to_local(start)
        yield (
            rid,
            team,
            site,
            road,
            limit,
            f"{local_start:%Y-%m-%d}",
            f"{local_start:%H:%M}",
            f"{to_local(end):%H:%M}",
            conditions,
            reg,
            make,
            colour,
            speed,
            direction,
            f"{to_local(seen):%H:%M}",
            "Yes" if repeat else "No",
            "Second letter" if repeat else "First letter",
            by or "",
        )


def _send(fmt: str):
    form, filters, ok = read_filters(current_user)
    if not ok:
        return render_template(
            "errors/error.html", status=400, title="Check the filter", message=form.month.errors[0], hint=""
        ), 400
    rows = count_rows(filters)
    audit_export(
        "speedwatch_returns", actor=current_user, rows=rows, fmt=fmt, filters=filters.describe(), columns=COLUMNS
    )
    db.session.commit()  # the audit entry exists before any row leaves
    filename = f"speed-watch-returns-{to_local(utcnow()):%Y-%m-%d}"
    if fmt == "xlsx":
        return xlsx_response(filename, COLUMNS, export_rows(filters), title="Speed Watch returns")
    return csv_response(filename, COLUMNS, export_rows(filters))


@staff_route(bp, "/staff/speed-watch/returns.csv", "staff")
def returns_csv():
    """The returns the filter admits as CSV, one row per vehicle (officers: their teams only)."""
    return _send("csv")


@staff_route(bp, "/staff/speed-watch/returns.xlsx", "staff")
def returns_xlsx():
    return _send("xlsx")
