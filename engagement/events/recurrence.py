"""Recurring events: RFC 5545 RRULEs over Europe/London wall-clock time.

Officers think in wall-clock time ("18:00 on the first Tuesday"), and calendar
clients later expand DTSTART;TZID=Europe/London + RRULE + EXDATE from our feed.
Both must list the same occurrences, so everything here follows RFC 5545:

* Recurrence runs over naive local wall times; each start is then converted to
  UTC, so 18:00 stays 18:00 across clock changes.
* An ambiguous local time (clocks go back) means the first one, in BST; a
  non-existent time (clocks go forward) uses the offset before the gap, so
  01:30 on 29 March 2026 is 01:30 UTC = 02:30 BST (RFC 5545 section 3.3.5).
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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule as RRule
from dateutil.rrule import rrulestr

LONDON = ZoneInfo("Europe/London")
MAX_COUNT = 200
MAX_SPAN_YEARS = 2
KINDS = ("weekly", "fortnightly", "monthly_by_date", "monthly_by_weekday")
POSITIONS = (1, 2, 3, 4, -1)
CUSTOM_DESCRIPTION = "Repeats (custom rule)"

_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")  # fmt: skip
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_POSITION_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}  # fmt: skip
_RECURRENCE_ID_RE = re.compile(r"\d{8}T\d{6}")
_UNTIL_RE = re.compile(r"(\d{8}T\d{6})(Z?)")
_BYDAY_RE = re.compile(r"([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)")
_LOCAL_FORMAT = "%Y%m%dT%H%M%S"
# Wall time and UTC differ by at most a day anywhere, so this slack is safe.
_SLACK = timedelta(days=1)
_ONE_SECOND = timedelta(seconds=1)


class RecurrenceError(ValueError):
    """A problem with a repeat pattern; str() is worded for the officer or resident."""


# --- Time zones ---------------------------------------------------------------


def _require_naive(value: datetime, what: str) -> None:
    if value.tzinfo is not None:
        raise ValueError(f"{what} must be a naive local wall time, got {value!r}")


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {value!r}")


def local_to_utc(naive: datetime, tz: ZoneInfo = LONDON) -> datetime:
    """Local wall time to aware UTC, per RFC 5545 section 3.3.5.

    fold=0 is exactly the RFC answer: the first of two ambiguous times, and the
    pre-gap offset for a time that does not exist.
    """
    _require_naive(naive, "Local time")
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC)


def utc_to_local(aware: datetime, tz: ZoneInfo = LONDON) -> datetime:
    """Aware instant to aware wall time in tz, for display."""
    _require_aware(aware, "Instant")
    return aware.astimezone(tz)


def local_time_problem(naive: datetime, tz: ZoneInfo = LONDON) -> str | None:
    """Flag "nonexistent" or "ambiguous" wall times (else None) so forms can warn."""
    _require_naive(naive, "Local time")
    if utc_to_local(local_to_utc(naive, tz), tz).replace(tzinfo=None) != naive:
        return "nonexistent"
    offsets = {naive.replace(tzinfo=tz, fold=f).utcoffset() for f in (0, 1)}
    return "ambiguous" if len(offsets) > 1 else None


def format_uk_date(day: date) -> str:
    """UK style "Sunday 29 March 2026", independent of the process locale."""
    return f"{_DAY_NAMES[day.weekday()]} {day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


def local_time_problem_message(naive: datetime, tz: ZoneInfo = LONDON) -> str | None:
    """Plain-English warning about a clock-change time, or None if the time is normal."""
    problem = local_time_problem(naive, tz)
    if problem is None:
        return None
    day = format_uk_date(naive.date())
    used = utc_to_local(local_to_utc(naive, tz), tz)
    if problem == "nonexistent":
        return (
            f"That time ({naive:%H:%M}) does not exist on {day} because the clocks go "
            f"forward. It will be treated as {used:%H:%M} {used:%Z}."
        )
    return (
        f"That time ({naive:%H:%M}) happens twice on {day} because the clocks go back. "
        f"The first one ({used:%H:%M} {used:%Z}) will be used."
    )


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
        latest = first + relativedelta(years=MAX_SPAN_YEARS)
        if self.until > latest:
            raise RecurrenceError(
                f"The end date must be within {MAX_SPAN_YEARS} years of the first date "
                f"(no later than {format_uk_date(latest)})."
            )


def _format_until(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def build_rrule(pattern: RepeatPattern, dtstart_local: datetime, tz: ZoneInfo = LONDON) -> str:
    """RRULE text (no "RRULE:" prefix) whose first occurrence is dtstart_local itself."""
    _require_naive(dtstart_local, "dtstart_local")
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
            name = _DAY_NAMES[dtstart_local.weekday()]
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
        parts.append(f"UNTIL={_format_until(local_to_utc(end_of_day, tz))}")
    return ";".join(parts)


def pattern_warnings(pattern: RepeatPattern, dtstart_local: datetime, tz: ZoneInfo = LONDON) -> list[str]:
    """Things worth telling the officer before saving: skipped months, clock changes, one-offs."""
    warnings = []
    day = dtstart_local.day
    if pattern.kind == "monthly_by_date" and day >= 29:
        weekday = _DAY_NAMES[dtstart_local.weekday()]
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


# --- Parsing and expanding rules ----------------------------------------------


def _parse(rule: str) -> dict[str, str]:
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


def _join(parts: dict[str, str]) -> str:
    ordered = {"FREQ": parts["FREQ"], **parts}  # RFC 2445 clients want FREQ first
    return ";".join(f"{name}={value}" for name, value in ordered.items())


def _until_utc(parts: dict[str, str], tz: ZoneInfo) -> datetime | None:
    """UNTIL as an aware instant; a floating local UNTIL is tolerated, a bare date is not."""
    if "UNTIL" not in parts:
        return None
    match = _UNTIL_RE.fullmatch(parts["UNTIL"])
    if not match:
        raise RecurrenceError("The repeat rule's end must be a date and time.")
    value = datetime.strptime(match.group(1), _LOCAL_FORMAT)
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


def _local_starts(
    rule_text: str, dtstart: datetime, tz: ZoneInfo, start: datetime | None = None, end: datetime | None = None
) -> list[datetime]:
    """Naive local starts, in wall-clock order, with start <= instant < end and instant <= UNTIL."""
    _require_naive(dtstart, "dtstart_local")
    parts = _parse(rule_text)
    until = _until_utc(parts, tz)
    if end is None and until is None and "COUNT" not in parts:
        raise ValueError("A window end is needed for a rule that never ends.")
    if until is not None and until < local_to_utc(dtstart, tz):
        raise RecurrenceError("The repeat rule ends before the first date.")
    try:
        rule = rrulestr(_join({k: v for k, v in parts.items() if k != "UNTIL"}), dtstart=dtstart)
        if until is not None:
            # dateutil wants a naive UNTIL here; give it slack and filter exactly below.
            rule = rule.replace(until=utc_to_local(until, tz).replace(tzinfo=None) + _SLACK)
        first = next(iter(rule), None)
    except (ValueError, TypeError, IndexError, OverflowError) as exc:
        raise RecurrenceError("The repeat rule is not valid.") from exc
    if first != dtstart:
        raise RecurrenceError("The first date does not match the repeat pattern.")
    low, high = datetime.min, datetime.max
    if start is not None:
        low = _shifted(utc_to_local(start, tz).replace(tzinfo=None), -_SLACK)
        rule = _fast_forward(rule, parts, dtstart, low)
    if end is not None:
        high = _shifted(utc_to_local(end, tz).replace(tzinfo=None), _SLACK)
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
    return [s for s in _local_starts(rrule, dtstart_local, tz, start, end) if s not in excluded]


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
    parts = _parse(rrule)
    if "COUNT" not in parts and "UNTIL" not in parts:
        return None
    return len(_local_starts(rrule, dtstart_local, tz))


# --- Describing, identifying and splitting ------------------------------------


def describe_rrule(rrule: str, dtstart_local: datetime, tz: ZoneInfo = LONDON) -> str:
    """Plain English for the rules build_rrule makes; anything else is "Repeats (custom rule)"."""
    try:
        parts = _parse(rrule)
        until = _until_utc(parts, tz)
    except RecurrenceError:
        return CUSTOM_DESCRIPTION
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "UNTIL", "COUNT"}:
        return CUSTOM_DESCRIPTION
    freq, interval = parts["FREQ"], parts.get("INTERVAL", "1")
    byday, bymonthday = parts.get("BYDAY"), parts.get("BYMONTHDAY")
    match = _BYDAY_RE.fullmatch(byday or _DAY_CODES[dtstart_local.weekday()])
    day_name = _DAY_NAMES[_DAY_CODES.index(match.group(2))] if match else ""
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
        text += f" until {format_uk_date(last.date() - (timedelta(0) if late_enough else _SLACK))}"
    return text


def recurrence_id(original_local_start: datetime) -> str:
    """YYYYMMDDTHHMMSS of the original local start, for URLs and RECURRENCE-ID;TZID=..."""
    _require_naive(original_local_start, "original_local_start")
    return original_local_start.strftime(_LOCAL_FORMAT)


def parse_recurrence_id(value: str) -> datetime:
    """Inverse of recurrence_id(); ValueError on anything else, as it comes from URLs."""
    if not isinstance(value, str) or not _RECURRENCE_ID_RE.fullmatch(value):
        raise ValueError(f"Not a recurrence id: {value!r}")
    return datetime.strptime(value, _LOCAL_FORMAT)


def split_rrule(
    rrule: str, dtstart_local: datetime, at_local: datetime, tz: ZoneInfo = LONDON
) -> tuple[str | None, str]:
    """Rules for "change this and all following": (old series up to at_local, new series from it).

    The old rule ends one second before at_local (UNTIL in UTC), or is None if
    at_local is the first date. The new rule keeps UNTIL, or the remaining COUNT.
    """
    _require_naive(at_local, "at_local")
    parts = _parse(rrule)
    bounded = "COUNT" in parts or "UNTIL" in parts
    instant = local_to_utc(at_local, tz)
    window = () if bounded else (instant, instant + _ONE_SECOND)
    original = _local_starts(rrule, dtstart_local, tz, *window)
    if at_local not in original:
        raise RecurrenceError(
            f"{format_uk_date(at_local.date())} at {at_local:%H:%M} is not one of the dates in this series."
        )
    if at_local == dtstart_local:
        return None, rrule
    old = {k: v for k, v in parts.items() if k != "COUNT"}
    old["UNTIL"] = _format_until(local_to_utc(at_local - _ONE_SECOND, tz))
    new = dict(parts)
    if "COUNT" in parts:
        new["COUNT"] = str(int(parts["COUNT"]) - original.index(at_local))
    old_rule, new_rule = _join(old), _join(new)
    if bounded:
        old_starts = _local_starts(old_rule, dtstart_local, tz)
        if old_starts + _local_starts(new_rule, at_local, tz) != original:
            raise RecurrenceError("This repeat pattern cannot be split at that date.")
    return old_rule, new_rule
