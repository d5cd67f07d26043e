"""Residents' sign-ups for one date (Occurrence), the per-date place counter, and "my events" feeds.

Personal data lives here and nowhere else: name, email and/or a mobile number (one of the
two is required of residents signing up; texts go to the mobile), optional phone and optional
access needs (sensitive: shown only to the team). It is kept until SIGNUP_RETENTION_DAYS
after the date, then purged (see tasks.purge_expired).

`SignupSlot` is one row per date that has had a sign-up. Every change to that date's
sign-ups first takes the row's lock (an UPDATE of it), so capacity checks, waiting-list
numbers and promotions for one date happen one at a time on every backend. The slot also
remembers which calendar identity (UID, RECURRENCE-ID, SEQUENCE) and which time and place
residents were last told about, so a later change can update or cancel exactly that entry.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import TimestampMixin, UTCDateTime, utcnow
from engagement.core.i18n import LANGUAGE_MAX, language_for_record
from engagement.extensions import db

CONFIRMED, WAITING, CANCELLED = "confirmed", "waiting", "cancelled"
STATUSES = (CONFIRMED, WAITING, CANCELLED)
WEB, WALK_IN = "web", "walk_in"
# The events' sign-up modes residents book through this site (others are drop-in or volunteers only).
BOOKABLE_MODES = ("optional", "required")
# Reminder states: due (not yet sent), sent (exactly once), skipped (booked inside the reminder window).
REMINDER_DUE, REMINDER_SENT, REMINDER_SKIPPED = "due", "sent", "skipped"

NAME_MAX = 100
EMAIL_MAX = 320
PHONE_MAX = 30
MOBILE_MAX = 16
# The channels a booking's news goes by (Signup.channel).
BY_EMAIL, BY_TEXT = "email", "sms"
CHANNELS = (BY_EMAIL, BY_TEXT)
ACCESS_MAX = 500


def new_secret() -> str:
    return secrets.token_urlsafe(12)


class SignupSlot(db.Model):
    """The lock and the place counter of one date; `confirmed` counts places of confirmed web sign-ups."""

    __tablename__ = "signup_slots"
    __table_args__ = (CheckConstraint("confirmed >= 0", name="confirmed_not_negative"),)

    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id", ondelete="CASCADE"), primary_key=True)
    confirmed: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # The last waiting-list number handed out; numbers only rise, so they are unique per date.
    waiting_seq: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # What residents' calendars and inboxes were last told about this date.
    calendar_uid: Mapped[str] = mapped_column(String(255), nullable=False)
    calendar_rid: Mapped[str] = mapped_column(String(15), nullable=False)
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    told_starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    told_ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    told_venue_id: Mapped[int | None] = mapped_column(Integer)
    told_cancelled: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


class Signup(TimestampMixin, db.Model):
    """One resident's booking (or a walk-in recorded by the team) for one date."""

    __tablename__ = "signups"
    __table_args__ = (
        # One live sign-up per address per date; cancelled ones may be followed by a new one.
        Index(
            "uq_signups_occurrence_email_live",
            "occurrence_id",
            "email",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        # The same for a mobile number (sign-ups by text only have no email address).
        Index(
            "uq_signups_occurrence_mobile_live",
            "occurrence_id",
            "mobile",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        UniqueConstraint("occurrence_id", "queue_no", name="uq_signups_occurrence_id_queue_no"),
        Index("ix_signups_occurrence_status", "occurrence_id", "status"),
        Index("ix_signups_reminders", "status", "reminder"),
        CheckConstraint("places >= 1", name="places_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    places: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    # Waiting-list number, given under the slot's lock; the position shown is the rank among those waiting.
    queue_no: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    email: Mapped[str | None] = mapped_column(String(EMAIL_MAX), index=True)  # walk-ins may give none
    phone: Mapped[str] = mapped_column(String(PHONE_MAX), default="", nullable=False)
    # The phone number as E.164 ("+447700900123") when it is a UK mobile: texts go here (issue 16).
    mobile: Mapped[str | None] = mapped_column(String(MOBILE_MAX))
    # How the resident hears about the booking: "email" or "sms" (always "sms" without an email address).
    channel: Mapped[str] = mapped_column(String(8), default=BY_EMAIL, server_default=BY_EMAIL, nullable=False)
    access_needs: Mapped[str] = mapped_column(Text, default="", nullable=False)  # sensitive: team only
    source: Mapped[str] = mapped_column(String(10), default=WEB, nullable=False)
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every manage link: changing it makes earlier links stop working.
    secret: Mapped[str] = mapped_column(String(32), default=new_secret, nullable=False)
    # The form's one-time key: a double-submitted form finds the sign-up the first submit made.
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder: Mapped[str] = mapped_column(String(8), default=REMINDER_DUE, nullable=False)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The resident's language when they gave us this (core.i18n): later emails to them use it (None: English).
    language: Mapped[str | None] = mapped_column(String(LANGUAGE_MAX), default=language_for_record)

    occurrence = relationship("Occurrence")

    @property
    def is_live(self) -> bool:
        return self.status != CANCELLED

    @property
    def by_text(self) -> bool:
        """News of this booking goes by text: the resident chose it, or gave no email address."""
        return bool(self.mobile) and (self.channel == BY_TEXT or not self.email)

    @property
    def reachable(self) -> bool:
        return bool(self.email or self.mobile)

    def __repr__(self) -> str:
        return f"<Signup {self.id} {self.status} x{self.places} for occurrence {self.occurrence_id}>"


class EventsFeed(db.Model):
    """The private "my events" calendar of one email address; a new secret revokes every old link."""

    __tablename__ = "signup_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True, nullable=False)
    secret: Mapped[str] = mapped_column(String(32), default=new_secret, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
