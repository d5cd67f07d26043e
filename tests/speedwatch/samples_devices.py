"""Device routes for the permissions matrix, and the device factory the shift and return tests share.

Devices are built from the models (not the device services), so tests of other parts depend only on
what a device is.
"""

from __future__ import annotations

from datetime import date, timedelta

from engagement.extensions import db
from engagement.speedwatch.devices.models import Device, DeviceCalibration

EXPECTED_ACCESS = {
    "speedwatch.devices": "staff",
    "speedwatch.device_new": "staff",
    "speedwatch.device": "team",
    "speedwatch.device_edit": "team",
    "speedwatch.device_calibration": "team",
    "speedwatch.shift_device": "team",
}


def make_device(team, *, serial: str | None = None, expires: date | None = None, **kwargs) -> Device:
    """A calibrated device of `team` (valid for three years from today unless `expires` says otherwise), committed."""
    expires = expires or date.today() + timedelta(days=3 * 365)
    count = db.session.scalar(db.select(db.func.count(Device.id)).where(Device.team_id == team.id)) or 0
    device = Device(
        team_id=team.id,
        make=kwargs.pop("make", "Kustom Signals"),
        model=kwargs.pop("model", "Falcon HR"),
        serial=serial or f"FAL{team.id:03d}{count + 1:03d}",
        holder=kwargs.pop("holder", "Sutton Coldfield police station front desk"),
        calibration_expires=expires,
        **kwargs,
    )
    device.calibrations.append(DeviceCalibration(calibrated_on=expires - timedelta(days=365), expires_on=expires))
    db.session.add(device)
    db.session.commit()
    return device


def team_device(team) -> Device:
    """The team's first calibrated device, made if it has none (for tests that only need *a* device)."""
    found = db.session.scalar(
        db.select(Device).where(Device.team_id == team.id, Device.active.is_(True)).order_by(Device.id).limit(1)
    )
    return found or make_device(team)


def sample_records(team) -> dict:
    return {"device_id": team_device(team).id}
