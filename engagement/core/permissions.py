"""Permissions in one place.

Every staff URL is registered with `staff_route`, which names its access level
and refuses anyone below it; views then load records with `get_or_404` and
check scope with `require_team`. The role x URL matrix test reads the `access`
attribute this module puts on each view, so a new staff route can't escape it.
"""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from engagement.extensions import db, login_manager

ADMIN, COORDINATOR, OFFICER = "admin", "coordinator", "officer"
ROLES = (ADMIN, COORDINATOR, OFFICER)  # staff roles, the ones an administrator hands out
ROLE_LABELS = {ADMIN: "Administrator", COORDINATOR: "Coordinator", OFFICER: "Officer or PCSO"}
# Approved Community Speed Watch volunteers sign in too, but only ever see their own rota and their
# team's Speed Watch pages. Their accounts are made by approving an application (engagement.speedwatch),
# never by the staff user screens, so VOLUNTEER is deliberately not in ROLES.
VOLUNTEER = "volunteer"
VOLUNTEER_LABEL = "Speed Watch volunteer"

# Access levels, each admitting the roles listed.
ACCESS = {
    "staff": {ADMIN, COORDINATOR, OFFICER},
    "team": {ADMIN, COORDINATOR, OFFICER},  # officers additionally need membership of the team
    "coordinator": {ADMIN, COORDINATOR},
    "admin": {ADMIN},
    "volunteer": {VOLUNTEER},  # the volunteer's own pages under /speed-watch
}


def has_access(user, access: str) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in ACCESS[access])


def can_manage_team(user, team) -> bool:
    """Coordinators and admins work across teams; officers only in their own."""
    if not has_access(user, "team"):
        return False
    return user.role in (ADMIN, COORDINATOR) or team.id in user.team_ids


def staff_route(bp, rule: str, access: str, **options):
    """Register a staff view behind login and the named access level."""
    if access not in ACCESS:
        raise ValueError(f"unknown access level {access!r}")

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_access(current_user, access):
                abort(403)
            return view(*args, **kwargs)

        guarded.access = access
        bp.add_url_rule(rule, view_func=guarded, **options)
        return guarded

    return decorator


def get_or_404(model, ident):
    return db.get_or_404(model, ident, description=f"We could not find that {model.__name__.lower()}.")


def require(condition: bool) -> None:
    if not condition:
        abort(403)


def require_team(team) -> None:
    """403 unless the signed-in user may manage this team's records."""
    require(can_manage_team(current_user, team))
