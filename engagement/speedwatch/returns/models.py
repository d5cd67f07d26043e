"""Session returns: what a shift saw. Personal data (registrations) kept for a limited time.

A `SessionReturn` is one per shift date, recorded after it by a volunteer who was on it
or by an officer, with the traffic counted and the device's set-up check; `Vehicle` rows are
the vehicles seen at or over the reporting threshold. The site's
name and limit are copied in, so a return still reads correctly after the site changes.
Returns are seen only by the team's officers and coordinators, and are purged
SPEEDWATCH_RETENTION_DAYS after the session by the worker.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import TimestampMixin, UTCDateTime
from engagement.extensions import db


class SessionReturn(TimestampMixin, db.Model):
    __tablename__ = "speedwatch_returns"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("occurrences.id", ondelete="SET NULL"), unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), nullable=False, index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("speedwatch_sites.id", ondelete="SET NULL"), index=True)
    site_name: Mapped[str] = mapped_column(String(160), nullable=False)
    road: Mapped[str] = mapped_column(String(160), default="", nullable=False)
    speed_limit: Mapped[int] = mapped_column(Integer, nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    conditions: Mapped[str] = mapped_column(String(300), default="", nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The device used and its set-up check against a known speed (required since 0012; older returns: null).
    device_id: Mapped[int | None] = mapped_column(ForeignKey("speedwatch_devices.id", ondelete="SET NULL"), index=True)
    device_label: Mapped[str] = mapped_column(String(200), default="", server_default="", nullable=False)
    check_passed: Mapped[bool | None] = mapped_column(Boolean)
    check_speed_mph: Mapped[int | None] = mapped_column(Integer)
    # Traffic counted: every vehicle that passed, and those over the limit but under the reporting
    # threshold (counted, never identified). Vehicles at or over `threshold_mph` are the Vehicle rows.
    vehicles_counted: Mapped[int | None] = mapped_column(Integer)
    over_limit_count: Mapped[int | None] = mapped_column(Integer)
    threshold_mph: Mapped[int | None] = mapped_column(Integer)

    team = relationship("Team")
    device = relationship("Device")
    site = relationship("Site")
    occurrence = relationship("Occurrence")
    recorded_by = relationship("User")
    vehicles = relationship(
        "Vehicle", back_populates="session_return", order_by="Vehicle.seen_at", cascade="all, delete-orphan"
    )


class Vehicle(db.Model):
    """One vehicle seen over the threshold. `repeat` marks a second sighting within the repeat window."""

    __tablename__ = "speedwatch_vehicles"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(
        ForeignKey("speedwatch_returns.id", ondelete="CASCADE"), nullable=False, index=True
    )
    registration: Mapped[str] = mapped_column(String(10), nullable=False, index=True)  # "AB12CDE"
    make: Mapped[str] = mapped_column(String(40), default="", nullable=False)
    colour: Mapped[str] = mapped_column(String(30), default="", nullable=False)
    speed_mph: Mapped[int] = mapped_column(Integer, nullable=False)
    direction: Mapped[str] = mapped_column(String(60), default="", nullable=False)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    repeat: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    session_return = relationship("SessionReturn", back_populates="vehicles")
