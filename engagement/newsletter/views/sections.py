"""What newsletters add to other features' pages through core.hooks: the team page and the staff dashboard."""

from __future__ import annotations

from flask import render_template

from engagement.newsletter.dashboard import attention


def team_section(team):
    return render_template("newsletter/_team_section.html", team=team)


def dashboard_section(user, teams):
    """Links to news, newsletters and feeds, with newsletters waiting on someone (drafts, scheduled,
    sending) and feeds that stopped working."""
    issues_, broken = attention(user, teams)
    return render_template("newsletter/_dashboard.html", issues=issues_, broken=broken)
