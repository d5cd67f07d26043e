"""The rules for priorities: at most five current per team, dated actions, closing with an outcome.

Every text is stored as plain text (tags stripped on the way in) and shown escaped, so what
an officer types, or what a police.uk file carries, can never inject markup. Services take the
actor explicitly (None is the CLI) and never commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import DomainError, PermissionDenied
from engagement.core.markup import strip_tags
from engagement.core.permissions import can_manage_team
from engagement.core.timeutil import to_local
from engagement.extensions import db
from engagement.priorities.models import (
    ACTION_MAX,
    CLOSED,
    CURRENT,
    DETAIL_MAX,
    HOW_LABELS,
    ISSUE_MAX,
    MAX_CURRENT,
    OUTCOME_MAX,
    SURVEY,
    Priority,
    PriorityAction,
)
from engagement.surveys.models import PUBLISHED, Survey

EARLIEST = date(2000, 1, 1)  # police.uk's own records start in the 2000s; anything earlier is a typo
ACTION_AHEAD = timedelta(days=31)  # "Dispersal order 2-9 March" may be recorded a few days before it starts
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def today() -> date:
    return to_local(utcnow()).date()


def clean_text(value: str, *, label: str, field: str, limit: int, required: bool = True) -> str:
    """Plain text as stored: no tags, single spaces, at most one blank line between paragraphs."""
    text = strip_tags((value or "").replace("\r\n", "\n").replace("\r", "\n"))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    if required and not text:
        raise DomainError(f"Enter {label}", field=field)
    if len(text) > limit:
        raise DomainError(f"{label[0].upper()}{label[1:]} must be {limit:,} characters or fewer", field=field)
    return text


def check_date(value: date | None, *, label: str, field: str, earliest: date = EARLIEST, latest: date) -> date:
    if value is None:
        raise DomainError(f"Enter {label}", field=field)
    if value < earliest:
        raise DomainError(f"{label[0].upper()}{label[1:]} must be on or after {earliest.day} {earliest:%B %Y}",
                          field=field)  # fmt: skip
    if value > latest:
        raise DomainError(f"{label[0].upper()}{label[1:]} cannot be after {latest.day} {latest:%B %Y}", field=field)
    return value


def require_manager(actor, team) -> None:
    if actor is not None and not can_manage_team(actor, team):
        raise PermissionDenied("Only the team's officers (or coordinators) can change its priorities.")


def current_count(team) -> int:
    query = select(func.count()).where(Priority.team_id == team.id, Priority.status == CURRENT)
    return db.session.scalar(query) or 0


def _room_for_one(team, message: str) -> None:
    if current_count(team) >= MAX_CURRENT:
        raise DomainError(message.format(n=MAX_CURRENT))


def survey_in_scope(team, survey_id: int | None) -> Survey | None:
    """A published survey of the team, its area or the whole force, or None; anything else is refused."""
    if not survey_id:
        return None
    survey = db.session.get(Survey, survey_id)
    if survey is None or survey.status != PUBLISHED or not _in_scope(survey, team):
        raise DomainError("Choose one of the surveys in the list", field="survey")
    return survey


def _in_scope(survey: Survey, team) -> bool:
    return survey.team_id == team.id or survey.area == team.area or (survey.team_id is None and not survey.area)


def survey_choices(team, limit: int = 30) -> list[Survey]:
    """Published surveys residents of this team could answer, newest first (one query)."""
    query = (
        select(Survey)
        .where(
            Survey.status == PUBLISHED,
            Survey.event_id.is_(None),
            Survey.event_type_id.is_(None),
            or_(
                Survey.team_id == team.id, Survey.area == team.area, (Survey.team_id.is_(None) & Survey.area.is_(None))
            ),
        )
        .order_by(Survey.opens_at.desc(), Survey.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


@dataclass
class PriorityDetails:
    issue: str
    set_on: date | None
    how: str
    how_detail: str = ""
    survey_id: int | None = None


def _apply(priority: Priority, team, details: PriorityDetails) -> None:
    if details.how not in HOW_LABELS:
        raise DomainError("Choose how the priority was set", field="how")
    priority.issue = clean_text(details.issue, label="the issue", field="issue", limit=ISSUE_MAX)
    priority.set_on = check_date(details.set_on, label="the date it was set", field="set_on", latest=today())
    priority.how = details.how
    priority.how_detail = clean_text(details.how_detail, label="where or how", field="how_detail",
                                     limit=DETAIL_MAX, required=False)  # fmt: skip
    survey = survey_in_scope(team, details.survey_id) if details.how == SURVEY else None
    priority.survey_id = survey.id if survey else None


def create_priority(team, *, actor, details: PriorityDetails) -> Priority:
    require_manager(actor, team)
    _room_for_one(team, "The team already has {n} current priorities. Close one before adding another.")
    priority = Priority(team=team, team_id=team.id, status=CURRENT, created_by_id=getattr(actor, "id", None))
    _apply(priority, team, details)
    db.session.add(priority)
    db.session.flush()
    audit.record("priority.create", actor=actor, target=priority, summary=priority.issue[:120], team=team.slug)
    return priority


def update_priority(priority: Priority, *, actor, details: PriorityDetails) -> Priority:
    require_manager(actor, priority.team)
    _apply(priority, priority.team, details)
    if priority.actions and min(a.taken_on for a in priority.actions) < priority.set_on:
        raise DomainError("An action is dated before that. Change the date it was set, or the action first.",
                          field="set_on")  # fmt: skip
    audit.record("priority.update", actor=actor, target=priority, summary=priority.issue[:120])
    return priority


def _open(priority: Priority) -> None:
    if not priority.is_current:
        raise DomainError("This priority is closed. Reopen it to change it.")


def add_action(priority: Priority, *, actor, taken_on: date | None, text: str) -> PriorityAction:
    require_manager(actor, priority.team)
    _open(priority)
    taken_on = check_date(taken_on, label="the date of the action", field="taken_on", earliest=priority.set_on,
                          latest=today() + ACTION_AHEAD)  # fmt: skip
    text = clean_text(text, label="what the team did", field="text", limit=ACTION_MAX)
    action = PriorityAction(priority=priority, taken_on=taken_on, text=text, created_by_id=getattr(actor, "id", None))
    db.session.add(action)
    priority.updated_at = utcnow()  # feeds and the police.uk file show the change
    db.session.flush()
    audit.record("priority.action", actor=actor, target=priority, summary=text[:120], action_id=action.id)
    return action


def delete_action(action: PriorityAction, *, actor) -> None:
    priority = action.priority
    require_manager(actor, priority.team)
    _open(priority)
    priority.actions.remove(action)
    priority.updated_at = utcnow()
    audit.record("priority.action_delete", actor=actor, target=priority, summary=action.text[:120])


def close_priority(priority: Priority, *, actor, closed_on: date | None, outcome: str) -> Priority:
    require_manager(actor, priority.team)
    _open(priority)
    latest = max([today(), *(a.taken_on for a in priority.actions)])
    priority.closed_on = check_date(closed_on, label="the date it was closed", field="closed_on",
                                    earliest=priority.set_on, latest=latest)  # fmt: skip
    priority.outcome = clean_text(outcome, label="the outcome", field="outcome", limit=OUTCOME_MAX)
    priority.status = CLOSED
    audit.record("priority.close", actor=actor, target=priority, summary=priority.issue[:120])
    return priority


def reopen_priority(priority: Priority, *, actor) -> Priority:
    require_manager(actor, priority.team)
    if priority.is_current:
        raise DomainError("This priority is already current.")
    _room_for_one(priority.team, "The team already has {n} current priorities. Close one before reopening this.")
    priority.status, priority.closed_on, priority.outcome = CURRENT, None, ""
    audit.record("priority.reopen", actor=actor, target=priority, summary=priority.issue[:120])
    return priority


def delete_priority(priority: Priority, *, actor) -> None:
    """For a priority set by mistake. A real one is closed instead, so residents can still read it."""
    require_manager(actor, priority.team)
    audit.record("priority.delete", actor=actor, target=priority, summary=priority.issue[:120],
                 team=priority.team.slug)  # fmt: skip
    db.session.delete(priority)
