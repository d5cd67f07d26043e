"""Staff screens for events: list, create, edit, duplicate, publish, cancel and the team calendar.

Every route is a `staff_route`; records are loaded, then `require_team` checks the
officer's teams. A failed rule rolls back and re-shows the form with the input kept.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engagement.accounts.models import User
from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.core.forms import apply_domain_error
from engagement.core.permissions import ADMIN, COORDINATOR, require_team, staff_route
from engagement.core.timeutil import format_datetime, to_local
from engagement.events import queries, series, services
from engagement.events.checks import EventDetails, schedule_warnings
from engagement.events.forms import CancelForm, EventForm, OneOffEditForm, SeriesEditForm
from engagement.events.models import Event, EventType, Occurrence, Venue
from engagement.events.recurrence import describe_rrule
from engagement.events.views import ID, bp, by_local_day
from engagement.extensions import db
from engagement.teams.models import Team
from engagement.teams.services import all_teams, team_by_slug


def managed_teams(user) -> list[Team]:
    return all_teams() if user.role in (ADMIN, COORDINATOR) else list(user.teams)


def load_event(event_id: int) -> Event:
    event = queries.event_with_dates(event_id)
    if event is None:
        abort(404, "We could not find that event.")
    require_team(event.team)
    return event


def venue_choices(user, current: Venue | None = None, none_label: str = "No venue: online only"):
    venues = queries.venues_for(user)
    if current is not None and current not in venues:
        venues.append(current)
    return [
        (0, none_label),
        *((v.id, f"{v.name}, {v.postcode}" + (f" ({v.team.name})" if v.team else "")) for v in venues),
    ]


def fill_choices(form: EventForm, user, event: Event | None = None) -> None:
    teams = managed_teams(user)
    form.team.choices = [(t.id, t.name) for t in teams]
    types = queries.active_types()
    if event is not None and event.event_type not in types:
        types.append(event.event_type)
    form.event_type.choices = [(t.id, t.name) for t in types]
    form.venue.choices = venue_choices(user, event.venue if event else None)
    people = {p.id: p for p in queries.active_members(teams)}
    if event is not None and event.contact is not None:
        people.setdefault(event.contact.id, event.contact)
    form.contact.choices = [
        (0, "No contact officer"),
        *((p.id, p.public_name) for p in sorted(people.values(), key=lambda p: p.display_name)),
    ]


def details_from(form: EventForm) -> EventDetails:
    return EventDetails(
        team=db.session.get(Team, form.team.data),
        event_type=db.session.get(EventType, form.event_type.data),
        title=form.title.data or "",
        description=form.description.data or "",
        venue=db.session.get(Venue, form.venue.data) if form.venue.data else None,
        online_url=form.online_url.data or "",
        contact=db.session.get(User, form.contact.data) if form.contact.data else None,
        contact_email_public=form.contact_email_public.data,
        capacity=form.capacity.data,
        signup_mode=form.signup_mode.data or None,
        max_places_per_signup=form.max_places_per_signup.data or 1,
    )


def form_data(event: Event, row: Occurrence | None = None) -> dict:
    """An event (or one of its dates) as form values, in local time."""
    start, end = (row.starts_at, row.ends_at) if row else (event.starts_at, event.ends_at)
    local_start, local_end = to_local(start), to_local(end)
    data = {
        "team": event.team_id,
        "event_type": event.event_type_id,
        "title": event.title,
        "description": event.description,
        "venue": (row.venue_id if row and row.venue_id else event.venue_id) or 0,
        "online_url": event.online_url,
        "contact": event.contact_id or 0,
        "contact_email_public": event.contact_email_public,
        "capacity": event.capacity,
        "signup_mode": event.signup_mode,
        "max_places_per_signup": event.max_places_per_signup,
        "date": local_start.date(),
        "all_day": event.all_day,
    }
    if event.all_day:
        last = (local_end - timedelta(days=1)).date()
        data["end_date"] = last if last != local_start.date() else None
    else:
        data |= {"start_time": local_start.time(), "end_time": local_end.time()}
        data["end_date"] = local_end.date() if local_end.date() != local_start.date() else None
    if event.rrule and row is None:
        data |= pattern_data(series.pattern_from_rrule(event.rrule, event.local_start))
    return data


def pattern_data(pattern) -> dict:
    if pattern is None:
        return {}
    return {
        "repeat": pattern.kind,
        "weekday_position": pattern.weekday_position or 0,
        "repeat_until": pattern.until,
        "repeat_count": pattern.count,
    }


def fingerprint(warnings: list[str]) -> str:
    return hashlib.sha256("\n".join(warnings).encode()).hexdigest()[:16]


def unacknowledged(form, warnings: list[str]) -> bool:
    """True (and arms the form) if there are warnings the officer has not yet seen and accepted."""
    if not warnings or form.acknowledged.data == fingerprint(warnings):
        return False
    form.acknowledged.data = fingerprint(warnings)
    return True


# --- events ---------------------------------------------------------------------------------


@staff_route(bp, "/staff/events", "staff")
def staff_events():
    teams = managed_teams(current_user)
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
    if not form.validate_on_submit():
        return _render_form(form, source=source)
    try:
        when, pattern = form.when(), form.pattern()
        warnings = schedule_warnings(when, pattern)
        if unacknowledged(form, warnings):
            preview = describe_rrule(services.build_rule(pattern, when.start), when.start) if pattern else None
            return _render_form(form, source=source, warnings=warnings, preview=preview)
        event = services.create_event(
            actor=current_user,
            details=details_from(form),
            when=when,
            pattern=pattern,
            publish=request.form.get("action") == "publish",
            duplicated_from=source,
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _render_form(form, source=source)
    db.session.commit()
    flash(f"“{event.title}” saved{' and published' if event.status == 'published' else ' as a draft'}.", "success")
    return redirect(url_for("events.staff_event", event_id=event.id))


@staff_route(bp, "/staff/events/new", "staff", methods=["GET", "POST"])
def event_new():
    form = EventForm()
    fill_choices(form, current_user)
    if request.method == "GET" and (team := team_by_slug(request.args.get("team", ""))):
        form.team.data = team.id
    return _create(form)


@staff_route(bp, f"/staff/events/<{ID}:event_id>/duplicate", "team", methods=["GET", "POST"])
def event_duplicate(event_id: int):
    source = load_event(event_id)
    form = EventForm(data=form_data(source)) if request.method == "GET" else EventForm()
    fill_choices(form, current_user, source)
    return _create(form, source)


@staff_route(bp, f"/staff/events/<{ID}:event_id>", "team")
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


@staff_route(bp, f"/staff/events/<{ID}:event_id>/edit", "team", methods=["GET", "POST"])
def event_edit(event_id: int):
    event = load_event(event_id)
    form_class = SeriesEditForm if event.is_series else OneOffEditForm
    form = form_class(data=form_data(event)) if request.method == "GET" else form_class()
    fill_choices(form, current_user, event)
    warnings = []
    if form.validate_on_submit():
        try:
            when = None if event.is_series else form.when()
            warnings = schedule_warnings(when) if when else []
            if not unacknowledged(form, warnings):
                changed = services.update_event(event, actor=current_user, details=details_from(form), when=when)
                db.session.commit()
                flash("Changes saved." if changed else "Nothing was changed.", "success")
                return redirect(url_for("events.staff_event", event_id=event.id))
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
    return _render_form(form, event=event, warnings=warnings)


@staff_route(bp, f"/staff/events/<{ID}:event_id>/publish", "team", methods=["POST"])
def event_publish(event_id: int):
    event = load_event(event_id)
    try:
        services.publish_event(event, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        return _render_event(load_event(event_id), error=exc.message, status=exc.status)
    db.session.commit()
    flash(f"“{event.title}” is published. Residents can now see it.", "success")
    return redirect(url_for("events.staff_event", event_id=event.id))


def cancel_flow(form: CancelForm, *, subject: str, affected: list[str], back: str, perform):
    """Reason, then check your answers, then cancel: nothing changes until the officer confirms."""
    if form.validate_on_submit() and not request.form.get("change"):
        if form.confirmed.data != "yes":
            form.confirmed.data = "yes"
            return render_template(
                "events/staff/cancel_check.html", form=form, subject=subject, affected=affected, back=back
            )
        try:
            event_id = perform(form.reason.data)
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"Cancelled. Residents will see: “{form.reason.data.strip()}”.", "success")
            return redirect(url_for("events.staff_event", event_id=event_id))
    form.confirmed.data = ""
    status = 400 if form.errors else 200
    return render_template("events/staff/cancel.html", form=form, subject=subject, back=back), status


@staff_route(bp, f"/staff/events/<{ID}:event_id>/cancel", "team", methods=["GET", "POST"])
def event_cancel(event_id: int):
    event = load_event(event_id)

    def perform(reason):
        services.cancel_event(event, actor=current_user, reason=reason)
        return event.id

    upcoming = [format_datetime(o.starts_at) for o in event.occurrences if o.ends_at > utcnow() and not o.is_cancelled]
    return cancel_flow(
        CancelForm(),
        subject=f"“{event.title}”",
        affected=upcoming,
        back=url_for("events.staff_event", event_id=event.id),
        perform=perform,
    )


@staff_route(bp, "/staff/teams/<slug>/calendar", "team")
def team_calendar(slug: str):
    team = team_by_slug(slug)
    if team is None:
        abort(404, f"There is no team at {slug}.")
    require_team(team)
    try:
        first = date.fromisoformat(request.args.get("start", ""))
    except ValueError:
        first = to_local(utcnow()).date()
    weeks = [(monday, by_local_day(rows)) for monday, rows in queries.calendar_weeks(team, first)]
    monday = weeks[0][0]
    return render_template(
        "events/staff/calendar.html",
        team=team,
        weeks=weeks,
        previous=monday - timedelta(weeks=4),
        following=monday + timedelta(weeks=4),
    )
