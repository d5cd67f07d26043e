"""Staff users. Residents have no account; their data lives with the feature that collected it."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, String
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
