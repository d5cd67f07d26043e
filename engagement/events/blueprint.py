"""Every URL of the events feature, in one table. Staff views carry @access(...) on the function."""

from __future__ import annotations

from flask import Blueprint

from engagement.events.views import (
    api,
    calendars,
    embed,
    imports,
    occurrences,
    policeuk,
    public,
    staff,
    types_and_venues,
)

bp = Blueprint("events", __name__)

# Ids in URLs stop at the database's integer range, so a huge number is a 404, not an overflow error.
ID = "int(min=1, max=2147483647)"
FORM = ["GET", "POST"]
FEED = ["GET", "HEAD"]

# Public pages
bp.add_url_rule("/events", "event_list", public.event_list)
bp.add_url_rule(f"/events/<{ID}:occurrence_id>", "occurrence", public.occurrence)
bp.add_url_rule("/embed/teams/<slug>", "embed_team", embed.embed_team)

# Calendar feeds (iCalendar)
bp.add_url_rule("/calendar.ics", "calendar_feed", calendars.calendar_feed, methods=FEED)
bp.add_url_rule("/teams/<slug>/calendar.ics", "team_calendar_feed", calendars.team_calendar_feed, methods=FEED)
bp.add_url_rule(f"/events/<{ID}:occurrence_id>.ics", "occurrence_ics", calendars.occurrence_ics, methods=FEED)
bp.add_url_rule("/calendar-help", "calendar_help", calendars.calendar_help)  # subscribing, step by step
bp.add_url_rule("/teams/<slug>/calendar-help", "team_calendar_help", calendars.team_calendar_help)

# JSON: the public API and the data.police.uk format
bp.add_url_rule("/api/v1/events", "api_events", api.api_events)
bp.add_url_rule("/api/v1/openapi.json", "api_openapi", api.api_openapi)
bp.add_url_rule("/teams/<slug>/events.json", "team_events_json", policeuk.team_events_json)

# Staff: events
bp.add_url_rule("/staff/events", "staff_events", staff.staff_events)
bp.add_url_rule("/staff/events/new", "event_new", staff.event_new, methods=FORM)
bp.add_url_rule(f"/staff/events/<{ID}:event_id>", "staff_event", staff.staff_event)
bp.add_url_rule(f"/staff/events/<{ID}:event_id>/edit", "event_edit", staff.event_edit, methods=FORM)
bp.add_url_rule(f"/staff/events/<{ID}:event_id>/duplicate", "event_duplicate", staff.event_duplicate, methods=FORM)
bp.add_url_rule(f"/staff/events/<{ID}:event_id>/publish", "event_publish", staff.event_publish, methods=["POST"])
bp.add_url_rule(f"/staff/events/<{ID}:event_id>/cancel", "event_cancel", staff.event_cancel, methods=FORM)
bp.add_url_rule("/staff/teams/<slug>/calendar", "team_calendar", staff.team_calendar)
bp.add_url_rule("/staff/teams/<slug>/import-ics", "import_ics_form", imports.import_ics_form, methods=FORM)
bp.add_url_rule(f"/staff/teams/<slug>/imports/<{ID}:job_id>", "import_job", imports.import_job)

# Staff: one date of a series
OCCURRENCE = f"/staff/occurrences/<{ID}:occurrence_id>"
bp.add_url_rule(f"{OCCURRENCE}/cancel", "occurrence_cancel", occurrences.occurrence_cancel, methods=FORM)
bp.add_url_rule(f"{OCCURRENCE}/move", "occurrence_move", occurrences.occurrence_move, methods=FORM)
bp.add_url_rule(f"{OCCURRENCE}/following", "occurrence_following", occurrences.occurrence_following, methods=FORM)

# Staff: event types (admins) and venues
bp.add_url_rule("/staff/event-types", "event_types", types_and_venues.event_types)
bp.add_url_rule("/staff/event-types/new", "event_type_new", types_and_venues.event_type_new, methods=FORM)
bp.add_url_rule(
    f"/staff/event-types/<{ID}:type_id>/edit", "event_type_edit", types_and_venues.event_type_edit, methods=FORM
)
bp.add_url_rule("/staff/venues", "venues", types_and_venues.venues)
bp.add_url_rule("/staff/venues/new", "venue_new", types_and_venues.venue_new, methods=FORM)
bp.add_url_rule(f"/staff/venues/<{ID}:venue_id>/edit", "venue_edit", types_and_venues.venue_edit, methods=FORM)
