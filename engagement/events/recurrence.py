"""Recurring events: RFC 5545 RRULEs over Europe/London wall-clock time.

Officers think in wall-clock time ("18:00 on the first Tuesday"), and calendar
clients later expand DTSTART;TZID=Europe/London + RRULE + EXDATE from our feed.
Both must list the same occurrences, so everything here follows RFC 5545:

* Recurrence runs over naive local wall times; each start is then converted to
  UTC, so 18:00 stays 18:00 across clock changes.
* Local and UTC convert as RFC 5545 says (wall_clock.py): an ambiguous time is the
  first one, a missing one keeps the offset before the gap.
* BYMONTHDAY=31 skips months without a 31st; nothing moves to the 30th.
* UNTIL is a UTC date-time, inclusive, compared with each start instant. An
  officer's end *date* becomes 23:59:59 local on that date.
* DTSTART must be the first occurrence. RFC 5545 leaves other cases undefined
  (clients disagree), so we refuse them.

Pure module: standard library, dateutil and zoneinfo only.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from engagement.events.rrule_expansion import (
    LOCAL_FORMAT,
    SLACK,
    RecurrenceError,
    format_until,
    join_rule,
    local_starts,
    occurrence_local_starts,
    parse_rule,
    until_utc,
)
from engagement.events.wall_clock import (
    DAY_NAMES,
    LONDON,
    format_uk_date,
    local_time_problem_message,
    local_to_utc,
    require_naive,
    utc_to_local,
)

MAX_COUNT = 200
MAX_SPAN_YEARS = 2
KINDS = ("weekly", "fortnightly", "monthly_by_date", "monthly_by_weekday")
POSITIONS = (1, 2, 3, 4, -1)
CUSTOM_DESCRIPTION = "Repeats (custom rule)"

_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_POSITION_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}  # fmt: skip
_RECURRENCE_ID_RE = re.compile(r"\d{8}T\d{6}")
_BYDAY_RE = re.compile(r"([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)")
_ONE_SECOND = timedelta(seconds=1)


# --- What the officer chose ---------------------------------------------------


def _ordinal(n: int) -> str:
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{'th' if 10 <= n % 100 <= 20 else suffix}"


def _weekday_positions(day: date) -> set[int]:
    """Which "nth weekday of the month" a date is: e.g. {4, -1} for a 4th-and-last."""
    positions = {(day.day - 1) // 7 + 1}
    if day.day + 7 > calendar.monthrange(day.year, day.month)[1]:
        positions.add(-1)
    return positions


@dataclass(frozen=True)
class RepeatPattern:
    """What an officer picked in the repeat form; checked on creation so junk never becomes a rule."""

    kind: str
    weekday_position: int | None = None
    until: date | None = None
    count: int | None = None

    def __post_init__(self) -> None:
        problem = None
        position, count, until = self.weekday_position, self.count, self.until
        if self.kind not in KINDS:
            problem = "Choose how often the event repeats."
        elif self.kind == "monthly_by_weekday" and (type(position) is not int or position not in POSITIONS):
            problem = "Choose which week of the month: first, second, third, fourth or last."
        elif until is None and count is None:
            problem = "Choose an end date or a number of times for the repeats."
        elif until is not None and count is not None:
            problem = "Choose either an end date or a number of times, not both."
        elif count is not None and (type(count) is not int or not 1 <= count <= MAX_COUNT):
            problem = f"The number of times must be between 1 and {MAX_COUNT}."
        elif until is not None and (isinstance(until, datetime) or not isinstance(until, date)):
            problem = "The end date is not a valid date."
        if problem:
            raise RecurrenceError(problem)

    def check_start(self, first: date) -> None:
        """Limits that depend on the first date, which the pattern alone cannot know."""
        if self.until is None:
            return
        if self.until < first:
            raise RecurrenceError(f"The end date cannot be before the first date ({format_uk_date(first)}).")
        try:
            latest = first + relativedelta(years=MAX_SPAN_YEARS)
        except ValueError:  # past year 9999: no date that late can be scheduled
            raise RecurrenceError("The first date is too far ahead to repeat.") from None
        if self.until > latest:
            raise RecurrenceError(
                f"The end date must be within {MAX_SPAN_YEARS} years of the first date "
                f"(no later than {format_uk_date(latest)})."
            )


def build_rrule(pattern: RepeatPattern, dtstart_local: datetime, tz: ZoneInfo = LONDON) -> str:
    """RRULE text (no "RRULE:" prefix) whose first occurrence is dtstart_local itself."""
    require_naive(dtstart_local, "dtstart_local")
    pattern.check_start(dtstart_local.date())
    day = _DAY_CODES[dtstart_local.weekday()]
    if pattern.kind == "weekly":
        parts = ["FREQ=WEEKLY", f"BYDAY={day}"]
    elif pattern.kind == "fortnightly":
        parts = ["FREQ=WEEKLY", "INTERVAL=2", f"BYDAY={day}"]
    elif pattern.kind == "monthly_by_date":
        parts = ["FREQ=MONTHLY", f"BYMONTHDAY={dtstart_local.day}"]
    else:
        position = pattern.weekday_position
        actual = _weekday_positions(dtstart_local.date())
        if position not in actual:
            name = DAY_NAMES[dtstart_local.weekday()]
            real = _POSITION_WORDS[min(p for p in actual if p > 0)]
            raise RecurrenceError(
                f"The first date must itself be the {_POSITION_WORDS[position]} {name} of the "
                f"month ({format_uk_date(dtstart_local.date())} is the {real} {name})."
            )
        parts = ["FREQ=MONTHLY", f"BYDAY={position}{day}"]
    if pattern.count is not None:
        parts.append(f"COUNT={pattern.count}")
    else:
        end_of_day = datetime.combine(pattern.until, time(23, 59, 59))
        parts.append(f"UNTIL={format_until(local_to_utc(end_of_day, tz))}")
    return ";".join(parts)


def pattern_warnings(pattern: RepeatPattern, dtstart_local: datetime, tz: ZoneInfo = LONDON) -> list[str]:
    """Things worth telling the officer before saving: skipped months, clock changes, one-offs."""
    warnings = []
    day = dtstart_local.day
    if pattern.kind == "monthly_by_date" and day >= 29:
        weekday = DAY_NAMES[dtstart_local.weekday()]
        warnings.append(
            f"Months without a {_ordinal(day)} are skipped (RFC 5545 rule), so some months "
            "will have no meeting. To meet in every month, choose a date no later than the "
            f"28th, or repeat on the last {weekday} of the month instead."
        )
    try:
        starts = occurrence_local_starts(build_rrule(pattern, dtstart_local, tz), dtstart_local, tz=tz)
    except RecurrenceError:
        return warnings
    if len(starts) == 1:
        warnings.append("With this end date the event only happens once.")
    for start in starts:
        message = local_time_problem_message(start, tz)
        if message:
            warnings.append(message)
            break
    return warnings


# --- Describing, identifying and splitting ------------------------------------


def describe_rrule(rrule: str, dtstart_local: datetime, tz: ZoneInfo = LONDON) -> str:
    """Plain English for the rules build_rrule makes; anything else is "Repeats (custom rule)"."""
    try:
        parts = parse_rule(rrule)
        until = until_utc(parts, tz)
    except RecurrenceError:
        return CUSTOM_DESCRIPTION
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "UNTIL", "COUNT"}:
        return CUSTOM_DESCRIPTION
    freq, interval = parts["FREQ"], parts.get("INTERVAL", "1")
    byday, bymonthday = parts.get("BYDAY"), parts.get("BYMONTHDAY")
    match = _BYDAY_RE.fullmatch(byday or _DAY_CODES[dtstart_local.weekday()])
    day_name = DAY_NAMES[_DAY_CODES.index(match.group(2))] if match else ""
    position = int(match.group(1)) if match and match.group(1) else None
    if freq == "WEEKLY" and match and position is None and bymonthday is None:
        if interval == "1":
            text = f"Every week on {day_name}"
        elif interval == "2":
            text = f"Every other {day_name}"
        else:
            return CUSTOM_DESCRIPTION
    elif freq == "MONTHLY" and interval == "1" and byday is None:
        monthday = bymonthday or str(dtstart_local.day)
        if not monthday.isdigit() or not 1 <= int(monthday) <= 31:
            return CUSTOM_DESCRIPTION
        text = f"Monthly on the {_ordinal(int(monthday))}"
    elif freq == "MONTHLY" and interval == "1" and not bymonthday and position in POSITIONS:
        text = f"Every {_POSITION_WORDS[position]} {day_name} of the month"
    else:
        return CUSTOM_DESCRIPTION
    if "COUNT" in parts:
        if not parts["COUNT"].isdigit():
            return CUSTOM_DESCRIPTION
        count = int(parts["COUNT"])
        text += ", once" if count == 1 else f", {count} times"
    elif until is not None:
        last = utc_to_local(until, tz).replace(tzinfo=None)
        # Name the last day that can hold an occurrence, e.g. after a split.
        late_enough = last.time() >= dtstart_local.time()
        text += f" until {format_uk_date(last.date() - (timedelta(0) if late_enough else SLACK))}"
    return text


def recurrence_id(original_local_start: datetime) -> str:
    """YYYYMMDDTHHMMSS of the original local start, for URLs and RECURRENCE-ID;TZID=..."""
    require_naive(original_local_start, "original_local_start")
    return original_local_start.strftime(LOCAL_FORMAT)


def parse_recurrence_id(value: str) -> datetime:
    """Inverse of recurrence_id(); ValueError on anything else, as it comes from URLs."""
    if not isinstance(value, str) or not _RECURRENCE_ID_RE.fullmatch(value):
        raise ValueError(f"Not a recurrence id: {value!r}")
    return datetime.strptime(value, LOCAL_FORMAT)


def split_rrule(
    rrule: str, dtstart_local: datetime, at_local: datetime, tz: ZoneInfo = LONDON
) -> tuple[str | None, str]:
    """Rules for "change this and all following": (old series up to at_local, new series from it).

    The old rule ends one second before at_local (UNTIL in UTC), or is None if
    at_local is the first date. The new rule keeps UNTIL, or the remaining COUNT.
    """
    require_naive(at_local, "at_local")
    parts = parse_rule(rrule)
    bounded = "COUNT" in parts or "UNTIL" in parts
    instant = local_to_utc(at_local, tz)
    window = () if bounded else (instant, instant + _ONE_SECOND)
    original = local_starts(rrule, dtstart_local, tz, *window)
    if at_local not in original:
        raise RecurrenceError(
            f"{format_uk_date(at_local.date())} at {at_local:%H:%M} is not one of the dates in this series."
        )
    if at_local == dtstart_local:
        return None, rrule
    old = {k: v for k, v in parts.items() if k != "COUNT"}
    old["UNTIL"] = format_until(local_to_utc(at_local - _ONE_SECOND, tz))
    new = dict(parts)
    if "COUNT" in parts:
        new["COUNT"] = str(int(parts["COUNT"]) - original.index(at_local))
    old_rule, new_rule = join_rule(old), join_rule(new)
    if bounded:
        old_starts = local_starts(old_rule, dtstart_local, tz)
        if old_starts + local_starts(new_rule, at_local, tz) != original:
            raise RecurrenceError("This repeat pattern cannot be split at that date.")
    return old_rule, new_rule
