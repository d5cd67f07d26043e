"""Returns for the force's letter process: the CSV/XLSX exports, one row per vehicle.

One row per vehicle in a fixed column layout (COLUMNS). The letter process reads these
files by heading, so the headings and their order are a contract: add new columns at the
end, never rename or reorder. Every export is audited (who, filter, row count) before a
row leaves, streams its rows with yield_per, and costs the same few queries for any size.
"""

from __future__ import annotations

from operator import itemgetter

from sqlalchemy import func, select

from engagement.accounts.models import User
from engagement.core.db import utcnow
from engagement.core.exports import Column, audit_export, csv_response, xlsx_response
from engagement.core.timeutil import to_local
from engagement.extensions import db
from engagement.speedwatch.returns.models import SessionReturn, Vehicle
from engagement.speedwatch.returns.queries import ReturnFilter
from engagement.teams.models import Team

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


def _export_query(filters: ReturnFilter):
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


def record_export(filters: ReturnFilter, *, actor, fmt: str) -> None:
    """The audit entry for an export (who, filter, row count); the caller commits it before any row leaves."""
    audit_export(
        "speedwatch_returns",
        actor=actor,
        rows=count_rows(filters),
        fmt=fmt,
        filters=filters.describe(),
        columns=COLUMNS,
    )


def export_response(filters: ReturnFilter, fmt: str):
    """The file, streamed: "csv" or "xlsx"."""
    filename = f"speed-watch-returns-{to_local(utcnow()):%Y-%m-%d}"
    if fmt == "xlsx":
        return xlsx_response(filename, COLUMNS, export_rows(filters), title="Speed Watch returns")
    return csv_response(filename, COLUMNS, export_rows(filters))
