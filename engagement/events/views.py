"""Public event pages (/events, /events/<occurrence id>) and the events sections of team pages.

The staff screens live in staff.py, dates.py and setup.py on the same blueprint. The team page and
the staff dashboard get their events sections through core.hooks, so teams never imports events.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import groupby

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from engagement.core.db import utcnow
from engagement.core.hooks import occurrence_sections, register_dashboard_section, register_team_section
from engagement.core.markup import render_markdown
from engagement.core.timeutil import format_date, format_range, format_time, to_local
from engagement.events import queries
from engagement.events.forms import EventFilterForm
from engagement.events.models import Occurrence
from engagement.events.recurrence import local_to_utc
from engagement.teams.services import all_teams

bp = Blueprint("events", __name__)

# Ids in URLs stop at the database's integer range, so a huge number is a 404, not an overflow error.
ID = "int(min=1, max=2147483647)"
ICS_ENDPOINT = "events.occurrence_ics"  # the iCal feeds feature adds this route


def _span(item):
    all_day = item.event.all_day if isinstance(item, Occurrence) else item.all_day
    return item.starts_at, item.ends_at, all_day


def event_when(item) -> str:
    """'Tuesday 3 March 2027, 6pm to 7:30pm', or 'Saturday 5 December 2026, all day', for a date or event."""
    start, end, all_day = _span(item)
    if all_day:
        first, last = to_local(start).date(), (to_local(end) - timedelta(days=1)).date()
        return f"{format_date(first)}, all day" if first == last else f"{format_date(first)} to {format_date(last)}"
    return format_range(start, end)


def event_times(item) -> str:
    """The time part only ('6pm to 7:30pm'), for lists that already show the day."""
    start, end, all_day = _span(item)
    if all_day:
        return "All day" if (end - start) <= timedelta(days=1, hours=1) else event_when(item)
    if to_local(start).date() == to_local(end).date():
        return f"{format_time(start)} to {format_time(end)}"
    return format_range(start, end)


def by_local_day(rows):
    """[(date, [occurrence, ...]), ...] in local time, for lists grouped under a day heading."""
    return [(day, list(group)) for day, group in groupby(rows, key=lambda row: to_local(row.starts_at).date())]


@bp.route("/events")
def event_list():
    form = EventFilterForm(formdata=request.args)
    form.team.choices = [("", "All teams"), *((t.slug, t.name) for t in all_teams())]
    form.type.choices = [("", "All kinds of event"), *((t.slug, t.name) for t in queries.all_types())]
    if not form.validate():
        return render_template("events/list.html", form=form, page=None, days=[], args={}), 400
    filters = queries.Filters(
        team=form.team.data or "",
        type=form.type.data or "",
        area=form.area.data or "",
        from_date=form.from_date.data,
        to_date=form.to_date.data,
    )
    page = queries.public_upcoming(filters, page=request.args.get("page", 1, type=int))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("events/list.html", form=form, page=page, days=by_local_day(page.items), args=args)


@bp.route(f"/events/<{ID}:occurrence_id>")
def occurrence(occurrence_id: int):
    viewer = current_user if current_user.is_authenticated else None
    row = queries.public_occurrence(occurrence_id, viewer)
    return render_template(
        "events/occurrence.html",
        row=row,
        event=row.event,
        venue=row.venue,
        signup_text=queries.signup_text(row.event),
        signup_sections=occurrence_sections(row, viewer),
        finished=row.ends_at <= utcnow(),
        original=local_to_utc(row.original_local_start) if row.moved else None,
        has_ics=ICS_ENDPOINT in current_app.view_functions,
    )


def team_events_section(team):
    rows = queries.team_upcoming(team)
    return render_template("events/_team_events.html", team=team, days=by_local_day(rows))


def dashboard_section(user, teams):
    """The coming fortnight for the user's own teams (all teams for coordinators and admins with none)."""
    mine = [t for t in teams if t.id in user.team_ids] or list(teams)
    now = utcnow()
    rows = queries.staff_window(mine, start=now, end=now + timedelta(days=14), limit=60)
    return render_template("events/_dashboard.html", days=by_local_day(rows), teams=mine, limit_hit=len(rows) >= 60)


def init_app(app) -> None:
    from engagement.events import api, dates, embed, feeds, import_views, policeuk, setup, staff  # noqa: F401 - registers routes on bp

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["event_when"] = event_when
    app.jinja_env.filters["event_times"] = event_times
    register_team_section("events", team_events_section, order=10)
    register_dashboard_section("events", dashboard_section, order=10)
