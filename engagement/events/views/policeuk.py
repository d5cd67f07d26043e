"""/teams/<slug>/events.json: a team's upcoming dates in the data.police.uk "neighbourhood events" format.

The format and the importer are in policeuk.py; existing police.uk API consumers read this.
"""

from __future__ import annotations

from flask import jsonify

from engagement.events.api_json import json_error
from engagement.events.policeuk import contact_details, police_uk_items, upcoming_dates
from engagement.teams.services import team_by_slug

CACHE_CONTROL = "public, max-age=300"


def team_events_json(slug: str):
    team = team_by_slug(slug.lower())
    if team is None:
        return json_error(404, f"There is no team called {slug!r}. See /teams for the list.")
    contact = contact_details(team)
    response = jsonify(police_uk_items(upcoming_dates(team), contact))
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
