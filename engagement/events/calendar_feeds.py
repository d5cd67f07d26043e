"""What a calendar feed holds and how it is served: filters, the scope's version, the assembled body.

Cost per request, whatever the number of events (all reads on the fast path, core.http_cache):
* a 304, or a body this process has cached for the current version: one query (the version);
* a body assembled from stored entries (feed_fragments.py): two (the version, then the feed's
  events in order with their stored entries, streamed as they are read: feed_stream.py), and one
  more for a feed filtered by team or kind of event (the names in its title);
* when some events changed since their entries were stored: two more per batch of 500 events
  holding changed ones, one loading those events with their dates and one storing their new
  entries (on the main engine, in its own transaction).

The version is the scope's own: the feed's teams' counters plus the counter every feed shares,
and the date (dates leave feeds as days pass). The URLs are in views/calendars.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from time import monotonic

from flask import Response, current_app
from sqlalchemy import String, cast, func, literal, select
from sqlalchemy.orm import Session, joinedload, subqueryload

from engagement.core.db import utcnow
from engagement.core.http_cache import (
    BodyCache,
    Streamed,
    conditional_feed,
    read_connection,
    read_engine,
    retry_stale,
    serve_fast,
)
from engagement.core.i18n import current_language
from engagement.core.versioning import DataVersion, track
from engagement.events import feed_stream, ical
from engagement.events.feed_fragments import ALL_FEEDS, LOCAL_VERSIONS, TEAM_PREFIX, variant
from engagement.events.feed_stream import assemble, entries_statement
from engagement.events.languages import SPOKEN, speaks
from engagement.events.models import CANCELLED, PUBLISHED, Event, EventType, Occurrence, Venue
from engagement.extensions import db
from engagement.teams.models import AREAS, Team

CALENDAR_MIMETYPE = "text/calendar; charset=utf-8"
FEED_CACHE = BodyCache(size=256)
# Other features read the "events" counter (printing, pages); feeds use the finer ones in feed_fragments.
track("events", Event, Occurrence, Venue, EventType, Team)
FAST_ENDPOINTS = {"events.calendar_feed", "events.team_calendar_feed", "events.occurrence_ics"}
FAST_PATHS = [r"/calendar\.ics", r"/teams/[^/]+/calendar\.ics", r"/events/\d+\.ics"]
MAX_LOCAL_VERSIONS = 4096  # feed keys whose version a process holds (FEEDS_VERSION_SECONDS)


def init_app(app) -> None:
    from engagement.core.worker import register_task
    from engagement.events.feed_fragments import prune

    serve_fast(app, FAST_ENDPOINTS, FAST_PATHS)
    register_task("events-feed-prune", prune, every=timedelta(days=1))


class FeedFilters:
    """The repeatable query parameters, normalised so equal filters share a cache entry."""

    def __init__(self, teams=(), types=(), areas=(), languages=()):
        self.teams = tuple(sorted({t.strip().lower() for t in teams if t.strip()}))
        self.types = tuple(sorted({t.strip().lower() for t in types if t.strip()}))
        self.areas = tuple(sorted({a.strip().title() for a in areas if a.strip()}))
        # ?language=ur: events whose officers speak it (events.languages); its own cache entry via `key`.
        self.languages = tuple(sorted({c.strip().lower() for c in languages if c.strip()}))

    @property
    def key(self) -> tuple:
        return self.teams, self.types, self.areas, self.languages

    def event_conditions(self) -> list:
        conditions = [Event.published_at.is_not(None), Event.status.in_((PUBLISHED, CANCELLED))]
        if self.teams or self.areas:
            conditions.append(Event.team_id.in_(_teams_of(self.teams, self.areas)))
        if self.types:
            conditions.append(Event.event_type_id.in_(select(EventType.id).where(EventType.slug.in_(self.types))))
        if self.languages:
            conditions.append(speaks(self.languages))
        return conditions


def _teams_of(teams: tuple[str, ...], areas: tuple[str, ...]):
    query = select(Team.id)
    if teams:
        query = query.where(Team.slug.in_(teams))
    if areas:
        query = query.where(Team.area.in_(areas))
    return query


def _not_found(message: str) -> Response:
    return Response(message + "\n", status=404, mimetype="text/plain")


def _recent(now: datetime):
    """Events with a date still inside the longest retention window (90 days after it ended)."""
    return Event.id.in_(select(Occurrence.event_id).where(Occurrence.ends_at >= now - ical.PAST_KEEP))


@lru_cache(maxsize=512)
def _version_statement(teams: tuple[str, ...], types: tuple[str, ...], areas: tuple[str, ...], team_slug: str):
    """Built once per filter set: constructing a SQLAlchemy statement costs more than running this one.

    Unknown-slug checks, the team's name (a team feed's title), the counter every feed shares and
    the sum and latest change of the scope's team counters (core.versioning, feed_fragments)."""
    if teams or areas:
        names = select(literal(TEAM_PREFIX) + cast(Team.id, String)).where(Team.id.in_(_teams_of(teams, areas)))
        in_scope = DataVersion.name.in_(names)
    else:
        in_scope = DataVersion.name.like(TEAM_PREFIX + "%")
    shared = DataVersion.name == ALL_FEEDS
    return select(
        select(func.count(Team.id)).where(Team.slug.in_(teams or ("",))).scalar_subquery(),
        select(func.count(EventType.id)).where(EventType.slug.in_(types or ("",))).scalar_subquery(),
        select(Team.name).where(Team.slug == team_slug).scalar_subquery(),
        select(DataVersion.version).where(shared).scalar_subquery(),
        select(DataVersion.changed_at).where(shared).scalar_subquery(),
        select(func.coalesce(func.sum(DataVersion.version), 0)).where(in_scope).scalar_subquery(),
        select(func.max(DataVersion.changed_at)).where(in_scope).scalar_subquery(),
    )


def _labels(connection, filters: FeedFilters, now: datetime) -> list:
    """(team slug, team name, type slug, type name) of the filters' teams and kinds that have events
    in the feed: a filtered feed's title names them (calendar_name). No query for other feeds."""
    if not (filters.teams or filters.types):
        return []
    query = (
        select(Team.slug, Team.name, EventType.slug, EventType.name)
        .select_from(Event)
        .join(Team, Team.id == Event.team_id)
        .join(EventType, EventType.id == Event.event_type_id)
        .where(*filters.event_conditions(), _recent(now))
        .distinct()
    )
    return connection.execute(query).all()


def _load(session: Session, ids: list[int]) -> list[Event]:
    """One query for the changed events of a batch with everything an entry shows, their dates included."""
    query = (
        select(Event)
        .where(Event.id.in_(ids))
        .options(
            joinedload(Event.team),
            joinedload(Event.event_type),
            joinedload(Event.venue),
            joinedload(Event.occurrences).joinedload(Occurrence.venue_override),
        )
    )
    return session.scalars(query).unique().all()


def calendar_name(filters: FeedFilters, labels, team_name: str | None) -> str:
    """The calendar's title: the team's, or the filters' teams, areas and kinds of event that it has."""
    if team_name is not None:
        return f"{team_name} Neighbourhood Team events"
    names = sorted({label[1] for label in labels if label[0] in filters.teams}) if filters.teams else []
    scope = " and ".join(names or filters.areas)
    kinds = sorted({label[3] for label in labels if label[2] in filters.types})
    label = f"{scope} neighbourhood events" if scope else "Neighbourhood policing events"
    return f"{label}: {', '.join(kinds)}" if kinds else label


def serve_feed(filters: FeedFilters, *, team_slug: str | None = None) -> Response:
    unknown_areas = [a for a in filters.areas if a not in AREAS]
    if unknown_areas:
        return _not_found(f"There is no area called {unknown_areas[0]!r}. Areas: {', '.join(AREAS)}.")
    unknown_languages = [code for code in filters.languages if code not in SPOKEN]
    if unknown_languages:
        return _not_found(
            f"There is no language {unknown_languages[0]!r} to filter by. Languages: {', '.join(SPOKEN)}."
        )
    return retry_stale(lambda: _serve(filters, team_slug, utcnow()))


def _database() -> str:
    """Which database a cached body came from: FEED_CACHE is per process, and a process may hold
    several apps (tests, benchmarks), whose versions count from the same numbers."""
    app = current_app._get_current_object()
    if "feed_cache_scope" not in app.extensions:
        app.extensions["feed_cache_scope"] = f"{db.engine.url!r}|{app.config['BASE_URL']}"
    return app.extensions["feed_cache_scope"]


FEED_LENGTHS: dict[tuple, int] = {}  # feed -> its number of events when this process last built it


def _remember_length(key: tuple, events: int) -> None:
    if len(FEED_LENGTHS) > MAX_LOCAL_VERSIONS:
        FEED_LENGTHS.clear()
    FEED_LENGTHS[key] = events


def _version(connection, filters: FeedFilters, team_slug: str | None) -> tuple:
    """The version row, reused for FEEDS_VERSION_SECONDS: a poll inside that costs no query at all.

    The staleness bound: another process's change shows here at most that many seconds late (this
    process's own writes clear the reused rows on commit, feed_fragments._forget_versions)."""
    key = (_database(), filters.teams, filters.types, filters.areas, team_slug or "")
    seconds = current_app.config.get("FEEDS_VERSION_SECONDS", 0)
    if seconds:
        held = LOCAL_VERSIONS.get(key)
        if held is not None and monotonic() - held[0] < seconds:
            return held[1]
    row = tuple(connection.execute(_version_statement(*key[1:])).one())
    if seconds:
        if len(LOCAL_VERSIONS) > MAX_LOCAL_VERSIONS:
            LOCAL_VERSIONS.clear()
        LOCAL_VERSIONS[key] = (monotonic(), row)
    return row


def _serve(filters: FeedFilters, team_slug: str | None, now: datetime) -> Response:
    with read_connection() as connection:
        teams_found, types_found, team_name, shared, shared_at, scoped, scoped_at = _version(
            connection, filters, team_slug
        )
        if filters.teams and teams_found != len(filters.teams):
            return _not_found(f"There is no team called {', '.join(filters.teams)!r}. See /teams for the list.")
        if filters.types and types_found != len(filters.types):
            return _not_found(f"There is no kind of event called {', '.join(filters.types)!r}.")
        changes = [moment for moment in (shared_at, scoped_at) if moment is not None]

        def build() -> bytes | Streamed:
            labels = [] if team_slug else _labels(connection, filters, now)  # a team feed is named after its team
            name = calendar_name(filters, labels, team_name if team_slug else None)
            kind = variant()
            conditions = [*filters.event_conditions(), _recent(now)]
            statement = entries_statement(conditions, kind, connection.dialect.name)
            key = (_database(), team_slug or "", *filters.key)
            return assemble(
                read_engine(), statement, ical.feed_head(name, now), _load, now, kind,
                long=FEED_LENGTHS.get(key, 0) > feed_stream.BATCH, counted=lambda n: _remember_length(key, n),
            )  # fmt: skip

        return conditional_feed(
            cache=FEED_CACHE,
            key=("calendar", _database(), team_slug or "", *filters.key, current_language()),  # ?lang=: translated
            version=(now.date().isoformat(), shared or 0, scoped),  # the date: past dates leave the window daily
            last_modified=max(changes) if changes else None,
            build=build,
            mimetype=CALENDAR_MIMETYPE,
        )


# --- the same feed built in one go, from the ORM (tests compare the two; benchmarks time both) ---


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


def build_whole(filters: FeedFilters, now: datetime, *, team_slug: str | None = None) -> bytes:
    """The feed as ical.build_feed makes it from every event at once, with no stored entries."""
    events = feed_events(filters, now)
    labels = [(e.team.slug, e.team.name, e.event_type.slug, e.event_type.name) for e in events]
    team_name = db.session.scalar(select(Team.name).where(Team.slug == team_slug)) if team_slug else None
    return ical.build_feed(events, calendar_name(filters, labels, team_name), now)


def serve_occurrence(row: Occurrence) -> Response:
    """One date as an .ics download ("add to calendar"), cached until the date or its event changes."""
    event = row.event
    response = conditional_feed(
        cache=FEED_CACHE,
        key=("occurrence", row.id, current_language()),
        version=(row.updated_at, event.updated_at, sequence_of(row)),
        last_modified=max(row.updated_at, event.updated_at),
        build=lambda: ical.build_single(row),
        mimetype=CALENDAR_MIMETYPE,
    )
    response.headers["Content-Disposition"] = f'attachment; filename="event-{row.id}.ics"'
    return response


def sequence_of(row: Occurrence) -> int:
    return ical.sequence(row.event, row)
