"""The letter ladder: where each sighting puts its vehicle, decided when the return is saved.

For each registration in a return (once per session, at its highest speed):
* at or over the high-speed threshold (limit + SPEEDWATCH_HIGH_SPEED_MARGIN): straight to the team
  for review (a referral), whatever step it was at;
* otherwise, not seen within SPEEDWATCH_REPEAT_DAYS of its last sighting: first advisory letter;
* seen again within that window after a first letter: second letter;
* seen again within the window after that: referred for a police visit (a task for the team's officers).
Each move is a LadderStep row (what, when, where); letters are created due (waiting for the DVLA
keeper lookup), and an older letter not yet produced is superseded by the newer step's letter.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from engagement.core import audit
from engagement.core.db import lock_row, utcnow
from engagement.core.timeutil import format_date
from engagement.core.urls import public_url
from engagement.extensions import db
from engagement.speedwatch.letters.models import (
    DUE,
    FIRST_LETTER,
    HIGH_SPEED,
    LETTER_STEPS,
    OPEN,
    READY,
    REFERRED,
    SECOND_LETTER,
    STEP_LABELS,
    SUPERSEDED,
    LadderStep,
    LadderVehicle,
    Letter,
    Referral,
)
from engagement.speedwatch.mail import send, team_recipients
from engagement.speedwatch.returns.thresholds import high_speed_for


def next_step(current: str, last_seen: datetime | None, seen_at: datetime, speed: int, limit: int) -> str:
    """The step a sighting moves a vehicle to, from where it was and when it was last seen."""
    if speed >= high_speed_for(limit):
        return HIGH_SPEED
    window = timedelta(days=current_app.config["SPEEDWATCH_REPEAT_DAYS"])
    if not current or last_seen is None or abs(seen_at - last_seen) > window:
        return FIRST_LETTER
    if current == FIRST_LETTER:
        return SECOND_LETTER
    return REFERRED


def _filed_registrations(ret) -> set[str]:
    """Registrations of this return already on the ladder (a corrected return files only new ones)."""
    query = (
        select(LadderVehicle.registration)
        .join(LadderStep, LadderStep.ladder_id == LadderVehicle.id)
        .where(LadderStep.return_id == ret.id)
    )
    return set(db.session.scalars(query))


def file_return(ret, now: datetime | None = None) -> dict[str, int]:
    """Move each vehicle of a saved return along the ladder; returns how many went to each step."""
    now = now or utcnow()
    fastest: dict[str, object] = {}
    for vehicle in ret.vehicles:  # one session is one sighting: keep each registration's highest speed
        if vehicle.registration not in fastest or vehicle.speed_mph > fastest[vehicle.registration].speed_mph:
            fastest[vehicle.registration] = vehicle
    done = _filed_registrations(ret) if fastest else set()
    moved: dict[str, int] = {}
    for registration in sorted(fastest):
        if registration in done:
            continue
        step = _file(ret, fastest[registration], now)
        moved[step] = moved.get(step, 0) + 1
    return moved


def _file(ret, vehicle, now: datetime) -> str:
    # Locked (or created) per registration, so two returns naming one vehicle queue up rather than both move it.
    entry = lock_row(
        LadderVehicle, {"registration": vehicle.registration}, LadderVehicle.step, lambda: {"step": "", "step_at": now}
    )
    step = next_step(entry.step, entry.last_seen_at, vehicle.seen_at, vehicle.speed_mph, ret.speed_limit)
    entry.step, entry.step_at, entry.team_id = step, now, ret.team_id
    entry.last_seen_at = max(filter(None, (entry.last_seen_at, vehicle.seen_at)))
    db.session.add(
        LadderStep(
            ladder_id=entry.id,
            return_id=ret.id,
            team_id=ret.team_id,
            step=step,
            moved_at=now,
            seen_at=vehicle.seen_at,
            site_name=ret.site_name,
            speed_mph=vehicle.speed_mph,
            speed_limit=ret.speed_limit,
        )
    )
    if step in LETTER_STEPS:
        _letter_due(entry, ret, vehicle, step)
    else:
        _refer(entry, ret, vehicle, step)
    return step


def _supersede(entry: LadderVehicle) -> None:
    """A letter not yet produced is replaced by what the newer sighting calls for (one letter per keeper)."""
    db.session.execute(
        update(Letter)
        .where(Letter.ladder_id == entry.id, Letter.status.in_((DUE, READY)))
        .values(status=SUPERSEDED, keeper_name="", keeper_address=""),
        execution_options={"synchronize_session": False},
    )


def _letter_due(entry: LadderVehicle, ret, vehicle, step: str) -> None:
    _supersede(entry)
    db.session.add(
        Letter(
            ladder_id=entry.id,
            team_id=ret.team_id,
            step=step,
            status=DUE,
            registration=vehicle.registration,
            make=vehicle.make,
            colour=vehicle.colour,
            site_name=ret.site_name,
            road=ret.road,
            speed_mph=vehicle.speed_mph,
            speed_limit=ret.speed_limit,
            seen_at=vehicle.seen_at,
        )
    )


def _refer(entry: LadderVehicle, ret, vehicle, step: str) -> None:
    """A task for the team's officers: one open referral per vehicle and team, emailed when it opens."""
    _supersede(entry)
    existing = db.session.scalar(
        select(Referral).where(Referral.ladder_id == entry.id, Referral.team_id == ret.team_id, Referral.status == OPEN)
    )
    if existing is not None:
        if step == HIGH_SPEED:
            existing.reason = HIGH_SPEED
        return
    referral = Referral(ladder_id=entry.id, team_id=ret.team_id, reason=step, status=OPEN)
    db.session.add(referral)
    db.session.flush()
    team = ret.team
    subject = f"Speed Watch: a vehicle {STEP_LABELS[step].lower()} ({team.name})"
    for address in team_recipients(team):
        send(
            address,
            subject,
            "referral_opened",
            team=team,
            step_label=STEP_LABELS[step],
            speed=vehicle.speed_mph,
            limit=ret.speed_limit,
            site=ret.site_name,
            seen=format_date(vehicle.seen_at),
            referral_url=public_url("speedwatch.referral", referral_id=referral.id),
        )
    audit.record(
        "speedwatch.referral_open",
        target=referral,
        summary=f"{STEP_LABELS[step]}: a vehicle seen at {ret.site_name} ({team.name})",
        reason=step,
    )
