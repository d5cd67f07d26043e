"""Staff screens for events: list, create, edit, duplicate, publish, cancel and the team calendar.

Records are loaded, then `require_team` checks the officer's teams. A refused rule rolls
back and shows the form again with the input kept (core.actions.submit).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, render_template, request
from flask_login import current_user

from engagement.core.actions import perform
from engagement.core.db import utcnow
from engagement.core.hooks import occurrence_lines
from engagement.core.permissions import access, require_team
from engagement.core.timeutil import format_datetime, to_local
from engagement.events import queries, services
from engagement.events.display import by_local_day
from engagement.events.forms import CancelForm, EventForm, OneOffEditForm, SeriesEditForm
from engagement.events.limits import QUERY_FIRST_DATE, QUERY_LAST_DATE
from engagement.events.models import Event
from engagement.events.recurrence import describe_rrule
from engagement.events.views.event_forms import (
    Review,
    cancel_flow,
    check_form,
    details_from,
    event_page,
    fill_choices,
    form_data,
    same_event,
    translated_form,
)
from engagement.teams.services import team_by_slug, teams_for


def load_event(event_id: int) -> Event:
    event = queries.event_with_dates(event_id)
    if event is None:
        abort(404, "We could not find that event.")
    require_team(event.team)
    return event


@access("staff")
def staff_events():
    teams = teams_for(current_user)
    team_id = request.args.get("team", type=int)
    show = request.args.get("show", "upcoming")
    page = queries.staff_events(current_user, team_id=team_id, show=show, page=request.args.get("page", 1, type=int))
    return render_template(
        "events/staff/events.html", page=page, teams=teams, team_id=team_id, show=show, describe=describe_rrule
    )


def _render_form(form, event=None, source=None, warnings=(), preview=None):
    status = 400 if form.errors else 200
    return render_template(
        "events/staff/event_form.html", form=form, event=event, source=source, warnings=warnings, preview=preview
    ), status


def _create(form: EventForm, source: Event | None = None):
    review = Review(form)

    def create():
        check_form(form, current_user)  # every field's problem at once, before the first one stops the save
        when, pattern = form.when(), form.pattern()
        review.check(when, pattern, preview=True, same=same_event(form))
        return services.create_event(
            actor=current_user,
            details=details_from(form),
            when=when,
            pattern=pattern,
            publish=request.form.get("action") == "publish",
            duplicated_from=source,
        )

    done = review.submit(
        create,
        check=lambda: check_form(form, current_user),
        success=lambda event: event_page(event.id),
        message=lambda event: (
            f"“{event.title}” saved{' and published' if event.status == 'published' else ' as a draft'}."
        ),
    )
    return done or _render_form(form, source=source, warnings=review.pending, preview=review.preview)


@access("staff")
def event_new():
    form = translated_form(EventForm)()
    fill_choices(form, current_user)
    if request.method == "GET" and (team := team_by_slug(request.args.get("team", ""))):
        form.team.data = team.id
    return _create(form)


@access("team")
def event_duplicate(event_id: int):
    source = load_event(event_id)
    form_class = translated_form(EventForm)
    form = form_class(data=form_data(source)) if request.method == "GET" else form_class()
    fill_choices(form, current_user, source)
    return _create(form, source)


@access("team")
def staff_event(event_id: int):
    event = load_event(event_id)
    return _render_event(event)


def _render_event(event: Event, error: str | None = None, status: int = 200):
    upcoming = [o for o in event.occurrences if o.ends_at > utcnow()]
    return render_template(
        "events/staff/event.html",
        event=event,
        upcoming=upcoming,
        past_count=len(event.occurrences) - len(upcoming),
        description=describe_rrule(event.rrule, event.local_start) if event.rrule else None,
        signup_text=queries.signup_text(event),
        error=error,
    ), status


@access("team")
def event_edit(event_id: int):
    event = load_event(event_id)
    form_class = translated_form(SeriesEditForm if event.is_series else OneOffEditForm)
    form = form_class(data=form_data(event)) if request.method == "GET" else form_class()
    fill_choices(form, current_user, event)
    review = Review(form)

    def save():
        check_form(form, current_user, event, dates=not event.is_series)
        when = None if event.is_series else form.when()
        if when is not None:
            first = event.occurrences[0]
            was = to_local(first.starts_at).replace(tzinfo=None)
            review.check(when, same=same_event(form), except_occurrence=first.id, was=was)
        return services.update_event(event, actor=current_user, details=details_from(form, event), when=when)

    done = review.submit(
        save,
        check=lambda: check_form(form, current_user, event, dates=not event.is_series),
        success=event_page(event.id),
        message=lambda changed: "Changes saved." if changed else "Nothing was changed.",
    )
    return done or _render_form(form, event=event, warnings=review.warnings)


@access("team")
def event_publish(event_id: int):
    event = load_event(event_id)
    return perform(
        lambda: services.publish_event(event, actor=current_user),
        success=event_page(event.id),
        message=f"“{event.title}” is published. Residents can now see it.",
        failure=lambda exc: _render_event(load_event(event_id), error=exc.message, status=exc.status),
    )


@access("team")
def event_cancel(event_id: int):
    event = load_event(event_id)

    def cancel(reason):
        services.cancel_event(event, actor=current_user, reason=reason)
        return event.id

    rows = [o for o in event.occurrences if o.ends_at > utcnow() and not o.is_cancelled]
    return cancel_flow(
        CancelForm(),
        subject=f"“{event.title}”",
        affected=[format_datetime(o.starts_at) for o in rows],
        back=event_page(event.id),
        cancel=cancel,
        rows=rows,
    )


@access("team")
def team_calendar(slug: str):
    team = team_by_slug(slug)
    if team is None:
        abort(404, f"There is no team at {slug}.")
    require_team(team)
    try:
        first = date.fromisoformat(request.args.get("start", ""))
    except ValueError:
        first = to_local(utcnow()).date()
    first = min(max(first, QUERY_FIRST_DATE), QUERY_LAST_DATE)  # weeks either side never overflow (year 1, 9999)
    found = queries.calendar_weeks(team, first)
    weeks = [(monday, by_local_day(rows)) for monday, rows in found]
    monday = weeks[0][0]
    return render_template(
        "events/staff/calendar.html",
        team=team,
        weeks=weeks,
        lines=occurrence_lines([row for _, rows in found for row in rows]),
        previous=monday - timedelta(weeks=4),
        following=monday + timedelta(weeks=4),
    )
