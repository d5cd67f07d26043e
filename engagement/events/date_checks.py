"""Dates an officer probably did not mean, and events already on the calendar: warnings, not refusals.

A surgery on Christmas Day, a date in the past (typed 2025 for 2026) or the same event saved twice
(a double click, two officers) all save without complaint otherwise. Each warning is shown once
with the answers kept; saving again unchanged accepts it (views.event_forms.Review).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from engagement.core.db import utcnow
from engagement.core.timeutil import format_date, format_datetime, to_local
from engagement.events.models import CANCELLED, Event, Occurrence
from engagement.events.recurrence import RepeatPattern, build_rrule
from engagement.events.rrule_expansion import RecurrenceError, occurrence_local_starts
from engagement.events.wall_clock import local_to_utc
from engagement.extensions import db

HOLIDAYS = {(12, 25): "Christmas Day", (12, 26): "Boxing Day"}
SHOWN = 3  # odd dates listed by name; the rest are counted


def _local_starts(start: datetime, pattern: RepeatPattern | None) -> list[datetime]:
    if pattern is None:
        return [start]
    try:
        return occurrence_local_starts(build_rrule(pattern, start), start)
    except RecurrenceError:
        return [start]  # the repeat fields get their own error when saving


def odd_date_warnings(start: datetime, pattern: RepeatPattern | None = None, now: datetime | None = None) -> list[str]:
    """Christmas Day and Boxing Day among the dates, and a first date already past (local wall times)."""
    today = to_local(now or utcnow()).date()
    warnings = []
    if start.date() < today:
        warnings.append(
            f"{format_date(start.date())} is in the past, so residents cannot come. "
            "Save again only to record an event that has already happened (as a draft: it cannot be published)."
        )
    holidays = [
        (day.date(), HOLIDAYS[(day.month, day.day)])
        for day in _local_starts(start, pattern)
        if (day.month, day.day) in HOLIDAYS
    ]
    if len(holidays) == 1 and pattern is None:
        day, name = holidays[0]
        warnings.append(f"{format_date(day)} is {name}: few people will come, and the team may be off.")
    elif holidays:
        named = "; ".join(f"{format_date(day)} ({name})" for day, name in holidays[:SHOWN])
        more = f" and {len(holidays) - SHOWN} more" if len(holidays) > SHOWN else ""
        count = "1 date falls" if len(holidays) == 1 else f"{len(holidays)} dates fall"
        warnings.append(
            f"{count} on Christmas Day or Boxing Day: {named}{more}. You can cancel single dates after saving."
        )
    return warnings


def duplicate_warning(
    team, title: str, venue_id: int | None, start: datetime, *, except_occurrence: int | None = None
) -> list[str]:
    """An event of the same team with the same title, date, time and venue already on the calendar: one query.

    `start` is the local wall time typed; `venue_id` None means online only. The date being moved is
    left out (`except_occurrence`), so moving a date to its own time never warns.
    """
    if team is None or not title:
        return []
    try:
        start_utc = local_to_utc(start)
    except (OverflowError, ValueError):
        return []
    query = (
        select(Occurrence.id, Occurrence.starts_at)
        .join(Event, Event.id == Occurrence.event_id)
        .where(
            Event.team_id == team.id,
            func.lower(Event.title) == title.strip().lower(),
            Event.status != CANCELLED,
            Occurrence.status != CANCELLED,
            Occurrence.starts_at == start_utc,
            func.coalesce(Occurrence.venue_id, Event.venue_id).is_(None)
            if venue_id is None
            else func.coalesce(Occurrence.venue_id, Event.venue_id) == venue_id,
        )
        .limit(1)
    )
    if except_occurrence is not None:
        query = query.where(Occurrence.id != except_occurrence)
    found = db.session.execute(query).first()
    if found is None:
        return []
    return [
        f"“{title.strip()}” is already on the calendar for {team.name} at the same place on "
        f"{format_datetime(found.starts_at)}. Save again only if this is a second, separate event."
    ]
