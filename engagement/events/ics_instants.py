"""Imported series that London wall time cannot carry: kept as their instants, one dated event each.

Every series here repeats in Europe/London wall time, so 18:00 stays 18:00 across the clock
change. A series written in another zone, or in UTC (DTSTART:...Z), repeats in *that* zone's wall
time: a weekly 09:00 UTC check is 09:00 in a London winter and 10:00 in summer, and a call fixed
in New York moves against London in the weeks when only one of them has changed its clocks.
RDATE adds dates that no rule makes. Re-anchoring such a series to London would put dates an
hour out, so (the decision, also in the README):

* A series whose rule gives the same instants read in London time (Outlook's "GMT Standard
  Time", Europe/Dublin, a UTC series that ends before a clock change) and has no RDATE stays a
  series, as before.
* Any other series is imported as its dates: from DTSTART to the series' horizon (12 months
  ahead), each becomes a one-off event at its exact instant, with the UID "<UID>#<UTC start>".
  EXDATE dates are left out, RDATE dates added, a RECURRENCE-ID override moves or cancels its
  date. Importing the file again updates them, adds the dates the horizon has reached since and
  cancels future dates the file no longer has. They show in London time like every event.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from engagement.events.limits import MAX_DATES_PER_SERIES
from engagement.events.rrule_expansion import RecurrenceError, TooManyDates, starts_before
from engagement.events.series import horizon_for
from engagement.events.wall_clock import LONDON, local_to_utc

CHECK_SPAN = timedelta(days=366)  # London and another zone differ within any year if they ever do
UID_MARK = "#"


def derived_uid(uid: str, original: datetime) -> str:
    return f"{uid}{UID_MARK}{original.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _wall(value, zone) -> datetime:
    """A DATE-TIME (aware or floating) or DATE as naive wall time in `zone`."""
    if isinstance(value, datetime):
        return value if value.tzinfo is None else value.astimezone(zone).replace(tzinfo=None)
    return datetime.combine(value, time())


def _zone(value):
    return value.tzinfo if isinstance(value, datetime) and value.tzinfo is not None else LONDON


def _values(component, key: str) -> list:
    found = component.get(key)
    items = found if isinstance(found, list) else [found] if found is not None else []
    return [entry.dt for item in items for entry in item.dts]


def instants(component, rule: str | None, now: datetime) -> list[tuple[datetime, datetime, datetime]] | None:
    """(original start, start, end) in UTC for each date of a series kept as instants, or None to keep
    it a series. Raises RecurrenceError (TooManyDates) like the series checks do."""
    has_rdate = "RDATE" in component
    if rule is None and not has_rdate:
        return None
    start_value = component.decoded("DTSTART")
    zone = _zone(start_value)
    start = _wall(start_value, zone)
    length = _length(component, start_value, start, zone)
    first = local_to_utc(start, zone)
    horizon = horizon_for(now, first)
    if not has_rdate and (zone is LONDON or _same_in_london(rule, start, zone, horizon)):
        return None
    starts = starts_before(rule, start, horizon, tz=zone, cap=MAX_DATES_PER_SERIES)[0] if rule else [start]
    excluded = _excluded(component, zone)
    walls = {s: s + length for s in starts if local_to_utc(s, zone) not in excluded and s.date() not in excluded}
    for value in _values(component, "RDATE"):
        if isinstance(value, tuple):  # a PERIOD: its own start and end (or duration)
            begin = _wall(value[0], zone)
            walls[begin] = begin + value[1] if isinstance(value[1], timedelta) else _wall(value[1], zone)
        else:
            begin = _wall(value, zone) if isinstance(value, datetime) else datetime.combine(value, start.time())
            walls.setdefault(begin, begin + length)
    if len(walls) > MAX_DATES_PER_SERIES:
        raise TooManyDates(MAX_DATES_PER_SERIES)
    out = []
    for begin in sorted(walls):
        utc_start = local_to_utc(begin, zone)
        out.append((utc_start, utc_start, local_to_utc(walls[begin], zone)))
    return out


def _length(component, start_value, start: datetime, zone) -> timedelta:
    if "DTEND" in component:
        return _wall(component.decoded("DTEND"), zone) - start
    if "DURATION" in component:
        return component.decoded("DURATION")
    return timedelta(days=1) if not isinstance(start_value, datetime) else timedelta(hours=1)


def _excluded(component, zone) -> set:
    """EXDATE values as UTC instants (DATE-TIME) and dates (DATE)."""
    out: set = set()
    for value in _values(component, "EXDATE"):
        if isinstance(value, datetime):
            out.add(local_to_utc(_wall(value, zone), zone))
        elif isinstance(value, date):
            out.add(value)
    return out


def _same_in_london(rule: str, start: datetime, zone, horizon: datetime) -> bool:
    """Whether reading the rule in London wall time gives the same instants, for a year at least."""
    until = max(horizon, local_to_utc(start, zone) + CHECK_SPAN)
    try:
        own = starts_before(rule, start, until, tz=zone, cap=MAX_DATES_PER_SERIES)[0]
        london_start = local_to_utc(start, zone).astimezone(LONDON).replace(tzinfo=None)
        london = starts_before(rule, london_start, until, cap=MAX_DATES_PER_SERIES)[0]
    except TooManyDates:
        raise
    except RecurrenceError:
        return True  # the series checks report the rule's problem
    return [local_to_utc(s, zone) for s in own] == [local_to_utc(s) for s in london]
