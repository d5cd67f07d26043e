"""Speed detection devices and their calibration certificates.

A `Device` belongs to one team and is held by someone (a volunteer, or a desk at the station);
its calibration certificate runs for a year (`calibration_expires`). Each certificate recorded is
kept as a `DeviceCalibration` row: the device's history. A shift holds one device (Shift.device_id)
on every one of its dates.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import TimestampMixin
from engagement.extensions import db

MAKE_MAX, MODEL_MAX, SERIAL_MAX, HOLDER_MAX, CERTIFICATE_MAX = 60, 60, 40, 120, 60


class Device(TimestampMixin, db.Model):
    __tablename__ = "speedwatch_devices"
    __table_args__ = (UniqueConstraint("team_id", "serial", name="uq_speedwatch_devices_team_serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), nullable=False, index=True)
    make: Mapped[str] = mapped_column(String(MAKE_MAX), nullable=False)
    model: Mapped[str] = mapped_column(String(MODEL_MAX), nullable=False)
    serial: Mapped[str] = mapped_column(String(SERIAL_MAX), nullable=False)
    # Who has it between sessions, and so whom the device operator collects it from.
    holder: Mapped[str] = mapped_column(String(HOLDER_MAX), default="", nullable=False)
    calibration_expires: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    notes: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # The calibration expiry the team was last warned about (warn once per certificate).
    calibration_warned_for: Mapped[date | None] = mapped_column(Date)

    team = relationship("Team")
    calibrations = relationship(
        "DeviceCalibration",
        back_populates="device",
        order_by="DeviceCalibration.calibrated_on.desc()",
        cascade="all, delete-orphan",
    )

    @property
    def label(self) -> str:
        """'Kustom Falcon HR (serial FAL1234)': how pages and returns name the device."""
        return f"{self.make} {self.model} (serial {self.serial})"

    def calibrated_on(self, day: date) -> bool:
        return day <= self.calibration_expires

    def __repr__(self) -> str:
        return f"<Device {self.id} {self.serial!r}>"


class DeviceCalibration(TimestampMixin, db.Model):
    """One calibration certificate: when the device was calibrated and until when it is valid."""

    __tablename__ = "speedwatch_device_calibrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(
        ForeignKey("speedwatch_devices.id", ondelete="CASCADE"), nullable=False, index=True
    )
    calibrated_on: Mapped[date] = mapped_column(Date, nullable=False)
    expires_on: Mapped[date] = mapped_column(Date, nullable=False)
    certificate: Mapped[str] = mapped_column(String(CERTIFICATE_MAX), default="", nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    device = relationship("Device", back_populates="calibrations")
    recorded_by = relationship("User")
