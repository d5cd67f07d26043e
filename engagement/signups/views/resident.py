"""Residents' pages: sign up for a date, the confirmation, the private booking page and "my events".

Public URLs (README):
  /events/<id>/sign-up              the sign-up question page (POST: rate-limited per IP, email and phone)
  /events/<id>/sign-up/done         the confirmation panel (this browser's last sign-up only)
  /events/<id>/sign-up/check-email  after a second attempt with an address: "check your email"
  /bookings/<token>                 see the booking (a GET never changes anything)
  /bookings/<token>/places          change the number of places
  /bookings/<token>/contact         POST: reminders and changes by email or by text (both given)
  /bookings/<token>/details         correct the name, phone and access needs (not the email address)
  /bookings/<token>/cancel          "Are you sure?", then cancel
  /bookings/<token>/calendar-link   POST: a new "my events" link; earlier ones stop working
  /my-events/<token>.ics            the private calendar of an address's booked dates
"""

from __future__ import annotations

import secrets

from flask import Response, abort, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user

from engagement.accounts.services import normalise_email
from engagement.core.actions import perform, render_form, rollback, submit
from engagement.core.ratelimits import (
    SHARED_CONNECTION,
    answered,
    email_key,
    has_phone,
    keeps_answers_when_limited,
    limited,
    phone_key,
    staff_on_behalf,
)
from engagement.core.tokens import InvalidToken
from engagement.events.page_queries import page_row
from engagement.extensions import db, limiter
from engagement.signups import links, queries, services
from engagement.signups.forms import ChannelForm, ConfirmForm, DetailsForm, PlacesForm, SignupForm, places_hint
from engagement.signups.ical import my_events_calendar
from engagement.signups.models import Signup

# Documented limits (README, "Rate limits"): sign-ups per IP address (sized for a library PC or a community
# centre's Wi-Fi; none for signed-in staff entering residents' details), and per email address / phone number
# typed (counted only when the sign-up went through, so fixing a typo costs nothing).
PER_IP = SHARED_CONNECTION
PER_PERSON = "5 per hour; 20 per day"


def _address_key() -> str:
    return email_key("signup", normalise_email)


def _phone_key() -> str:
    return phone_key("signup")


def _date(occurrence_id: int, columns: dict | None = None):
    """The public date (drafts only for their own team's staff, as a preview), with `columns`' values
    (the sign-up figures) in the same statement: events.page_queries.page_row."""
    viewer = current_user if current_user.is_authenticated else None
    row, values = page_row(occurrence_id, viewer, columns)
    return (row, values) if columns is not None else row


def _bad_link(exc: InvalidToken):
    rollback()
    return render_template("signups/bad_link.html", message=exc.message), 400


def _answer(row, email: str | None, outcome: services.SignupOutcome):
    """The page after a press of "Sign up": the booking, "check your email", or a bot's thank-you."""
    if outcome.kind == services.BOT:
        return make_response(render_template("signups/received.html", row=row, event=row.event))
    if outcome.kind == services.CHECK_EMAIL:
        session["signup_email"] = (email or "").strip()
        return url_for("signups.check_email", occurrence_id=row.id)
    session["signup_done"] = outcome.signup_id
    return url_for("signups.done", occurrence_id=row.id)


def _wait_text(wait) -> str:
    who = (
        "This email address or phone number has been used to sign up several times in a short time."
        if wait.per_person
        else "Many sign-ups have been sent from this internet connection in a short time."
    )
    return f"{who} Your answers are still here: wait {wait.words}, then press the button again."


@limiter.limit(PER_IP, methods=["POST"], exempt_when=staff_on_behalf)
@limiter.limit(PER_PERSON, methods=["POST"], key_func=_address_key, deduct_when=answered)
@limiter.limit(PER_PERSON, methods=["POST"], key_func=_phone_key, deduct_when=answered,
               exempt_when=lambda: not has_phone())  # fmt: skip
@keeps_answers_when_limited
def sign_up(occurrence_id: int):
    row, figures = _date(occurrence_id, queries.page_columns())
    state = queries.page_state(row, data=figures)
    if not state.open:
        status = 409 if request.method == "POST" else 200
        return render_template("signups/closed.html", row=row, event=row.event, state=state), status
    form = SignupForm()
    places_hint(form.places, row.event.max_places_per_signup or 1)
    if request.method == "GET":
        form.request_key.data = secrets.token_urlsafe(24)
        form.consent_version.data = links.CONSENT_VERSION
    on_behalf = current_user if staff_on_behalf() else None
    wait = limited()
    if wait:  # a limit was hit: show the form again with what was typed (the 429 comes from core.ratelimits)
        form.form_errors.append(_wait_text(wait))
    done = (
        None
        if wait
        else submit(
            form,
            lambda: services.submit_signup(
                row,
                name=form.name.data,
                email=form.email.data,
                phone=form.phone.data or "",
                channel=form.channel.data,
                places=form.places.data,
                access_needs=form.access_needs.data or "",
                consent_version=form.consent_version.data or links.CONSENT_VERSION,
                request_key=form.request_key.data or None,
                honeypot=form.website.data or "",
                entered_by=on_behalf,
            ),
            success=lambda outcome: _answer(row, form.email.data, outcome),
            validate=not (request.method == "POST" and form.website.data),  # a bot's answers are not even checked
            check=lambda: services.clean_answers(
                row,
                name=form.name.data,
                email=form.email.data,
                phone=form.phone.data or "",
                channel=form.channel.data,
                places=form.places.data,
                access_needs=form.access_needs.data or "",
            ),
        )
    )
    return done or render_form(
        "signups/sign_up.html",
        form,
        row=row,
        event=row.event,
        state=state,
        consent=links.consent_text(row.event.team.name, form.consent_version.data or links.CONSENT_VERSION),
        days=links.retention_days(),
        on_behalf=on_behalf,
    )


def done(occurrence_id: int):
    signup = db.session.get(Signup, session.get("signup_done") or 0)
    if signup is None or signup.occurrence_id != occurrence_id:
        return redirect(url_for("events.occurrence", occurrence_id=occurrence_id))
    row = _date(occurrence_id)
    return render_template(
        "signups/done.html", signup=signup, row=row, event=row.event, position=services.waiting_position(signup)
    )


def check_email(occurrence_id: int):
    row = _date(occurrence_id)
    return render_template("signups/check_email.html", row=row, event=row.event, email=session.get("signup_email"))


# --- the private booking page ------------------------------------------------------------------


def manage(token: str):
    try:
        signup = links.signup_for_token(token)
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
        feed_url=links.feed_url(signup.email) if signup.email else None,
        form=ConfirmForm(),
        channel_form=ChannelForm(data={"channel": signup.channel}),
    )


def _booking_message(token: str, message: str, anchor: str = ""):
    """Back to the booking page, which then says what changed ("places" or "feed")."""

    def target(_result):
        session["booking_message"] = message
        return url_for("signups.manage", token=token) + anchor

    return target


@limiter.limit("30 per hour", methods=["POST"])
def change_places(token: str):
    try:
        signup = links.signup_for_token(token)
    except InvalidToken as exc:
        return _bad_link(exc)
    row = signup.occurrence
    form = PlacesForm(data={"places": signup.places} if request.method == "GET" else None)
    done = submit(
        form, lambda: services.change_places(signup, form.places.data), success=_booking_message(token, "places")
    )
    return done or render_form("signups/places.html", form, signup=signup, row=row, event=row.event, token=token)


@limiter.limit("30 per hour", methods=["POST"])
def set_channel(token: str):
    """Email or text for the reminder and any changes; back to the booking page, which says so."""
    try:
        signup = links.signup_for_token(token)
    except InvalidToken as exc:
        return _bad_link(exc)
    form = ChannelForm()
    form.validate_on_submit() or abort(400)
    return perform(lambda: services.set_channel(signup, form.channel.data),
                   success=_booking_message(token, "channel", "#contact"))  # fmt: skip


@limiter.limit("30 per hour", methods=["POST"])
def correct_details(token: str):
    """Name, phone and access needs, corrected by the resident (not the email address: it is the key)."""
    try:
        signup = links.signup_for_token(token)
    except InvalidToken as exc:
        return _bad_link(exc)
    row = signup.occurrence
    values = {"name": signup.name, "phone": signup.phone, "access_needs": signup.access_needs}
    form = DetailsForm(data=values if request.method == "GET" else None)
    answers = {"name": form.name.data, "phone": form.phone.data or "", "access_needs": form.access_needs.data or ""}
    done = submit(
        form,
        lambda: services.correct_details(signup, **answers),
        check=lambda: services.clean_answers(
            row, places=signup.places, email=signup.email or "", channel=signup.channel, **answers
        ),
        success=_booking_message(token, "details"),
    )
    return done or render_form("signups/details.html", form, signup=signup, row=row, event=row.event, token=token)


@limiter.limit("30 per hour", methods=["POST"])
def cancel(token: str):
    try:
        signup = links.signup_for_token(token)
    except InvalidToken as exc:
        return _bad_link(exc)
    row = signup.occurrence
    form = ConfirmForm()
    done = submit(
        form,
        lambda: services.cancel_signup(signup),
        success=lambda _: make_response(
            render_template("signups/cancelled.html", signup=signup, row=row, event=row.event)
        ),
    )
    error = form.form_errors[0] if form.form_errors else None
    return done or render_form(
        "signups/cancel.html", form, signup=signup, row=row, event=row.event, token=token, error=error
    )


@limiter.limit("10 per hour")
def new_feed_link(token: str):
    try:
        signup = links.signup_for_token(token)
    except InvalidToken as exc:
        return _bad_link(exc)
    ConfirmForm().validate_on_submit() or abort(400)
    return perform(lambda: links.renew_feed(signup.email), success=_booking_message(token, "feed", "#calendar"))


def my_events(token: str):
    try:
        feed = links.feed_for_token(token)
    except InvalidToken as exc:
        rollback()
        return Response(exc.message + "\n", status=404, content_type="text/plain; charset=utf-8")
    response = Response(my_events_calendar(queries.my_events(feed.email)), content_type="text/calendar; charset=utf-8")
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
