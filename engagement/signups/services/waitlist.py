"""The waiting list: when places free up, confirm in order every waiting sign-up that fits.

One that does not fit keeps its number and is passed over, so a 1-place sign-up behind a
3-place one gets the single free place. Nobody is ever moved off a confirmed place, even if
capacity is lowered.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from engagement.core.db import utcnow
from engagement.events.models import Occurrence
from engagement.extensions import db
from engagement.signups import emails
from engagement.signups.models import CONFIRMED, WAITING, Signup
from engagement.signups.services.slots import free_places, lock_slot, skip_reminder_if_late, take_places


def promote_from_waitlist(row: Occurrence, *, now: datetime | None = None) -> list[Signup]:
    """Confirm, in order, every waiting sign-up that fits the free places (caller holds the lock)."""
    now = now or utcnow()
    if row.is_cancelled or row.starts_at <= now:
        return []
    slot = lock_slot(row)
    free = free_places(row, slot)
    if free == 0:
        return []
    waiting = db.session.scalars(
        select(Signup).where(Signup.occurrence_id == row.id, Signup.status == WAITING).order_by(Signup.queue_no)
    ).all()
    promoted = []
    for signup in waiting:
        if free is not None and signup.places > free:
            continue  # too big for the places free now: keeps its number
        if not take_places(row, signup.places):
            continue
        signup.status, signup.confirmed_at, signup.promoted_at = CONFIRMED, now, now
        skip_reminder_if_late(signup, row, now)
        promoted.append(signup)
        if free is not None:
            free -= signup.places
            if free == 0:
                break
    db.session.flush()
    for signup in promoted:
        if signup.reachable:
            emails.promoted(signup)
    return promoted
