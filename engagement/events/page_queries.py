"""The reads behind one date's public page and its sign-up form: one or two lean statements.

Why: the page used to load the date with every relation eagerly joined (contact and team with all
their columns), then each section from a higher feature (Speed Watch, sign-ups, surveys) made its own
round trip. Now:

* `page_facts`: one Core statement of what decides the page's bytes: the "events" data version
  (core.versioning), the date's times and visibility, the contact's shown name, and the columns
  the sections registered with core.hooks (places confirmed, people waiting, "is a shift"...).
  It is the page cache's key (core.lean), so a revalidation or a cached page costs this one
  round trip, on the autocommit read engine (no BEGIN, no ROLLBACK, core.http_cache).
* `page_row`: the date for rendering, with only the columns the page shows from the team and the
  contact, and optionally extra columns in the same statement (the sections' or the sign-up
  form's figures) so a page that is not cached still costs one statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from engagement.accounts.models import User
from engagement.core import hooks
from engagement.core.db import utcnow
from engagement.core.errors import NotFound
from engagement.core.http_cache import read_connection, retry_stale
from engagement.core.permissions import can_manage_team
from engagement.core.versioning import DataVersion
from engagement.events.models import CANCELLED, PUBLISHED, Event, Occurrence
from engagement.extensions import db
from engagement.teams.models import Team

NOT_FOUND = "We could not find that event. It may have been removed, or the link may be wrong."
EVENTS_VERSION = "events"  # bumped by any change to events, dates, venues, types or teams (calendar_feeds)


def _options():
    event = joinedload(Occurrence.event, innerjoin=True)
    return (
        event.joinedload(Event.team, innerjoin=True).load_only(Team.id, Team.slug, Team.name, Team.area),
        event.joinedload(Event.event_type, innerjoin=True),
        event.joinedload(Event.venue),
        event.joinedload(Event.contact).load_only(User.id, User.display_name, User.rank, User.email),
        joinedload(Occurrence.venue_override),
    )


def page_row(occurrence_id: int, viewer=None, columns: dict | None = None, now=None) -> tuple[Occurrence, dict]:
    """The date for its page (drafts only for staff who may manage the team) and the `columns`' values.

    One statement. 404 for a date that does not exist or that residents may not see."""
    columns = columns or {}
    labels = list(columns)
    query = select(Occurrence, *(columns[label].label(f"c{n}") for n, label in enumerate(labels)))
    query = query.where(Occurrence.id == occurrence_id).options(*_options())
    found = db.session.execute(query, {hooks.PAGE_NOW: now or utcnow()}).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    row = found[0]
    if not (row.event.is_public or (viewer is not None and can_manage_team(viewer, row.event.team))):
        raise NotFound(NOT_FOUND)
    return row, dict(zip(labels, found[1:], strict=True))


def section_columns() -> dict[str, object]:
    """Every batched section column, labelled "section:label" (core.hooks.occurrence_columns)."""
    return {f"{name}:{label}": expression for name, label, expression in hooks.occurrence_columns()}


def split_batch(values: dict) -> dict[str, dict]:
    """{"section:label": value} back into {section: {label: value}} for core.hooks.occurrence_sections."""
    batch: dict[str, dict] = {}
    for key, value in values.items():
        name, label = key.split(":", 1)
        batch.setdefault(name, {})[label] = value
    return batch


@dataclass(frozen=True)
class PageFacts:
    """What decides a date page's bytes; `key` is the page cache's key, `public` whether residents see it."""

    key: tuple
    public: bool
    starts_at: datetime
    ends_at: datetime
    changed_at: datetime | None
    batch: dict


@lru_cache(maxsize=8)
def _facts_statement(names: tuple[str, ...]):
    """Built once per set of batched sections: constructing the statement costs more than running it."""
    columns = section_columns()
    named = DataVersion.name == EVENTS_VERSION
    labels = list(columns)
    statement = (
        select(
            select(DataVersion.version).where(named).scalar_subquery(),
            select(DataVersion.changed_at).where(named).scalar_subquery(),
            Occurrence.starts_at,
            Occurrence.ends_at,
            Event.published_at,
            Event.status,
            User.display_name,
            User.rank,
            User.email,
            *(columns[label].label(f"c{n}") for n, label in enumerate(labels)),
        )
        .select_from(Occurrence)
        .join(Event, Event.id == Occurrence.event_id)
        .outerjoin(User, User.id == Event.contact_id)
        .where(Occurrence.id == bindparam("occurrence_id"))
    )
    return statement, labels


def page_facts(occurrence_id: int, now: datetime) -> PageFacts | None:
    """One round trip on the read engine: the page's data version and its sections' figures."""
    statement, labels = _facts_statement(hooks.occurrence_column_names())

    def read():
        with read_connection() as connection:
            return connection.execute(statement, {"occurrence_id": occurrence_id, hooks.PAGE_NOW: now}).first()

    found = retry_stale(read)
    if found is None:
        return None
    published_at, status = found[4], found[5]
    public = published_at is not None and status in (PUBLISHED, CANCELLED)
    values = dict(zip(labels, found[9:], strict=True))
    starts_at, ends_at = found[2], found[3]
    # The phase: sign-up closes at the start and the page says "finished" at the end, with no data change.
    key = (occurrence_id, tuple(found[:9]), tuple(sorted(values.items())), now >= starts_at, now >= ends_at)
    return PageFacts(key, public, starts_at, ends_at, found[1], split_batch(values))
