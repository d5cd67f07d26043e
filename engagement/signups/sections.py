"""Sign-up parts of other features' pages, registered through core.hooks: the event page's
sign-up section and the staff dashboard's sign-up figures."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template

from engagement.core.db import utcnow
from engagement.core.permissions import can_manage_team
from engagement.signups import queries
from engagement.signups.models import BOOKABLE_MODES


def occurrence_section(row, viewer=None):
    """Places left and the way in, for dates residents book; "" leaves the events page's own text."""
    if row.event.signup_mode not in BOOKABLE_MODES:
        return ""
    state = queries.page_state(row)
    staff = viewer is not None and can_manage_team(viewer, row.event.team)
    return render_template("signups/_event_section.html", row=row, event=row.event, state=state, staff=staff)


def dashboard_section(user, teams):
    """Sign-up figures for my teams' next two weeks: only dates that take or have sign-ups."""
    mine = [t for t in teams if t.id in user.team_ids] or list(teams)
    now = utcnow()
    dates = queries.staff_dates(mine, start=now, end=now + timedelta(days=14), limit=30)
    if not dates:
        return ""
    return render_template("signups/staff/_dashboard.html", dates=dates)
