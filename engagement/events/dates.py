"""Staff screens for single dates of a series: cancel one, move one, change this and all following.

Each touches only the dates it names; the rules live in series.py.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engagement.core.errors import DomainError
from engagement.core.forms import apply_domain_error
from engagement.core.permissions import get_or_404, require_team, staff_route
from engagement.core.timeutil import format_date, format_datetime
from engagement.events import series, services
from engagement.events.checks import schedule_warnings
from engagement.events.forms import CancelForm, FollowingForm, MoveForm
from engagement.events.models import Occurrence, Venue
from engagement.events.recurrence import describe_rrule, split_rrule
from engagement.events.staff import cancel_flow, form_data, pattern_data, unacknowledged, venue_choices
from engagement.events.views import ID, bp
from engagement.extensions import db


def load_occurrence(occurrence_id: int) -> Occurrence:
    row = get_or_404(Occurrence, occurrence_id)
    require_team(row.event.team)
    return row


@staff_route(bp, f"/staff/occurrences/<{ID}:occurrence_id>/cancel", "team", methods=["GET", "POST"])
def occurrence_cancel(occurrence_id: int):
    row = load_occurrence(occurrence_id)

    def perform(reason):
        series.cancel_occurrence(row, actor=current_user, reason=reason)
        return row.event_id

    when = format_datetime(row.starts_at)
    return cancel_flow(
        CancelForm(),
        subject=f"“{row.event.title}” on {when}",
        affected=[when],
        back=url_for("events.staff_event", event_id=row.event_id),
        perform=perform,
    )


@staff_route(bp, f"/staff/occurrences/<{ID}:occurrence_id>/move", "team", methods=["GET", "POST"])
def occurrence_move(occurrence_id: int):
    row = load_occurrence(occurrence_id)
    event = row.event
    form = MoveForm(data=form_data(event, row)) if request.method == "GET" else MoveForm()
    form.venue.choices = venue_choices(current_user, row.venue, none_label="Same as the series")
    warnings = []
    if form.validate_on_submit():
        try:
            when = form.when()
            warnings = schedule_warnings(when)
            if not unacknowledged(form, warnings):
                venue = db.session.get(Venue, form.venue.data) if form.venue.data else None
                changed = series.move_occurrence(row, actor=current_user, when=when, venue=venue)
                db.session.commit()
                flash(f"Moved to {format_datetime(row.starts_at)}." if changed else "Nothing was changed.", "success")
                return redirect(url_for("events.staff_event", event_id=event.id))
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
    return render_template(
        "events/staff/move.html", form=form, row=row, event=event, warnings=warnings
    ), 400 if form.errors else 200


@staff_route(bp, f"/staff/occurrences/<{ID}:occurrence_id>/following", "team", methods=["GET", "POST"])
def occurrence_following(occurrence_id: int):
    row = load_occurrence(occurrence_id)
    event = row.event
    if not event.is_series:
        abort(404, "This event happens once: edit the event instead.")
    if request.method == "GET":
        data = form_data(event, row) | {"date": row.original_local_start.date()}
        _, remaining = split_rrule(event.rrule, event.local_start, row.original_local_start)
        data |= pattern_data(series.pattern_from_rrule(remaining, row.original_local_start))
        data |= {"venue": event.venue_id or 0, "start_time": row.original_local_start.time()}
        form = FollowingForm(data=data)
    else:
        form = FollowingForm()
    form.venue.choices = venue_choices(current_user, event.venue)
    warnings, preview = [], None
    if form.validate_on_submit():
        try:
            when, pattern = form.when(), form.pattern()
            if pattern is None:
                raise DomainError("Choose how often it repeats from this date", field="repeat")
            warnings = schedule_warnings(when, pattern)
            if unacknowledged(form, warnings):
                preview = describe_rrule(services.build_rule(pattern, when.start), when.start)
            else:
                venue = db.session.get(Venue, form.venue.data) if form.venue.data else None
                target = series.change_following(
                    row,
                    actor=current_user,
                    when=when,
                    pattern=pattern,
                    venue=venue,
                    online_url=form.online_url.data or "",
                )
                db.session.commit()
                flash(
                    f"From {format_date(when.start.date())}: {describe_rrule(target.rrule, target.local_start)}.",
                    "success",
                )
                return redirect(url_for("events.staff_event", event_id=target.id))
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
    return render_template(
        "events/staff/following.html", form=form, row=row, event=event, warnings=warnings, preview=preview
    ), 400 if form.errors else 200
