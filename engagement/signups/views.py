"""Residents' pages: sign up for a date, the confirmation, the private booking page and "my events".

Public URLs (README):
  /events/<id>/sign-up              the sign-up question page (POST: rate-limited per IP and address)
  /events/<id>/sign-up/done         the confirmation panel (this browser's last sign-up only)
  /events/<id>/sign-up/check-email  after a second attempt with an address: "check your email"
  /bookings/<token>                 see the booking (a GET never changes anything)
  /bookings/<token>/places          change the number of places
  /bookings/<token>/cancel          "Are you sure?", then cancel
  /bookings/<token>/calendar-link   POST: a new "my events" link; earlier ones stop working
  /my-events/<token>.ics            the private calendar of an address's booked dates
The staff pages are in staff.py on the same blueprint.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from engagement.accounts.services import normalise_email
from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.core.forms import apply_domain_error
from engagement.core.permissions import can_manage_team
from engagement.core.tokens import InvalidToken
from engagement.events.queries import public_occurrence
from engagement.extensions import db, limiter
from engagement.signups import links, queries, services
from engagement.signups.forms import ConfirmForm, PlacesForm, SignupForm
from engagement.signups.models import Signup, new_secret

bp = Blueprint("signups", __name__)
ID = "int(min=1, max=2147483647)"

# Documented limits: sign-up attempts per IP address, and per email address typed.
PER_IP = "10 per hour; 30 per day"
PER_ADDRESS = "5 per hour"


def _address_key() -> str:
    try:
        return "signup-address:" + normalise_email(request.form.get("email", ""))
    except DomainError:
        return "signup-address:invalid"


def _date(occurrence_id: int):
    """The public date (drafts only for their own team's staff, as a preview)."""
    viewer = current_user if current_user.is_authenticated else None
    return public_occurrence(occurrence_id, viewer)


def _bad_link(exc: InvalidToken):
    db.session.rollback()
    return render_template("signups/bad_link.html", message=exc.message), 400


@bp.route(f"/events/<{ID}:occurrence_id>/sign-up", methods=["GET", "POST"])
@limiter.limit(PER_IP, methods=["POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"], key_func=_address_key)
def sign_up(occurrence_id: int):
    row = _date(occurrence_id)
    state = queries.page_state(row)
    if not state.open:
        status = 409 if request.method == "POST" else 200
        return render_template("signups/closed.html", row=row, event=row.event, state=state), status
    form = SignupForm()
    if request.method == "GET":
        form.request_key.data = secrets.token_urlsafe(24)
        form.consent_version.data = links.CONSENT_VERSION
    if request.method == "POST" and form.website.data:
        return render_template("signups/received.html", row=row, event=row.event)  # a bot: nothing is kept
    if form.validate_on_submit():
        key = form.request_key.data or None
        try:
            signup = services.sign_up(
                row,
                name=form.name.data,
                email=form.email.data,
                phone=form.phone.data or "",
                places=form.places.data,
                access_needs=form.access_needs.data or "",
                consent_version=form.consent_version.data or links.CONSENT_VERSION,
                request_key=key,
            )
            db.session.commit()
        except services.AlreadySignedUp as exc:
            db.session.rollback()
            if key and exc.existing_key == key:  # the same form sent twice: show what the first did
                session["signup_done"] = exc.existing_id
                return redirect(url_for("signups.done", occurrence_id=row.id))
            services.resend_link(exc.existing_id)
            db.session.commit()
            session["signup_email"] = form.email.data.strip()
            return redirect(url_for("signups.check_email", occurrence_id=row.id))
        except IntegrityError:
            db.session.rollback()  # the unique request key: a double submit that raced the first
            first = db.session.scalar(db.select(Signup).where(Signup.request_key == key)) if key else None
            if first is None:
                raise
            session["signup_done"] = first.id
            return redirect(url_for("signups.done", occurrence_id=row.id))
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            session["signup_done"] = signup.id
            return redirect(url_for("signups.done", occurrence_id=row.id))
    return render_template(
        "signups/sign_up.html",
        form=form,
        row=row,
        event=row.event,
        state=state,
        consent=links.consent_text(row.event.team.name, form.consent_version.data or links.CONSENT_VERSION),
        days=links.retention_days(),
    ), 400 if form.errors else 200


@bp.route(f"/events/<{ID}:occurrence_id>/sign-up/done")
def done(occurrence_id: int):
    signup = db.session.get(Signup, session.get("signup_done") or 0)
    if signup is None or signup.occurrence_id != occurrence_id:
        return redirect(url_for("events.occurrence", occurrence_id=occurrence_id))
    row = _date(occurrence_id)
    return render_template(
        "signups/done.html", signup=signup, row=row, event=row.event, position=services.waiting_position(signup)
    )


@bp.route(f"/events/<{ID}:occurrence_id>/sign-up/check-email")
def check_email(occurrence_id: int):
    row = _date(occurrence_id)
    return render_template("signups/check_email.html", row=row, event=row.event, email=session.get("signup_email"))


# --- the private booking page ------------------------------------------------------------------


def _booking(token: str) -> Signup:
    return links.signup_for_token(token)


@bp.route("/bookings/<token>")
def manage(token: str):
    try:
        signup = _booking(token)
    except InvalidToken as exc:
        return _bad_link(exc)
    row = signup.occurrence
    return render_template(
        "signups/manage.html",
        signup=signup,
        row=row,
        event=row.event,
        token=token,
        position=services.waiting_position(signup),
        state=queries.page_state(row),
        feed_url=links.feed_url(signup.email),
        form=ConfirmForm(),
    )


@bp.route("/bookings/<token>/places", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def change_places(token: str):
    try:
        signup = _booking(token)
    except InvalidToken as exc:
        return _bad_link(exc)
    row = signup.occurrence
    form = PlacesForm(data={"places": signup.places} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.change_places(signup, form.places.data)
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            session["booking_message"] = "places"
            return redirect(url_for("signups.manage", token=token))
    return render_template(
        "signups/places.html", form=form, signup=signup, row=row, event=row.event, token=token
    ), 400 if form.errors else 200


@bp.route("/bookings/<token>/cancel", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def cancel(token: str):
    try:
        signup = _booking(token)
    except InvalidToken as exc:
        return _bad_link(exc)
    row = signup.occurrence
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            services.cancel_signup(signup)
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
            return render_template("signups/cancelled.html", signup=signup, row=row, event=row.event)
    return render_template(
        "signups/cancel.html", form=form, signup=signup, row=row, event=row.event, token=token, error=error
    ), 400 if error else 200


@bp.route("/bookings/<token>/calendar-link", methods=["POST"])
@limiter.limit("10 per hour")
def new_feed_link(token: str):
    try:
        signup = _booking(token)
    except InvalidToken as exc:
        return _bad_link(exc)
    ConfirmForm().validate_on_submit() or abort(400)
    feed = links.feed_for(signup.email)
    feed.secret = new_secret()
    db.session.commit()
    session["booking_message"] = "feed"
    return redirect(url_for("signups.manage", token=token) + "#calendar")


@bp.route("/my-events/<token>.ics")
def my_events(token: str):
    from engagement.events.ical import new_calendar, occurrence_component

    try:
        feed = links.feed_for_token(token)
    except InvalidToken as exc:
        db.session.rollback()
        return Response(exc.message + "\n", status=404, content_type="text/plain; charset=utf-8")
    rows = queries.my_events(feed.email)
    years = [r.starts_at.year for r in rows] or [utcnow().year]
    cal = new_calendar("My events", (min(years), max(years) + 1))
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    for row in rows:
        # One standalone entry per date: a date of a series is not an orphan RECURRENCE-ID here,
        # and its UID (from the date's id) stays the same even if the series is later split.
        component = occurrence_component(row.event, row, override=False)
        component.pop("uid", None)
        component.add("uid", f"booked-date-{row.id}@{host}")
        cal.add_component(component)
    response = Response(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# --- the event page's sign-up section ----------------------------------------------------------


def occurrence_section(row, viewer=None):
    """Places left and the way in, for dates residents book; "" leaves the events page's own text."""
    if row.event.signup_mode not in services.BOOKABLE_MODES:
        return ""
    state = queries.page_state(row)
    staff = viewer is not None and can_manage_team(viewer, row.event.team)
    return render_template("signups/_event_section.html", row=row, event=row.event, state=state, staff=staff)


def init_app(app) -> None:
    from engagement.core import hooks
    from engagement.core.worker import register_task
    from engagement.signups import changes, staff, tasks  # noqa: F401 - staff registers routes on bp

    hooks.register_occurrence_section("signups", occurrence_section, order=10)
    hooks.register_listener("occurrences.changed", "signups", changes.occurrences_changed)
    hooks.register_listener("occurrences.removed", "signups", changes.occurrences_removed)
    hooks.register_provider("places_left", queries.places_left)
    hooks.register_provider("occurrence.attendees", queries.attendees_for_feedback)  # surveys' feedback emails
    hooks.register_dashboard_section("signups", staff.dashboard_section, order=15)
    register_task("signup-reminders", tasks.send_reminders)
    register_task("signup-purge", tasks.purge_hourly)
