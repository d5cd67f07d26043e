"""Who may see what in Speed Watch, in one place.

Staff pages use core.permissions (officers of the team, coordinators, admins): `list_scope`
says which teams a staff list shows. A volunteer's own pages (access level "volunteer") load
the signed-in person's `Volunteer` row here; a volunteer never sees returns or other
volunteers' details.
"""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user
from sqlalchemy import select

from engagement.core.permissions import require_team, works_across_teams
from engagement.extensions import db
from engagement.speedwatch.volunteers.models import APPROVED, Volunteer
from engagement.teams.services import team_by_slug


def volunteer_for(user) -> Volunteer | None:
    """The approved volunteer membership of this sign-in, or None."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_volunteer:
        return None
    return db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id, Volunteer.status == APPROVED))


def current_volunteer() -> Volunteer:
    """The signed-in volunteer's membership, or 403 (suspended or never approved)."""
    volunteer = volunteer_for(current_user)
    if volunteer is None:
        abort(403)
    return volunteer


def team_or_404(slug: str):
    team = team_by_slug(slug)
    if team is None:
        abort(404, f"There is no team at /teams/{slug}. Find your team by postcode on the home page.")
    return team


def list_scope() -> tuple[list[int] | None, object | None]:
    """The team ids a staff list shows (None: every team) and the team chosen with ?team=slug.

    Coordinators and admins see every team; officers their own; a chosen team must be theirs (403)."""
    slug = request.args.get("team", "").strip()
    if slug:
        team = team_or_404(slug)
        require_team(team)
        return [team.id], team
    if works_across_teams(current_user):
        return None, None
    return sorted(current_user.team_ids), None
