"""Neighbourhood policing teams: the scope of most records, and how residents find theirs.

Public interface: `teams.models` (Team, AREAS); `teams.services` (team_by_slug, all_teams,
teams_for, teams_by_ids, find_team_for_postcode). The lowest feature above core: it imports
no other feature, and adds the events, news and other sections to its pages through core.hooks.
"""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.teams import models  # noqa: F401 - teams and their postcodes
    from engagement.teams.blueprint import bp

    app.register_blueprint(bp)
