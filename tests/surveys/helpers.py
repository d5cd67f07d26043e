"""Records for tests outside this folder (the permissions matrix), built through the services."""

from __future__ import annotations

from datetime import timedelta

from engagement.core.db import utcnow
from engagement.extensions import db
from engagement.surveys.questions import QuestionDetails, add_question
from engagement.surveys.services import SurveyDetails, publish_survey, save_survey


def sample_records(team) -> dict:
    """An open survey belonging to `team` with a free-text question, as URL arguments."""
    now = utcnow()
    survey = save_survey(None, SurveyDetails(title="Sample survey", team=team, opens_at=now - timedelta(days=1),
                                             closes_at=now + timedelta(days=7)), actor=None)  # fmt: skip
    question = add_question(survey, QuestionDetails("long_text", "Anything else?", required=False), actor=None)
    publish_survey(survey, actor=None)
    db.session.commit()
    return {"survey_id": survey.id, "question_id": question.id, "language": "ur"}  # language: a translation page
