"""Delivery outcomes are committed in batches (issue 21): 60 copies cost two outcome statements, not 60,
and every outcome is still recorded once the send pass ends."""

from __future__ import annotations

from collections import Counter

from engagement.newsletter import delivery
from engagement.newsletter.issues import schedule
from engagement.newsletter.models import DELIVERED, SENT, Delivery
from tests.support.queries import count_queries


def test_outcomes_are_committed_in_batches_of_fifty(db, smtp, team, officer, subscribe, make_issue):
    for n in range(60):
        subscribe(f"resident{n:02d}@example.org", team=team)
    db.session.commit()
    issue = make_issue()
    schedule(issue, actor=officer)
    db.session.commit()
    delivery.start_due()
    with count_queries(db.engine) as statements:
        assert delivery.send_due() == 60
    outcome_updates = [s for s in statements if s.startswith("UPDATE newsletter_deliveries") and "last_error" in s]
    assert len(outcome_updates) == 2  # an executemany of 50, then the last 10 when the pass ends
    assert len(smtp.messages) == 60
    db.session.expire_all()
    assert Counter(db.session.scalars(db.select(Delivery.status))) == {DELIVERED: 60}
    assert db.session.get(type(issue), issue.id).status == SENT


def test_an_outcome_waits_at_most_the_batch_interval(app, db):
    """The two rules: a zero interval commits each outcome at once; otherwise a full batch commits."""
    outcomes = delivery.Outcomes(batch=50, seconds=0.0)
    try:
        outcomes.record(-1, delivery.utcnow(), status=DELIVERED, attempts=1)  # guarded by id and lease: no row
        assert outcomes.pending == [] and outcomes.commits == 1
        slow = delivery.Outcomes(batch=3, seconds=3600)
        try:
            for _ in range(2):
                slow.record(-1, delivery.utcnow(), status=DELIVERED, attempts=1)
            assert len(slow.pending) == 2 and slow.commits == 0
            slow.record(-1, delivery.utcnow(), status=DELIVERED, attempts=1)
            assert slow.pending == [] and slow.commits == 1
        finally:
            slow.close()
    finally:
        outcomes.close()
