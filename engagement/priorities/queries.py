"""Reads other features reuse (the team page, the newsletter, posters, feeds): each states how it loads.

Lists load priorities with their actions and survey in three queries whatever their number
(selectinload), and people without their photo bytes (the column is deferred).
"""

from __future__ import annotations

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import selectinload

from engagement.accounts.models import User
from engagement.core import versioning
from engagement.extensions import db
from engagement.priorities.models import CLOSED, CURRENT, Priority, TeamPerson
from engagement.teams.models import team_members

VERSION = "priorities"  # the core.versioning counter bumped by any change to priorities or people


def _loaded(query):
    return query.options(selectinload(Priority.actions), selectinload(Priority.survey), selectinload(Priority.team))


def team_priorities(team, *, closed_limit: int = 50) -> tuple[list[Priority], list[Priority]]:
    """(current, closed): current ones oldest first (the order they were set), closed ones latest first."""
    current = db.session.scalars(
        _loaded(select(Priority))
        .where(Priority.team_id == team.id, Priority.status == CURRENT)
        .order_by(Priority.set_on, Priority.id)
    ).all()
    closed = db.session.scalars(
        _loaded(select(Priority))
        .where(Priority.team_id == team.id, Priority.status == CLOSED)
        .order_by(Priority.closed_on.desc(), Priority.id.desc())
        .limit(closed_limit)
    ).all()
    return list(current), list(closed)


def current_for_teams(team_ids, *, limit: int = 50) -> list[Priority]:
    """Current priorities of these teams (a newsletter for a whole area), by team then the order they were set."""
    if not team_ids:
        return []
    query = (
        _loaded(select(Priority))
        .where(Priority.team_id.in_(list(team_ids)), Priority.status == CURRENT)
        .order_by(Priority.team_id, Priority.set_on, Priority.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def for_feed(team, *, limit: int = 50) -> list[Priority]:
    """Current and closed, most recently changed first: the feed and police.uk file read these."""
    query = (
        _loaded(select(Priority))
        .where(Priority.team_id == team.id)
        .order_by(case((Priority.status == CURRENT, 0), else_=1), Priority.updated_at.desc(), Priority.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def get_priority(priority_id: int) -> Priority | None:
    return db.session.scalars(_loaded(select(Priority)).where(Priority.id == priority_id)).one_or_none()


def _shown(query):
    """Shown entries only; an officer's also needs an active account and membership of the team.

    So an entry disappears by itself when its officer is switched off or leaves the team (and
    comes back if they return): nobody stays on a page they no longer belong to."""
    still_member = exists().where(team_members.c.user_id == TeamPerson.user_id,
                                  team_members.c.team_id == TeamPerson.team_id)  # fmt: skip
    return query.outerjoin(User, User.id == TeamPerson.user_id).where(
        TeamPerson.shown.is_(True),
        or_(TeamPerson.user_id.is_(None), and_(User.active.is_(True), still_member)),
    )


def shown_people(team) -> list[TeamPerson]:
    """The people who chose to appear, in the team's order: one query, photos not loaded."""
    query = _shown(select(TeamPerson)).where(TeamPerson.team_id == team.id)
    return list(db.session.scalars(query.order_by(TeamPerson.position, TeamPerson.name, TeamPerson.id)))


def shown_photo(team, person_id: int) -> tuple[bytes, object] | None:
    """(JPEG bytes, when it was set) of a person shown on this team's page, or None."""
    query = _shown(select(TeamPerson.photo, TeamPerson.photo_at)).where(
        TeamPerson.id == person_id, TeamPerson.team_id == team.id, TeamPerson.photo.is_not(None)
    )
    row = db.session.execute(query).first()
    return (row.photo, row.photo_at) if row else None


def all_people(team) -> list[TeamPerson]:
    query = select(TeamPerson).where(TeamPerson.team_id == team.id).options(selectinload(TeamPerson.user))
    return list(db.session.scalars(query.order_by(TeamPerson.position, TeamPerson.name, TeamPerson.id)))


def state(team) -> tuple:
    """A cheap version of a team's priorities and people for ETags and caches (one indexed row + the team)."""
    version, changed = versioning.current(VERSION)
    return version, changed, team.updated_at


def latest_change(team):
    """When the team's priorities last changed (the feed's `updated`); adding an action touches its priority."""
    return db.session.scalar(select(func.max(Priority.updated_at)).where(Priority.team_id == team.id))
