"""Reads for the device pages, the shift pages and the warnings: each one query, whatever the number of rows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from engagement.core.timeutil import local_to_utc
from engagement.events.models import CANCELLED, Event, Occurrence
from engagement.extensions import db
from engagement.speedwatch.devices.models import Device
from engagement.speedwatch.returns.models import SessionReturn
from engagement.speedwatch.shifts.models import Shift

SOON_DAYS = 30
HISTORY_ROWS = 100


def calibration_state(device: Device, today: date, soon_days: int = SOON_DAYS) -> str:
    """'expired', 'expiring' (within soon_days), 'current' or 'inactive'."""
    if not device.active:
        return "inactive"
    if device.calibration_expires < today:
        return "expired"
    if (device.calibration_expires - today).days <= soon_days:
        return "expiring"
    return "current"


def team_devices(team_ids: list[int] | None) -> list[Device]:
    """Devices of these teams (None: every team), in use first, soonest calibration expiry first."""
    query = (
        select(Device)
        .options(joinedload(Device.team))
        .order_by(Device.active.desc(), Device.calibration_expires, Device.make, Device.serial)
    )
    if team_ids is not None:
        query = query.where(Device.team_id.in_(team_ids or [-1]))
    return db.session.scalars(query).all()


def usable_devices(team_ids: list[int], today: date) -> list[Device]:
    """Devices a shift may be given: in use and calibrated today."""
    query = (
        select(Device)
        .where(Device.team_id.in_(team_ids or [-1]), Device.active.is_(True), Device.calibration_expires >= today)
        .order_by(Device.make, Device.model, Device.serial)
    )
    return db.session.scalars(query).all()


def device_choices(devices: list[Device], teams) -> list[tuple[int, str]]:
    names = {t.id: t.name for t in teams}
    several = len({d.team_id for d in devices}) > 1
    return [(d.id, f"{d.label} ({names.get(d.team_id, '')})" if several else d.label) for d in devices]


def device_with_calibrations(device_id: int) -> Device | None:
    return db.session.scalar(
        select(Device).where(Device.id == device_id).options(selectinload(Device.calibrations), joinedload(Device.team))
    )


def booked_dates(device: Device, since: datetime, limit: int = HISTORY_ROWS) -> list[tuple[Occurrence, Shift]]:
    """Coming dates of shifts holding the device, with their events and sites, in one query."""
    query = (
        select(Occurrence, Shift)
        .join(Event, Event.id == Occurrence.event_id)
        .join(Shift, Shift.event_id == Event.id)
        .where(Shift.device_id == device.id, Occurrence.ends_at > since)
        .options(joinedload(Occurrence.event), joinedload(Shift.site))
        .order_by(Occurrence.starts_at)
        .limit(limit)
    )
    return [tuple(r) for r in db.session.execute(query).unique()]


def checks_history(device: Device, limit: int = HISTORY_ROWS) -> list[SessionReturn]:
    """The returns recorded with the device: each session's set-up check, newest first."""
    query = (
        select(SessionReturn)
        .where(SessionReturn.device_id == device.id)
        .order_by(SessionReturn.started_at.desc())
        .limit(limit)
    )
    return db.session.scalars(query).all()


def flagged_dates(occurrence_ids) -> set[int]:
    """Which of these shift dates hold a device whose calibration expires before the date (one query)."""
    ids = list(occurrence_ids)
    if not ids:
        return set()
    query = (
        select(Occurrence.id, Occurrence.starts_at, Device.calibration_expires)
        .join(Shift, Shift.event_id == Occurrence.event_id)
        .join(Device, Device.id == Shift.device_id)
        .where(Occurrence.id.in_(ids))
    )
    return {
        oid
        for oid, starts, expires in db.session.execute(query)
        if starts >= local_to_utc(expires + timedelta(days=1), time())
    }


def held_after_expiry(devices: list[Device], since: datetime, limit: int = 500) -> dict[int, list[Occurrence]]:
    """For each device, its coming live dates that fall after its calibration expiry (one query for all)."""
    if not devices:
        return {}
    expiry = {d.id: local_to_utc(d.calibration_expires + timedelta(days=1), time()) for d in devices}
    query = (
        select(Shift.device_id, Occurrence)
        .join(Occurrence, Occurrence.event_id == Shift.event_id)
        .join(Event, Event.id == Occurrence.event_id)
        .where(
            Shift.device_id.in_(list(expiry)),
            Occurrence.starts_at >= since,
            Occurrence.status != CANCELLED,
            Event.status != CANCELLED,
        )
        .options(joinedload(Occurrence.event))
        .order_by(Occurrence.starts_at)
        .limit(limit)
    )
    found: dict[int, list[Occurrence]] = {}
    for device_id, row in db.session.execute(query).unique():
        if row.starts_at >= expiry[device_id]:
            found.setdefault(device_id, []).append(row)
    return found


def calibration_due(team_ids: list[int] | None, today: date, days: int) -> list[Device]:
    """Devices in use whose calibration has expired or expires within `days` (team_ids None: all), soonest first."""
    query = (
        select(Device)
        .options(joinedload(Device.team))
        .where(Device.active.is_(True), Device.calibration_expires <= today + timedelta(days=days))
        .order_by(Device.calibration_expires)
    )
    if team_ids is not None:
        query = query.where(Device.team_id.in_(team_ids or [-1]))
    return db.session.scalars(query).all()


def device_count(team_ids: list[int]) -> int:
    return db.session.scalar(select(func.count(Device.id)).where(Device.team_id.in_(team_ids or [-1]))) or 0
