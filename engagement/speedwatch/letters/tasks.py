"""Worker task "speedwatch-keeper-erase": keeper names and addresses are kept only until the letter is
produced plus SPEEDWATCH_KEEPER_DAYS (default 14), then blanked. Details imported but never produced
are blanked the same period after import, and their letter waits for a new lookup.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, update

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.extensions import db
from engagement.speedwatch.letters.models import DUE, READY, Letter


def erase_keepers(now: datetime | None = None) -> int:
    """Blank keeper details past their period: two bulk updates; the audit entry holds counts only."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["SPEEDWATCH_KEEPER_DAYS"])
    held = and_(Letter.keeper_erased_at.is_(None), or_(Letter.keeper_name != "", Letter.keeper_address != ""))
    options = {"synchronize_session": False}
    produced = db.session.execute(
        update(Letter)
        .where(held, Letter.produced_at.is_not(None), Letter.produced_at <= cutoff)
        .values(keeper_name="", keeper_address="", keeper_erased_at=now),
        execution_options=options,
    ).rowcount
    unproduced = db.session.execute(
        update(Letter)
        .where(held, Letter.produced_at.is_(None), Letter.status == READY, Letter.keeper_added_at <= cutoff)
        .values(keeper_name="", keeper_address="", keeper_added_at=None, status=DUE),
        execution_options=options,
    ).rowcount
    if produced or unproduced:
        audit.record(
            "speedwatch.keepers_erase",
            actor=None,
            summary=f"Erased the keeper details of {produced + unproduced} Speed Watch letter(s)",
            produced=produced,
            unproduced=unproduced,
            cutoff=cutoff.isoformat(),
        )
    db.session.commit()
    return produced + unproduced
