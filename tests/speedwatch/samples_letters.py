"""Back office routes (letters, keepers, batches, referrals, a vehicle's history, the letters' wording)
for the permissions matrix, with sample records built from the models: a vehicle of the team seen once,
its letter produced in a batch with its keeper, and an open referral."""

from __future__ import annotations

from datetime import timedelta

from engagement.core.db import utcnow
from engagement.extensions import db
from engagement.speedwatch.letters.models import (
    FIRST_LETTER,
    PRODUCED,
    REFERRED,
    LadderStep,
    LadderVehicle,
    Letter,
    LetterBatch,
    Referral,
)

EXPECTED_ACCESS = {
    "speedwatch.letters": "staff",
    "speedwatch.keeper_lookup_csv": "staff",
    "speedwatch.keepers_import": "staff",
    "speedwatch.letters_produce": "staff",
    "speedwatch.letter_batch": "team",
    "speedwatch.letter_batch_pdf": "team",
    "speedwatch.letter_batch_csv": "team",
    "speedwatch.letter_batch_sent": "team",
    "speedwatch.letter_templates": "coordinator",
    "speedwatch.letter_template_edit": "coordinator",
    "speedwatch.referrals": "staff",
    "speedwatch.referral": "team",
    "speedwatch.vehicle": "team",
}


def sample_records(team) -> dict:
    now = utcnow()
    seen = now - timedelta(days=3)
    entry = LadderVehicle(registration="AB12CDE", step=FIRST_LETTER, step_at=now, last_seen_at=seen, team_id=team.id)
    db.session.add(entry)
    db.session.flush()
    db.session.add(
        LadderStep(
            ladder_id=entry.id,
            team_id=team.id,
            step=FIRST_LETTER,
            moved_at=now,
            seen_at=seen,
            site_name="Sample return site",
            speed_mph=41,
            speed_limit=30,
        )
    )
    batch = LetterBatch(produced_at=now)
    db.session.add(batch)
    db.session.flush()
    db.session.add(
        Letter(
            ladder_id=entry.id,
            team_id=team.id,
            step=FIRST_LETTER,
            status=PRODUCED,
            registration="AB12CDE",
            make="Ford",
            colour="Blue",
            site_name="Sample return site",
            road="Sample Lane",
            speed_mph=41,
            speed_limit=30,
            seen_at=seen,
            keeper_name="Alex Keeper",
            keeper_address="1 High Street\nBirmingham\nB1 1AA",
            keeper_added_at=now,
            batch_id=batch.id,
            produced_at=now,
        )
    )
    referral = Referral(ladder_id=entry.id, team_id=team.id, reason=REFERRED)
    db.session.add(referral)
    db.session.commit()
    return {"ladder_id": entry.id, "batch_id": batch.id, "referral_id": referral.id, "step": FIRST_LETTER}
