"""Stored feed entries: each event's VEVENT bytes, written once per event version, shared by every process.

A feed is its header and VTIMEZONE, each event's entry in order, and the footer (ical.feed_head,
ical.event_fragment, ical.FOOTER). Writing the entries is nearly all the cost of a feed, and an
edit changes one event, so the entries are kept in `feed_fragments` and a feed rebuilds only the
entries of events that changed (calendar_feeds.py):

* `Event.feed_version` rises, in the writer's own transaction (after_flush below), with any change
  to the event, its dates, the venue of the event or of one of its dates, or its event type. A
  stored entry is used only while its `version` equals the event's, so an entry built from data
  read just before a change can never be served after it.
* `variant` hashes everything else that goes into the bytes: BASE_URL, the time zone, the source
  of the code that writes an entry and icalendar's version. A deploy that changes the format, or a
  new BASE_URL, makes new entries instead of serving old ones.
* `valid_until`: the clock alone changes an entry when one of its dates leaves the feed.
* Scope versions (core.versioning): "feed.team.<id>" rises with any change to that team's events,
  so an edit in Ladywood leaves Coventry's feed, its ETag and its cached body as they were; "feed"
  rises with what every feed shows or filters by (event types; teams' names, slugs and areas).
"""

from __future__ import annotations

import hashlib
import sys
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import icalendar
from flask import current_app
from sqlalchemy import ForeignKey, Integer, LargeBinary, String, delete, event, inspect, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from engagement.core import versioning
from engagement.core.db import UTCDateTime
from engagement.core.i18n import SOURCE, current_language
from engagement.events.models import Event, EventType, Occurrence, Venue
from engagement.extensions import db
from engagement.teams.models import Team

ALL_FEEDS = "feed"
TEAM_PREFIX = "feed.team."
# Team attributes a feed shows or filters by; other team edits (its page text, its contacts) leave feeds alone.
TEAM_FIELDS = ("name", "slug", "area")
# The modules whose code decides an entry's bytes (see variant()).
WRITERS = (
    "engagement.events.ical",
    "engagement.core.markup",
    "engagement.events.queries",
    "engagement.events.languages",
    __name__,
)


class FeedFragment(db.Model):
    __tablename__ = "feed_fragments"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    variant: Mapped[str] = mapped_column(String(16), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    body: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


def team_scope(team_id: int) -> str:
    return f"{TEAM_PREFIX}{team_id}"


@lru_cache(maxsize=8)
def _code_hash() -> str:
    digest = hashlib.sha256(icalendar.__version__.encode())
    for name in WRITERS:
        digest.update(Path(sys.modules[name].__file__).read_bytes())
    return digest.hexdigest()


def variant(language: str | None = None) -> str:
    config = current_app.config
    key = f"{_code_hash()}|{config['BASE_URL']}|{config['TIMEZONE']}"
    language = language or current_language()
    if language != SOURCE:  # ?lang=: entries with the officer's translated text (events.languages)
        key += f"|{language}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def store(connection, rows: list[dict]) -> None:
    """Upsert built entries ({event_id, variant, version, valid_until, body}), in event order so
    two processes storing the same entries queue instead of deadlocking."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(FeedFragment.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["event_id", "variant"],
        set_={name: statement.excluded[name] for name in ("version", "valid_until", "body")},
    )
    connection.execute(statement, sorted(rows, key=lambda row: row["event_id"]))


# --- what a change makes stale -----------------------------------------------------------------


def _modified(session: Session, obj, fields: tuple[str, ...] | None = None) -> bool:
    if fields is None:
        return session.is_modified(obj, include_collections=False)
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _old_and_new(obj, name: str) -> set:
    history = inspect(obj).attrs[name].history
    return {value for value in (*history.added, *history.deleted, *history.unchanged) if value is not None}


class _Changes:
    """What one flush changed, gathered from the session before its state is reset."""

    def __init__(self, session: Session):
        self.events: set[int] = set()  # events whose entry is stale
        self.teams: set[int] = set()
        self.venues: set[int] = set()
        self.types: set[int] = set()
        self.removed: set[int] = set()  # deleted events: their stored entries go too
        self.everything = False
        for obj in session.new:
            self._new(obj)
        for obj in session.dirty:
            self._dirty(session, obj)
        for obj in session.deleted:
            self._deleted(obj)

    def _new(self, obj) -> None:
        if isinstance(obj, Event):
            self.teams.add(obj.team_id)
        elif isinstance(obj, Occurrence):
            self.events.add(obj.event_id)
        elif isinstance(obj, (EventType, Team)):
            self.everything = True

    def _dirty(self, session: Session, obj) -> None:
        if isinstance(obj, Event) and _modified(session, obj):
            self.events.add(obj.id)
            self.teams |= _old_and_new(obj, "team_id")
        elif isinstance(obj, Occurrence) and _modified(session, obj):
            self.events |= _old_and_new(obj, "event_id")
        elif isinstance(obj, Venue) and _modified(session, obj):
            self.venues.add(obj.id)
        elif isinstance(obj, EventType) and _modified(session, obj):
            self.types.add(obj.id)
            self.everything = True
        elif isinstance(obj, Team) and _modified(session, obj, TEAM_FIELDS):
            self.everything = True

    def _deleted(self, obj) -> None:
        if isinstance(obj, Event):
            self.removed.add(obj.id)
            self.teams.add(obj.team_id)
        elif isinstance(obj, Occurrence):
            self.events.add(obj.event_id)
        elif isinstance(obj, Venue):
            self.venues.add(obj.id)
        elif isinstance(obj, (EventType, Team)):
            self.everything = True


def _raise_versions(connection, where) -> set[int]:
    """feed_version + 1 for the events matched, leaving updated_at alone; returns their teams."""
    statement = update(Event).where(where).values(feed_version=Event.feed_version + 1, updated_at=Event.updated_at)
    if connection.dialect.update_returning:
        return {team_id for (team_id,) in connection.execute(statement.returning(Event.team_id))}
    connection.execute(statement)
    return set(connection.scalars(select(Event.team_id).where(where).distinct()))


@event.listens_for(Session, "after_flush")
def _mark_stale(session: Session, flush_context) -> None:
    changes = _Changes(session)
    conditions = []
    if changes.events - changes.removed:
        conditions.append(Event.id.in_(changes.events - changes.removed))
    if changes.venues:
        at_venue = select(Occurrence.event_id).where(Occurrence.venue_id.in_(changes.venues))
        conditions += [Event.venue_id.in_(changes.venues), Event.id.in_(at_venue)]
    if changes.types:
        conditions.append(Event.event_type_id.in_(changes.types))
    if not (conditions or changes.teams or changes.removed or changes.everything):
        return
    connection = session.connection()
    teams = set(changes.teams)
    if conditions:
        teams |= _raise_versions(connection, or_(*conditions))
    if changes.removed:
        connection.execute(delete(FeedFragment).where(FeedFragment.event_id.in_(changes.removed)))
    names = [team_scope(team_id) for team_id in teams if team_id is not None]
    versioning.bump(connection, names + ([ALL_FEEDS] if changes.everything else []))
    session.info["feed_versions_changed"] = True


# --- versions a process reuses for FEEDS_VERSION_SECONDS (calendar_feeds._version) ---------------

LOCAL_VERSIONS: dict[tuple, tuple[float, tuple]] = {}  # feed key -> (monotonic time read, version row)


@event.listens_for(Session, "after_commit")
def _forget_versions(session: Session) -> None:
    """This process's own change shows in its feeds at once; other processes' within the setting."""
    if session.info.pop("feed_versions_changed", False):
        LOCAL_VERSIONS.clear()


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session: Session) -> None:
    session.info.pop("feed_versions_changed", None)


def prune() -> int:
    """Worker task, daily: entries of another variant (an earlier deploy's code, another BASE_URL) go.

    During a rolling deploy the old processes rebuild theirs once more; nothing is ever served stale.
    """
    current = {variant(SOURCE), *(variant(code) for code in current_app.config.get("LANGUAGES", ()))}
    done = db.session.execute(delete(FeedFragment).where(FeedFragment.variant.not_in(current)))
    db.session.commit()
    return done.rowcount
