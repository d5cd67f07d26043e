"""Public team finder and team pages; staff team management: plain view functions (URLs in blueprint.py)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from engagement.core.actions import render_form, submit
from engagement.core.errors import DomainError
from engagement.core.hooks import dashboard_sections, team_sections
from engagement.core.lean import page_response
from engagement.core.permissions import access, require_team
from engagement.teams import services
from engagement.teams.forms import TeamForm
from engagement.teams.models import AREAS, Team


def team_or_404(slug: str) -> Team:
    team = services.team_by_slug(slug)
    if team is None:
        abort(404, f"There is no team at /teams/{slug}. Find your team by postcode on the home page.")
    return team


def home():
    query = request.args.get("q", "").strip()
    if not query:  # the same bytes for every anonymous visitor: kept and revalidated (core.lean)
        page = lambda: render_template("teams/home.html", query="", error=None, matches=None, split=None)  # noqa: E731
        return page_response(("home",), page)
    error = matches = split = None
    try:
        if services.looks_like_postcode(query):
            found = services.match_postcode(query)
            if found.team is not None:
                return redirect(url_for("teams.team_page", slug=found.team.slug, postcode=found.shown))
            split = found  # several teams share the district: list them and ask for the full postcode
        else:
            matches = services.search_teams_by_name(query)
        if matches is not None and len(matches) == 1:
            return redirect(url_for("teams.team_page", slug=matches[0].slug))
        if matches is not None and not matches:
            error = f"No team name matches “{query[:60]}”. Try your postcode instead."
    except DomainError as exc:
        error = exc.message
    status = 400 if error else 200
    return render_template("teams/home.html", query=query, error=error, matches=matches, split=split), status


def team_list():
    teams = services.all_teams()
    by_area = {area: [t for t in teams if t.area == area] for area in AREAS}
    return render_template("teams/list.html", by_area=by_area)


def team_page(slug: str):
    team = team_or_404(slug)
    return render_template(
        "teams/team.html",
        team=team,
        postcode=_shown_postcode(request.args.get("postcode", "")),
        sections=team_sections(team),
    )


def _shown_postcode(text: str) -> str:
    """The searched postcode as people write it ("B16 8QT", also from older links saying "B168QT"), or nothing."""
    if not text.strip():
        return ""
    try:
        postcode = services.parse_postcode(text[:20])
    except DomainError:
        return ""
    return postcode.full or postcode.sector or postcode.district


# --- staff ---------------------------------------------------------------------------


@access("staff")
def staff_home():
    teams = services.teams_for(current_user)
    return render_template("teams/staff_home.html", teams=teams, sections=dashboard_sections(current_user, teams))


@access("staff")
def staff_teams():
    teams = services.teams_with_members(current_user)
    return render_template("teams/staff_teams.html", teams=teams)


@access("team")
def staff_team(slug: str):
    team = team_or_404(slug)
    require_team(team)
    return render_template("teams/staff_team.html", team=team)


def _save(form: TeamForm, team: Team | None, message: str):
    """Create or update from the form: commit, flash and go to the team's staff page, or None to re-show it."""

    def save():
        return services.save_team(
            team,
            actor=current_user,
            name=form.name.data,
            slug=form.slug.data,
            area=form.area.data,
            description=form.description.data or "",
            contact_email=form.contact_email.data or "",
            contact_phone=form.contact_phone.data or "",
            coverage=services.parse_coverage(form.coverage.data),
        )

    return submit(
        form,
        save,
        success=lambda saved: url_for("teams.staff_team", slug=saved.slug),
        message=lambda saved: message.format(name=saved.name),
    )


@access("admin")
def team_new():
    form = TeamForm()
    return _save(form, None, "Created {name}.") or render_form("teams/team_form.html", form, team=None)


@access("admin")
def team_edit(slug: str):
    team = team_or_404(slug)
    form = TeamForm(obj=team) if request.method == "GET" else TeamForm()
    if request.method == "GET":
        form.coverage.data = ", ".join(team.coverage)
    return _save(form, team, "Saved {name}.") or render_form("teams/team_form.html", form, team=team)
