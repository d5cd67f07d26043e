""" "You said, we did": after a survey closes, the team publishes headline results and what it will do.

Published outcomes show on the survey's page and on the team page (areas' and the force's
on every team page in scope). A news post can be drafted from one (surveys sit above news).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import DomainError, PermissionDenied
from engagement.extensions import db
from engagement.news.models import NewsPost
from engagement.news.services import PostDetails, save_post
from engagement.surveys.models import OUTCOME_MAX, PUBLISHED, Survey, SurveyOutcome
from engagement.surveys.services import markdown_source, may_manage


def save_outcome(
    survey: Survey, *, actor, said: str, will_do: str, headline_ids, publish: bool, now: datetime | None = None
) -> SurveyOutcome:
    now = now or utcnow()
    if not may_manage(actor, survey):
        raise PermissionDenied("You cannot change this survey.")
    if survey.state(now) != "closed":
        raise DomainError("You can publish “You said, we did” once the survey has closed.")
    said = markdown_source(said, "summary of what people said", "said", OUTCOME_MAX)
    will_do = markdown_source(will_do, "description of what the team will do", "will_do", OUTCOME_MAX)
    if publish and not said:
        raise DomainError("Say what people told you", field="said")
    if publish and not will_do:
        raise DomainError("Say what the team will do", field="will_do")
    known = {q.id for q in survey.questions}
    chosen = [int(i) for i in headline_ids or [] if str(i).isdigit() and int(i) in known]
    outcome = survey.outcome or SurveyOutcome(survey=survey)
    outcome.said, outcome.will_do, outcome.headline_question_ids = said, will_do, chosen
    if publish:
        outcome.published_at = outcome.published_at or now
    db.session.add(outcome)
    db.session.flush()
    audit.record(
        "survey.outcome_publish" if publish else "survey.outcome_save", actor=actor, target=survey, summary=survey.title
    )
    return outcome


def unpublish_outcome(survey: Survey, *, actor) -> None:
    if not may_manage(actor, survey):
        raise PermissionDenied("You cannot change this survey.")
    if survey.outcome is None or survey.outcome.published_at is None:
        raise DomainError("“You said, we did” is not published.")
    survey.outcome.published_at = None
    audit.record("survey.outcome_unpublish", actor=actor, target=survey, summary=survey.title)


def make_news_post(survey: Survey, *, actor, survey_url: str):
    """A draft news post from a published outcome (once; later calls return the same post)."""
    outcome = survey.outcome
    if outcome is None or not outcome.is_public:
        raise DomainError("Publish “You said, we did” first, then make a news post from it.")
    if outcome.news_post_id and (existing := db.session.get(NewsPost, outcome.news_post_id)):
        return existing
    body = (
        f"## You said\n\n{outcome.said}\n\n## We will\n\n{outcome.will_do}\n\n"
        f"[See the survey and its results]({survey_url})"
    )
    summary = f"What you told us in our survey “{survey.title}”, and what we are doing about it."
    post = save_post(
        None,
        PostDetails(
            title=f"You said, we did: {survey.title}"[:150],
            summary=summary[:300],
            body=body,
            team=survey.team,
            area=survey.area,
        ),
        actor=actor,
    )
    outcome.news_post_id = post.id
    audit.record("survey.outcome_news", actor=actor, target=survey, summary=survey.title, post=post.id)
    return post


# --- what residents see ---------------------------------------------------------------------


def _in_scope(team):
    """Surveys for this team, its area, or the whole force."""
    return or_(
        Survey.team_id == team.id,
        Survey.area == team.area,
        and_(Survey.team_id.is_(None), Survey.area.is_(None)),
    )


def open_surveys(team=None, now: datetime | None = None, limit: int = 50) -> list[Survey]:
    """Open surveys residents can find (event feedback surveys are sent to attendees instead)."""
    now = now or utcnow()
    query = (
        select(Survey)
        .where(
            Survey.status == PUBLISHED,
            Survey.opens_at <= now,
            Survey.closes_at > now,
            Survey.event_id.is_(None),
            Survey.event_type_id.is_(None),
        )
        .options(selectinload(Survey.team))
        .order_by(Survey.closes_at, Survey.id)
        .limit(limit)
    )
    if team is not None:
        query = query.where(_in_scope(team))
    return list(db.session.scalars(query))


def recent_outcomes(team=None, limit: int = 3) -> list[Survey]:
    query = (
        select(Survey)
        .join(SurveyOutcome, SurveyOutcome.survey_id == Survey.id)
        .where(SurveyOutcome.published_at.is_not(None))
        .options(selectinload(Survey.team), selectinload(Survey.outcome))
        .order_by(SurveyOutcome.published_at.desc(), Survey.id.desc())
        .limit(limit)
    )
    if team is not None:
        query = query.where(_in_scope(team))
    return list(db.session.scalars(query))
