"""Attendee exports: the columns on offer and the one streamed query behind CSV, Excel and totals.

One date or many (team, kind of event, date range), chosen columns, formula-neutralised and
audited by core.exports. The query selects plain columns (no ORM objects) and is read with
yield_per, so 100,000 rows stream in batches instead of sitting in memory. Waiting-list
positions come from a window function in the same query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from operator import attrgetter

from sqlalchemy import Select, and_, case, func, select

from engagement.core.exports import Column
from engagement.events.models import Event, EventType, Occurrence, Venue
from engagement.events.recurrence import local_to_utc
from engagement.extensions import db
from engagement.signups.models import CANCELLED, WAITING, Signup
from engagement.teams.models import Team

YIELD_PER = 1000
STATUS_LABELS = {"confirmed": "Booked", "waiting": "Waiting list", "cancelled": "Cancelled"}
SOURCE_LABELS = {"web": "Online", "walk_in": "Walk-in"}


COLUMNS = [
    Column("date", "Date and time", attrgetter("starts_at")),
    Column("event", "Event", attrgetter("title")),
    Column("team", "Team", attrgetter("team")),
    Column("type", "Kind of event", attrgetter("type")),
    Column("venue", "Venue", attrgetter("venue")),
    Column("name", "Name", attrgetter("name")),
    Column("email", "Email", attrgetter("email")),
    Column("phone", "Phone", attrgetter("phone")),
    Column("places", "Places", attrgetter("places")),
    Column("status", "Status", lambda r: STATUS_LABELS.get(r.status, r.status)),
    Column("position", "Waiting list position", attrgetter("position")),
    Column("source", "How", lambda r: SOURCE_LABELS.get(r.source, r.source)),
    Column("attended", "Attended", attrgetter("attended")),
    Column("booked_at", "Signed up at", attrgetter("created_at")),
    Column("access_needs", "Access needs (sensitive)", attrgetter("access_needs")),
    Column("reference", "Reference", attrgetter("id")),
]
DEFAULT_KEYS = ("date", "event", "venue", "name", "email", "phone", "places", "status", "position", "attended")
SENSITIVE_KEYS = ("access_needs",)


@dataclass
class ExportFilter:
    occurrence_id: int | None = None
    team_ids: list[int] | None = None  # None: every team
    type_id: int | None = None
    from_date: date | None = None
    to_date: date | None = None
    include_cancelled: bool = False

    def describe(self) -> dict:
        """The filter as stored in the audit log."""
        values = {
            "occurrence": self.occurrence_id,
            "teams": sorted(self.team_ids) if self.team_ids is not None else "all",
            "type": self.type_id,
            "from": self.from_date.isoformat() if self.from_date else None,
            "to": self.to_date.isoformat() if self.to_date else None,
            "cancelled": self.include_cancelled,
        }
        return {k: v for k, v in values.items() if v is not None}


def export_query(filters: ExportFilter) -> Select:
    """Plain columns for every sign-up the filter admits, ordered by date, status and name."""
    position = case(
        (
            Signup.status == WAITING,
            func.row_number().over(partition_by=(Signup.occurrence_id, Signup.status), order_by=Signup.queue_no),
        ),
        else_=None,
    )
    venue_id = func.coalesce(Occurrence.venue_id, Event.venue_id)
    query = (
        select(
            Signup.id,
            Signup.name,
            Signup.email,
            Signup.phone,
            Signup.places,
            Signup.status,
            Signup.source,
            Signup.attended,
            Signup.access_needs,
            Signup.created_at,
            position.label("position"),
            Occurrence.starts_at,
            Event.title,
            Team.name.label("team"),
            EventType.name.label("type"),
            Venue.name.label("venue"),
        )
        .join(Occurrence, Occurrence.id == Signup.occurrence_id)
        .join(Event, Event.id == Occurrence.event_id)
        .join(Team, Team.id == Event.team_id)
        .join(EventType, EventType.id == Event.event_type_id)
        .outerjoin(Venue, Venue.id == venue_id)
    )
    return _filtered(query, filters).order_by(
        Occurrence.starts_at, Occurrence.id, Signup.status, Signup.queue_no, Signup.name, Signup.id
    )


def _filtered(query: Select, filters: ExportFilter) -> Select:
    conditions = []
    if filters.occurrence_id is not None:
        conditions.append(Signup.occurrence_id == filters.occurrence_id)
    if filters.team_ids is not None:
        conditions.append(Event.team_id.in_(filters.team_ids or [-1]))
    if filters.type_id is not None:
        conditions.append(Event.event_type_id == filters.type_id)
    if filters.from_date:
        conditions.append(Occurrence.starts_at >= local_to_utc(datetime.combine(filters.from_date, time())))
    if filters.to_date:
        end = local_to_utc(datetime.combine(filters.to_date + timedelta(days=1), time()))
        conditions.append(Occurrence.starts_at < end)
    if not filters.include_cancelled:
        conditions.append(Signup.status != CANCELLED)
    return query.where(and_(*conditions)) if conditions else query


def count_rows(filters: ExportFilter) -> int:
    query = (
        select(func.count(Signup.id))
        .join(Occurrence, Occurrence.id == Signup.occurrence_id)
        .join(Event, Event.id == Occurrence.event_id)
    )
    return db.session.scalar(_filtered(query, filters))


def stream_rows(filters: ExportFilter):
    """The rows, fetched YIELD_PER at a time (a server-side cursor on PostgreSQL)."""
    result = db.session.execute(export_query(filters).execution_options(yield_per=YIELD_PER))
    yield from result
