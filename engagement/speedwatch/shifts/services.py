"""Shift rules: scheduling a Speed Watch shift, signing up and withdrawing.

A shift is an events `Event` (so feeds, moving and cancelling come from the events feature)
plus a `Shift` row. Places are taken on the date's counter row (shifts.staffing), so the
maximum holds however many volunteers tap "Join" at once; the same row records the quorum
check (shifts.quorum). Services take the actor or volunteer explicitly, raise DomainError with
a message a volunteer can read, and never commit.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import Conflict, DomainError, NotFound
from engagement.core.permissions import can_manage_team
from engagement.core.timeutil import format_date, local_to_utc, to_local
from engagement.events.details import EventDetails, When
from engagement.events.models import EventType, Occurrence
from engagement.events.recurrence import RepeatPattern
from engagement.events.rrule_expansion import occurrence_local_starts
from engagement.events.services import create_event, ensure_default_types, publish_event
from engagement.events.validation import build_rule
from engagement.extensions import db
from engagement.speedwatch.devices.services import check_assignable, check_free
from engagement.speedwatch.shifts.models import (
    NOTES_MAX,
    SHIFT_ROLES,
    SIGNED_UP,
    TEAM_LIMITS,
    WITHDRAWN,
    Shift,
    ShiftSignup,
)
from engagement.speedwatch.shifts.staffing import alert_if_short, lock_staffing, release_place, shift_for, take_place
from engagement.speedwatch.sites.services import check_site_bookable
from engagement.speedwatch.volunteers.services import check_can_take_shifts

SPEEDWATCH_TYPE = "community-speed-watch"


# --- scheduling ------------------------------------------------------------------------------


def speedwatch_type() -> EventType:
    etype = db.session.scalar(select(EventType).where(EventType.slug == SPEEDWATCH_TYPE))
    if etype is None:
        ensure_default_types()
        etype = db.session.scalar(select(EventType).where(EventType.slug == SPEEDWATCH_TYPE))
    return etype


def check_team_size(min_team: int | None, max_team: int | None) -> None:
    low, high = TEAM_LIMITS
    if min_team is None or not low <= min_team <= high:
        raise DomainError(f"The minimum team must be between {low} and {high} volunteers", field="min_team")
    if max_team is None or not low <= max_team <= high:
        raise DomainError(f"The maximum team must be between {low} and {high} volunteers", field="max_team")
    if max_team < min_team:
        raise DomainError(
            f"The maximum team ({max_team}) cannot be smaller than the minimum ({min_team})", field="max_team"
        )


def _shift_days(start: datetime, pattern: RepeatPattern | None) -> list[date]:
    """Every date the shift will happen on: all of a series' dates, not only the materialised ones."""
    if pattern is None:
        return [start.date()]
    return [s.date() for s in occurrence_local_starts(build_rule(pattern, start), start)]


def schedule_shift(
    *,
    actor,
    team,
    site,
    device=None,
    day: date,
    start: time,
    end: time,
    pattern: RepeatPattern | None = None,
    min_team: int = 3,
    max_team: int = 6,
    notes: str = "",
    publish: bool = True,
    now: datetime | None = None,
) -> Shift:
    """A one-off or repeating shift at a site holding a speed device; refused if the site's assessment
    lapses on any of its dates, if the device is not calibrated on the first, or is booked at the same time."""
    now = now or utcnow()
    if team is None:
        raise DomainError("Choose one of your teams", field="team")
    if actor is not None and not can_manage_team(actor, team):
        raise DomainError("You can only schedule shifts for your own teams", field="team")
    if site is None or site.team_id != team.id:
        raise DomainError("Choose one of this team's Speed Watch sites", field="site")
    if site.venue is None:
        raise DomainError("This site has no place on the map yet. Edit the site and save it again", field="site")
    check_team_size(min_team, max_team)
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX:
        raise DomainError(f"Notes must be {NOTES_MAX} characters or fewer", field="notes")
    start_local, end_local = datetime.combine(day, start), datetime.combine(day, end)
    if end_local <= start_local:
        raise DomainError("The end time must be after the start time", field="end_time")
    if start_local <= to_local(now).replace(tzinfo=None):
        raise DomainError("The shift must start in the future", field="date")
    details = EventDetails(
        team=team,
        event_type=speedwatch_type(),
        title=f"Speed Watch: {site.name}"[:120],
        venue=site.venue,
        signup_mode="volunteers",
    )
    days = _shift_days(start_local, pattern)
    for shift_day in days:  # before anything is written
        try:
            check_site_bookable(site, shift_day)
        except DomainError as exc:
            raise DomainError(
                f"There cannot be a shift on {format_date(shift_day)}. {exc.message}, or end the series earlier.",
                field="date",
            ) from exc
    check_assignable(device, team, days[0], today=to_local(now).date())
    check_free(device, [(local_to_utc(d, start), local_to_utc(d, end)) for d in days])
    event = create_event(actor=actor, details=details, when=When(start_local, end_local), pattern=pattern, now=now)
    shift = Shift(event_id=event.id, site_id=site.id, min_team=min_team, max_team=max_team, notes=notes)
    shift.event, shift.site = event, site
    shift.device_id, shift.device = device.id, device
    db.session.add(shift)
    db.session.flush()
    audit.record(
        "speedwatch.shift_schedule",
        actor=actor,
        target=event,
        summary=f"{event.title}, {format_date(day)}",
        site_id=site.id,
        device_id=device.id,
        min_team=min_team,
        max_team=max_team,
        dates=len(event.occurrences),
    )
    if publish:
        publish_event(event, actor=actor, now=now)
    return shift


def live_signup(volunteer, row: Occurrence) -> ShiftSignup | None:
    return db.session.scalar(
        select(ShiftSignup).where(
            ShiftSignup.occurrence_id == row.id,
            ShiftSignup.volunteer_id == volunteer.id,
            ShiftSignup.status == SIGNED_UP,
        )
    )


# --- volunteers signing up and withdrawing ---------------------------------------------------


def team_shift(volunteer, row: Occurrence) -> Shift:
    """The shift behind a date the volunteer may see: their own team's, published. Else NotFound."""
    shift = shift_for(row)
    event = row.event
    if shift is None or volunteer is None or event.team_id != volunteer.team_id or not event.is_public:
        raise NotFound("We could not find that shift.")
    return shift


def sign_up_for_shift(volunteer, occurrence: Occurrence, role: str = "", now: datetime | None = None) -> ShiftSignup:
    """Put the volunteer on one date, in a role or "any role"; the maximum is enforced by the database."""
    now = now or utcnow()
    shift = team_shift(volunteer, occurrence)
    if occurrence.is_cancelled:
        raise DomainError("This shift has been cancelled, so you cannot sign up for it.")
    if occurrence.starts_at <= now:
        raise DomainError("This shift has already started or finished, so you cannot sign up for it.")
    role = role or ""
    if role and role not in SHIFT_ROLES:
        raise DomainError("Choose a role from the list, or any role", field="role")
    day = to_local(occurrence.starts_at).date()
    check_can_take_shifts(volunteer, day)
    check_site_bookable(shift.site, day)
    lock_staffing(occurrence)
    if live_signup(volunteer, occurrence) is not None:
        raise Conflict("You are already signed up for this shift.")
    if not take_place(occurrence, shift.max_team):
        raise DomainError(
            f"This shift is full: it already has {shift.max_team} volunteers. Choose another date, or ask the team."
        )
    signup = ShiftSignup(occurrence_id=occurrence.id, volunteer_id=volunteer.id, role=role, status=SIGNED_UP)
    signup.occurrence, signup.volunteer = occurrence, volunteer
    db.session.add(signup)
    db.session.flush()
    audit.record(
        "speedwatch.shift_join",
        target=occurrence,
        actor=volunteer.user,
        summary=f"{volunteer.name} joined {occurrence.event.title}, {format_date(occurrence.starts_at)}",
        volunteer_id=volunteer.id,
        role=role,
    )
    return signup


def withdraw_from_shift(
    volunteer, occurrence: Occurrence, now: datetime | None = None, *, actor=None, why: str = "withdrew"
) -> ShiftSignup:
    """Take the volunteer off a coming date and free the place; a date that falls short after its
    quorum check is not cancelled: the team is alerted instead (once)."""
    now = now or utcnow()
    team_shift(volunteer, occurrence)
    if occurrence.starts_at <= now:
        raise DomainError("This shift has already started or finished, so you cannot withdraw from it now.")
    signup = live_signup(volunteer, occurrence)
    if signup is None:
        raise DomainError("You are not signed up for this shift.")
    withdraw_signup(signup, occurrence, now, actor=actor if actor is not None else volunteer.user, why=why)
    return signup


def withdraw_signup(signup: ShiftSignup, row: Occurrence, now: datetime, *, actor, why: str) -> None:
    lock_staffing(row)
    signup = db.session.scalars(
        select(ShiftSignup).where(ShiftSignup.id == signup.id).execution_options(populate_existing=True)
    ).one()
    if signup.status != SIGNED_UP:
        return  # a double tap: the first request already withdrew
    signup.status, signup.withdrawn_at = WITHDRAWN, now
    release_place(row)
    db.session.flush()
    audit.record(
        "speedwatch.shift_withdraw",
        actor=actor,
        target=row,
        summary=f"{signup.volunteer.name} {why}: {row.event.title}, {format_date(row.starts_at)}",
        volunteer_id=signup.volunteer_id,
    )
    alert_if_short(row, now)
