"""Calendar feed URLs (a public contract, documented in the README):

  /calendar.ics                 every published event; ?team=&type=&area=&language= each repeatable
  /teams/<slug>/calendar.ics    one team
  /events/<id>.ics              one date, for "add to calendar"

and the help pages for subscribing to them (/calendar-help, /teams/<slug>/calendar-help).

What a feed holds, and its caching, is in calendar_feeds.py; the iCalendar text in ical.py.
"""

from __future__ import annotations

from flask import abort, render_template, request

from engagement.events.calendar_feeds import FeedFilters, serve_feed, serve_occurrence
from engagement.events.queries import public_occurrence
from engagement.teams.services import team_by_slug


def calendar_feed():
    args = request.args
    filters = FeedFilters(args.getlist("team"), args.getlist("type"), args.getlist("area"), args.getlist("language"))
    return serve_feed(filters)


def team_calendar_feed(slug: str):
    args = request.args
    filters = FeedFilters([slug], args.getlist("type"), (), args.getlist("language"))
    return serve_feed(filters, team_slug=slug.lower())


def occurrence_ics(occurrence_id: int):
    return serve_occurrence(public_occurrence(occurrence_id))


def calendar_help():
    return render_template("events/calendar_help.html", team=None)


def team_calendar_help(slug: str):
    team = team_by_slug(slug.lower())
    if team is None:
        abort(404)
    return render_template("events/calendar_help.html", team=team)
