"""A box on the staff dashboard: my teams' speed devices whose calibration runs out soon (one query)."""

from __future__ import annotations

from flask import current_app, render_template

from engagement.speedwatch.dates import local_today
from engagement.speedwatch.devices.queries import calibration_due


def dashboard_section(user, teams):
    mine = [t for t in teams if t.id in user.team_ids] or list(teams)
    if not mine:
        return ""
    today = local_today()
    due = calibration_due([t.id for t in mine], today, current_app.config["SPEEDWATCH_WARNING_DAYS"])
    if not due:
        return ""
    return render_template("speedwatch/device_dashboard.html", devices=due, today=today)
