"""Survey fixtures: a team with an officer, and an open survey with one question of every kind."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engagement.core.db import utcnow
from engagement.surveys.questions import QuestionDetails, add_question
from engagement.surveys.services import SurveyDetails, publish_survey, save_survey


@pytest.fixture
def team(make_team):
    return make_team(name="Ladywood", coverage=["B1", "B16 8"], contact_email="ladywood.npt@example.org")


@pytest.fixture
def other_team(make_team):
    return make_team(name="Foleshill", area="Coventry", coverage=["CV6"])


@pytest.fixture
def officer(make_user, team):
    return make_user(role="officer", teams=[team], display_name="Aisha Khan", rank="PCSO", email="aisha@example.org")


@pytest.fixture
def outsider(make_user, other_team):
    return make_user(role="officer", teams=[other_team], display_name="Joy Adeyemi", rank="PC")


@pytest.fixture
def coordinator(make_user):
    return make_user(role="coordinator", email="coord@example.org")


QUESTIONS = [
    QuestionDetails("single", "How often do you see officers where you live?",
                    options=["Every week", "Every month", "Rarely", "Never"], allow_other=True),
    QuestionDetails("multiple", "Which problems worry you?", options=["Speeding", "Burglary", "Anti-social behaviour"],
                    allow_other=True),
    QuestionDetails("rating", "How safe do you feel after dark?", low_label="Very unsafe", high_label="Very safe"),
    QuestionDetails("yesno", "Have you been to a police surgery?", required=False),
    QuestionDetails("short_text", "In a few words, what should we focus on?", required=False),
    QuestionDetails("long_text", "Anything else you want to tell us?", required=False, new_page=False),
    QuestionDetails("number", "How many years have you lived here?", min_value=0, max_value=120, required=False),
    QuestionDetails("postcode", "What is your postcode?", required=False),
]  # fmt: skip


def build_survey(db, team, *, mode="anonymous", title="Feeling safe in Ladywood", questions=QUESTIONS, publish=True,
                 opens=timedelta(days=-1), closes=timedelta(days=14)):  # fmt: skip
    now = utcnow()
    survey = save_survey(
        None,
        SurveyDetails(title=title, introduction="Tell us *how safe* you feel.", team=team, mode=mode,
                      opens_at=now + opens, closes_at=now + closes),
        actor=None,
    )  # fmt: skip
    for details in questions:
        add_question(survey, details, actor=None)
    if publish:
        publish_survey(survey, actor=None)
    db.session.commit()
    return survey


@pytest.fixture
def survey(db, team):
    return build_survey(db, team)


def q(survey, kind):
    """The survey's (first) question of a kind."""
    return next(question for question in survey.questions if question.kind == kind)


def option(question, label):
    return next(o for o in question.options if o.label == label)
