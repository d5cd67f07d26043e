"""RSS 2.0 and Atom 1.0 built with feedgen, never by string pasting.

`build_feed` is shared by every feed the site publishes (news, upcoming events, the
newsletter archive): the caller turns its rows into `FeedItem`s with a guid that never
changes, absolute links and a publication time; this module does the XML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from flask import current_app

from engagement.core.markup import plain_text, render_markdown
from engagement.core.urls import public_url

RSS, ATOM = "rss", "atom"
MIMETYPES = {RSS: "application/rss+xml", ATOM: "application/atom+xml"}


@dataclass
class FeedMeta:
    title: str
    description: str
    home_url: str  # the HTML page the feed mirrors
    self_url: str  # where the feed itself lives
    feed_id: str  # the Atom id: a stable absolute IRI
    updated: datetime | None


@dataclass
class FeedItem:
    guid: str  # never changes for the same thing
    title: str
    link: str
    published: datetime
    updated: datetime
    summary: str  # plain text
    content_html: str = ""  # sanitised HTML, or "" for none
    author: str = ""


def _second(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


def build_feed(kind: str, meta: FeedMeta, items: list[FeedItem]) -> bytes:
    """The feed document in `kind` (RSS or ATOM), items in the order given."""
    fg = FeedGenerator()
    fg.load_extension("dc")
    fg.id(meta.feed_id)
    fg.title(meta.title)
    fg.description(meta.description)  # the Atom subtitle too
    # feedgen's RSS <link> is the last link added, so the self link goes first.
    fg.link(href=meta.self_url, rel="self", type=MIMETYPES[kind])
    fg.link(href=meta.home_url, rel="alternate", type="text/html")
    fg.language("en-GB")
    fg.author({"name": current_app.config["FORCE_NAME"]})
    updated = _second(meta.updated or datetime(2000, 1, 1, tzinfo=UTC))
    fg.updated(updated)
    fg.lastBuildDate(updated)
    fg.ttl(30)
    for item in items:
        entry = fg.add_entry(order="append")
        entry.id(item.guid)
        entry.guid(item.guid, permalink=False)
        entry.title(item.title)
        entry.link(href=item.link, rel="alternate")
        entry.published(_second(item.published))
        entry.updated(_second(item.updated))
        entry.summary(item.summary or item.title)
        if item.content_html:
            entry.content(item.content_html, type="CDATA" if kind == RSS else "html")
        if item.author and kind == ATOM:
            entry.author({"name": item.author})
        elif item.author:  # RSS <author> must be an email address; a name goes in dc:creator
            entry.dc.dc_creator(item.author)
    return fg.rss_str(pretty=True) if kind == RSS else fg.atom_str(pretty=True)


def news_items(posts, scope_label) -> list[FeedItem]:
    """Published posts as feed items: the summary as the description, the sanitised body as content."""
    items = []
    for post in posts:
        author = ", ".join(part for part in (post.author_name, scope_label(post)) if part)
        items.append(
            FeedItem(
                guid=post.guid,
                title=post.title,
                link=public_url("news.post", post_id=post.id),
                published=post.published_at,
                updated=max(post.updated_at, post.published_at),
                summary=post.summary or plain_text(post.body)[:300],
                content_html=str(render_markdown(post.body)),
                author=author,
            )
        )
    return items
