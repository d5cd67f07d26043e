"""Neighbourhood priorities and the team's people, as police.uk publishes them.

Public interface (what higher features may import):
  engagement.priorities.queries   team_priorities, current_for_teams, shown_people, VERSION (newsletter, printing)
  engagement.priorities.models    Priority, PriorityAction, TeamPerson, RANKS, MAX_CURRENT
Everything else is private. Sits above surveys (a priority links the survey that set it, and
"You said, we did" becomes a priority from here) and below newsletter, which offers priorities
as a section. The team page gets its "Our priorities" and "Who is in the team" sections
through core.hooks.
"""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.core import versioning
    from engagement.core.hooks import register_team_section
    from engagement.priorities import models, sections
    from engagement.priorities.blueprint import bp
    from engagement.priorities.cli import teams_cli
    from engagement.priorities.queries import VERSION
    from engagement.priorities.views.people import limit_upload_size

    app.register_blueprint(bp)
    versioning.track(VERSION, models.Priority, models.PriorityAction, models.TeamPerson)
    app.url_value_preprocessor(limit_upload_size)  # runs before before_request, so before any body is parsed
    register_team_section("priorities", sections.priorities_section, order=15)
    register_team_section("people", sections.people_section, order=90)
    app.cli.add_command(teams_cli)
