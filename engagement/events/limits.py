"""The bounds of the events feature in one place: which dates a team can schedule, what a repeat
rule may be, and how much one import may hold (README "Limits of dates, repeats and imports").

Why: a 200-byte repeat rule (FREQ=SECONDLY) is millions of dates, and a date at the end of the
calendar (31 December 9999) overflows the arithmetic every feed does. So values are refused at
the door with a message that names them, and every expansion of a rule is bounded by a count and
a time window before it starts (rrule_expansion.py).

Pure module: standard library, dateutil and core.errors only. Other features may import it
(signups' exports, the API's date parameters).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from engagement.core.errors import DomainError
from engagement.events.wall_clock import LONDON, format_uk_date, local_to_utc

# --- dates ---------------------------------------------------------------------------------
# Officers schedule (create, move, change) dates from a year ago to five years ahead.
SCHEDULE_PAST = relativedelta(years=1)
SCHEDULE_AHEAD = relativedelta(years=5)
# Imports keep past events (a calendar's history), but nothing before 2000 or past five years ahead.
IMPORT_EARLIEST = date(2000, 1, 1)
# Dates in filters (lists, exports, the API): outside these, no bound is applied, since nothing is there.
QUERY_FIRST_DATE, QUERY_LAST_DATE = date(1970, 1, 1), date(2199, 12, 31)
MAX_EVENT_LENGTH = timedelta(days=14)  # the staff form's limit too (validation.resolve_when)

# --- repeat rules (every rule, wherever it comes from) --------------------------------------
# Frequencies a neighbourhood team schedules. HOURLY is kept only for a few sessions in one day
# (COUNT at most HOURLY_MAX_COUNT, nothing else); SECONDLY and MINUTELY are refused.
FREQUENCIES = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
HOURLY_MAX_COUNT = 24
MAX_INTERVAL = 100
MAX_COUNT = 1000  # COUNT in any rule
MAX_EXPANSION = 5000  # dates one expansion may produce before it is refused
MAX_RULE_YEARS = 100  # a rule is never followed further than this past its first date

# --- imports (.ics and police.uk files) -----------------------------------------------------
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_EVENTS_PER_FILE = 1000  # VEVENTs in an .ics file, items in a police.uk file
MAX_SERIES_PER_FILE = 200  # VEVENTs with a repeat rule
MAX_DATES_PER_SERIES = 1000  # dates one series makes from its first date to its first horizon
MAX_DATES_PER_FILE = 5000  # dates the whole file makes (a one-off event is one)
# Uploads up to this size import during the request; bigger ones are queued for the worker.
INLINE_MAX_BYTES = 64 * 1024
INLINE_MAX_EVENTS = 50
# A backstop: an import still checking after this many seconds is refused (worker and CLI).
IMPORT_TIME_LIMIT = 20.0


def local_today(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def schedule_range(now: datetime) -> tuple[date, date]:
    """The first and last day an officer can give a date for (from the staff forms)."""
    today = local_today(now)
    return today - SCHEDULE_PAST, today + SCHEDULE_AHEAD


def import_range(now: datetime) -> tuple[date, date]:
    """The first and last day an imported event can start on."""
    return IMPORT_EARLIEST, local_today(now) + SCHEDULE_AHEAD


def describe_range(bounds: tuple[date, date]) -> str:
    first, last = bounds
    return f"between {format_uk_date(first)} and {format_uk_date(last)}"


def in_range(value: date | datetime, bounds: tuple[date, date]) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return bounds[0] <= day <= bounds[1]


def check_schedule_date(value: date | datetime, now: datetime, *, field: str = "date", what: str = "The date") -> None:
    """DomainError on `field` unless the day is within schedule_range(now)."""
    bounds = schedule_range(now)
    if not in_range(value, bounds):
        raise DomainError(f"{what} must be {describe_range(bounds)}", field=field)


# --- filter dates as instants, without overflow ----------------------------------------------


def day_start_utc(day: date | None) -> datetime | None:
    """Local midnight starting `day`, in UTC; None (no lower bound) for no day or one before QUERY_FIRST_DATE."""
    if day is None or day < QUERY_FIRST_DATE:
        return None
    return local_to_utc(datetime.combine(min(day, QUERY_LAST_DATE), time()))


def day_end_utc(day: date | None) -> datetime | None:
    """Local midnight ending `day` (the next day's start), in UTC; None (no upper bound) past QUERY_LAST_DATE.

    `to_date + timedelta(days=1)` overflows on 31 December 9999; this never does.
    """
    if day is None or day >= QUERY_LAST_DATE:
        return None
    if day < QUERY_FIRST_DATE:
        return datetime.combine(QUERY_FIRST_DATE, time(), UTC)  # before anything stored: an empty range
    return local_to_utc(datetime.combine(day + timedelta(days=1), time()))
