"""`flask demo load` adds a closed survey with answers and "You said, we did", an open one and a feedback survey."""

from __future__ import annotations

from engagement.demo.surveys_data import CLOSED_CODE, FEEDBACK_CODE, OPEN_CODE, load_surveys_demo
from engagement.events.services import ensure_default_types
from engagement.surveys.models import Response, Survey
from engagement.surveys.results import compile_results


def test_demo_surveys_load_once_and_look_real(app, db, make_team):
    make_team(name="Ladywood", slug="ladywood", coverage=["B1", "B16 8", "B18"])
    make_team(name="Edgbaston", slug="edgbaston", coverage=["B15", "B16 0", "B16 9", "B17"])
    ensure_default_types()
    assert load_surveys_demo() == {"surveys": 3, "survey_responses": 378}
    db.session.commit()
    assert load_surveys_demo() == {"surveys": 0, "survey_responses": 0}
    surveys = {s.code: s for s in db.session.scalars(db.select(Survey))}
    closed, open_, feedback = surveys[CLOSED_CODE], surveys[OPEN_CODE], surveys[FEEDBACK_CODE]
    assert (closed.state(), open_.state(), feedback.state()) == ("closed", "open", "open")
    assert closed.outcome.is_public and len(closed.outcome.headline_question_ids) == 3
    results = compile_results(closed)
    assert results.total == 340
    assert {name for _, name in results.teams} == {"Ladywood", "Edgbaston"}
    assert "B16" in results.districts and results.questions[0].average > results.questions[1].average
    assert f"{results.total} of you answered" in closed.outcome.said
    assert feedback.event_type.slug == "cuppa-with-a-copper"
    assert db.session.scalar(db.select(db.func.count(Response.id))) == 378
