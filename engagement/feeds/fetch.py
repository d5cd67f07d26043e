"""The worker task that reads external feeds: claim, fetch (outside any transaction), parse, store.

The GET itself is client.py: public addresses only (addresses.py), every redirect checked, a
total deadline, a size cap and conditional requests. Parsing happens before anything is
written: a feed that is unreachable, refused, not XML or not a feed is recorded on the source
with the reason and the time, and its earlier entries stay untouched. New entries
and the source's new state are committed together, so nothing is ever half-saved.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import feedparser
import nh3
from flask import current_app
from sqlalchemy import or_, select

from engagement.core.db import utcnow
from engagement.core.markup import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, LINK_REL, URL_SCHEMES, strip_tags
from engagement.extensions import db
from engagement.feeds.client import Fetched, FetchError, fetch_url
from engagement.feeds.models import ENTRY_LINK_MAX, ENTRY_TITLE_MAX, FAILED, NOT_MODIFIED, OK, FeedEntry, FeedSource

LEASE = timedelta(minutes=5)
# Problems feedparser flags that do not make a feed unreadable.
HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


def _setting(name: str, default):
    return current_app.config.get(name, default)


@dataclass
class ParsedEntry:
    key: str
    guid: str
    title: str
    link: str
    summary_html: str
    summary_text: str
    published_at: datetime | None


@dataclass
class Parsed:
    entries: list[ParsedEntry] = field(default_factory=list)
    skipped: int = 0


def _when(entry) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime(*parsed[:6], tzinfo=UTC) if parsed else None


_BLOCK_END = re.compile(r"</(?:p|li|h\d|blockquote|div|pre)>|<br\s*/?>", re.IGNORECASE)


def _text(html: str) -> str:
    """Readable one-paragraph text of sanitised HTML (block ends become spaces)."""
    return " ".join(strip_tags(_BLOCK_END.sub(" ", html)).split())


def _clean_html(value: str) -> str:
    return nh3.clean(value or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel=LINK_REL).strip()  # fmt: skip


def parse_feed(fetched: Fetched) -> Parsed:
    """Turn the bytes into clean entries, or raise FetchError if they are not a readable feed."""
    parsed = feedparser.parse(
        fetched.body,
        response_headers={"content-type": fetched.content_type or "application/xml", "content-location": fetched.url},
        sanitize_html=False,  # nh3 below does it, with our allow-list
    )
    if parsed.bozo and not isinstance(parsed.bozo_exception, HARMLESS):
        problem = str(parsed.bozo_exception).strip() or type(parsed.bozo_exception).__name__
        if not parsed.get("version"):
            raise FetchError(f"This address does not return an RSS or Atom feed ({problem}).")
        raise FetchError(f"The feed is not well-formed XML ({problem}), so nothing was saved from it.")
    if not parsed.get("version"):
        raise FetchError("This address does not return an RSS or Atom feed.")
    result, seen = Parsed(), set()
    for entry in parsed.entries[: int(_setting("FEEDS_MAX_ENTRIES", 100))]:
        link = entry.get("link") or ""
        link = link if urlsplit(link).scheme in ("http", "https") else ""
        guid = (entry.get("id") or link or "").strip()
        if not guid:
            result.skipped += 1
            continue
        key = hashlib.sha256(guid.encode()).hexdigest()
        if key in seen:
            continue
        seen.add(key)
        html = entry.get("summary") or (entry.get("content") or [{}])[0].get("value", "")
        summary_html = _clean_html(html)
        title = " ".join(strip_tags(entry.get("title") or "").split())[:ENTRY_TITLE_MAX]
        text = _text(summary_html)
        result.entries.append(ParsedEntry(key=key, guid=guid, title=title or text[:80] or "Untitled", link=link[:ENTRY_LINK_MAX],
                                          summary_html=summary_html, summary_text=text,
                                          published_at=_when(entry)))  # fmt: skip
    return result


def _claim(limit: int) -> list[FeedSource]:
    """Lease due sources; SKIP LOCKED lets several workers share them on PostgreSQL."""
    now = utcnow()
    query = (
        select(FeedSource)
        .where(FeedSource.active.is_(True), FeedSource.next_fetch_at <= now)
        .where(or_(FeedSource.locked_until.is_(None), FeedSource.locked_until < now))
        .order_by(FeedSource.next_fetch_at, FeedSource.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    sources = list(db.session.scalars(query))
    for source in sources:
        source.locked_until = now + LEASE
    db.session.commit()
    return sources


def _store(source: FeedSource, fetched: Fetched, parsed: Parsed) -> int:
    """Add the entries not seen before and record success, in the caller's transaction."""
    keys = [e.key for e in parsed.entries]
    known = set(db.session.scalars(select(FeedEntry.key).where(FeedEntry.source_id == source.id,
                                                                FeedEntry.key.in_(keys)))) if keys else set()  # fmt: skip
    now = utcnow()
    added = 0
    for entry in parsed.entries:
        if entry.key in known:
            continue
        db.session.add(FeedEntry(source_id=source.id, key=entry.key, guid=entry.guid, title=entry.title,
                                 link=entry.link, summary_html=entry.summary_html, summary_text=entry.summary_text,
                                 published_at=entry.published_at, fetched_at=now))  # fmt: skip
        added += 1
    source.last_status = OK
    source.last_error = f"{parsed.skipped} entries had no id or link and were skipped." if parsed.skipped else None
    return added


def _finish(source: FeedSource, *, error: str | None, fetched: Fetched | None) -> None:
    now = utcnow()
    interval = timedelta(minutes=int(_setting("FEEDS_INTERVAL_MINUTES", 60)))
    source.last_fetched_at, source.locked_until = now, None
    if error is None:
        source.failures = 0
        source.last_success_at = now
        if fetched is not None:
            source.etag, source.last_modified = fetched.etag, fetched.last_modified
        source.next_fetch_at = now + interval
    else:
        source.failures += 1
        source.last_status, source.last_error = FAILED, error
        # Back off a failing source: 1, 2, 4 ... intervals, at most a day.
        source.next_fetch_at = now + min(interval * 2 ** (source.failures - 1), timedelta(days=1))


def fetch_source(source_id: int) -> int:
    """Fetch one source and commit the outcome; returns how many new entries were stored."""
    source = db.session.get(FeedSource, source_id)
    url, etag, modified = source.url, source.etag, source.last_modified
    db.session.commit()  # hold no transaction open while talking to another server
    try:
        fetched = fetch_url(url, etag, modified)
        parsed = parse_feed(fetched) if fetched.status != 304 else Parsed()
    except FetchError as exc:
        source = db.session.get(FeedSource, source_id)
        _finish(source, error=str(exc), fetched=None)
        db.session.commit()
        return 0
    source = db.session.get(FeedSource, source_id)
    try:
        added = _store(source, fetched, parsed) if fetched.status != 304 else 0
        if fetched.status == 304:
            source.last_status, source.last_error = NOT_MODIFIED, None
        _finish(source, error=None, fetched=fetched)
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 - a database error must not leave half the entries
        db.session.rollback()
        source = db.session.get(FeedSource, source_id)
        _finish(source, error=f"The entries could not be saved ({type(exc).__name__}).", fetched=None)
        db.session.commit()
        current_app.logger.exception("storing feed %s failed", source_id)
        return 0
    return added


def fetch_due(limit: int = 5) -> int:
    """Worker task: fetch the sources that are due. Returns how many sources were tried."""
    sources = _claim(limit)
    ids = [s.id for s in sources]
    for source_id in ids:
        fetch_source(source_id)
    return len(ids)
