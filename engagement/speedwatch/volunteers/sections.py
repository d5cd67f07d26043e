"""Speed Watch boxes on other features' pages: the public team page and the staff dashboard.

Registered as hooks in speedwatch.init_app, so teams and the dashboard never import Speed Watch.
"""

from __future__ import annotations

from flask import current_app, render_template

from engagement.speedwatch.dates import local_today
from engagement.speedwatch.sites.queries import active_site_count
from engagement.speedwatch.volunteers.queries import needing_attention


def team_section(team):
    """A box on the public team page inviting volunteers, once the team has an approved site."""
    if not active_site_count(team):
        return ""
    return render_template("speedwatch/volunteer_team_section.html", team=team)


def dashboard_section(user, teams):
    """What needs attention in my teams' Speed Watch: three queries, whatever the number of rows."""
    mine = [t for t in teams if t.id in user.team_ids] or list(teams)
    if not mine:
        return ""
    team_ids = [t.id for t in mine]
    today = local_today()
    waiting, expiring_sites, expiring_training = needing_attention(
        team_ids, today, current_app.config["SPEEDWATCH_WARNING_DAYS"]
    )
    if not (waiting or expiring_sites or expiring_training):
        return ""
    return render_template(
        "speedwatch/volunteer_dashboard.html",
        waiting=waiting,
        sites=expiring_sites,
        training=expiring_training,
        today=today,
    )
