"""Worker task "speedwatch-returns-purge": returns are personal data, kept SPEEDWATCH_RETENTION_DAYS only."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.extensions import db
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
    if returns or vehicles:
        audit.record(
            "speedwatch.returns.purge",
            actor=None,
            summary=f"Deleted {returns} Speed Watch return(s) older than the retention period",
            returns=returns,
            vehicles=vehicles,
            cutoff=cutoff.isoformat(),
        )
    db.session.commit()
    return returns
