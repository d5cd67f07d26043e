"""The worker's calibration warnings, run inside "speedwatch-expiry-warnings" (speedwatch.expiry).

Each device's calibration expiry is warned about once (Device.calibration_warned_for): the team's
contact address and officers hear which device, when, and which coming shifts hold it after that
date (those dates are also flagged on the rota and the shift pages until the device is renewed or
swapped). A new certificate resets the warning.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from engagement.core import audit
from engagement.core.urls import public_url
from engagement.extensions import db
from engagement.speedwatch.devices.models import Device
from engagement.speedwatch.devices.queries import held_after_expiry
from engagement.speedwatch.mail import send, team_recipients
from engagement.teams.models import Team


def warn_devices(today: date, days: int, now: datetime) -> int:
    """One email per device calibration expiry to the team, listing the shifts that hold it after it."""
    query = (
        select(Device)
        .where(
            Device.active,
            Device.calibration_expires <= today + timedelta(days=days),
            or_(Device.calibration_warned_for.is_(None), Device.calibration_warned_for != Device.calibration_expires),
        )
        .order_by(Device.id)
        .with_for_update(skip_locked=True)
    )
    devices = db.session.scalars(query).all()
    if not devices:
        return 0
    teams = {
        t.id: t
        for t in db.session.scalars(
            select(Team).where(Team.id.in_({d.team_id for d in devices})).options(selectinload(Team.members))
        )
    }
    held = held_after_expiry(devices, now)
    for device in devices:
        team = teams[device.team_id]
        expired = device.calibration_expires < today
        subject = (
            f"Speed device calibration expired: {device.label} ({team.name} Speed Watch)"
            if expired
            else f"Speed device calibration expires soon: {device.label} ({team.name} Speed Watch)"
        )
        rows = held.get(device.id, [])
        context = {
            "device": device,
            "team": team,
            "expired": expired,
            "held": rows,
            "device_url": public_url("speedwatch.device", device_id=device.id),
            "shift_urls": {row.id: public_url("speedwatch.shift", occurrence_id=row.id) for row in rows},
        }
        for address in team_recipients(team):
            send(address, subject, "device_calibration", **context)
        device.calibration_warned_for = device.calibration_expires
        audit.record(
            "speedwatch.device_calibration_warning",
            target=device,
            summary=f"Warned {team.name} that the calibration of {device.label} expires {device.calibration_expires}",
            held_dates=len(rows),
        )
    return len(devices)
