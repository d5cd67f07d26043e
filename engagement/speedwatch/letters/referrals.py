"""Referrals: the team's task to visit a keeper (third sighting) or review a high-speed sighting.

Opened by the ladder (letters.ladder); an officer records what was done and closes it. A later
sighting opens a new referral if the last one is closed.
"""

from __future__ import annotations

from datetime import datetime

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import Conflict, DomainError, PermissionDenied
from engagement.core.permissions import can_manage_team
from engagement.extensions import db
from engagement.speedwatch.letters.models import CLOSED, OPEN, Referral

OUTCOME_MAX = 500


def close_referral(referral: Referral, *, actor, outcome: str, now: datetime | None = None) -> Referral:
    if not can_manage_team(actor, referral.team):
        raise PermissionDenied("Only the team's officers and coordinators can close its referrals.")
    if referral.status != OPEN:
        raise Conflict("This referral is already closed.")
    outcome = " ".join((outcome or "").split())
    if not outcome:
        raise DomainError("Say what was done, for example “Visited the keeper on 3 May; advice given”", field="outcome")
    if len(outcome) > OUTCOME_MAX:
        raise DomainError(f"The outcome must be {OUTCOME_MAX} characters or fewer", field="outcome")
    referral.status, referral.closed_at, referral.closed_by_id = CLOSED, now or utcnow(), actor.id
    referral.outcome = outcome
    db.session.flush()
    audit.record("speedwatch.referral_close", actor=actor, target=referral, summary=f"Closed referral {referral.id}")
    return referral
