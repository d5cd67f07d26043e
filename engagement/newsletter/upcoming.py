"""Upcoming public events for newsletters and the team events feed (/teams/<slug>/events.rss).

Lives here, above events and news, because both the newsletter and the feed use it and
news may not import events. Every list is one statement: the page's ids first, then their rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from engagement.core.db import utcnow
from engagement.core.http_cache import BodyCache, conditional_feed
from engagement.core.i18n import _
from engagement.core.urls import public_url
from engagement.events.display import event_when
from engagement.events.models import CANCELLED, PUBLISHED, Event, Occurrence
from engagement.events.queries import VOLUNTEERS_ONLY, load_rows, public_ids
from engagement.extensions import db
from engagement.news.rss import MIMETYPES, RSS, FeedItem, FeedMeta, build_feed
from engagement.newsletter.references import stable_guid

FEED_SIZE = 50


def _public(team_ids, now: datetime):
    """The teams' public dates not yet ended that residents can attend (no volunteer-only shifts)."""
    return (
        select(Occurrence)
        .join(Occurrence.event)
        .where(
            Event.team_id.in_(list(team_ids)),
            Event.published_at.is_not(None),
            Event.status.in_((PUBLISHED, CANCELLED)),
            Event.signup_mode != VOLUNTEERS_ONLY,
            Occurrence.ends_at > now,
        )
    )


def upcoming(team_ids, *, weeks: int | None = None, limit: int = 100, now: datetime | None = None):
    """Public dates of these teams residents can attend, from now (for `weeks` weeks, if given), soonest
    first, cancelled ones too: one statement, the ids first (events.queries.public_ids) inside the load.

    Volunteer-only dates (Speed Watch shifts) are left out: residents cannot come, and volunteers see
    theirs on the rota."""
    now = now or utcnow()
    if not team_ids:
        return []
    query = public_ids(now, team_events=select(Event.id).where(Event.team_id.in_(list(team_ids))))
    if weeks is not None:
        query = query.where(Occurrence.starts_at < now + timedelta(weeks=weeks))
    return load_rows(query.limit(limit))


def place(row: Occurrence) -> str:
    if row.venue is not None:
        return row.venue.name
    return _("online") if row.event.online_url else _("place to be confirmed")  # feeds: English unless ?lang=


def feed_title(row: Occurrence) -> str:
    """'Tuesday 3 March 2027, 6pm to 7:30pm: Police surgery at Ladywood Library' (date and place first).

    A title that already names the place ("Cuppa with a Copper at Canalside Café") is not given it twice.
    """
    where = place(row)
    named = where.casefold() in row.event.title.casefold()
    title = f"{event_when(row)}: {row.event.title}" + ("" if named else f" at {where}")
    return f"Cancelled: {title}" if row.is_cancelled else title


def _items(rows) -> list[FeedItem]:
    items = []
    for row in rows:
        event = row.event
        summary = f"{event.event_type.name} run by {event.team.name} Neighbourhood Team."
        if row.is_cancelled:
            summary = f"Cancelled: {row.cancel_message}. " + summary
        items.append(
            FeedItem(
                guid=stable_guid("occurrence", row.id),
                title=feed_title(row),
                link=public_url("events.occurrence", occurrence_id=row.id),
                published=event.published_at,
                updated=max(event.updated_at, row.updated_at, event.published_at),
                summary=summary,
            )
        )
    return items


def _state(team_id: int, now: datetime):
    """(count, last change) of the team's upcoming public dates: one aggregate query."""
    query = _public([team_id], now).with_only_columns(
        func.count(Occurrence.id), func.max(Occurrence.updated_at), func.max(Event.updated_at)
    )
    count, occ_changed, event_changed = db.session.execute(query).one()
    return count, max(filter(None, (occ_changed, event_changed)), default=None)


def events_feed(team):
    """RSS of the team's next 50 dates. The version counts upcoming dates, so one passing changes it."""
    now = utcnow()
    count, changed = _state(team.id, now)

    def build() -> bytes:
        home = public_url("events.event_list", team=team.slug)
        meta = FeedMeta(
            title=f"{team.name} Neighbourhood Team: upcoming events",
            description=f"Police surgeries, Cuppa with a Copper and other events run by {team.name} "
            f"Neighbourhood Team, soonest first.",
            home_url=home,
            self_url=public_url("newsletter.team_events_feed", slug=team.slug),
            feed_id=home,
            updated=changed,
        )
        return build_feed(RSS, meta, _items(upcoming([team.id], limit=FEED_SIZE, now=now)))

    cache = current_app.extensions.setdefault("events_feed_cache", BodyCache())
    return conditional_feed(
        cache=cache,
        key=("events", team.slug),
        version=(count, changed.isoformat() if changed else "", team.updated_at.isoformat()),
        last_modified=max(filter(None, (changed, team.updated_at)), default=None),
        build=build,
        mimetype=MIMETYPES[RSS],
    )
