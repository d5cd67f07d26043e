"""Permissions in one place: roles, access levels, the predicates every feature asks, and the guards.

Each staff view function carries `@access(level)`; the feature's `blueprint.py` lists it in its
URL table. The role x URL matrix test reads the `access` attribute the decorator sets, so a new
staff route can't escape it. Views then load records with `get_or_404` and check scope with
`require_team`. Templates get the same predicates (`can_manage_team`, `works_across_teams`,
`is_admin`) from `register_template_helpers`, so no template compares role strings.
"""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from engagement.extensions import db, login_manager

ADMIN, COORDINATOR, OFFICER = "admin", "coordinator", "officer"
PRIVACY_OFFICER = "privacy"  # the force's data protection team: data-subject requests and retention only
ROLES = (ADMIN, COORDINATOR, OFFICER, PRIVACY_OFFICER)  # staff roles, the ones an administrator hands out
ROLE_LABELS = {ADMIN: "Administrator", COORDINATOR: "Coordinator", OFFICER: "Officer or PCSO",
               PRIVACY_OFFICER: "Data protection officer"}  # fmt: skip
# Approved Community Speed Watch volunteers sign in too, but only ever see their own rota and their
# team's Speed Watch pages. Their accounts are made by approving an application (engagement.speedwatch),
# never by the staff user screens, so VOLUNTEER is deliberately not in ROLES.
VOLUNTEER = "volunteer"
VOLUNTEER_LABEL = "Speed Watch volunteer"
ACROSS_TEAMS = (ADMIN, COORDINATOR)  # roles whose work is not limited to the teams they belong to

# Access levels, each admitting the roles listed.
ACCESS = {
    "staff": {ADMIN, COORDINATOR, OFFICER},
    "team": {ADMIN, COORDINATOR, OFFICER},  # officers additionally need membership of the team
    "coordinator": {ADMIN, COORDINATOR},
    "admin": {ADMIN},
    "volunteer": {VOLUNTEER},  # the volunteer's own pages under /speed-watch
    "privacy": {ADMIN, PRIVACY_OFFICER},  # data-subject requests and retention (engagement.privacy)
    "account": {ADMIN, COORDINATOR, OFFICER, PRIVACY_OFFICER, VOLUNTEER},  # one's own sign-in settings
}


def has_access(user, access: str) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in ACCESS[access])


def works_across_teams(user) -> bool:
    """Coordinators and admins see and manage every team's records, whatever teams they belong to."""
    return bool(user is not None and getattr(user, "role", None) in ACROSS_TEAMS)


def is_admin(user) -> bool:
    return bool(user is not None and getattr(user, "role", None) == ADMIN)


def can_manage_team(user, team) -> bool:
    """Coordinators and admins work across teams; officers only in their own."""
    if not has_access(user, "team"):
        return False
    return works_across_teams(user) or team.id in user.team_ids


def access(level: str):
    """Mark a view as needing sign-in and the named access level (403 below it); the matrix test reads it."""
    if level not in ACCESS:
        raise ValueError(f"unknown access level {level!r}")

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_access(current_user, level):
                abort(403)
            return view(*args, **kwargs)

        guarded.access = level
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


def register_template_helpers(app) -> None:
    """The same predicates in every template, so pages never compare role strings."""
    app.jinja_env.globals.update(
        can_manage_team=can_manage_team, works_across_teams=works_across_teams, is_admin=is_admin
    )
