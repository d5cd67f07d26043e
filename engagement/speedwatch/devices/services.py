"""Rules for speed devices: the register, calibration certificates, and which shift holds a device.

A device may only be assigned to a shift while its calibration is current on the shift's first
date, and never to two shifts whose dates overlap (`check_free`). Dates of a series that fall after
the calibration expires are allowed but flagged (devices.queries.flagged_dates) and the team is
warned by the worker (devices.warnings). Services never commit; they raise DomainError.
"""

from __future__ import annotations

from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from engagement.core import audit
from engagement.core.errors import DomainError
from engagement.core.markup import has_tags
from engagement.core.permissions import can_manage_team
from engagement.core.timeutil import format_date, format_range, to_local
from engagement.events.models import CANCELLED, Event, Occurrence
from engagement.extensions import db
from engagement.speedwatch.dates import local_today, short_date
from engagement.speedwatch.devices.models import (
    CERTIFICATE_MAX,
    HOLDER_MAX,
    MAKE_MAX,
    MODEL_MAX,
    SERIAL_MAX,
    Device,
    DeviceCalibration,
)
from engagement.speedwatch.shifts.models import Shift

CALIBRATION_MONTHS = 12
OVERLAP_SCAN = 5000  # dates read when checking a booking: far beyond any team's year of shifts


def _text(value, *, label: str, field: str, limit: int, required: bool = True) -> str:
    value = " ".join(str(value or "").split())
    if required and not value:
        raise DomainError(f"Enter the {label}", field=field)
    if len(value) > limit:
        raise DomainError(f"The {label} must be {limit} characters or fewer", field=field)
    if has_tags(value):
        raise DomainError(f"Enter the {label} without < or > characters", field=field)
    return value


def _calibration_dates(calibrated_on: date | None, expires_on: date | None, today: date) -> tuple[date, date]:
    if calibrated_on is None:
        raise DomainError("Enter the date of the calibration certificate, for example 14/3/2027", field="calibrated_on")
    if calibrated_on > today:
        raise DomainError("The calibration date cannot be in the future", field="calibrated_on")
    expires_on = expires_on or calibrated_on + relativedelta(months=CALIBRATION_MONTHS)
    if expires_on <= calibrated_on:
        raise DomainError("The calibration must expire after the date it was done", field="calibration_expires")
    return calibrated_on, expires_on


def register_device(
    *,
    actor,
    team,
    make: str,
    model: str,
    serial: str,
    holder: str = "",
    calibrated_on: date | None,
    calibration_expires: date | None = None,
    certificate: str = "",
    notes: str = "",
    today: date | None = None,
) -> Device:
    """Add a device to a team's register with its current calibration certificate."""
    today = today or local_today()
    if team is None:
        raise DomainError("Choose the team", field="team")
    if actor is not None and not can_manage_team(actor, team):
        raise DomainError("You can only register devices for your own teams", field="team")
    device = Device(team_id=team.id, team=team)
    _apply(device, make=make, model=model, serial=serial, holder=holder, notes=notes, active=True)
    calibrated_on, expires = _calibration_dates(calibrated_on, calibration_expires, today)
    certificate = _text(
        certificate, label="certificate number", field="certificate", limit=CERTIFICATE_MAX, required=False
    )
    device.calibration_expires = expires
    device.calibrations.append(
        DeviceCalibration(
            calibrated_on=calibrated_on,
            expires_on=expires,
            certificate=certificate,
            recorded_by_id=getattr(actor, "id", None),
        )
    )
    db.session.add(device)
    db.session.flush()
    audit.record(
        "speedwatch.device_register",
        actor=actor,
        target=device,
        summary=f"Registered {device.label} ({team.name})",
        calibration_expires=expires.isoformat(),
    )
    return device


def _apply(device: Device, *, make, model, serial, holder, notes, active) -> None:
    device.make = _text(make, label="make", field="make", limit=MAKE_MAX)
    device.model = _text(model, label="model", field="model", limit=MODEL_MAX)
    serial = _text(serial, label="serial number", field="serial", limit=SERIAL_MAX).upper()
    clash = db.session.scalar(
        select(Device.id).where(
            Device.team_id == device.team_id, Device.serial == serial, Device.id != (device.id or -1)
        )
    )
    if clash is not None:
        raise DomainError(f"This team already has a device with serial number {serial}", field="serial")
    device.serial = serial
    device.holder = _text(holder, label="holder", field="holder", limit=HOLDER_MAX, required=False)
    device.notes = (notes or "").strip()[:2000]
    device.active = bool(active)


def update_device(device: Device, *, actor, make, model, serial, holder="", notes="", active=True) -> Device:
    """Change a device's details (its team and calibration are changed elsewhere)."""
    if actor is not None and not can_manage_team(actor, device.team):
        raise DomainError("You can only change your own teams' devices")
    before = {"holder": device.holder, "active": device.active}
    _apply(device, make=make, model=model, serial=serial, holder=holder, notes=notes, active=active)
    db.session.flush()
    audit.record(
        "speedwatch.device_update",
        actor=actor,
        target=device,
        summary=f"Changed {device.label}",
        holder_before=before["holder"],
        holder=device.holder,
        active=device.active,
    )
    return device


def record_calibration(
    device: Device,
    *,
    actor,
    calibrated_on: date | None,
    expires_on: date | None = None,
    certificate: str = "",
    today=None,
) -> DeviceCalibration:
    """A new calibration certificate: the device is usable until its new expiry (and warned about again)."""
    today = today or local_today()
    if actor is not None and not can_manage_team(actor, device.team):
        raise DomainError("You can only record calibrations for your own teams' devices")
    calibrated_on, expires_on = _calibration_dates(calibrated_on, expires_on, today)
    certificate = _text(
        certificate, label="certificate number", field="certificate", limit=CERTIFICATE_MAX, required=False
    )
    row = DeviceCalibration(
        calibrated_on=calibrated_on,
        expires_on=expires_on,
        certificate=certificate,
        recorded_by_id=getattr(actor, "id", None),
    )
    device.calibrations.append(row)
    previous = device.calibration_expires
    device.calibration_expires = expires_on
    if previous != expires_on:
        device.calibration_warned_for = None
    db.session.flush()
    audit.record(
        "speedwatch.device_calibration",
        actor=actor,
        target=device,
        summary=f"Calibration of {device.label} recorded: valid until {short_date(expires_on)}",
        calibrated_on=calibrated_on.isoformat(),
        expires_on=expires_on.isoformat(),
        previous_expiry=previous.isoformat() if previous else None,
    )
    return row


def check_free(
    device: Device, intervals: list[tuple[datetime, datetime]], *, exclude_event_id: int | None = None
) -> None:
    """Refuse if any of these (start, end) UTC intervals overlaps a live date of another shift holding the device."""
    if not intervals:
        return
    intervals = sorted(intervals)
    query = (
        select(Occurrence.starts_at, Occurrence.ends_at, Event.title)
        .join(Event, Event.id == Occurrence.event_id)
        .join(Shift, Shift.event_id == Event.id)
        .where(
            Shift.device_id == device.id,
            Occurrence.status != CANCELLED,
            Event.status != CANCELLED,
            Occurrence.ends_at > intervals[0][0],
            Occurrence.starts_at < max(end for _, end in intervals),
        )
        .order_by(Occurrence.starts_at)
        .limit(OVERLAP_SCAN)
    )
    if exclude_event_id is not None:
        query = query.where(Event.id != exclude_event_id)
    booked = db.session.execute(query).all()
    for start, end in intervals:  # both lists are short and sorted; a plain scan is clear enough
        for other_start, other_end, title in booked:
            if other_start < end and start < other_end:
                raise DomainError(
                    f"{device.label} is already booked for {title}, {format_range(other_start, other_end)}. "
                    "Choose another device, or another time.",
                    field="device",
                )


def check_assignable(device: Device | None, team, first_day: date, today: date | None = None) -> Device:
    """The device may hold a shift of `team` starting on `first_day`: the team's, in use and calibrated."""
    today = today or local_today()
    if device is None:
        raise DomainError("Choose the speed device for this shift", field="device")
    if device.team_id != team.id or not device.active:
        raise DomainError("Choose one of this team's speed devices that is in use", field="device")
    if device.calibration_expires < today:
        raise DomainError(
            f"The calibration of {device.label} expired on {short_date(device.calibration_expires)}. "
            "Record its new certificate before assigning it, or choose another device.",
            field="device",
        )
    if device.calibration_expires < first_day:
        raise DomainError(
            f"The calibration of {device.label} runs out on {short_date(device.calibration_expires)}, "
            f"before the shift's first date ({format_date(first_day)}). Choose another device.",
            field="device",
        )
    return device


def live_intervals(shift: Shift, since: datetime) -> list[tuple[datetime, datetime]]:
    """The shift's coming dates that are not cancelled, as (start, end) in UTC."""
    return [(o.starts_at, o.ends_at) for o in shift.event.occurrences if o.ends_at > since and not o.is_cancelled]


def assign_device(shift: Shift, device: Device | None, *, actor, now: datetime) -> Shift:
    """Give a scheduled shift (every coming date) another device, with the same checks as scheduling."""
    if actor is not None and not can_manage_team(actor, shift.event.team):
        raise DomainError("You can only change your own teams' shifts")
    intervals = live_intervals(shift, now)
    if not intervals:
        raise DomainError("This shift has no coming dates to hold a device.", field="device")
    check_assignable(device, shift.event.team, to_local(intervals[0][0]).date())
    check_free(device, intervals, exclude_event_id=shift.event_id)
    before = shift.device.label if shift.device else ""
    shift.device_id, shift.device = device.id, device
    db.session.flush()
    audit.record(
        "speedwatch.shift_device",
        actor=actor,
        target=shift.event,
        summary=f"{shift.event.title}: device {device.label}",
        device_id=device.id,
        previous=before,
    )
    return shift
