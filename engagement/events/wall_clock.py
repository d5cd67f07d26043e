"""Europe/London wall-clock time and UTC, converted the way RFC 5545 says calendar clients do.

* An ambiguous local time (clocks go back) means the first one, in BST; a
  non-existent time (clocks go forward) uses the offset before the gap, so
  01:30 on 29 March 2026 is 01:30 UTC = 02:30 BST (RFC 5545 section 3.3.5).
* Officers type wall times; the problem functions let forms warn before saving.

Pure module: standard library and zoneinfo only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")  # fmt: skip
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def require_naive(value: datetime, what: str) -> None:
    if value.tzinfo is not None:
        raise ValueError(f"{what} must be a naive local wall time, got {value!r}")


def require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {value!r}")


def local_to_utc(naive: datetime, tz: ZoneInfo = LONDON) -> datetime:
    """Local wall time to aware UTC, per RFC 5545 section 3.3.5.

    fold=0 is exactly the RFC answer: the first of two ambiguous times, and the
    pre-gap offset for a time that does not exist.
    """
    require_naive(naive, "Local time")
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC)


def utc_to_local(aware: datetime, tz: ZoneInfo = LONDON) -> datetime:
    """Aware instant to aware wall time in tz, for display."""
    require_aware(aware, "Instant")
    return aware.astimezone(tz)


def local_time_problem(naive: datetime, tz: ZoneInfo = LONDON) -> str | None:
    """Flag "nonexistent" or "ambiguous" wall times (else None) so forms can warn."""
    require_naive(naive, "Local time")
    if utc_to_local(local_to_utc(naive, tz), tz).replace(tzinfo=None) != naive:
        return "nonexistent"
    offsets = {naive.replace(tzinfo=tz, fold=f).utcoffset() for f in (0, 1)}
    return "ambiguous" if len(offsets) > 1 else None


def format_uk_date(day: date) -> str:
    """UK style "Sunday 29 March 2026", independent of the process locale."""
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


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
