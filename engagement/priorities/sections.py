"""The team page's sections (through core.hooks, since teams may not import us): priorities and people."""

from __future__ import annotations

from flask import render_template

from engagement.priorities import queries


def priorities_section(team):
    """Current priorities first, each with its latest action; a link to closed ones when there are any."""
    current, closed = queries.team_priorities(team, closed_limit=1)
    return render_template("priorities/_team_section.html", team=team, current=current, any_closed=bool(closed))


def people_section(team):
    """Only people who chose to appear; nobody is listed by default."""
    return render_template("priorities/_people_section.html", team=team, people=queries.shown_people(team))
