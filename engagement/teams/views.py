"""Public team finder and team pages; staff team management."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engagement.core.errors import DomainError
from engagement.core.forms import apply_domain_error
from engagement.core.hooks import dashboard_sections, team_sections
from engagement.core.permissions import ADMIN, COORDINATOR, require_team, staff_route
from engagement.extensions import db
from engagement.teams import services
from engagement.teams.forms import TeamForm
from engagement.teams.models import AREAS, Team

bp = Blueprint("teams", __name__)


def team_or_404(slug: str) -> Team:
    team = services.team_by_slug(slug)
    if team is None:
        abort(404, f"There is no team at /teams/{slug}. Find your team by postcode on the home page.")
    return team


@bp.route("/")
def home():
    query = request.args.get("q", "").strip()
    error = matches = None
    if query:
        try:
            if services.looks_like_postcode(query):
                team = services.find_team_for_postcode(query)
                return redirect(url_for("teams.team_page", slug=team.slug, postcode=query.upper()))
            matches = services.search_teams_by_name(query)
            if len(matches) == 1:
                return redirect(url_for("teams.team_page", slug=matches[0].slug))
            if not matches:
                error = f"No team name matches “{query[:60]}”. Try your postcode instead."
        except DomainError as exc:
            error = exc.message
    status = 400 if error else 200
    return render_template("teams/home.html", query=query, error=error, matches=matches), status


@bp.route("/teams")
def team_list():
    teams = services.all_teams()
    by_area = {area: [t for t in teams if t.area == area] for area in AREAS}
    return render_template("teams/list.html", by_area=by_area)


@bp.route("/teams/<slug>")
def team_page(slug: str):
    team = team_or_404(slug)
    return render_template(
        "teams/team.html", team=team, postcode=request.args.get("postcode", "")[:10], sections=team_sections(team)
    )


# --- staff ---------------------------------------------------------------------------


@staff_route(bp, "/staff/", "staff")
def staff_home():
    teams = services.all_teams() if current_user.role in (ADMIN, COORDINATOR) else current_user.teams
    return render_template("teams/staff_home.html", teams=teams, sections=dashboard_sections(current_user, teams))


@staff_route(bp, "/staff/teams", "staff")
def staff_teams():
    query = (
        select(Team).order_by(Team.area, Team.name).options(selectinload(Team.members), selectinload(Team.postcodes))
    )
    teams = db.session.scalars(query).all()
    if current_user.role not in (ADMIN, COORDINATOR):
        teams = [t for t in teams if t.id in current_user.team_ids]
    return render_template("teams/staff_teams.html", teams=teams)


@staff_route(bp, "/staff/teams/<slug>", "team")
def staff_team(slug: str):
    team = team_or_404(slug)
    require_team(team)
    return render_template("teams/staff_team.html", team=team)


def _save(form: TeamForm, team: Team | None):
    try:
        coverage = services.parse_coverage(form.coverage.data)
        return services.save_team(
            team,
            actor=current_user,
            name=form.name.data,
            slug=form.slug.data,
            area=form.area.data,
            description=form.description.data or "",
            contact_email=form.contact_email.data or "",
            contact_phone=form.contact_phone.data or "",
            coverage=coverage,
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return None


@staff_route(bp, "/staff/teams/new", "admin", methods=["GET", "POST"])
def team_new():
    form = TeamForm()
    if form.validate_on_submit() and (team := _save(form, None)):
        db.session.commit()
        flash(f"Created {team.name}.", "success")
        return redirect(url_for("teams.staff_team", slug=team.slug))
    return render_template("teams/team_form.html", form=form, team=None), 400 if form.errors else 200


@staff_route(bp, "/staff/teams/<slug>/edit", "admin", methods=["GET", "POST"])
def team_edit(slug: str):
    team = team_or_404(slug)
    form = TeamForm(obj=team) if request.method == "GET" else TeamForm()
    if request.method == "GET":
        form.coverage.data = ", ".join(team.coverage)
    if form.validate_on_submit() and _save(form, team):
        db.session.commit()
        flash(f"Saved {team.name}.", "success")
        return redirect(url_for("teams.staff_team", slug=team.slug))
    return render_template("teams/team_form.html", form=form, team=team), 400 if form.errors else 200
