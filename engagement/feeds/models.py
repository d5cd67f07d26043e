"""External RSS/Atom sources a team follows (the force press office, the council) and their entries.

The worker fetches each source on a schedule. The source row remembers the server's
validators (ETag, Last-Modified) for conditional GETs and the outcome of the last try,
so staff can see why a feed stopped working. Entries are unique per source by a hash of
the entry's guid (or link), so fetching the same feed twice stores nothing new.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import TimestampMixin, UTCDateTime, utcnow
from engagement.extensions import db

TITLE_MAX = 120
URL_MAX = 500
ENTRY_TITLE_MAX = 300
ENTRY_LINK_MAX = 1000

NEW, OK, NOT_MODIFIED, FAILED = "new", "ok", "not-modified", "failed"


class FeedSource(TimestampMixin, db.Model):
    __tablename__ = "feed_sources"
    __table_args__ = (UniqueConstraint("team_id", "url", name="uq_feed_sources_team_id_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX), nullable=False)
    url: Mapped[str] = mapped_column(String(URL_MAX), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # Validators the server sent last time, echoed back as If-None-Match / If-Modified-Since.
    etag: Mapped[str | None] = mapped_column(String(255))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    next_fetch_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[str] = mapped_column(String(20), default=NEW, nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    team = relationship("Team")
    entries = relationship("FeedEntry", back_populates="source", cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<FeedSource {self.id} {self.url}>"


class FeedEntry(db.Model):
    """One item of a source, stored once. Its HTML was sanitised with nh3 before it was saved."""

    __tablename__ = "feed_entries"
    __table_args__ = (
        UniqueConstraint("source_id", "key", name="uq_feed_entries_source_id_key"),
        Index("ix_feed_entries_source_published", "source_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("feed_sources.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(String(64), nullable=False)  # sha256 of `guid`
    guid: Mapped[str] = mapped_column(Text, nullable=False)
    title: Mapped[str] = mapped_column(String(ENTRY_TITLE_MAX), nullable=False)
    link: Mapped[str] = mapped_column(String(ENTRY_LINK_MAX), default="", nullable=False)
    summary_html: Mapped[str] = mapped_column(Text, default="", nullable=False)
    summary_text: Mapped[str] = mapped_column(Text, default="", nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # Set when staff turned the entry into a news post.
    news_post_id: Mapped[int | None] = mapped_column(ForeignKey("news_posts.id", ondelete="SET NULL"))

    source = relationship("FeedSource", back_populates="entries")
    news_post = relationship("NewsPost")

    @property
    def date(self) -> datetime:
        return self.published_at or self.fetched_at

    def __repr__(self) -> str:
        return f"<FeedEntry {self.id} {self.title!r}>"
