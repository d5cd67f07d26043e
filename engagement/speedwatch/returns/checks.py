"""Checking a session return's answers: the times, the device's set-up check, the counts and every vehicle.

All problems are collected at once (ReturnInvalid.errors, by field path such as "vehicles-1-speed"),
so a volunteer can fix a long sheet in one go. Nothing here writes; returns.services saves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

from engagement.core.errors import DomainError
from engagement.core.timeutil import local_to_utc, to_local
from engagement.events.models import Occurrence
from engagement.extensions import db
from engagement.speedwatch.devices.models import Device
from engagement.speedwatch.returns import plates
from engagement.speedwatch.returns.thresholds import threshold_for
from engagement.speedwatch.shifts.models import Shift

MAX_SPEED = 150
MAX_COUNTED = 100_000  # vehicles in one session: far beyond a busy road's few hours
CHECK_SPEEDS = (5, 100)
MAKE_MAX, COLOUR_MAX, DIRECTION_MAX, CONDITIONS_MAX = 40, 30, 60, 300
VEHICLE_FIELDS = ("registration", "make", "colour", "speed", "direction", "time")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")


class ReturnInvalid(DomainError):
    """Every problem with a return at once: `errors` is [(field path, message)], paths like "vehicles-1-speed"."""

    status = 400

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors[0][1], field=errors[0][0])
        self.errors = errors


@dataclass
class Checked:
    """A return's answers after every check: UTC instants, the device check, the counts and clean vehicles."""

    started_at: datetime
    ended_at: datetime
    conditions: str
    vehicles: list[dict]
    device: Device | None = None
    check_speed: int | None = None
    counted: int | None = None
    over_limit: int | None = None
    threshold: int | None = None


@dataclass
class Session:
    """What was typed about the session besides the vehicles: the device, its check and the counts."""

    device_id: object = None
    check_passed: object = ""
    check_speed: object = ""
    vehicles_counted: object = ""
    over_limit_count: object = ""


def parse_time(value) -> time | None:
    """ "14:05", "9.30" or a time; None if it is not a time of day."""
    if isinstance(value, time):
        return value
    found = _TIME.fullmatch((value or "").strip())
    if not found:
        return None
    hour, minute = int(found.group(1)), int(found.group(2))
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _text(value) -> str:
    return " ".join(str(value or "").split())


def is_blank(vehicle: dict) -> bool:
    return not any(_text(vehicle.get(key)) for key in VEHICLE_FIELDS)


def _whole(value) -> int | None:
    text = _text(value)
    return int(text) if text.isdigit() and len(text) <= 7 else None


def _check_session(occurrence: Occurrence, session: Session, errors: list) -> tuple:
    """The device, its set-up check and the two counts, each problem added to `errors` by field."""
    device = None
    if session.device_id in (None, "", 0):
        errors.append(("device", "Choose the speed device you used"))
    else:
        device = db.session.get(Device, int(session.device_id)) if str(session.device_id).isdigit() else None
        if device is None or device.team_id != occurrence.event.team_id:
            errors.append(("device", "Choose one of the team's speed devices"))
            device = None
    passed = str(session.check_passed or "").strip().lower()
    if passed in ("", "none"):
        errors.append(("check_passed", "Say whether the device passed its set-up check against a known speed"))
    elif passed not in ("yes", "true", "1"):
        errors.append(
            (
                "check_passed",
                "A return can only be sent if the device passed its set-up check: readings from a device that "
                "failed it cannot be used. Tell the team, who will arrange another device.",
            )
        )
    check_speed = _whole(session.check_speed)
    low, high = CHECK_SPEEDS
    if not _text(session.check_speed):
        errors.append(("check_speed", "Enter the speed the device showed at the set-up check, for example 30"))
    elif check_speed is None or not low <= check_speed <= high:
        errors.append(("check_speed", f"Enter the checked speed as a whole number from {low} to {high} mph"))
    counted, over = _whole(session.vehicles_counted), _whole(session.over_limit_count)
    for field, raw, value, what in (
        ("vehicles_counted", session.vehicles_counted, counted, "the number of vehicles counted, for example 240"),
        (
            "over_limit_count",
            session.over_limit_count,
            over,
            "how many were over the limit but under the threshold, for example 12",
        ),
    ):
        if not _text(raw):
            errors.append((field, f"Enter {what}"))
        elif value is None or value > MAX_COUNTED:
            errors.append((field, f"Enter {what}, as a whole number up to {MAX_COUNTED:,}"))
    return device, check_speed, counted, over


def _check_vehicle(
    vehicle: dict, row: int, limit: int, window, day, errors, threshold: int | None = None
) -> dict | None:
    """One vehicle's clean values, or None after adding its problems to `errors` (named by row).

    `window` is the session's (start, end) in UTC, or None while the session times are wrong."""
    prefix, path = f"Vehicle {row}: ", f"vehicles-{row - 1}-"
    before = len(errors)

    def problem(field: str, message: str) -> None:
        errors.append((path + field, prefix + message))

    reg = _text(vehicle.get("registration"))
    if not reg:
        problem("registration", "enter the registration, for example AB12 CDE")
    elif not plates.is_valid(reg):
        problem("registration", plates.MESSAGE)
    for field, noun, most, example in (
        ("make", "make", MAKE_MAX, "Ford"),
        ("colour", "colour", COLOUR_MAX, "silver"),
        ("direction", "direction of travel", DIRECTION_MAX, "towards the town centre"),
    ):
        value = _text(vehicle.get(field))
        if not value:
            problem(field, f"enter the {noun}, for example {example}")
        elif len(value) > most:
            problem(field, f"the {noun} must be {most} characters or fewer")
    raw_speed = _text(vehicle.get("speed")).lower().removesuffix("mph").strip()
    speed = int(raw_speed) if raw_speed.isdigit() else None
    if not raw_speed:
        problem("speed", "enter the speed in miles per hour, for example 38")
    elif speed is None:
        problem("speed", "enter the speed as a whole number of miles per hour, for example 38")
    elif speed <= limit:
        problem(
            "speed", f"{speed} mph is not over the {limit} mph limit at this site: only record vehicles over the limit"
        )
    elif threshold is not None and speed < threshold:
        problem(
            "speed",
            f"{speed} mph is under the reporting threshold of {threshold} mph at this {limit} mph site: "
            "count it in “over the limit, under the threshold” instead of recording its registration",
        )
    elif speed > MAX_SPEED:
        problem("speed", f"the speed must be {MAX_SPEED} mph or less")
    seen = parse_time(vehicle.get("time"))
    seen_at = local_to_utc(day, seen) if seen else None
    if not _text(vehicle.get("time")):
        problem("time", "enter the time you saw it, for example 10:15")
    elif seen is None:
        problem("time", "enter the time as hours and minutes, for example 10:15")
    elif window and not window[0] <= seen_at <= window[1]:
        start, end = (f"{to_local(t):%H:%M}" for t in window)
        problem("time", f"the time must be between {start} and {end}, when the session ran")
    if len(errors) > before:
        return None
    return {
        "registration": plates.normalise(reg),
        "make": _text(vehicle["make"]),
        "colour": _text(vehicle["colour"]),
        "speed_mph": speed,
        "direction": _text(vehicle["direction"]),
        "seen_at": seen_at,
    }


def check_answers(
    occurrence: Occurrence, shift: Shift, *, started, ended, conditions: str, vehicles, session: Session | None = None
) -> Checked:
    """Every answer checked at once; ReturnInvalid lists all the problems. Blank rows are skipped.

    `session` (the device, its set-up check and the counts) is required: without it every one of its
    answers is reported missing."""
    errors: list[tuple[str, str]] = []
    device, check_speed, counted, over = _check_session(occurrence, session or Session(), errors)
    threshold = threshold_for(shift.site.speed_limit)
    day = to_local(occurrence.starts_at).date()
    start_t, end_t = parse_time(started), parse_time(ended)
    for field, value, parsed, what in (("started", started, start_t, "started"), ("ended", ended, end_t, "ended")):
        if not _text(value):
            errors.append((field, f"Enter the time the session {what}, for example 10:00"))
        elif parsed is None:
            errors.append((field, f"Enter the time the session {what} as hours and minutes, for example 10:00"))
    start = local_to_utc(day, start_t) if start_t else None
    end = local_to_utc(day, end_t) if end_t else None
    if start and end and end <= start:
        errors.append(("ended", "The session must end after it started"))
    conditions = _text(conditions)
    if len(conditions) > CONDITIONS_MAX:
        errors.append(("conditions", f"The conditions must be {CONDITIONS_MAX} characters or fewer"))
    clean = []
    limit = shift.site.speed_limit
    for index, vehicle in enumerate(vehicles):
        if is_blank(vehicle):
            continue
        row = vehicle.get("row") or index + 1
        window = (start, end) if start and end and end > start else None
        checked = _check_vehicle(vehicle, row, limit, window, day, errors, threshold)
        if checked:
            clean.append(checked)
    if counted is not None and over is not None and not errors and over + len(clean) > counted:
        errors.append(
            (
                "vehicles_counted",
                f"The vehicles counted ({counted}) must include the {over} over the limit and the "
                f"{len(clean)} recorded at or over the threshold: check the count",
            )
        )
    if errors:
        raise ReturnInvalid(errors)
    return Checked(start, end, conditions, clean, device, check_speed, counted, over, threshold)
