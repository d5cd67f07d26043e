"""The coordinator's overview page: shifts of the coming weeks with their staffing, training and device
calibration running out, and traffic per site per month (a chart with the same numbers in a table)."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user

from engagement.core.db import utcnow
from engagement.core.permissions import access, require_team, works_across_teams
from engagement.core.timeutil import to_local
from engagement.speedwatch.devices.queries import calibration_due
from engagement.speedwatch.letters.queries import counts as letter_counts
from engagement.speedwatch.overview import queries
from engagement.speedwatch.overview.chart import charts_for
from engagement.speedwatch.overview.traffic import traffic_per_site
from engagement.teams.models import Team
from engagement.teams.services import team_by_slug, teams_for


def _scope(user) -> tuple[list[Team], list[int] | None, Team | None]:
    """(teams to choose from, team ids shown or None for all, chosen team): officers see their own teams."""
    everyone = works_across_teams(user)
    teams = teams_for(user)
    team_ids = None if everyone else [t.id for t in teams]
    slug = request.args.get("team", "")
    chosen = None
    if slug:
        chosen = team_by_slug(slug)
        if chosen is None:
            abort(404, "There is no such team.")
        require_team(chosen)
        team_ids = [chosen.id]
    return teams, team_ids, chosen


def _links() -> list[tuple[str, str]]:
    """Links to the other Speed Watch pages that exist in this build."""
    wanted = (
        ("speedwatch.volunteers", "Volunteers"),
        ("speedwatch.sites", "Sites"),
        ("speedwatch.site_requests", "Site requests"),
        ("speedwatch.devices", "Speed devices"),
        ("speedwatch.shift_new", "Schedule a shift"),
        ("speedwatch.returns", "Returns and exports"),
        ("speedwatch.letters", "Letters"),
        ("speedwatch.referrals", "Referred for a visit"),
    )
    return [(url_for(endpoint), label) for endpoint, label in wanted if endpoint in current_app.view_functions]


@access("staff")
def overview():
    """Shifts in the coming weeks and their staffing, training and calibration running out, traffic per site."""
    now = utcnow()
    today = to_local(now).date()
    teams, team_ids, chosen = _scope(current_user)
    shifts = queries.coming_shifts(team_ids, now)
    months, sites = traffic_per_site(team_ids, today)
    days = current_app.config["SPEEDWATCH_WARNING_DAYS"]
    return render_template(
        "speedwatch/overview.html",
        teams=teams,
        chosen=chosen,
        shifts=shifts,
        volunteers=queries.training_due(team_ids, today, days),
        devices=calibration_due(team_ids, today, days),
        letters=letter_counts(team_ids),
        today=today,
        months=months,
        sites=sites,
        charts=charts_for(sites),
        links=_links(),
        weeks=queries.WEEKS_AHEAD,
    )
