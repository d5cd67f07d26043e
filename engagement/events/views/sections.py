"""The events sections of other features' pages, registered through core.hooks in init_app.

The public team page lists the team's next dates and the staff dashboard the coming
fortnight, while teams never imports events.
"""

from __future__ import annotations

from datetime import timedelta

from flask import render_template

from engagement.core.db import utcnow
from engagement.core.hooks import occurrence_lines
from engagement.events import queries
from engagement.events.display import by_local_day


def team_events_section(team):
    rows = queries.team_upcoming(team)
    return render_template("events/_team_events.html", team=team, days=by_local_day(rows))


def dashboard_section(user, teams):
    """The coming fortnight for the user's own teams (all teams for coordinators and admins with none)."""
    mine = [t for t in teams if t.id in user.team_ids] or list(teams)
    now = utcnow()
    rows = queries.staff_window(mine, start=now, end=now + timedelta(days=14), limit=60)
    return render_template(
        "events/_dashboard.html",
        days=by_local_day(rows),
        lines=occurrence_lines(rows),  # one line per date: booked / capacity, waiting, sign-up open (core.hooks)
        teams=mine,
        limit_hit=len(rows) >= 60,
    )
