"""RRULE text into dates: parsing a rule, expanding it over local wall time, counting its dates.

Recurrence runs over naive Europe/London wall times (so 18:00 stays 18:00 across clock
changes); each start is then converted to UTC as RFC 5545 says (wall_clock.py). UNTIL is
a UTC instant, inclusive. DTSTART must be the rule's first date: other cases are refused.
Windows far from DTSTART are fast-forwarded, so expanding a distant month stays cheap.

Pure module: standard library, dateutil and zoneinfo only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule as RRule
from dateutil.rrule import rrulestr

from engagement.events.wall_clock import LONDON, local_to_utc, require_naive, utc_to_local

UNTIL_RE = re.compile(r"(\d{8}T\d{6})(Z?)")
LOCAL_FORMAT = "%Y%m%dT%H%M%S"
# Wall time and UTC differ by at most a day anywhere, so this slack is safe.
SLACK = timedelta(days=1)


class RecurrenceError(ValueError):
    """A problem with a repeat pattern; str() is worded for the officer or resident."""


def format_until(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_rule(rule: str) -> dict[str, str]:
    """RRULE text to an ordered dict of parts, refusing junk with a readable message."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    parts: dict[str, str] = {}
    for item in text.split(";"):
        name, sep, value = item.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if not sep or not name or not value or name in parts:
            raise RecurrenceError("The repeat rule is not valid.")
        parts[name] = value
    if "FREQ" not in parts:
        raise RecurrenceError("The repeat rule is not valid: it does not say how often.")
    if "UNTIL" in parts and "COUNT" in parts:
        raise RecurrenceError("A repeat rule cannot have both an end date and a count.")
    return parts


def join_rule(parts: dict[str, str]) -> str:
    ordered = {"FREQ": parts["FREQ"], **parts}  # RFC 2445 clients want FREQ first
    return ";".join(f"{name}={value}" for name, value in ordered.items())


def until_utc(parts: dict[str, str], tz: ZoneInfo) -> datetime | None:
    """UNTIL as an aware instant; a floating local UNTIL is tolerated, a bare date is not."""
    if "UNTIL" not in parts:
        return None
    match = UNTIL_RE.fullmatch(parts["UNTIL"])
    if not match:
        raise RecurrenceError("The repeat rule's end must be a date and time.")
    value = datetime.strptime(match.group(1), LOCAL_FORMAT)
    return value.replace(tzinfo=UTC) if match.group(2) else local_to_utc(value, tz)


def _fast_forward(rule: RRule, parts: dict[str, str], dtstart: datetime, target: datetime) -> RRule:
    """Move DTSTART on by whole periods (not past target) so far-off windows stay cheap.

    Only without COUNT, and only shifts that keep weekday, day of month and period
    alignment, so every occurrence from the new DTSTART is unchanged.
    """
    if "COUNT" in parts or target <= dtstart or not parts.get("INTERVAL", "1").isdigit():
        return rule
    freq, interval = parts["FREQ"], max(int(parts.get("INTERVAL", "1")), 1)
    days = (target - dtstart).days
    months = (target.year - dtstart.year) * 12 + target.month - dtstart.month
    if freq == "DAILY":
        step, n = relativedelta(days=interval), days // interval
    elif freq == "WEEKLY":
        step, n = relativedelta(weeks=interval), days // (7 * interval)
    elif freq == "MONTHLY" and dtstart.day <= 28:
        step, n = relativedelta(months=interval), months // interval - 1
    elif freq == "YEARLY" and (dtstart.month, dtstart.day) != (2, 29):
        step, n = relativedelta(years=interval), months // (12 * interval) - 1
    else:
        return rule
    return rule.replace(dtstart=dtstart + step * n) if n > 0 else rule


def _shifted(value: datetime, delta: timedelta) -> datetime:
    try:
        return value + delta
    except OverflowError:
        return datetime.min if delta < timedelta(0) else datetime.max


def local_starts(
    rule_text: str, dtstart: datetime, tz: ZoneInfo, start: datetime | None = None, end: datetime | None = None
) -> list[datetime]:
    """Naive local starts, in wall-clock order, with start <= instant < end and instant <= UNTIL."""
    require_naive(dtstart, "dtstart_local")
    parts = parse_rule(rule_text)
    until = until_utc(parts, tz)
    if end is None and until is None and "COUNT" not in parts:
        raise ValueError("A window end is needed for a rule that never ends.")
    if until is not None and until < local_to_utc(dtstart, tz):
        raise RecurrenceError("The repeat rule ends before the first date.")
    try:
        rule = rrulestr(join_rule({k: v for k, v in parts.items() if k != "UNTIL"}), dtstart=dtstart)
        if until is not None:
            # dateutil wants a naive UNTIL here; give it slack and filter exactly below.
            rule = rule.replace(until=utc_to_local(until, tz).replace(tzinfo=None) + SLACK)
        first = next(iter(rule), None)
    except (ValueError, TypeError, IndexError, OverflowError) as exc:
        raise RecurrenceError("The repeat rule is not valid.") from exc
    if first != dtstart:
        raise RecurrenceError("The first date does not match the repeat pattern.")
    low, high = datetime.min, datetime.max
    if start is not None:
        low = _shifted(utc_to_local(start, tz).replace(tzinfo=None), -SLACK)
        rule = _fast_forward(rule, parts, dtstart, low)
    if end is not None:
        high = _shifted(utc_to_local(end, tz).replace(tzinfo=None), SLACK)
    result = []
    for local in rule.between(low, high, inc=True):
        instant = local_to_utc(local, tz)
        if until is not None and instant > until:
            continue
        if (start is None or instant >= start) and (end is None or instant < end):
            result.append(local)
    return result


def occurrence_local_starts(
    rrule: str,
    dtstart_local: datetime,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    exdates_local: Iterable[datetime] = (),
    tz: ZoneInfo = LONDON,
) -> list[datetime]:
    """Like expand() but naive local wall times in wall order; window optional if the rule ends."""
    excluded = {x if x.tzinfo is None else x.astimezone(tz).replace(tzinfo=None) for x in exdates_local}
    return [s for s in local_starts(rrule, dtstart_local, tz, start, end) if s not in excluded]


def expand(
    rrule: str,
    dtstart_local: datetime,
    *,
    start: datetime,
    end: datetime,
    exdates_local: Iterable[datetime] = (),
    tz: ZoneInfo = LONDON,
) -> list[datetime]:
    """Original start instants (aware UTC) in [start, end), minus EXDATEs, sorted.

    Exdates are matched as naive local wall times, as EXDATE;TZID=... would be.
    """
    locals_ = occurrence_local_starts(rrule, dtstart_local, start=start, end=end, exdates_local=exdates_local, tz=tz)
    return sorted(local_to_utc(value, tz) for value in locals_)


def count_occurrences(rrule: str, dtstart_local: datetime, tz: ZoneInfo = LONDON) -> int | None:
    """How many dates the rule makes before EXDATEs; None if it never ends."""
    parts = parse_rule(rrule)
    if "COUNT" not in parts and "UNTIL" not in parts:
        return None
    return len(local_starts(rrule, dtstart_local, tz))
