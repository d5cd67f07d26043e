"""Worker task "speedwatch-returns-purge": returns are personal data, kept SPEEDWATCH_RETENTION_DAYS only.

A registration's letter-ladder record (its steps, letters and referrals) goes with its last sighting:
once no sighting of it is younger than the retention period, nothing about it is kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.extensions import db
from engagement.speedwatch.letters.models import LadderStep, LadderVehicle, Letter, Referral
from engagement.speedwatch.returns.models import SessionReturn, Vehicle


def purge_returns(now: datetime | None = None) -> int:
    """Worker task: delete returns (and their vehicles) whose session ended more than
    SPEEDWATCH_RETENTION_DAYS ago. Two bulk deletes; the audit entry holds counts only."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["SPEEDWATCH_RETENTION_DAYS"])
    old = select(SessionReturn.id).where(SessionReturn.ended_at < cutoff)
    vehicles = db.session.execute(
        delete(Vehicle).where(Vehicle.return_id.in_(old)).execution_options(synchronize_session=False)
    ).rowcount
    returns = db.session.execute(
        delete(SessionReturn).where(SessionReturn.ended_at < cutoff).execution_options(synchronize_session=False)
    ).rowcount
    stale = select(LadderVehicle.id).where(LadderVehicle.last_seen_at < cutoff)
    for model in (Letter, Referral, LadderStep):
        db.session.execute(delete(model).where(model.ladder_id.in_(stale)).execution_options(synchronize_session=False))
    ladder = db.session.execute(
        delete(LadderVehicle).where(LadderVehicle.last_seen_at < cutoff).execution_options(synchronize_session=False)
    ).rowcount
    if returns or vehicles or ladder:
        audit.record(
            "speedwatch.returns.purge",
            actor=None,
            summary=f"Deleted {returns} Speed Watch return(s) older than the retention period",
            returns=returns,
            vehicles=vehicles,
            ladder=ladder,
            cutoff=cutoff.isoformat(),
        )
    db.session.commit()
    return returns
