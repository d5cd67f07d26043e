"""Staff users. Residents have no account; their data lives with the feature that collected it."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import TimestampMixin, UTCDateTime
from engagement.core.permissions import ROLE_LABELS, VOLUNTEER, VOLUNTEER_LABEL
from engagement.extensions import db


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(120), nullable=False)
    rank: Mapped[str] = mapped_column(String(80), default="", nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # Part of the login cookie: rotating it signs the user out everywhere.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token, nullable=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Made by `flask demo load`: its password is published, so production refuses it (engagement.core.production).
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false(), nullable=False)

    teams = relationship("Team", secondary="team_members", back_populates="members", order_by="Team.name")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def team_ids(self) -> set[int]:
        return {team.id for team in self.teams}

    @property
    def role_label(self) -> str:
        return VOLUNTEER_LABEL if self.role == VOLUNTEER else ROLE_LABELS.get(self.role, self.role)

    @property
    def is_volunteer(self) -> bool:
        return self.role == VOLUNTEER

    @property
    def public_name(self) -> str:
        """Name and rank as residents see it, e.g. 'PCSO Aisha Khan'."""
        return f"{self.rank} {self.display_name}".strip()

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class TwoFactor(db.Model):
    """A user's authenticator app (TOTP, RFC 6238). Set up once `confirmed_at` is set.

    `last_step` is the 30-second step of the last code accepted, so a code cannot be used twice;
    `failures` and `locked_until` slow down guessing. An admin's reset clears the secret and keeps
    `reset_at`, so the user is told why they are asked to set it up again."""

    __tablename__ = "user_two_factor"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str | None] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_step: Mapped[int | None] = mapped_column(BigInteger)
    failures: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def active(self) -> bool:
        return self.secret is not None and self.confirmed_at is not None


class RecoveryCode(db.Model):
    """One of ten single-use codes for when the phone is lost; only a salted SHA-256 is stored."""

    __tablename__ = "user_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    salt: Mapped[str] = mapped_column(String(32), nullable=False)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
