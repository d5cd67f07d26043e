"""Many complete responses at once, with two multi-row INSERTs (demo data, paper forms typed in later, tests).

The caller has already checked the answers; this only stores them, fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, text

from engagement.core.timeutil import to_local
from engagement.extensions import db
from engagement.surveys.models import COMPLETE, Answer, Response, Survey, new_secret

ANALYZE_AFTER = 500


@dataclass
class BulkResponse:
    completed_at: datetime
    answers: list[tuple] = field(default_factory=list)  # (question_id, option_id, number, text, sector)
    team_id: int | None = None
    district: str | None = None


def insert_responses(survey: Survey, responses: Sequence[BulkResponse]) -> int:
    if not responses:
        return 0
    # Core INSERTs of the tables: the ORM's bulk mode would split rows whose None columns differ.
    table = Response.__table__
    ids = db.session.scalars(
        insert(table).returning(table.c.id, sort_by_parameter_order=True),
        [
            {
                "survey_id": survey.id,
                "status": COMPLETE,
                "created_at": r.completed_at,
                "completed_at": r.completed_at,
                "completed_on": to_local(r.completed_at).date(),
                "secret": new_secret(),
                "team_id": r.team_id,
                "district": r.district,
            }
            for r in responses
        ],
    ).all()
    answers = [
        {"response_id": rid, "question_id": q, "option_id": o, "number": n, "text": t, "sector": s}
        for rid, r in zip(ids, responses, strict=True)
        for q, o, n, t, s in r.answers
    ]
    if answers:
        db.session.execute(insert(Answer.__table__), answers)
    if len(ids) >= ANALYZE_AFTER and db.session.get_bind().dialect.name == "postgresql":
        # Fresh planner statistics: with stale ones PostgreSQL picks a nested loop and results take seconds.
        db.session.execute(text("ANALYZE survey_responses, survey_answers"))
    return len(ids)
