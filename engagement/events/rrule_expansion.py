"""RRULE text into dates: parsing a rule, expanding it over local wall time, counting its dates.

Recurrence runs over naive Europe/London wall times (so 18:00 stays 18:00 across clock
changes); each start is then converted to UTC as RFC 5545 says (wall_clock.py). UNTIL is
a UTC instant, inclusive. DTSTART must be the rule's first date: other cases are refused.
Windows far from DTSTART are fast-forwarded, so expanding a distant month stays cheap.

Every expansion is bounded before it starts (limits.py): parse_rule refuses what a team never
schedules (every second or minute, hours within a day, more than MAX_COUNT dates), and each
expansion has a time window and stops at MAX_EXPANSION dates. dateutil looks for a rule's next
date until year 9999 however far the window ends, so a rule that never (or rarely) happens
would search for seconds: the search runs on a copy moved whole 400-year cycles later (the
Gregorian calendar repeats exactly every 400 years), so it gives up within one cycle.

Pure module: standard library, dateutil and zoneinfo only.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import MAXYEAR, UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule as RRule
from dateutil.rrule import rrulestr

from engagement.events.limits import (
    FREQUENCIES,
    HOURLY_MAX_COUNT,
    MAX_COUNT,
    MAX_EXPANSION,
    MAX_INTERVAL,
    MAX_RULE_YEARS,
)
from engagement.events.wall_clock import LONDON, local_to_utc, require_naive, utc_to_local

UNTIL_RE = re.compile(r"(\d{8}T\d{6})(Z?)")
LOCAL_FORMAT = "%Y%m%dT%H%M%S"
# Wall time and UTC differ by at most a day anywhere, so this slack is safe.
SLACK = timedelta(days=1)
CYCLE_YEARS = 400  # 146,097 days, exactly 20,871 weeks: dates and weekdays repeat
MAX_SKIPPED = 100_000  # dates before a window's start that one expansion may step over
PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}
TIME_PARTS = {"BYHOUR", "BYMINUTE", "BYSECOND"}
_DAY = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_NUMBER = re.compile(r"[+-]?\d{1,3}")


class RecurrenceError(ValueError):
    """A problem with a repeat pattern; str() is worded for the officer or resident."""


class TooManyDates(RecurrenceError):
    """The rule makes more dates than the caller allows (limit in .limit)."""

    def __init__(self, limit: int):
        super().__init__(f"The repeat rule makes more than {limit:,} dates.")
        self.limit = limit


def format_until(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_rule(rule: str) -> dict[str, str]:
    """RRULE text to an ordered dict of parts, refusing junk and costly rules with a readable message."""
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
    check_cost(parts)
    return parts


def _numbers(parts: dict[str, str], name: str, low: int, high: int) -> list[int]:
    values = parts[name].split(",")
    if not all(_NUMBER.fullmatch(v) for v in values) or not all(low <= abs(int(v)) <= high for v in values):
        raise RecurrenceError(f"The repeat rule is not valid: {name}={parts[name][:40]}.")
    return [int(v) for v in values]


def check_cost(parts: dict[str, str]) -> None:
    """Refuse, without expanding anything, the rules a neighbourhood team never schedules.

    Daily, weekly, monthly and yearly repeats; hourly only as at most HOURLY_MAX_COUNT sessions.
    Daily and weekly rules may only pick weekdays, so their dates are never far apart; a monthly or
    yearly rule whose days exist in none of its months is refused as never happening.
    """
    freq = parts["FREQ"]
    if freq in ("SECONDLY", "MINUTELY"):
        raise RecurrenceError(
            "Events cannot repeat every second or minute. Repeat daily, weekly, monthly or yearly "
            f"(or hourly, at most {HOURLY_MAX_COUNT} times)."
        )
    if freq not in FREQUENCIES:
        raise RecurrenceError(f"The repeat rule is not valid: FREQ={freq[:20]}.")
    if set(parts) & TIME_PARTS:
        raise RecurrenceError("Repeats at several times of day (BYHOUR, BYMINUTE, BYSECOND) are not supported.")
    unknown = sorted(set(parts) - PARTS)
    if unknown:
        raise RecurrenceError(f"Repeat rules with {unknown[0][:20]} are not supported: use days of the week or month.")
    if "INTERVAL" in parts and not (parts["INTERVAL"].isdigit() and 1 <= int(parts["INTERVAL"]) <= MAX_INTERVAL):
        raise RecurrenceError(f"The repeat interval must be a whole number from 1 to {MAX_INTERVAL}.")
    if "COUNT" in parts and not (parts["COUNT"].isdigit() and 1 <= int(parts["COUNT"]) <= MAX_COUNT):
        raise RecurrenceError(f"A series can have at most {MAX_COUNT:,} dates (COUNT={parts['COUNT'][:12]}).")
    if freq == "HOURLY":
        if set(parts) - {"FREQ", "INTERVAL", "COUNT", "WKST"} or int(parts.get("COUNT", "0")) > HOURLY_MAX_COUNT:
            raise RecurrenceError(
                f"Hourly repeats need a count of at most {HOURLY_MAX_COUNT} (for example sessions through one "
                "day) and nothing else. For anything longer, repeat daily or weekly."
            )
        if "COUNT" not in parts:
            raise RecurrenceError(f"Hourly repeats need a count of at most {HOURLY_MAX_COUNT}.")
    days = parts.get("BYDAY", "")
    matches = [_DAY.fullmatch(d) for d in days.split(",")] if days else []
    if not all(matches):
        raise RecurrenceError(f"The repeat rule is not valid: BYDAY={days[:40]}.")
    ordinals = [int(m.group(1)) for m in matches if m.group(1)]
    if freq in ("DAILY", "WEEKLY"):
        if ordinals or set(parts) & {"BYMONTHDAY", "BYMONTH", "BYSETPOS"}:
            raise RecurrenceError(
                "Daily and weekly repeats can only choose days of the week. For days of the month, repeat monthly."
            )
        return
    if any(not 1 <= abs(n) <= (5 if freq == "MONTHLY" else 53) for n in ordinals):
        raise RecurrenceError(f"The repeat rule is not valid: BYDAY={days[:40]}.")
    months = _numbers(parts, "BYMONTH", 1, 12) if "BYMONTH" in parts else list(range(1, 13))
    if "BYSETPOS" in parts:
        _numbers(parts, "BYSETPOS", 1, 366)
    if "BYMONTHDAY" in parts:
        monthdays = _numbers(parts, "BYMONTHDAY", 1, 31)
        longest = max(29 if m == 2 else calendar.monthrange(2001, m)[1] for m in months)
        if all(abs(d) > longest for d in monthdays):
            raise RecurrenceError("The repeat rule never happens: those months do not have that day.")


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
    try:
        value = datetime.strptime(match.group(1), LOCAL_FORMAT)
        return value.replace(tzinfo=UTC) if match.group(2) else local_to_utc(value, tz)
    except (ValueError, OverflowError):
        raise RecurrenceError("The repeat rule's end is not a real date and time.") from None


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


def _local_bound(instant: datetime, tz: ZoneInfo, delta: timedelta) -> datetime:
    """An aware instant as naive wall time, widened by delta; clamped at the ends of the calendar."""
    try:
        return _shifted(utc_to_local(instant, tz).replace(tzinfo=None), delta)
    except OverflowError:
        return datetime.min if delta < timedelta(0) else datetime.max


def _cycles_later(last_year: int) -> int:
    """Years (whole 400-year cycles) to move an expansion by so its window ends just before year 9999."""
    return CYCLE_YEARS * max(0, (MAXYEAR - 1 - last_year) // CYCLE_YEARS)


def _move(value: datetime, years: int) -> datetime:
    return value.replace(year=value.year + years) if years else value


def local_starts(
    rule_text: str,
    dtstart: datetime,
    tz: ZoneInfo,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    cap: int = MAX_EXPANSION,
) -> list[datetime]:
    """Naive local starts, in wall-clock order, with start <= instant < end and instant <= UNTIL.

    At most `cap` dates (TooManyDates beyond); a rule with only a COUNT is followed for at most
    MAX_RULE_YEARS after its first date.
    """
    require_naive(dtstart, "dtstart_local")
    parts = parse_rule(rule_text)
    until = until_utc(parts, tz)
    if end is None and until is None and "COUNT" not in parts:
        raise ValueError("A window end is needed for a rule that never ends.")
    if until is not None and until < local_to_utc(dtstart, tz):
        raise RecurrenceError("The repeat rule ends before the first date.")
    low = datetime.min if start is None else _local_bound(start, tz, -SLACK)
    bounds = [_local_bound(end, tz, SLACK) if end is not None else datetime.max]
    bounds.append(_local_bound(until, tz, SLACK) if until is not None else datetime.max)
    if end is None and until is None:  # only a COUNT
        bounds.append(datetime(min(dtstart.year + MAX_RULE_YEARS, MAXYEAR - 1), 12, 31, 23, 59, 59))
    high = max(dtstart, min(bounds))
    if low > high:
        return []
    years = _cycles_later(high.year)
    high_moved = _move(high, years)
    try:
        first_moved = _move(dtstart, years)
        rule = rrulestr(join_rule({k: v for k, v in parts.items() if k != "UNTIL"}), dtstart=first_moved)
        if "COUNT" not in parts:  # dateutil wants a naive UNTIL; the slack is in `high`, filtered exactly below
            rule = rule.replace(until=high_moved)
        first = next(iter(rule), None)
    except (ValueError, TypeError, IndexError, OverflowError) as exc:
        raise RecurrenceError("The repeat rule is not valid.") from exc
    if first != first_moved:
        raise RecurrenceError("The first date does not match the repeat pattern.")
    low_moved = _move(max(low, dtstart), years)
    if start is not None:
        rule = _fast_forward(rule, parts, first_moved, low_moved)
    result, skipped = [], 0
    for moved in rule:
        if moved > high_moved:
            break
        if moved < low_moved:
            skipped += 1
            if skipped > MAX_SKIPPED:
                raise TooManyDates(MAX_SKIPPED)
            continue
        local = _move(moved, -years)
        instant = local_to_utc(local, tz)
        if until is not None and instant > until:
            continue
        if (start is None or instant >= start) and (end is None or instant < end):
            result.append(local)
            if len(result) > cap:
                raise TooManyDates(cap)
    return result


def occurrence_local_starts(
    rrule: str,
    dtstart_local: datetime,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    exdates_local: Iterable[datetime] = (),
    tz: ZoneInfo = LONDON,
    cap: int = MAX_EXPANSION,
) -> list[datetime]:
    """Like expand() but naive local wall times in wall order; window optional if the rule ends."""
    excluded = {x if x.tzinfo is None else x.astimezone(tz).replace(tzinfo=None) for x in exdates_local}
    return [s for s in local_starts(rrule, dtstart_local, tz, start, end, cap=cap) if s not in excluded]


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


def starts_before(
    rrule: str, dtstart_local: datetime, horizon: datetime, *, tz: ZoneInfo = LONDON, cap: int = MAX_EXPANSION
) -> tuple[list[datetime], bool]:
    """The rule's local starts before `horizon`, and whether those are all of its dates.

    Only the window up to the horizon is ever expanded, whatever the rule's COUNT or UNTIL.
    """
    parts = parse_rule(rrule)
    starts = local_starts(rrule, dtstart_local, tz, end=horizon, cap=cap)
    if "COUNT" in parts:
        return starts, len(starts) >= int(parts["COUNT"])
    until = until_utc(parts, tz)
    return starts, until is not None and until < horizon


def count_occurrences(rrule: str, dtstart_local: datetime, tz: ZoneInfo = LONDON) -> int | None:
    """How many dates the rule makes before EXDATEs; None if it never ends."""
    parts = parse_rule(rrule)
    if "COUNT" not in parts and "UNTIL" not in parts:
        return None
    return len(local_starts(rrule, dtstart_local, tz))
