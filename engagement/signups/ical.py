"""The private "my events" calendar: every date an address has a confirmed place at."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

from engagement.core.db import utcnow


def my_events_calendar(rows) -> bytes:
    """One standalone entry per date, with a UID of its own (see below), as iCalendar bytes."""
    from engagement.events.ical import new_calendar, occurrence_component

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
    return cal.to_ical()
