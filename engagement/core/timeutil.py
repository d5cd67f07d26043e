"""Time at the edges: convert stored UTC to the configured local zone and spell it out UK style.

GOV.UK style: "Tuesday 3 March 2027, 6pm to 7:30pm". Inside the app everything is UTC.
In another language (core.i18n) dates and times come from Babel's data for it ("wtorek, 3 marca
2027, 18:00"); English keeps the house style above exactly, which Babel's en_GB does not give.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from engagement.core import i18n
from engagement.core.i18n import _


def local_zone() -> ZoneInfo:
    name = current_app.config["TIMEZONE"] if has_app_context() else "Europe/London"
    return ZoneInfo(name)


def to_local(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime reached the edge; store aware UTC values")
    try:
        return value.astimezone(local_zone())
    except OverflowError:  # a stored value at the very edge of the calendar (year 1 or 9999): show it as UTC
        return value


def local_to_utc(day: date, at: time) -> datetime:
    """A wall-clock date and time in the local zone as aware UTC (RFC 5545: a time skipped by the
    spring clock change moves forward; a repeated autumn time means the first one)."""
    return datetime.combine(day, at).replace(tzinfo=local_zone(), fold=0).astimezone(UTC)


def format_date(value: date | datetime) -> str:
    """'Tuesday 3 March 2027' (a datetime is shown in local time)."""
    if isinstance(value, datetime):
        value = to_local(value)
    if i18n.current_language() != i18n.SOURCE:
        return i18n.format_date(value, "full")
    return f"{value:%A} {value.day} {value:%B %Y}"


def format_time(value: datetime) -> str:
    """'6pm', '7:30pm', 'midday', 'midnight' in local time."""
    local = to_local(value)
    if i18n.current_language() != i18n.SOURCE:
        return i18n.format_time(local, "short")
    if local.hour == 12 and local.minute == 0:
        return "midday"
    if local.hour == 0 and local.minute == 0:
        return "midnight"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    if local.minute:
        return f"{hour}:{local.minute:02d}{suffix}"
    return f"{hour}{suffix}"


def format_datetime(value: datetime) -> str:
    return _("%(date)s, %(time)s", date=format_date(value), time=format_time(value))


def format_range(start: datetime, end: datetime | None) -> str:
    """'Tuesday 3 March 2027, 6pm to 7:30pm', spelling out the end date only if it differs."""
    if end is None:
        return format_datetime(start)
    local_start, local_end = to_local(start), to_local(end)
    ends_at_midnight = (local_end.hour, local_end.minute) == (0, 0) and (
        local_end.date() - local_start.date()
    ).days == 1
    if local_start.date() == local_end.date() or ends_at_midnight:
        return _(
            "%(date)s, %(start)s to %(end)s", date=format_date(start), start=format_time(start), end=format_time(end)
        )
    return _("%(start)s to %(end)s", start=format_datetime(start), end=format_datetime(end))


def register_filters(app) -> None:
    app.jinja_env.filters["uk_date"] = format_date
    app.jinja_env.filters["uk_time"] = format_time
    app.jinja_env.filters["uk_datetime"] = format_datetime
    app.jinja_env.filters["local"] = to_local
    app.jinja_env.globals["uk_range"] = format_range
