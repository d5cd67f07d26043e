"""A volunteer's own site requests: propose a site for their team and see what was decided.

/speed-watch/site-requests                   my requests and their outcome (volunteer)
/speed-watch/site-requests/new               propose a site (volunteer)
/speed-watch/site-requests/<id>              one of my requests (volunteer; others' are 404)
/speed-watch/site-requests/<id>/photos/<pid> one of its photos (volunteer)
"""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_login import current_user

from engagement.core.actions import render_form, submit
from engagement.core.permissions import access
from engagement.speedwatch.access import current_volunteer
from engagement.speedwatch.requests import queries
from engagement.speedwatch.requests.forms import SiteRequestForm
from engagement.speedwatch.requests.views import photo_response, propose


@access("volunteer")
def my_site_requests():
    volunteer = current_volunteer()
    return render_template(
        "speedwatch/my_site_requests.html", volunteer=volunteer, rows=queries.proposed_by(current_user)
    )


@access("volunteer")
def my_site_request_new():
    volunteer = current_volunteer()
    form = SiteRequestForm()
    form.team.choices = [(volunteer.team.slug, volunteer.team.name)]
    form.team.data = volunteer.team.slug
    done = submit(
        form,
        lambda: propose(form, volunteer.team, name=volunteer.name, email=volunteer.email),
        success=lambda made: url_for("speedwatch.my_site_request", request_id=made.id),
        message="Thank you: your site has been sent to the team. You will get an email when they decide.",
    )
    return done or render_form("speedwatch/site_request_form.html", form, staff=False, volunteer=volunteer)


def _mine_or_404(request_id: int):
    current_volunteer()
    found = queries.with_photos(request_id)
    if found is None or found.proposed_by_id != current_user.id:
        abort(404, "We could not find that site request.")
    return found


@access("volunteer")
def my_site_request(request_id: int):
    return render_template("speedwatch/site_request.html", req=_mine_or_404(request_id), staff=False)


@access("volunteer")
def my_site_request_photo(request_id: int, photo_id: int):
    _mine_or_404(request_id)
    return photo_response(queries.photo(request_id, photo_id))
