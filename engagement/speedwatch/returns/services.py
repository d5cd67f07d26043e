"""Session returns: who may record what a shift saw, the checks on every vehicle, and repeats.

The return is personal data handed to the police for warning letters, so the rules are
strict: only a volunteer who was on that date, or the team's officers and coordinators,
may send it; the device must have passed its set-up check against a known speed; the
traffic counted must add up; every vehicle must be a UK registration seen at or over the
site's reporting threshold during the session; and nothing is saved unless everything is
right. Each problem is reported against its own field or row ("Vehicle 2: ..."), so a
volunteer can fix a long sheet in one go. A saved return's sightings go onto the letter
ladder (letters.ladder) in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from engagement.core.permissions import can_manage_team
from engagement.core.timeutil import format_date
from engagement.events.models import Occurrence
from engagement.extensions import db
from engagement.speedwatch.letters.ladder import file_return
from engagement.speedwatch.returns.checks import (  # noqa: F401 - the checks' names are part of this module's interface
    VEHICLE_FIELDS,
    Checked,
    ReturnInvalid,
    Session,
    check_answers,
    is_blank,
    parse_time,
)
from engagement.speedwatch.returns.models import SessionReturn, Vehicle
from engagement.speedwatch.shifts.models import SIGNED_UP, Shift, ShiftSignup
from engagement.speedwatch.volunteers.models import APPROVED, Volunteer

ALREADY_SENT = "A return has already been sent for this shift"


class AlreadySent(Conflict):
    """The date already has its return: volunteers are told so; staff may correct it instead."""

    def __init__(self):
        super().__init__(ALREADY_SENT)


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


def _apply_session(ret: SessionReturn, checked: Checked) -> None:
    if checked.device is not None:
        ret.device_id, ret.device, ret.device_label = checked.device.id, checked.device, checked.device.label
        ret.check_passed, ret.check_speed_mph = True, checked.check_speed
        ret.vehicles_counted, ret.over_limit_count = checked.counted, checked.over_limit
        ret.threshold_mph = checked.threshold


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
    session: Session | None = None,
    now: datetime | None = None,
) -> SessionReturn:
    """Save a date's return (once). `started`/`ended` are local times on the shift's date; each vehicle
    is a dict of registration, make, colour, speed, direction and time ("HH:MM"), with an optional
    form "row" number for messages; `session` holds the device, its passed set-up check and the
    traffic counts (all required). A quiet session (no vehicles) is a valid return."""
    shift = check_can_record(occurrence, actor, now=now)
    checked = check_answers(
        occurrence, shift, started=started, ended=ended, conditions=conditions, vehicles=list(vehicles), session=session
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
    _apply_session(ret, checked)
    ret.vehicles = _vehicles(checked)
    repeats = flag_repeats(ret.vehicles)
    db.session.add(ret)
    try:
        db.session.flush()
    except IntegrityError:  # sent at the same moment by someone else: theirs wins; the caller rolls back
        raise AlreadySent() from None
    file_return(ret, now=now)
    audit.record(
        "speedwatch.return.record",
        actor=actor,
        target=ret,
        summary=_summary(ret),
        team=occurrence.event.team.slug,
        occurrence=occurrence.id,
        vehicles=len(ret.vehicles),
        repeats=repeats,
        counted=ret.vehicles_counted,
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
    session: Session | None = None,
    now: datetime | None = None,
) -> SessionReturn:
    """Staff correct a return: the session times, conditions, device check, counts and the whole list of
    vehicles are replaced. Registrations new to the return go onto the ladder; ones already filed stay."""
    if not can_manage_team(actor, ret.team):
        raise PermissionDenied("Only the team's officers and coordinators can change a return.")
    if ret.occurrence is None:
        raise Conflict("The shift of this return no longer exists, so it cannot be changed.")
    shift = check_can_record(ret.occurrence, actor, now=now, editing=True)
    checked = check_answers(
        ret.occurrence,
        shift,
        started=started,
        ended=ended,
        conditions=conditions,
        vehicles=list(vehicles),
        session=session,
    )
    before = len(ret.vehicles)
    ret.started_at, ret.ended_at, ret.conditions = checked.started_at, checked.ended_at, checked.conditions
    _apply_session(ret, checked)
    ret.vehicles = _vehicles(checked)  # delete-orphan removes the old rows
    repeats = flag_repeats(ret.vehicles, exclude_return_id=ret.id)
    db.session.flush()
    file_return(ret, now=now)
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
