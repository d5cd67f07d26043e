"""Reads for the admin's account list: staff and Speed Watch volunteer sign-ins, filtered and paged.

Volunteer sign-ins belong to a team through their Speed Watch membership, which lives above this
feature; Speed Watch answers through two core.hooks providers (the membership of each user on the
page, and the user ids of one team's volunteers).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from engagement.accounts.models import User
from engagement.core.hooks import provider
from engagement.core.permissions import VOLUNTEER
from engagement.extensions import db
from engagement.teams.models import team_members

KINDS = {"": "Everyone", "staff": "Staff", "volunteers": "Speed Watch volunteers"}
PER_PAGE = 50


@dataclass(frozen=True)
class AccountFilter:
    kind: str = ""
    team_id: int | None = None
    words: str = ""


def _like(words: str) -> str:
    escaped = words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def account_page(filters: AccountFilter, page: int = 1):
    """One page of accounts, A to Z by name, teams loaded with the page (two queries, whatever its length)."""
    query = select(User).order_by(func.lower(User.display_name), User.id).options(selectinload(User.teams))
    if filters.kind == "staff":
        query = query.where(User.role != VOLUNTEER)
    elif filters.kind == "volunteers":
        query = query.where(User.role == VOLUNTEER)
    if filters.team_id is not None:
        staff_in_team = select(team_members.c.user_id).where(team_members.c.team_id == filters.team_id)
        in_team = User.id.in_(staff_in_team)
        volunteers_of = provider("accounts.volunteer_user_ids")
        if volunteers_of is not None:
            in_team = in_team | User.id.in_(volunteers_of(filters.team_id))
        query = query.where(in_team)
    if filters.words:
        pattern = _like(filters.words)
        query = query.where(
            func.lower(User.display_name).like(pattern, escape="\\") | func.lower(User.email).like(pattern, escape="\\")
        )
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def volunteer_memberships(users) -> dict[int, dict]:
    """{user id: {"team", "status", "url"}} for the volunteer sign-ins among these users (one query)."""
    ids = [user.id for user in users if user.role == VOLUNTEER]
    memberships = provider("accounts.volunteer_memberships")
    return memberships(ids) if ids and memberships is not None else {}
