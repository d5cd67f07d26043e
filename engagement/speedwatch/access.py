"""Who may see what in Speed Watch, in one place.

Staff pages use core.permissions (officers of the team, coordinators, admins). A
volunteer's own pages (access level "volunteer") load the signed-in person's
`Volunteer` row here; a volunteer never sees returns or other volunteers' details.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from engagement.extensions import db
from engagement.speedwatch.models import APPROVED, Volunteer


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
