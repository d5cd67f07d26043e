"""Session returns: who may record what a shift saw, the checks on every vehicle, and repeats.

The return is personal data handed to the police for warning letters, so the rules are
strict: only a volunteer who was on that date, or the team's officers and coordinators,
may send it; every vehicle must be a UK registration seen over the site's limit during
the session; and nothing is saved unless everything is right. Each problem is reported
against its own row ("Vehicle 2: ..."), so a volunteer can fix a long sheet in one go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from engagement.core.permissions import can_manage_team
from engagement.core.timeutil import format_date, local_to_utc, to_local
from engagement.events.models import Occurrence
from engagement.extensions import db
from engagement.speedwatch.returns import plates
from engagement.speedwatch.returns.models import SessionReturn, Vehicle
from engagement.speedwatch.shifts.models import SIGNED_UP, Shift, ShiftSignup
from engagement.speedwatch.volunteers.models import APPROVED, Volunteer

MAX_SPEED = 150
MAKE_MAX, COLOUR_MAX, DIRECTION_MAX, CONDITIONS_MAX = 40, 30, 60, 300
VEHICLE_FIELDS = ("registration", "make", "colour", "speed", "direction", "time")
ALREADY_SENT = "A return has already been sent for this shift"
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")


class ReturnInvalid(DomainError):
    """Every problem with a return at once: `errors` is [(field path, message)], paths like "vehicles-1-speed"."""

    status = 400

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors[0][1], field=errors[0][0])
        self.errors = errors


class AlreadySent(Conflict):
    """The date already has its return: volunteers are told so; staff may correct it instead."""

    def __init__(self):
        super().__init__(ALREADY_SENT)


@dataclass
class Checked:
    """A return's answers after every check: UTC instants and clean vehicle values."""

    started_at: datetime
    ended_at: datetime
    conditions: str
    vehicles: list[dict]


def shift_for(occurrence: Occurrence) -> Shift:
    shift = db.session.get(Shift, occurrence.event_id)
    if shift is None:
        raise NotFound("That date is not a Speed Watch shift.")
    return shift


def existing_return(occurrence: Occurrence) -> SessionReturn | None:
    return db.session.scalar(select(SessionReturn).where(SessionReturn.occurrence_id == occurrence.id))


def was_on_shift(occurrence: Occurrence, user) -> bool:
    """True if this sign-in belongs to an approved volunteer signed up for this date."""
    found = db.session.scalar(
        select(ShiftSignup.id)
        .join(Volunteer, Volunteer.id == ShiftSignup.volunteer_id)
        .where(
            ShiftSignup.occurrence_id == occurrence.id,
            ShiftSignup.status == SIGNED_UP,
            Volunteer.user_id == user.id,
            Volunteer.status == APPROVED,
        )
        .limit(1)
    )
    return found is not None


def _team_volunteer(occurrence: Occurrence, user) -> bool:
    if not getattr(user, "is_volunteer", False):
        return False
    found = db.session.scalar(
        select(Volunteer.id).where(
            Volunteer.user_id == user.id, Volunteer.status == APPROVED, Volunteer.team_id == occurrence.event.team_id
        )
    )
    return found is not None


def check_can_record(occurrence: Occurrence, actor, *, now: datetime | None = None, editing: bool = False) -> Shift:
    """Raise unless `actor` may send this date's return now; returns the shift. Order: who, then when."""
    now = now or utcnow()
    shift = shift_for(occurrence)
    staff = can_manage_team(actor, occurrence.event.team)
    if not staff and not (getattr(actor, "is_volunteer", False) and was_on_shift(occurrence, actor)):
        if now < occurrence.starts_at and _team_volunteer(occurrence, actor):
            # The team's volunteers can see the shift anyway; before it starts, say how returns work.
            raise DomainError("Only the volunteers on this shift can send its return, once the shift has started.")
        raise PermissionDenied("Only the volunteers on this shift and the team's officers can send its return.")
    if occurrence.is_cancelled:
        raise Conflict("This shift was cancelled, so there is no return to send.")
    if now < occurrence.starts_at:
        raise DomainError("You can send the return once the shift has started.")
    if not editing and existing_return(occurrence) is not None:
        raise AlreadySent()
    return shift


def recording_refused(occurrence: Occurrence, actor, *, now: datetime | None = None) -> DomainError | None:
    """Why `actor` may not send this date's return now (what check_can_record would raise), or None."""
    try:
        check_can_record(occurrence, actor, now=now)
    except DomainError as exc:
        return exc
    return None


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


def _check_vehicle(vehicle: dict, row: int, limit: int, window, day, errors) -> dict | None:
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


def check_answers(occurrence: Occurrence, shift: Shift, *, started, ended, conditions: str, vehicles) -> Checked:
    """Every answer checked at once; ReturnInvalid lists all the problems. Blank rows are skipped."""
    errors: list[tuple[str, str]] = []
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
        checked = _check_vehicle(vehicle, row, limit, window, day, errors)
        if checked:
            clean.append(checked)
    if errors:
        raise ReturnInvalid(errors)
    return Checked(start, end, conditions, clean)


def flag_repeats(vehicles: list[Vehicle], *, exclude_return_id: int | None = None) -> int:
    """Mark each vehicle seen before within SPEEDWATCH_REPEAT_DAYS (any team, any site) as a repeat.

    One query for the whole return: every earlier sighting of its registrations inside the
    widest window, then each vehicle is compared with its own window. Sightings in the same
    return do not count: one session is one letter.
    """
    if not vehicles:
        return 0
    window = timedelta(days=current_app.config["SPEEDWATCH_REPEAT_DAYS"])
    earliest = min(v.seen_at for v in vehicles) - window
    latest = max(v.seen_at for v in vehicles)
    query = select(Vehicle.registration, Vehicle.seen_at).where(
        Vehicle.registration.in_({v.registration for v in vehicles}),
        Vehicle.seen_at >= earliest,
        Vehicle.seen_at < latest,
    )
    if exclude_return_id is not None:
        query = query.where(Vehicle.return_id != exclude_return_id)
    earlier: dict[str, list[datetime]] = {}
    for reg, seen_at in db.session.execute(query):
        earlier.setdefault(reg, []).append(seen_at)
    for vehicle in vehicles:
        vehicle.repeat = any(
            vehicle.seen_at - window <= t < vehicle.seen_at for t in earlier.get(vehicle.registration, ())
        )
    return sum(v.repeat for v in vehicles)


def _vehicles(checked: Checked) -> list[Vehicle]:
    return [Vehicle(**values) for values in checked.vehicles]


def _summary(ret: SessionReturn) -> str:
    count = len(ret.vehicles)
    what = "No vehicles over the limit" if not count else f"{count} vehicle{'s' if count != 1 else ''} over the limit"
    return f"{ret.site_name}, {format_date(ret.started_at)}: {what}"


def record_return(
    occurrence: Occurrence,
    *,
    actor,
    started,
    ended,
    conditions: str = "",
    vehicles: list[dict] = (),
    now: datetime | None = None,
) -> SessionReturn:
    """Save a date's return (once). `started`/`ended` are local times on the shift's date; each vehicle
    is a dict of registration, make, colour, speed, direction and time ("HH:MM"), with an optional
    form "row" number for messages. A quiet session (no vehicles) is a valid return."""
    shift = check_can_record(occurrence, actor, now=now)
    checked = check_answers(
        occurrence, shift, started=started, ended=ended, conditions=conditions, vehicles=list(vehicles)
    )
    site = shift.site
    ret = SessionReturn(
        occurrence_id=occurrence.id,
        team_id=occurrence.event.team_id,
        site_id=site.id,
        site_name=site.name,
        road=site.road,
        speed_limit=site.speed_limit,
        started_at=checked.started_at,
        ended_at=checked.ended_at,
        conditions=checked.conditions,
        recorded_by_id=getattr(actor, "id", None),
    )
    ret.vehicles = _vehicles(checked)
    repeats = flag_repeats(ret.vehicles)
    db.session.add(ret)
    try:
        db.session.flush()
    except IntegrityError:  # sent at the same moment by someone else: theirs wins; the caller rolls back
        raise AlreadySent() from None
    audit.record(
        "speedwatch.return.record",
        actor=actor,
        target=ret,
        summary=_summary(ret),
        team=occurrence.event.team.slug,
        occurrence=occurrence.id,
        vehicles=len(ret.vehicles),
        repeats=repeats,
    )
    return ret


def edit_return(
    ret: SessionReturn,
    *,
    actor,
    started,
    ended,
    conditions: str = "",
    vehicles: list[dict] = (),
    now: datetime | None = None,
) -> SessionReturn:
    """Staff correct a return: the session times, conditions and the whole list of vehicles are replaced."""
    if not can_manage_team(actor, ret.team):
        raise PermissionDenied("Only the team's officers and coordinators can change a return.")
    if ret.occurrence is None:
        raise Conflict("The shift of this return no longer exists, so it cannot be changed.")
    shift = check_can_record(ret.occurrence, actor, now=now, editing=True)
    checked = check_answers(
        ret.occurrence, shift, started=started, ended=ended, conditions=conditions, vehicles=list(vehicles)
    )
    before = len(ret.vehicles)
    ret.started_at, ret.ended_at, ret.conditions = checked.started_at, checked.ended_at, checked.conditions
    ret.vehicles = _vehicles(checked)  # delete-orphan removes the old rows
    repeats = flag_repeats(ret.vehicles, exclude_return_id=ret.id)
    db.session.flush()
    audit.record(
        "speedwatch.return.edit",
        actor=actor,
        target=ret,
        summary=_summary(ret),
        team=ret.team.slug,
        vehicles_before=before,
        vehicles=len(ret.vehicles),
        repeats=repeats,
    )
    return ret
