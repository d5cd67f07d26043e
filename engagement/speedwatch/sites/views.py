"""The team's approved sites over HTTP: the list ("staff", limited to the user's teams), adding a
site ("staff", for one of the user's teams), a site's page with its traffic per month and changing
one ("team"). URLs in speedwatch/blueprint.py.
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user

from engagement.core.actions import render_form, submit
from engagement.core.permissions import access, get_or_404, require_team
from engagement.speedwatch.access import list_scope
from engagement.speedwatch.dates import local_today
from engagement.speedwatch.overview.chart import charts_for
from engagement.speedwatch.overview.traffic import traffic_per_site
from engagement.speedwatch.returns.thresholds import high_speed_for, threshold_for
from engagement.speedwatch.sites import queries, services
from engagement.speedwatch.sites.forms import SiteForm
from engagement.speedwatch.sites.models import Site
from engagement.teams.services import teams_for


@access("staff")
def sites():
    team_ids, chosen = list_scope()
    return render_template(
        "speedwatch/site_list.html",
        sites=queries.staff_sites(team_ids),
        chosen=chosen,
        teams=teams_for(current_user),
        today=local_today(),
        state=queries.assessment_state,
    )


def _save_site(form: SiteForm, site: Site | None, team=None) -> Site:
    return services.save_site(
        site,
        actor=current_user,
        team=team,
        name=form.name.data,
        road=form.road.data,
        speed_limit=form.speed_limit.data,
        location=form.location.data or "",
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        volunteer_notes=form.volunteer_notes.data or "",
        assessed_on=form.assessed_on.data,
        assessment_expires=form.assessment_expires.data,
        active=form.active.data,
    )


@access("staff")
def site_new():
    teams = teams_for(current_user)
    form = SiteForm()
    form.team.choices = [(t.slug, t.name) for t in teams]
    if request.method == "GET" and len(teams) == 1:
        form.team.data = teams[0].slug
    done = submit(
        form,
        lambda: _save_site(form, None, next((t for t in teams if t.slug == form.team.data), None)),
        success=url_for("speedwatch.sites"),
        message=lambda site: f"Added {site.name}.",
    )
    return done or render_form("speedwatch/site_form.html", form, site=None)


@access("team")
def site(site_id: int):
    """One site: its details, thresholds and traffic per month over the last year (one aggregate query)."""
    found = get_or_404(Site, site_id)
    require_team(found.team)
    months, rows = traffic_per_site([found.team_id], local_today(), site_id=found.id, months_back=12)
    return render_template(
        "speedwatch/site_detail.html",
        site=found,
        months=months,
        sites=rows,
        charts=charts_for(rows, prefix="site-traffic"),
        threshold=threshold_for(found.speed_limit),
        high_speed=high_speed_for(found.speed_limit),
        state=queries.assessment_state(found, local_today()),
    )


@access("team")
def site_edit(site_id: int):
    site = get_or_404(Site, site_id)
    require_team(site.team)
    form = SiteForm(obj=site) if request.method == "GET" else SiteForm()
    if request.method == "GET":
        form.speed_limit.data = str(site.speed_limit)
        form.latitude.data = "" if site.latitude is None else str(site.latitude)
        form.longitude.data = "" if site.longitude is None else str(site.longitude)
    form.team.choices = [(site.team.slug, site.team.name)]
    done = submit(
        form,
        lambda: _save_site(form, site),
        success=url_for("speedwatch.sites"),
        message=lambda saved: f"Saved {saved.name}.",
    )
    return done or render_form("speedwatch/site_form.html", form, site=site)
