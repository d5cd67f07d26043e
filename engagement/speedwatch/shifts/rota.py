"""My rota: a volunteer's own shifts, and the private calendar feed of them.

  /speed-watch/rota                 the volunteer's coming shifts and the last few past ones (volunteer)
  /speed-watch/rota/new-link        POST: a new feed address; the old one stops working at once
  /speed-watch/rota/<token>.ics     the private feed; the token in the URL is the only secret

The feed has one standalone VEVENT per signed-up date (UID "speedwatch-shift-<id>@host",
stable even if the series is later split); a cancelled date stays, STATUS:CANCELLED, and a
date the volunteer withdrew from drops out. A suspended volunteer's feed answers 404.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Response, abort, current_app, render_template, url_for
from sqlalchemy import select

from engagement.core.actions import perform
from engagement.core.db import utcnow
from engagement.core.permissions import access
from engagement.core.urls import public_url
from engagement.events.ical import new_calendar, occurrence_component, webcal
from engagement.extensions import db, limiter
from engagement.speedwatch.access import current_volunteer
from engagement.speedwatch.devices.queries import flagged_dates
from engagement.speedwatch.returns.queries import returned_dates
from engagement.speedwatch.shifts.forms import WithdrawForm
from engagement.speedwatch.shifts.queries import collectors, staffing_for, volunteer_dates
from engagement.speedwatch.shifts.staffing import quorum_window
from engagement.speedwatch.volunteers.models import APPROVED, Volunteer
from engagement.speedwatch.volunteers.services import renew_rota_token

PAST_SHOWN = 5
FEED_PAST = timedelta(days=90)  # past shifts stay in the feed this long, like the public feeds


def feed_links(volunteer) -> dict[str, str]:
    url = public_url("speedwatch.rota_feed", token=volunteer.rota_token)
    return {"https": url, "webcal": webcal(url)}


@access("volunteer")
def rota():
    volunteer = current_volunteer()
    now = utcnow()
    dates = volunteer_dates(volunteer, since=now - FEED_PAST, limit=300)
    coming = [d for d in dates if d[1].ends_at > now]
    past = [d for d in dates if d[1].ends_at <= now][-PAST_SHOWN:][::-1]
    staffing = staffing_for([row.id for _, row, _ in dates])
    started = [row.id for _, row, _ in dates if row.starts_at <= now]
    coming_ids = [row.id for _, row, _ in coming]
    return render_template(
        "speedwatch/rota.html",
        collectors=collectors(coming_ids),
        flagged=flagged_dates(coming_ids),
        returned=returned_dates(started),
        volunteer=volunteer,
        coming=coming,
        past=past,
        staffing=staffing,
        feed=feed_links(volunteer),
        form=WithdrawForm(),
        now=now,
        window=quorum_window(),
    )


@access("volunteer")
@limiter.limit("10 per hour")
def rota_new_link():
    volunteer = current_volunteer()
    if not WithdrawForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: renew_rota_token(volunteer),
        success=url_for("speedwatch.rota") + "#calendar",
        message="Your calendar link has changed. Subscribe again with the new link: the old one no longer works.",
    )


def _not_found() -> Response:
    return Response(
        "There is no rota calendar at this address. Open your rota page for the current link.\n",
        status=404,
        content_type="text/plain; charset=utf-8",
    )


def rota_calendar(volunteer: Volunteer, now):
    """The volunteer's signed-up dates as one calendar, each with its own stable UID."""
    dates = volunteer_dates(volunteer, since=now - FEED_PAST, limit=500)
    years = [row.starts_at.year for _, row, _ in dates] or [now.year]
    cal = new_calendar(f"My Speed Watch rota: {volunteer.team.name}", (min(years), max(years) + 1))
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    for signup, row, _shift in dates:
        component = occurrence_component(row.event, row, override=False)
        component.pop("uid", None)
        component.add("uid", f"speedwatch-shift-{row.id}@{host}")
        if signup.role:
            component.add("comment", f"Your role: {signup.role_label}")
        cal.add_component(component)
    return cal


def rota_feed(token: str):
    if not token or len(token) > 64:
        return _not_found()
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.rota_token == token))
    if volunteer is None or volunteer.status != APPROVED:
        return _not_found()
    response = Response(rota_calendar(volunteer, utcnow()).to_ical(), content_type="text/calendar; charset=utf-8")
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
