"""A team's priorities as RSS/Atom updates: /teams/<slug>/priorities.rss and .atom.

One item when a priority is set, one per action taken, one when it is closed, newest first.
We publish a feed of its own rather than mixing these into the news feed (news sits below
priorities, so it could not list them without a new hook); the priorities page links it and
announces it with <link rel="alternate">, so feed readers find it from the page.
Every item's guid is derived from the row it reports, so it never changes; times are the
moment it was recorded (closing: midday on the day it was closed, but never before the priority's
own earlier items, since closing is the last thing that happens to it), so an edit never reorders.
"""

from __future__ import annotations

import uuid
from datetime import time, timedelta

from flask import current_app

from engagement.core.http_cache import BodyCache, conditional_feed
from engagement.core.timeutil import local_to_utc
from engagement.core.urls import public_url
from engagement.news.rss import MIMETYPES, FeedItem, FeedMeta, build_feed
from engagement.priorities import queries
from engagement.priorities.models import CLOSED, Priority

FEED_SIZE = 50


def guid(kind: str, ident: int) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'engagement:{kind}:{ident}')}"


def headline(priority: Priority, limit: int = 90) -> str:
    first = priority.issue.split("\n", 1)[0]
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


def _items(team, priorities: list[Priority]) -> list[FeedItem]:
    page = public_url("priorities.team_priorities", slug=team.slug)
    items = []
    for p in priorities:
        link = f"{page}#priority-{p.id}"
        items.append(FeedItem(guid=guid("priority", p.id), title=f"New priority: {headline(p)}", link=link,
                              published=p.created_at, updated=p.created_at,
                              summary=f"{team.name} Neighbourhood Team has a new priority: {p.issue}"))  # fmt: skip
        for a in p.actions:
            items.append(FeedItem(guid=guid("priority-action", a.id), title=f"Update on “{headline(p, 60)}”",
                                  link=link, published=a.created_at, updated=a.updated_at,
                                  summary=f"{a.taken_on.day} {a.taken_on:%B %Y}: {a.text}"))  # fmt: skip
        if p.status == CLOSED and p.closed_on:
            # Closed "today" in the evening must still come after this morning's update: the closing is
            # the priority's last item whatever the clock says, and created_at never changes on an edit.
            earlier = [p.created_at, *(a.created_at for a in p.actions)]
            closed = max(local_to_utc(p.closed_on, time(12)), max(earlier) + timedelta(seconds=1))
            items.append(FeedItem(guid=guid("priority-closed", p.id), title=f"Priority closed: {headline(p, 70)}",
                                  link=link, published=closed, updated=max(closed, p.updated_at),
                                  summary=f"Outcome: {p.outcome}"))  # fmt: skip
    items.sort(key=lambda item: (item.published, item.guid), reverse=True)
    return items[:FEED_SIZE]


def priorities_feed(kind: str, team):
    version, changed, team_changed = queries.state(team)
    endpoint = "priorities.feed_" + kind

    def build() -> bytes:
        home = public_url("priorities.team_priorities", slug=team.slug)
        meta = FeedMeta(
            title=f"{team.name} Neighbourhood Team: priorities",
            description=f"The local problems {team.name} Neighbourhood Team has committed to tackle, and what it "
            "has done about each.",
            home_url=home,
            self_url=public_url(endpoint, slug=team.slug),
            feed_id=home,
            updated=queries.latest_change(team) or team_changed,
        )
        return build_feed(kind, meta, _items(team, queries.for_feed(team, limit=FEED_SIZE)))

    cache = current_app.extensions.setdefault("priorities_feed_cache", BodyCache())
    last = max(filter(None, (changed, team_changed)), default=None)
    return conditional_feed(cache=cache, key=("priorities", kind, team.slug),
                            version=(version, team_changed.isoformat() if team_changed else ""),
                            last_modified=last, build=build, mimetype=MIMETYPES[kind])  # fmt: skip
