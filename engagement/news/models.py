"""News posts: written by a team (or, by coordinators, for an area or the whole force).

A post's `guid` is minted once when it is created and goes into every RSS guid and Atom
id, so feed readers never show the same post twice even if the site moves address.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import TimestampMixin, UTCDateTime
from engagement.extensions import db

DRAFT, PUBLISHED = "draft", "published"
STATUSES = (DRAFT, PUBLISHED)

# Field limits, shared by forms and services so both say the same thing.
TITLE_MAX = 150
SUMMARY_MAX = 300
BODY_MAX = 20_000


def new_guid() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


class NewsPost(TimestampMixin, db.Model):
    """One news post. Scope: a team (team_id), an area (area), or force-wide (neither)."""

    __tablename__ = "news_posts"
    __table_args__ = (
        CheckConstraint("team_id IS NULL OR area IS NULL", name="one_scope"),
        Index("ix_news_posts_status_published_at", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(64), unique=True, nullable=False, default=new_guid)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    area: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(TITLE_MAX), nullable=False)
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX), default="", nullable=False)
    body: Mapped[str] = mapped_column(Text, default="", nullable=False)  # Markdown source, cleaned
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, nullable=False)
    # Set the first time the post is published and kept after that: it is the post's date in feeds.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Name and rank as residents saw them when the post was written ("PCSO Aisha Khan").
    author_name: Mapped[str] = mapped_column(String(200), default="", nullable=False)

    team = relationship("Team")
    author = relationship("User")

    @property
    def is_public(self) -> bool:
        return self.status == PUBLISHED and self.published_at is not None

    @property
    def scope(self) -> str:
        return "team" if self.team_id else ("area" if self.area else "force")

    def __repr__(self) -> str:
        return f"<NewsPost {self.id} {self.title!r}>"
