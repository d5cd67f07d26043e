"""Approved Speed Watch sites: risk-assessed places to stand at the roadside.

Each site has a `Venue` row of its own (`venue_id`), so shifts, which are ordinary events,
show the site in calendar feeds.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import TimestampMixin
from engagement.extensions import db

SPEED_LIMITS = (20, 30, 40)
NOTES_MAX = 2000


class Site(TimestampMixin, db.Model):
    """An approved roadside site; shifts may only be scheduled while its risk assessment is current."""

    __tablename__ = "speedwatch_sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), nullable=False, index=True)
    # The events feature's place for this site (name, road, position), kept in step by the services.
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(160), nullable=False)
    road: Mapped[str] = mapped_column(String(160), nullable=False)
    speed_limit: Mapped[int] = mapped_column(Integer, nullable=False)
    location: Mapped[str] = mapped_column(String(300), default="", nullable=False)  # e.g. "outside no. 42"
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    volunteer_notes: Mapped[str] = mapped_column(Text, default="", nullable=False)  # where to stand, parking
    assessed_on: Mapped[date] = mapped_column(Date, nullable=False)
    assessment_expires: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # The expiry date the team was last warned about (warn once per assessment).
    expiry_warned_for: Mapped[date | None] = mapped_column(Date)

    team = relationship("Team")
    venue = relationship("Venue")

    def assessment_current_on(self, day: date) -> bool:
        return self.assessed_on <= day <= self.assessment_expires

    def __repr__(self) -> str:
        return f"<Site {self.id} {self.name!r}>"
