"""Events: event types, venues, events and their dates (one-off and repeating), calendars and the API.

Public interface (what other features may import):
  engagement.events.models       Event, EventType, Occurrence, Venue and the status constants
  engagement.events.details      EventDetails, When (what create_event takes), details_of
  engagement.events.services     create_event, update_event, publish_event, cancel_event, save_venue,
                                 ensure_default_types
  engagement.events.series       cancel_occurrence, move_occurrence, change_following (one date of a series)
  engagement.events.queries      with_everything, public_occurrence, all_types, public_ids and load_rows
                                 (lists that cost one page), VOLUNTEERS_ONLY
  engagement.events.validation   build_rule (a RepeatPattern as RRULE text, refusals as DomainError)
  engagement.events.recurrence   RepeatPattern, describe_rrule
  engagement.events.rrule_expansion  occurrence_local_starts, expand
  engagement.events.wall_clock   local_to_utc, LONDON (Europe/London wall time per RFC 5545)
  engagement.events.display      event_when, event_times, by_local_day (also the Jinja filters)
  engagement.events.ical         build_single, build_feed, new_calendar, occurrence_component, webcal
  engagement.events.limits       the date range teams schedule in, repeat and import limits, overflow-safe
                                 day bounds for date filters (day_start_utc, day_end_utc)
  engagement.events.forms        RepeatFields, choice, uk_date (Speed Watch's shift forms)
  engagement.events.languages    languages spoken at an event, its translated title and description (shown)
Events announces "occurrences.changed" / "occurrences.removed" and asks for "places_left" through
core.hooks, so it never imports the features built on it. Everything else is private to the package.
"""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.core.hooks import register_dashboard_section, register_team_section
    from engagement.core.markup import render_markdown
    from engagement.core.worker import register_task
    from engagement.events import calendar_feeds, feed_fragments, ical, models, subscribe  # noqa: F401 - models; feeds track versions
    from engagement.events.api_json import api_headers
    from engagement.events.blueprint import bp
    from engagement.events.cli import events_cli
    from engagement.events.display import directions_url, event_times, event_when
    from engagement.events.import_jobs import run_import_jobs
    from engagement.events.series import extend_horizons
    from engagement.events.views import sections

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["event_when"] = event_when
    app.jinja_env.filters["event_times"] = event_times
    app.jinja_env.filters["directions_url"] = directions_url
    from engagement.events import languages

    languages.register(app)  # event_text(event), spoken_sentence(event): events in several languages
    register_team_section("events", sections.team_events_section, order=10)
    register_dashboard_section("events", sections.dashboard_section, order=10)
    app.register_blueprint(bp)
    calendar_feeds.init_app(app)  # feed URLs on the fast path: no session, no user loading (core.http_cache)
    app.add_template_global(ical.subscribe_links, "calendar_subscribe_links")
    app.add_template_global(subscribe.calendar_subscription, "calendar_subscription")  # links + the asking device
    app.add_template_global(ical.add_links, "calendar_add_links")
    app.after_request(api_headers)  # CORS on every /api/ response, errors included
    register_task("events-horizon", extend_horizons)
    register_task("events-imports", run_import_jobs)  # every pass: uploaded calendar files waiting to import
    app.cli.add_command(events_cli)
