"""Speed Watch volunteers: one person's membership of one team's group, from application onwards.

A resident applies to their team's group (a `Volunteer` row, status "applied"); a
coordinator or the team's officer approves it, recording training and vetting, which
creates a sign-in with the `volunteer` role linked here by `user_id`. Personal data of
volunteers lives here and in the shift and return tables, nowhere else.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import TimestampMixin, UTCDateTime
from engagement.core.i18n import LANGUAGE_MAX, language_for_record
from engagement.extensions import db

APPLIED, APPROVED, DECLINED, SUSPENDED = "applied", "approved", "declined", "suspended"
VOLUNTEER_STATUSES = (APPLIED, APPROVED, DECLINED, SUSPENDED)
STATUS_LABELS = {APPLIED: "Applied", APPROVED: "Approved", DECLINED: "Declined", SUSPENDED: "Suspended"}

NAME_MAX = 100
EMAIL_MAX = 320
PHONE_MAX = 30
REASON_MAX = 300


def new_rota_token() -> str:
    """The secret in a volunteer's private calendar feed URL; replaced if the volunteer asks."""
    return secrets.token_urlsafe(24)


class Volunteer(TimestampMixin, db.Model):
    """One person's membership of one team's Speed Watch group, from application onwards."""

    __tablename__ = "speedwatch_volunteers"
    __table_args__ = (
        # One live application or membership per address per team; a declined one may apply again.
        Index(
            "uq_speedwatch_volunteers_team_email_live",
            "team_id",
            "email",
            unique=True,
            sqlite_where=text("status != 'declined'"),
            postgresql_where=text("status != 'declined'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), nullable=False)
    phone: Mapped[str] = mapped_column(String(PHONE_MAX), default="", nullable=False)
    status: Mapped[str] = mapped_column(String(12), default=APPLIED, nullable=False, index=True)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decline_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="", nullable=False)
    training_date: Mapped[date | None] = mapped_column(Date)
    training_expires: Mapped[date | None] = mapped_column(Date, index=True)
    vetting_done: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    vetting_date: Mapped[date | None] = mapped_column(Date)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspend_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="", nullable=False)
    notes: Mapped[str] = mapped_column(Text, default="", nullable=False)  # staff only
    rota_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_rota_token, nullable=False)
    # The training expiry date the volunteer and team were last warned about (warn once per expiry).
    training_warned_for: Mapped[date | None] = mapped_column(Date)
    # The resident's language when they gave us this (core.i18n): later emails to them use it (None: English).
    language: Mapped[str | None] = mapped_column(String(LANGUAGE_MAX), default=language_for_record)

    team = relationship("Team")
    user = relationship("User", foreign_keys=[user_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def training_current_on(self, day: date) -> bool:
        return self.training_expires is not None and self.training_expires >= day

    def __repr__(self) -> str:
        return f"<Volunteer {self.id} {self.status} team {self.team_id}>"
