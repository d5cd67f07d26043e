"""What surveys add to other features' pages through core.hooks: the team page, the staff
dashboard, and the "tell us how it went" box on an event date's page."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from engagement.core.db import utcnow
from engagement.extensions import db
from engagement.surveys import outcomes
from engagement.surveys.feedback import feedback_survey_for
from engagement.surveys.models import PUBLISHED, Survey
from engagement.surveys.results import response_counts


def team_section(team):
    surveys = outcomes.open_surveys(team, limit=5)
    done = outcomes.recent_outcomes(team, limit=2)
    if not surveys and not done:
        return ""
    return render_template("surveys/_team_section.html", team=team, surveys=surveys, outcomes=done)


def dashboard_rows(user, teams) -> list[tuple[Survey, tuple[int, int]]]:
    """Drafts, open surveys and those closing within a week, for the user's teams (one query and one count)."""
    now = utcnow()
    mine = [t.id for t in teams if t.id in user.team_ids] or [t.id for t in teams]
    query = (
        select(Survey)
        .where(
            Survey.team_id.in_(mine or [-1]),
            or_(Survey.status != PUBLISHED, Survey.closes_at > now - timedelta(days=7)),
        )
        .options(selectinload(Survey.team))
        .order_by(Survey.closes_at.is_(None), Survey.closes_at, Survey.id)
        .limit(8)
    )
    surveys = list(db.session.scalars(query))
    counts = response_counts([s.id for s in surveys])
    return [(s, counts.get(s.id, (0, 0))) for s in surveys]


def dashboard_section(user, teams):
    return render_template("surveys/staff/_dashboard.html", rows=dashboard_rows(user, teams))


def occurrence_columns() -> dict:
    """Selected with the event page (core.hooks): whether the date has finished. Until then the box is
    never shown and costs nothing; after, it depends on surveys opening and closing: never cached."""
    from sqlalchemy import bindparam

    from engagement.core.db import UTCDateTime
    from engagement.core.hooks import PAGE_NOW
    from engagement.events.models import Occurrence

    return {"uncached": Occurrence.ends_at <= bindparam(PAGE_NOW, type_=UTCDateTime)}


def occurrence_section(occurrence, viewer=None, data=None) -> str:
    """The "tell us how it went" box on an event page, once that date has finished."""
    if data is not None and not data.get("uncached"):
        return ""
    now = utcnow()
    if occurrence.ends_at > now or occurrence.is_cancelled or not occurrence.event.is_public:
        return ""
    survey = feedback_survey_for(occurrence, now)
    if survey is None:
        return ""
    return render_template("surveys/_occurrence_feedback.html", survey=survey, occurrence=occurrence)
