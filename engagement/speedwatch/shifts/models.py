"""Shifts: Community Speed Watch events at a site, with a minimum and maximum team.

A shift is an ordinary `Event` (type community-speed-watch, sign-up mode "volunteers"),
so it appears in calendar feeds and is moved and cancelled with the events feature's
tools. `Shift` adds the site, the team size and the speed device to the event; `ShiftStaffing` is one row
per date: the lock and counter for sign-ups (taken with a conditional UPDATE, as
signups.SignupSlot does) and the record of the quorum check, which runs once per date
(shifts.staffing and shifts.quorum).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import TimestampMixin, UTCDateTime
from engagement.extensions import db

DEVICE_OPERATOR, RECORDER, SAFETY_LOOKOUT = "device_operator", "recorder", "safety_lookout"
SHIFT_ROLES = {DEVICE_OPERATOR: "Device operator", RECORDER: "Recorder", SAFETY_LOOKOUT: "Safety lookout"}
SIGNED_UP, WITHDRAWN = "signed_up", "withdrawn"
# Quorum outcomes recorded on ShiftStaffing.quorum_outcome.
GOING_AHEAD, AUTO_CANCELLED = "going_ahead", "cancelled"
MIN_TEAM_DEFAULT, MAX_TEAM_DEFAULT = 3, 6
TEAM_LIMITS = (1, 20)  # smallest minimum and largest maximum a shift may ask for
NOTES_MAX = 2000
NOT_ENOUGH_VOLUNTEERS = "not enough volunteers"


class Shift(TimestampMixin, db.Model):
    """The Speed Watch part of an event: where, and how many volunteers it needs."""

    __tablename__ = "speedwatch_shifts"
    __table_args__ = (
        CheckConstraint("min_team >= 1", name="min_team_positive"),
        CheckConstraint("max_team >= min_team", name="max_not_below_min"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("speedwatch_sites.id"), nullable=False, index=True)
    min_team: Mapped[int] = mapped_column(Integer, default=MIN_TEAM_DEFAULT, nullable=False)
    max_team: Mapped[int] = mapped_column(Integer, default=MAX_TEAM_DEFAULT, nullable=False)
    # Shown to the team's volunteers only (never on the public event page): meeting point, kit.
    notes: Mapped[str] = mapped_column(Text, default="", server_default="", nullable=False)
    # The speed device every date of the shift holds (devices.services.assign_device checks it).
    device_id: Mapped[int | None] = mapped_column(ForeignKey("speedwatch_devices.id", ondelete="SET NULL"), index=True)

    event = relationship("Event")
    site = relationship("Site")
    device = relationship("Device")


class ShiftStaffing(db.Model):
    """One date's sign-up counter and lock, and what the quorum check decided (once)."""

    __tablename__ = "speedwatch_staffing"
    __table_args__ = (CheckConstraint("taken >= 0", name="taken_not_negative"),)

    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id", ondelete="CASCADE"), primary_key=True)
    taken: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    quorum_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    quorum_outcome: Mapped[str] = mapped_column(String(20), default="", nullable=False)
    # Set when the team was alerted that the date fell short inside the quorum window.
    short_alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What signed-up volunteers were last told about the date, so a move or cancellation is emailed once.
    told_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    told_venue_id: Mapped[int | None] = mapped_column(Integer)
    told_cancelled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)


class ShiftSignup(TimestampMixin, db.Model):
    """A volunteer on one date of a shift, with the role they take (optional)."""

    __tablename__ = "speedwatch_shift_signups"
    __table_args__ = (
        Index(
            "uq_speedwatch_shift_signups_live",
            "occurrence_id",
            "volunteer_id",
            unique=True,
            sqlite_where=text("status = 'signed_up'"),
            postgresql_where=text("status = 'signed_up'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("occurrences.id", ondelete="CASCADE"), nullable=False, index=True
    )
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("speedwatch_volunteers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(20), default="", nullable=False)
    status: Mapped[str] = mapped_column(String(12), default=SIGNED_UP, nullable=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    occurrence = relationship("Occurrence")
    volunteer = relationship("Volunteer")

    @property
    def role_label(self) -> str:
        return SHIFT_ROLES.get(self.role, "Any role")
