"""Text alerts from a team (issue 16): numbers that asked for them, their codes, the alerts sent, replies.

Text alerts are a channel of the newsletter subscription kept beside the email one rather than in
it: a subscriber row is one email address, and a resident may give only a mobile number. A number
gets alerts once it proved it is theirs with a 6-digit code (double opt-in); the code is stored
only as a keyed hash. STOP ends every team's alerts for the number at once. Replies that are not
STOP are kept for the team to read on its Replies page, and deleted after RETENTION_DAYS
text-replies.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import UTCDateTime, utcnow
from engagement.core.i18n import LANGUAGE_MAX, language_for_record
from engagement.extensions import db

MOBILE_MAX = 16
ALERT_MAX = 1000  # characters an officer may type; the fragment cap is the real limit
# The kinds of alert an officer posts (TextAlert.kind).
NEW_EVENT, CANCELLATION, APPEAL = "event", "cancellation", "appeal"
KINDS = {NEW_EVENT: "A new event", CANCELLATION: "A cancellation", APPEAL: "An urgent appeal"}


class TextNumber(db.Model):
    """One mobile number (E.164) that asked for text alerts."""

    __tablename__ = "text_alert_numbers"

    id: Mapped[int] = mapped_column(primary_key=True)
    mobile: Mapped[str] = mapped_column(String(MOBILE_MAX), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last typed a right code
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last replied STOP
    # The page's language when the number last asked for alerts (core.i18n): its codes and the STOP
    # confirmation are texted in it (None: English).
    language: Mapped[str | None] = mapped_column(String(LANGUAGE_MAX), default=language_for_record)

    subscriptions = relationship(
        "AlertSubscription", back_populates="number", cascade="all, delete-orphan", passive_deletes=True
    )


class AlertSubscription(db.Model):
    """One team's alerts asked for by one number; live once `confirmed_at` is set (the right code)."""

    __tablename__ = "text_alert_subscriptions"
    __table_args__ = (
        UniqueConstraint("number_id", "team_id", name="uq_text_alert_subscriptions_number_id_team_id"),
        Index("ix_text_alert_subscriptions_team_confirmed", "team_id", "confirmed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number_id: Mapped[int] = mapped_column(
        ForeignKey("text_alert_numbers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), nullable=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_text: Mapped[str] = mapped_column(Text, nullable=False)  # the words the resident agreed to

    number = relationship("TextNumber", back_populates="subscriptions")
    team = relationship("Team")


class TextCode(db.Model):
    """A 6-digit code texted to a number: valid 15 minutes, 5 tries; only its keyed hash is kept."""

    __tablename__ = "text_alert_codes"
    __table_args__ = (Index("ix_text_alert_codes_number_created", "number_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number_id: Mapped[int] = mapped_column(ForeignKey("text_alert_numbers.id", ondelete="CASCADE"), nullable=False)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    tries: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TextAlert(db.Model):
    """One alert an officer sent to every verified number of a team (the body includes the footer)."""

    __tablename__ = "text_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(20), default=APPEAL, nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    fragments: Mapped[int] = mapped_column(Integer, default=1, nullable=False)  # per text
    recipients: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    team = relationship("Team")
    created_by = relationship("User")


class TextReply(db.Model):
    """A text a resident sent back that was not STOP: for the team to read in office hours."""

    __tablename__ = "text_replies"
    __table_args__ = (Index("ix_text_replies_team_received", "team_id", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The team whose alert the number last got (none if it never got one: coordinators see those).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    mobile: Mapped[str] = mapped_column(String(MOBILE_MAX), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    notify_id: Mapped[str | None] = mapped_column(String(64), unique=True)  # Notify's id: stored once

    team = relationship("Team")
