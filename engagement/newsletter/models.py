"""Newsletter subscribers, their team or area subscriptions, issues and per-recipient deliveries.

A subscriber is one email address. Each subscription (to a team or a whole area) keeps
the consent wording the resident saw and when they confirmed it, so consent can be shown
later. An issue's content is rendered once when sending starts and stored, so the archive
shows exactly what was sent. Each recipient gets one delivery row: the worker's unit of
work, with a status, a lease and a Message-ID that never changes between retries.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import TimestampMixin, UTCDateTime, utcnow
from engagement.core.i18n import LANGUAGE_MAX, language_for_record
from engagement.extensions import db

# Issue states: a draft is edited; scheduled waits for send_at; sending has its deliveries; sent is done.
DRAFT, SCHEDULED, SENDING, SENT = "draft", "scheduled", "sending", "sent"
# Delivery states.
PENDING, IN_FLIGHT, DELIVERED, FAILED, SKIPPED = "pending", "sending", "sent", "failed", "skipped"

SUBJECT_MAX = 150
INTRO_MAX = 10_000
MAX_WEEKS = 8


def new_secret() -> str:
    return secrets.token_urlsafe(12)


class Subscriber(TimestampMixin, db.Model):
    __tablename__ = "newsletter_subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True, nullable=False)
    # Part of every emailed link: changing it makes all earlier links stop working.
    secret: Mapped[str] = mapped_column(String(32), default=new_secret, nullable=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first proved they own the address
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last left every newsletter
    # The resident's language when they gave us this (core.i18n): later emails to them use it (None: English).
    language: Mapped[str | None] = mapped_column(String(LANGUAGE_MAX), default=language_for_record)

    subscriptions = relationship(
        "Subscription", back_populates="subscriber", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Subscriber {self.id}>"


class Subscription(db.Model):
    """One team (or one whole area) a subscriber asked for; live once `confirmed_at` is set."""

    __tablename__ = "newsletter_subscriptions"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "team_id", name="uq_newsletter_subscriptions_subscriber_id_team_id"),
        UniqueConstraint("subscriber_id", "area", name="uq_newsletter_subscriptions_subscriber_id_area"),
        CheckConstraint(
            "(team_id IS NULL AND area IS NOT NULL) OR (team_id IS NOT NULL AND area IS NULL)", name="team_or_area"
        ),  # fmt: skip
        Index("ix_newsletter_subscriptions_team_confirmed", "team_id", "confirmed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("newsletter_subscribers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    area: Mapped[str | None] = mapped_column(String(40))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_text: Mapped[str] = mapped_column(Text, nullable=False)  # the words the resident agreed to
    source: Mapped[str] = mapped_column(String(20), default="web", nullable=False)  # web | import

    subscriber = relationship("Subscriber", back_populates="subscriptions")
    team = relationship("Team")


class Issue(TimestampMixin, db.Model):
    """One newsletter, for a team or (by coordinators) a whole area."""

    __tablename__ = "newsletter_issues"
    __table_args__ = (
        CheckConstraint(
            "(team_id IS NULL AND area IS NOT NULL) OR (team_id IS NOT NULL AND area IS NULL)", name="team_or_area"
        ),  # fmt: skip
        Index("ix_newsletter_issues_status_send_at", "status", "send_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    area: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX), nullable=False)
    intro: Mapped[str] = mapped_column(Text, default="", nullable=False)  # Markdown source, cleaned
    weeks: Mapped[int] = mapped_column(Integer, default=2, nullable=False)  # upcoming events to include
    # Include the teams' current priorities (engagement.priorities) as a section.
    priorities: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false(), nullable=False)
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, nullable=False)
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when scheduled
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the "sent on" residents see
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Printed in every copy's footer; /verify looks it up. Given when sending starts.
    reference: Mapped[str | None] = mapped_column(String(16), unique=True)
    body_html: Mapped[str] = mapped_column(Text, default="", nullable=False)  # rendered once, at start
    body_text: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # The same content with its fixed frame (headings, "Coming up", dates) in each other language its
    # recipients read, frozen with the English: {"ur": {"html": ..., "text": ...}}. None: English only.
    bodies: Mapped[dict | None] = mapped_column(JSON)
    recipients: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    team = relationship("Team")
    created_by = relationship("User", foreign_keys=[created_by_id])
    items = relationship("IssueItem", back_populates="issue", cascade="all, delete-orphan",
                         order_by="IssueItem.position")  # fmt: skip

    @property
    def is_sent(self) -> bool:
        return self.status in (SENDING, SENT)

    def __repr__(self) -> str:
        return f"<Issue {self.id} {self.status} {self.subject!r}>"


class IssueItem(db.Model):
    """A news post or an imported feed entry chosen for an issue."""

    __tablename__ = "newsletter_items"
    __table_args__ = (CheckConstraint("(news_post_id IS NULL) OR (feed_entry_id IS NULL)", name="one_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("newsletter_issues.id", ondelete="CASCADE"), nullable=False,
                                          index=True)  # fmt: skip
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    news_post_id: Mapped[int | None] = mapped_column(ForeignKey("news_posts.id", ondelete="CASCADE"))
    feed_entry_id: Mapped[int | None] = mapped_column(ForeignKey("feed_entries.id", ondelete="CASCADE"))

    issue = relationship("Issue", back_populates="items")
    news_post = relationship("NewsPost")
    feed_entry = relationship("FeedEntry")


class Delivery(db.Model):
    """One recipient's copy of an issue: the worker claims, sends and records it."""

    __tablename__ = "newsletter_deliveries"
    __table_args__ = (
        UniqueConstraint("issue_id", "subscriber_id", name="uq_newsletter_deliveries_issue_id_subscriber_id"),
        Index("ix_newsletter_deliveries_status_next", "status", "next_attempt_at"),
        Index("ix_newsletter_deliveries_issue_status", "issue_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("newsletter_issues.id", ondelete="CASCADE"), nullable=False)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("newsletter_subscribers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    message_id: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    status: Mapped[str] = mapped_column(String(12), default=PENDING, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    issue = relationship("Issue")
    subscriber = relationship("Subscriber")
