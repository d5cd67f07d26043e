"""Staff screens for one date of a series: cancel it, move it, or change it and all following.

Each touches only the dates it names; the rules live in series.py.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from engagement.core.actions import render_form, rollback
from engagement.core.permissions import access, get_or_404, require_team
from engagement.core.timeutil import format_date, format_datetime, to_local
from engagement.events import series
from engagement.events.display import event_when
from engagement.events.forms import CancelForm, FollowingForm, MoveForm
from engagement.events.models import Occurrence
from engagement.events.recurrence import describe_rrule, split_rrule
from engagement.events.views.event_forms import (
    Review,
    cancel_flow,
    chosen_venue,
    event_page,
    form_data,
    pattern_data,
    same_event,
    venue_choices,
    who_will_be_told,
)


def load_occurrence(occurrence_id: int) -> Occurrence:
    row = get_or_404(Occurrence, occurrence_id)
    require_team(row.event.team)
    return row


@access("team")
def occurrence_cancel(occurrence_id: int):
    row = load_occurrence(occurrence_id)

    def cancel(reason):
        series.cancel_occurrence(row, actor=current_user, reason=reason)
        return row.event_id

    when = format_datetime(row.starts_at)
    return cancel_flow(
        CancelForm(),
        subject=f"“{row.event.title}” on {when}",
        affected=[when],
        back=event_page(row.event_id),
        cancel=cancel,
        rows=[row],
    )


@access("team")
def occurrence_move(occurrence_id: int):
    row = load_occurrence(occurrence_id)
    event = row.event
    form = MoveForm(data=form_data(event, row)) if request.method == "GET" else MoveForm()
    form.venue.choices = venue_choices(current_user, row.venue, none_label="Same as the series")
    review = Review(form)
    if request.method == "POST" and request.form.get("change"):  # back from the check page, answers kept
        form.confirmed.data = ""
        return render_form("events/staff/move.html", form, row=row, event=event, warnings=[])
    told = who_will_be_told([row])
    before = {"when": event_when(row), "venue": row.venue}

    def move():
        when = form.when()
        was = to_local(row.starts_at).replace(tzinfo=None)  # a venue-only change is not questioned on its date
        review.check(when, same=same_event(form, event), except_occurrence=row.id, was=was)
        changed = series.move_occurrence(row, actor=current_user, when=when, venue=chosen_venue(form))
        if changed and form.confirmed.data != "yes":
            raise _CheckFirst({"when": event_when(row), "venue": row.venue})  # the service's answer, not yet kept
        return changed

    try:
        done = review.submit(
            move,
            success=event_page(event.id),
            message=lambda changed: (
                f"Moved to {format_datetime(row.starts_at)}." if changed else "Nothing was changed."
            ),
        )
    except _CheckFirst as check:
        rollback()  # nothing is kept (nor anyone emailed) until the officer confirms
        form.confirmed.data = "yes"
        after = check.args[0]
        return render_template(
            "events/staff/move_check.html", form=form, row=row, event=event, before=before, after=after, told=told
        )
    form.confirmed.data = ""
    return done or render_form("events/staff/move.html", form, row=row, event=event, warnings=review.warnings)


class _CheckFirst(Exception):
    """The move is valid and would change the date: show the check page before keeping it."""


@access("team")
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
    review = Review(form)

    def change():
        when, pattern = form.when(), form.pattern()
        review.check(when, pattern, preview=True)
        return series.change_following(
            row,
            actor=current_user,
            when=when,
            pattern=pattern,
            venue=chosen_venue(form),
            online_url=form.online_url.data or "",
        )

    done = review.submit(
        change,
        success=lambda target: event_page(target.id),
        message=lambda target: (
            f"From {format_date(form.when().start.date())}: {describe_rrule(target.rrule, target.local_start)}."
        ),
    )
    return done or render_form(
        "events/staff/following.html", form, row=row, event=event, warnings=review.warnings, preview=review.preview
    )
