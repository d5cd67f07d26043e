"""Building surveys: who may build what, questions and pages, publishing, closing and copying.

Officers build surveys for their own teams; coordinators and admins also for an area or
the whole force. Once a survey has any response, the questions are locked except for
changes that cannot alter what earlier people answered (moving a question, a new page
break, making a question optional, its hint); anything else is refused with an offer to
make a copy. Services take the actor explicitly, audit each change and never commit.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import Conflict, DomainError, PermissionDenied
from engagement.core.markup import clean_source, has_tags
from engagement.core.permissions import can_manage_team, works_across_teams
from engagement.extensions import db
from engagement.surveys.models import (
    DRAFT,
    INTRO_MAX,
    MODES,
    PUBLISHED,
    TITLE_MAX,
    Question,
    QuestionOption,
    Response,
    Survey,
)
from engagement.teams.models import AREAS

CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read off a poster
CODE_LENGTH = 6
LOCKED_MESSAGE = (
    "People have already answered this survey, so this change would alter what they answered. "
    "You can move a question, start a new page, make a question optional or change its hint. "
    "For anything else, make a copy of the survey and change the copy."
)


class Locked(Conflict):
    """A change that would break answers already given."""


def may_build_for(actor, team=None, area: str | None = None) -> bool:
    """Teams for their officers; areas and the whole force for coordinators and admins only."""
    if actor is None:  # the CLI and demo loader act as the system
        return True
    if team is not None:
        return can_manage_team(actor, team)
    return works_across_teams(actor)


def may_manage(actor, survey: Survey) -> bool:
    return may_build_for(actor, survey.team, survey.area)


def scope_label(survey: Survey) -> str:
    if survey.team is not None:
        return f"{survey.team.name} Neighbourhood Team"
    if survey.area:
        return f"All teams in {survey.area}"
    return "The whole force"


def readers_label(survey: Survey) -> str:
    """Who reads the answers, as a resident reads it: "the Ladywood Neighbourhood Team"."""
    if survey.team is not None:
        return f"the {survey.team.name} Neighbourhood Team"
    if survey.area:
        return f"the neighbourhood teams in {survey.area}"
    return current_app.config["FORCE_NAME"]


def response_count(survey: Survey) -> int:
    """Every response, confirmed or not: a pending one may still be confirmed."""
    return db.session.scalar(select(func.count(Response.id)).where(Response.survey_id == survey.id)) or 0


def is_locked(survey: Survey) -> bool:
    return survey.id is not None and response_count(survey) > 0


def plain(value: str, label: str, field_name: str, limit: int, required: bool = True) -> str:
    text = " ".join((value or "").replace("\x00", "").split())
    if has_tags(text):
        raise DomainError(f"The {label} cannot contain HTML. Write plain text.", field=field_name)
    if required and not text:
        raise DomainError(f"Enter the {label}", field=field_name)
    if len(text) > limit:
        raise DomainError(f"The {label} must be {limit} characters or fewer", field=field_name)
    return text


def markdown_source(value: str, label: str, field_name: str, limit: int) -> str:
    if has_tags(re.sub(r"<(?:https?://|mailto:)[^<>\s]+>", "", value or "")):
        raise DomainError(f"The {label} cannot contain HTML tags. Use plain text or Markdown.", field=field_name)
    text = clean_source((value or "").replace("\x00", ""))
    if len(text) > limit:
        raise DomainError(f"The {label} must be {limit:,} characters or fewer", field=field_name)
    return text


def _new_code() -> str:
    for _ in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(Survey.id).where(Survey.code == code)) is None:
            return code
    raise RuntimeError("could not find a free survey code")  # 31^6 codes: practically unreachable


# --- the survey itself ---------------------------------------------------------------------


@dataclass
class SurveyDetails:
    """What an officer types on the settings page. Times are aware UTC (forms convert from UK time)."""

    title: str
    introduction: str = ""
    team: object | None = None
    area: str | None = None
    mode: str = "anonymous"
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    event: object | None = None
    event_type: object | None = None


def _check_details(details: SurveyDetails, actor, survey: Survey | None) -> SurveyDetails:
    title = plain(details.title, "title", "title", TITLE_MAX)
    intro = markdown_source(details.introduction, "introduction", "introduction", INTRO_MAX)
    if details.team is not None and details.area:
        raise DomainError("Choose a team or an area, not both", field="scope")
    if details.area and details.area not in AREAS:
        raise DomainError(f"Choose an area: {', '.join(AREAS)}", field="scope")
    if not may_build_for(actor, details.team, details.area):
        if details.team is not None:
            raise PermissionDenied(f"You can only run surveys for your own teams, not {details.team.name}.", "scope")
        raise PermissionDenied("Only coordinators can run surveys for a whole area or the force.", field="scope")
    if details.mode not in MODES:
        raise DomainError("Choose who can answer", field="mode")
    if survey is not None and survey.mode != details.mode and is_locked(survey):
        raise Locked(
            "People have already answered, so you cannot change who can answer: "
            "it would change how repeat answers were stopped. Make a copy instead.",
            field="mode",
        )
    if details.opens_at and details.closes_at and details.closes_at <= details.opens_at:
        raise DomainError("The closing time must be after the opening time", field="closes_date")
    if details.event is not None and details.event_type is not None:
        raise DomainError("Attach the survey to one event or to a kind of event, not both", field="feedback_for")
    if details.event is not None and details.event.team_id != getattr(details.team, "id", None):
        raise DomainError("Feedback for a single event must come from that event's team", field="feedback_for")
    return SurveyDetails(
        title=title,
        introduction=intro,
        team=details.team,
        area=details.area or None,
        mode=details.mode,
        opens_at=details.opens_at,
        closes_at=details.closes_at,
        event=details.event,
        event_type=details.event_type,
    )


def save_survey(survey: Survey | None, details: SurveyDetails, *, actor) -> Survey:
    """Create (survey=None) a draft or change a survey's settings."""
    if survey is not None and not may_manage(actor, survey):
        raise PermissionDenied("You cannot change this survey.")
    clean = _check_details(details, actor, survey)
    creating = survey is None
    if creating:
        survey = Survey(code=_new_code(), status=DRAFT, created_by_id=getattr(actor, "id", None))
        db.session.add(survey)
    survey.title, survey.introduction, survey.mode = clean.title, clean.introduction, clean.mode
    survey.team, survey.area = clean.team, clean.area
    survey.opens_at, survey.closes_at = clean.opens_at, clean.closes_at
    survey.event, survey.event_type = clean.event, clean.event_type
    db.session.flush()
    audit.record("survey.create" if creating else "survey.update", actor=actor, target=survey, summary=survey.title)
    return survey


def publish_survey(survey: Survey, *, actor, now: datetime | None = None) -> Survey:
    """Make a survey answerable from its opening time (now, if none was set) until it closes."""
    now = now or utcnow()
    if not may_manage(actor, survey):
        raise PermissionDenied("You cannot publish this survey.")
    if survey.status == PUBLISHED:
        return survey
    if not survey.questions:
        raise DomainError("Add at least one question before you publish the survey.")
    if survey.closes_at is None:
        raise DomainError("Set a closing date before you publish the survey.")
    if survey.closes_at <= now:
        raise DomainError("The closing date has passed. Change it before you publish the survey.")
    survey.opens_at = survey.opens_at or now
    survey.status = PUBLISHED
    survey.published_at = survey.published_at or now
    audit.record("survey.publish", actor=actor, target=survey, summary=survey.title)
    return survey


def close_survey(survey: Survey, *, actor, now: datetime | None = None) -> Survey:
    now = now or utcnow()
    if not may_manage(actor, survey):
        raise PermissionDenied("You cannot close this survey.")
    if survey.state(now) not in ("open", "scheduled"):
        raise DomainError("This survey is not open.")
    survey.closes_at = now
    if survey.opens_at and survey.opens_at > now:
        survey.opens_at = now
    audit.record("survey.close", actor=actor, target=survey, summary=survey.title)
    return survey


def delete_survey(survey: Survey, *, actor) -> None:
    if not may_manage(actor, survey):
        raise PermissionDenied("You cannot delete this survey.")
    if is_locked(survey):
        raise Locked("People have answered this survey, so it cannot be deleted. Close it instead.")
    audit.record("survey.delete", actor=actor, target=survey, summary=survey.title)
    db.session.delete(survey)


def copy_survey(survey: Survey, *, actor) -> Survey:
    """A new draft with the same settings and questions, to change freely ("make a copy")."""
    if not may_manage(actor, survey):
        raise PermissionDenied("You cannot copy this survey.")
    copy = Survey(
        code=_new_code(),
        status=DRAFT,
        title=f"Copy of {survey.title}"[:TITLE_MAX],
        introduction=survey.introduction,
        team=survey.team,
        area=survey.area,
        mode=survey.mode,
        event_id=survey.event_id,
        event_type_id=survey.event_type_id,
        copied_from_id=survey.id,
        created_by_id=getattr(actor, "id", None),
        translations=survey.translations,
    )
    for question in survey.questions:
        clone = Question(
            position=question.position,
            kind=question.kind,
            text=question.text,
            hint=question.hint,
            required=question.required,
            new_page=question.new_page,
            allow_other=question.allow_other,
            min_value=question.min_value,
            max_value=question.max_value,
            low_label=question.low_label,
            high_label=question.high_label,
            translations=question.translations,
        )
        clone.options = [
            QuestionOption(position=o.position, label=o.label, translations=o.translations) for o in question.options
        ]
        copy.questions.append(clone)
    db.session.add(copy)
    db.session.flush()
    audit.record("survey.copy", actor=actor, target=copy, summary=copy.title, copied_from=survey.id)
    return copy
