"""Rules for feed sources: who may add one for which team, what counts as a usable address,
and turning an imported entry into a team news draft.

Adding a source never fetches it here (talking to another server is the worker's job); the
first fetch happens on the worker's next pass and its outcome shows on the source's page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import Conflict, DomainError, PermissionDenied
from engagement.core.markup import has_tags
from engagement.core.permissions import can_manage_team, works_across_teams
from engagement.extensions import db
from engagement.feeds import addresses
from engagement.feeds.models import NEW, TITLE_MAX, URL_MAX, FeedEntry, FeedSource
from engagement.news.services import post_from_text


def check_url(url: str) -> str:
    """A usable feed address: http(s), a normal web port, no login, and a host that is on the public
    internet (resolved now; the worker checks again before every fetch, see addresses.py)."""
    value = (url or "").strip()
    if not value:
        raise DomainError("Enter the feed's web address", field="url")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DomainError(addresses.BAD_SCHEME, field="url")
    if len(value) > URL_MAX or any(ch.isspace() for ch in value):
        raise DomainError(f"Enter a web address of {URL_MAX} characters or fewer, with no spaces", field="url")
    try:
        addresses.check_for_form(value)
    except addresses.RefusedAddress as exc:
        raise DomainError(str(exc), field="url") from None
    return value


def check_title(title: str) -> str:
    value = " ".join((title or "").split())
    if not value:
        raise DomainError("Enter a name for the feed, like “West Midlands Police press office”", field="title")
    if has_tags(value):
        raise DomainError("The name cannot contain HTML", field="title")
    if len(value) > TITLE_MAX:
        raise DomainError(f"The name must be {TITLE_MAX} characters or fewer", field="title")
    return value


def _require_team(actor, team) -> None:
    if actor is not None and not can_manage_team(actor, team):
        raise PermissionDenied(f"You can only add feeds for your own teams, not {team.name}.", field="team")


def _check_unique(team, url: str, exclude_id: int | None) -> None:
    clash = db.session.scalar(
        select(FeedSource.id).where(
            FeedSource.team_id == team.id, FeedSource.url == url, FeedSource.id != (exclude_id or -1)
        )  # fmt: skip
    )
    if clash:
        raise Conflict(f"{team.name} already follows that feed", field="url")


def add_source(*, actor, team, title: str, url: str) -> FeedSource:
    """Follow a feed for a team; the worker fetches it on its next pass."""
    _require_team(actor, team)
    title, url = check_title(title), check_url(url)
    _check_unique(team, url, None)
    source = FeedSource(team=team, title=title, url=url, next_fetch_at=utcnow(),
                        created_by_id=getattr(actor, "id", None))  # fmt: skip
    db.session.add(source)
    db.session.flush()
    audit.record("feed.add", actor=actor, target=source, summary=f"{team.name}: {url}")
    return source


def update_source(source: FeedSource, *, actor, title: str, url: str, active: bool) -> FeedSource:
    """Change a source; a new address starts afresh (new validators, fetched on the next pass)."""
    _require_team(actor, source.team)
    title, url = check_title(title), check_url(url)
    _check_unique(source.team, url, source.id)
    if url != source.url:
        source.etag = source.last_modified = source.last_error = None
        source.last_status, source.failures, source.next_fetch_at = NEW, 0, utcnow()
    if active and not source.active:
        source.next_fetch_at = utcnow()
    source.title, source.url, source.active = title, url, active
    audit.record("feed.update", actor=actor, target=source, summary=f"{source.team.name}: {url}", active=active)
    return source


def delete_source(source: FeedSource, *, actor) -> None:
    """Stop following a feed and forget its entries (news posts made from them stay)."""
    _require_team(actor, source.team)
    audit.record("feed.delete", actor=actor, target=source, summary=f"{source.team.name}: {source.url}")
    db.session.delete(source)


def request_fetch(source: FeedSource, *, actor) -> None:
    """Ask the worker to fetch this source on its next pass."""
    _require_team(actor, source.team)
    if not source.active:
        raise DomainError("This feed is switched off. Switch it on to fetch it.")
    source.next_fetch_at = utcnow()


def entry_to_news(entry: FeedEntry, *, actor):
    """A draft news post for the source's team, made from the entry, linking back to the original."""
    _require_team(actor, entry.source.team)
    if entry.news_post_id:
        raise Conflict("This entry has already been turned into a news post.")
    body = entry.summary_text or entry.title
    if entry.link:
        name = entry.source.title.replace("[", "(").replace("]", ")")
        link = entry.link.replace("(", "%28").replace(")", "%29")
        body += f"\n\n[Read the full story from {name}]({link})"
    post = post_from_text(title=entry.title, summary=entry.summary_text or entry.title, body=body,
                          team=entry.source.team, actor=actor)  # fmt: skip
    entry.news_post = post
    audit.record("feed.entry_to_news", actor=actor, target=entry, summary=entry.title, post_id=post.id)
    return post


# --- reading ------------------------------------------------------------------------------------


def sources_for(user) -> list[FeedSource]:
    """Sources the user manages with their entry counts: one query with an aggregate."""
    counts = select(FeedEntry.source_id, func.count(FeedEntry.id).label("n")).group_by(FeedEntry.source_id).subquery()
    query = (
        select(FeedSource, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.source_id == FeedSource.id)
        .options(joinedload(FeedSource.team))
        .order_by(FeedSource.title, FeedSource.id)
    )
    if not works_across_teams(user):
        query = query.where(FeedSource.team_id.in_(user.team_ids or {-1}))
    return [(source, count) for source, count in db.session.execute(query)]


def recent_entries(source: FeedSource, limit: int = 50) -> list[FeedEntry]:
    query = (
        select(FeedEntry)
        .where(FeedEntry.source_id == source.id)
        .options(joinedload(FeedEntry.news_post))
        .order_by(FeedEntry.published_at.desc().nulls_last(), FeedEntry.id.desc())
        .limit(limit)
    )
    return db.session.scalars(query).all()


def entries_for_teams(team_ids, *, limit: int = 30) -> list[FeedEntry]:
    """Recent entries of these teams' sources, newest first, for choosing newsletter items."""
    if not team_ids:
        return []
    query = (
        select(FeedEntry)
        .join(FeedEntry.source)
        .where(FeedSource.team_id.in_(list(team_ids)))
        .options(joinedload(FeedEntry.source))
        .order_by(FeedEntry.fetched_at.desc(), FeedEntry.id.desc())
        .limit(limit)
    )
    return db.session.scalars(query).all()
