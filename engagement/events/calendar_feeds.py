"""What a calendar feed holds and how it is served: filters, the events query, the cached body.

A poller that already has the current feed gets a 304 after one aggregate query;
otherwise the body comes from a cache keyed by the data's last change, and is built
(two more queries) only when the data has changed. The URLs are in views/calendars.py.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from flask import Response
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, subqueryload

from engagement.core.db import utcnow
from engagement.core.http_cache import BodyCache, conditional_feed
from engagement.core.versioning import DataVersion, track
from engagement.events import ical
from engagement.events.models import CANCELLED, PUBLISHED, Event, EventType, Occurrence, Venue
from engagement.extensions import db
from engagement.teams.models import AREAS, Team

CALENDAR_MIMETYPE = "text/calendar; charset=utf-8"
FEED_CACHE = BodyCache(size=256)
# Anything a calendar shows: a change to any of these changes every feed's version.
track("events", Event, Occurrence, Venue, EventType, Team)


class FeedFilters:
    """The repeatable query parameters, normalised so equal filters share a cache entry."""

    def __init__(self, teams=(), types=(), areas=()):
        self.teams = tuple(sorted({t.strip().lower() for t in teams if t.strip()}))
        self.types = tuple(sorted({t.strip().lower() for t in types if t.strip()}))
        self.areas = tuple(sorted({a.strip().title() for a in areas if a.strip()}))

    @property
    def key(self) -> tuple:
        return self.teams, self.types, self.areas

    def event_conditions(self) -> list:
        conditions = [Event.published_at.is_not(None), Event.status.in_((PUBLISHED, CANCELLED))]
        if self.teams or self.areas:
            team_query = select(Team.id)
            if self.teams:
                team_query = team_query.where(Team.slug.in_(self.teams))
            if self.areas:
                team_query = team_query.where(Team.area.in_(self.areas))
            conditions.append(Event.team_id.in_(team_query))
        if self.types:
            conditions.append(Event.event_type_id.in_(select(EventType.id).where(EventType.slug.in_(self.types))))
        return conditions


def _not_found(message: str) -> Response:
    return Response(message + "\n", status=404, mimetype="text/plain")


def _recent(now: datetime):
    """Events with a date still inside the longest retention window (90 days after it ended)."""
    return Event.id.in_(select(Occurrence.event_id).where(Occurrence.ends_at >= now - ical.PAST_KEEP))


@lru_cache(maxsize=512)
def _version_statement(teams: tuple[str, ...], types: tuple[str, ...]):
    """Built once per filter set: constructing a SQLAlchemy statement costs more than running this one."""
    return select(
        select(func.count(Team.id)).where(Team.slug.in_(teams or ("",))).scalar_subquery(),
        select(func.count(EventType.id)).where(EventType.slug.in_(types or ("",))).scalar_subquery(),
        select(DataVersion.version).where(DataVersion.name == "events").scalar_subquery(),
        select(DataVersion.changed_at).where(DataVersion.name == "events").scalar_subquery(),
    )


def feed_version(filters: FeedFilters):
    """One indexed query: unknown-slug checks and the events data version (see core.versioning)."""
    return db.session.execute(_version_statement(filters.teams, filters.types)).one()


def feed_events(filters: FeedFilters, now: datetime) -> list[Event]:
    """Two queries whatever the number of events: the events with their joins, then their dates."""
    query = (
        select(Event)
        .where(*filters.event_conditions(), _recent(now))
        .options(
            joinedload(Event.team),
            joinedload(Event.event_type),
            joinedload(Event.venue),
            # One query for all dates however many events (selectinload would batch by 500).
            subqueryload(Event.occurrences).joinedload(Occurrence.venue_override),
        )
        .order_by(Event.starts_at, Event.id)
    )
    return db.session.scalars(query).unique().all()


def calendar_name(filters: FeedFilters, events: list[Event], team: Team | None) -> str:
    if team is not None:
        return f"{team.name} Neighbourhood Team events"
    names = sorted({e.team.name for e in events if e.team.slug in filters.teams}) if filters.teams else []
    scope = " and ".join(names or filters.areas)
    kinds = sorted({e.event_type.name for e in events if e.event_type.slug in filters.types})
    label = f"{scope} neighbourhood events" if scope else "Neighbourhood policing events"
    return f"{label}: {', '.join(kinds)}" if kinds else label


def serve_feed(filters: FeedFilters, *, team_slug: str | None = None) -> Response:
    now = utcnow()
    unknown_areas = [a for a in filters.areas if a not in AREAS]
    if unknown_areas:
        return _not_found(f"There is no area called {unknown_areas[0]!r}. Areas: {', '.join(AREAS)}.")
    teams_found, types_found, version, changed_at = feed_version(filters)
    if filters.teams and teams_found != len(filters.teams):
        return _not_found(f"There is no team called {', '.join(filters.teams)!r}. See /teams for the list.")
    if filters.types and types_found != len(filters.types):
        return _not_found(f"There is no kind of event called {', '.join(filters.types)!r}.")

    def build() -> bytes:
        events = feed_events(filters, now)
        team = None
        if team_slug:
            team = events[0].team if events else db.session.scalar(select(Team).where(Team.slug == team_slug))
        return ical.build_feed(events, calendar_name(filters, events, team), now)

    return conditional_feed(
        cache=FEED_CACHE,
        key=("calendar", team_slug or "", *filters.key),
        version=(now.date().isoformat(), version),  # the date: past dates leave the window daily
        last_modified=changed_at,
        build=build,
        mimetype=CALENDAR_MIMETYPE,
    )


def serve_occurrence(row: Occurrence) -> Response:
    """One date as an .ics download ("add to calendar"), cached until the date or its event changes."""
    event = row.event
    response = conditional_feed(
        cache=FEED_CACHE,
        key=("occurrence", row.id),
        version=(row.updated_at, event.updated_at, sequence_of(row)),
        last_modified=max(row.updated_at, event.updated_at),
        build=lambda: ical.build_single(row),
        mimetype=CALENDAR_MIMETYPE,
    )
    response.headers["Content-Disposition"] = f'attachment; filename="event-{row.id}.ics"'
    return response


def sequence_of(row: Occurrence) -> int:
    return ical.sequence(row.event, row)
