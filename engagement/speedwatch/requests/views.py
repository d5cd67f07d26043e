"""Site requests over HTTP, staff side (the proposer's own pages are in volunteer_views.py).

/staff/speed-watch/site-requests                    requests of my teams, waiting first (staff)
/staff/speed-watch/site-requests/new                propose a site for one of my teams (staff)
/staff/speed-watch/site-requests/<id>               one request with its photos (team)
/staff/speed-watch/site-requests/<id>/approve       record the risk assessment: it becomes a site (team)
/staff/speed-watch/site-requests/<id>/decline       decline with a reason the proposer is emailed (team)
/staff/speed-watch/site-requests/<id>/photos/<pid>  one photo (team)
"""

from __future__ import annotations

from flask import Response, abort, render_template, request, url_for
from flask_login import current_user

from engagement.core.actions import render_form, submit
from engagement.core.permissions import access, require_team
from engagement.speedwatch.access import list_scope
from engagement.speedwatch.requests import queries, services
from engagement.speedwatch.requests.forms import DeclineRequestForm, SiteRequestForm
from engagement.speedwatch.requests.photos import MAX_PHOTOS, MAX_UPLOAD_BYTES
from engagement.speedwatch.sites.forms import SiteForm
from engagement.teams.services import teams_for

FORM_OVERHEAD = 200_000  # the text fields of the form, on top of the photos


def uploaded_photos() -> list[bytes]:
    """The photos sent with the form, each read with a bound (too many or too big is refused by the service)."""
    if (request.content_length or 0) > MAX_PHOTOS * MAX_UPLOAD_BYTES + FORM_OVERHEAD:
        abort(
            413,
            f"The photos are too large: send at most {MAX_PHOTOS}, each {MAX_UPLOAD_BYTES // 1_000_000} MB or smaller.",
        )
    files = [f for f in request.files.getlist("photos") if f and f.filename]
    return [f.stream.read(MAX_UPLOAD_BYTES + 1) for f in files[: MAX_PHOTOS + 1]]


def propose(form: SiteRequestForm, team, *, name: str, email: str):
    return services.propose_site(
        actor=current_user,
        team=team,
        name=name,
        email=email,
        road=form.road.data,
        stretch=form.stretch.data,
        speed_limit=form.speed_limit.data,
        reason=form.reason.data,
        postcode=form.postcode.data or "",
        grid_ref=form.grid_ref.data or "",
        photos=uploaded_photos(),
    )


def photo_response(found) -> Response:
    if found is None:
        abort(404, "We could not find that photo.")
    response = Response(found.data, content_type=found.content_type)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@access("staff")
def site_requests():
    team_ids, chosen = list_scope()
    return render_template("speedwatch/site_request_list.html", rows=queries.staff_requests(team_ids), chosen=chosen)


@access("staff")
def site_request_new():
    teams = teams_for(current_user)
    form = SiteRequestForm()
    form.team.choices = [(t.slug, t.name) for t in teams]
    if request.method == "GET" and len(teams) == 1:
        form.team.data = teams[0].slug
    done = submit(
        form,
        lambda: propose(
            form,
            next((t for t in teams if t.slug == form.team.data), None),
            name=current_user.display_name,
            email=current_user.email,
        ),
        success=lambda made: url_for("speedwatch.site_request", request_id=made.id),
        message="Site proposed. Record its risk assessment to approve it.",
    )
    return done or render_form("speedwatch/site_request_form.html", form, staff=True)


def _request_or_404(request_id: int):
    found = queries.with_photos(request_id)
    if found is None:
        abort(404, "We could not find that site request.")
    require_team(found.team)
    return found


@access("team")
def site_request(request_id: int):
    return render_template("speedwatch/site_request.html", req=_request_or_404(request_id), staff=True)


@access("team")
def site_request_approve(request_id: int):
    found = _request_or_404(request_id)
    form = SiteForm()
    form.team.choices = [(found.team.slug, found.team.name)]
    if request.method == "GET":
        form.name.data = f"{found.road}, {found.stretch}"[:160]
        form.road.data = found.road
        form.speed_limit.data = str(found.speed_limit)
        form.location.data = found.stretch
    done = submit(
        form,
        lambda: services.approve_request(
            found,
            actor=current_user,
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
        ),
        success=lambda saved: url_for("speedwatch.site", site_id=saved.site_id),
        message=lambda saved: f"Approved: {saved.site.name} is now a site. {saved.proposer_name} has been emailed.",
    )
    return done or render_form("speedwatch/site_request_approve.html", form, req=found)


@access("team")
def site_request_decline(request_id: int):
    found = _request_or_404(request_id)
    form = DeclineRequestForm()
    done = submit(
        form,
        lambda: services.decline_request(found, actor=current_user, reason=form.reason.data or ""),
        success=url_for("speedwatch.site_requests"),
        message=lambda saved: f"Declined. {saved.proposer_name} has been emailed the reason.",
    )
    return done or render_form("speedwatch/site_request_decline.html", form, req=found)


@access("team")
def site_request_photo(request_id: int, photo_id: int):
    _request_or_404(request_id)
    return photo_response(queries.photo(request_id, photo_id))
