"""Reading an .ics file for import: syntax with line numbers, then every VEVENT checked, nothing written.

* Content lines and BEGIN/END nesting are checked first, with line numbers, and the VEVENTs are
  counted before the icalendar library parses anything, so a 10,000-event file is refused at once.
* Each VEVENT is then checked against limits.py: its dates within the import range, at most 14
  days long, a repeat rule a team schedules (never expanded beyond its first horizon, and never
  past MAX_DATES_PER_SERIES), and the whole file within MAX_DATES_PER_FILE. A refusal names the
  VEVENT: its SUMMARY, line and UID.
* Times in any VTIMEZONE-defined zone (e.g. Outlook's "GMT Standard Time") become UK wall-clock
  time; floating times are taken as UK local time. UNTIL is rewritten in UTC. A series that
  repeats in another zone's wall time (or UTC's), or has RDATE, keeps its instants (ics_instants.py).
"""

from __future__ import annotations

import re
import time as clock
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from icalendar import Calendar

from engagement.core.errors import DomainError
from engagement.events.ics_instants import instants
from engagement.events.limits import (
    IMPORT_TIME_LIMIT,
    MAX_DATES_PER_FILE,
    MAX_DATES_PER_SERIES,
    MAX_EVENT_LENGTH,
    MAX_EVENTS_PER_FILE,
    MAX_FILE_BYTES,
    MAX_SERIES_PER_FILE,
    describe_range,
    import_range,
    in_range,
)
from engagement.events.recurrence import recurrence_id
from engagement.events.rrule_expansion import RecurrenceError, TooManyDates, starts_before
from engagement.events.series import horizon_for
from engagement.events.wall_clock import LONDON, format_uk_date, local_to_utc

# Possessive quantifiers: a line never backtracks, so a 5 MB line of "A;B=A;B=..." is checked in milliseconds.
CONTENT_LINE = re.compile(r'^[A-Za-z0-9-]++(?:;[A-Za-z0-9-]++=(?:"[^"]*+"|[^";:,]*+)(?:,(?:"[^"]*+"|[^";:,]*+))*+)*+:')
UNTIL = re.compile(r"UNTIL=([0-9TZ]+)")
# The icalendar parser's cost grows with lines, parameters and list values (about 3 s per 100,000
# lines on a small server), so a file is refused before parsing past this much work, counted in
# half-lines (a 1,000-event Outlook export is about 40,000 lines).
MAX_PARSE_WORK = 200_000
LIST_PROPERTIES = {"EXDATE", "RDATE", "CATEGORIES", "RESOURCES", "FREEBUSY"}


class ImportRejected(DomainError):
    status = 400


class Deadline:
    """The import's time backstop: checked between VEVENTs, so one file can never hold a worker for long."""

    def __init__(self, seconds: float = IMPORT_TIME_LIMIT):
        self.seconds, self.ends = seconds, clock.monotonic() + seconds

    def check(self) -> None:
        if clock.monotonic() > self.ends:
            raise ImportRejected(
                f"The file took more than {self.seconds:.0f} seconds to import, so nothing was imported. "
                "Split it into smaller files."
            )


@dataclass
class Syntax:
    text: str
    vevent_lines: list[int]  # the line of each BEGIN:VEVENT, in order (icalendar walks in the same order)


def check_syntax(data: bytes) -> Syntax:
    """RFC 5545 content lines and BEGIN/END nesting, with line numbers, and the limits on what the
    icalendar parser will be given: VEVENTs, EXDATE/RDATE values and work (see MAX_PARSE_WORK)."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportRejected(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(f"The file is not UTF-8 text (byte {exc.start}). Export it again as .ics.") from exc
    scanner = _Scanner()
    logical, start_line = "", 0
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate([*lines, ""], start=1):
        if line[:1] in (" ", "\t") and logical:
            logical += line[1:]
            continue
        if logical:
            scanner.line(logical, start_line)
        logical, start_line = line, number
    if not scanner.stack and not text.strip():
        raise ImportRejected("The file is empty.")
    if scanner.stack:
        raise ImportRejected(f"The file ends inside {scanner.stack[-1]}: END:{scanner.stack[-1]} is missing.")
    return Syntax(text, scanner.vevents)


class _Scanner:
    """The state of check_syntax: open components, where each VEVENT starts, and the running totals."""

    def __init__(self):
        self.stack: list[str] = []
        self.vevents: list[int] = []
        self.work = 0
        self.dates = 0  # EXDATE and RDATE values

    def line(self, line: str, number: int) -> None:
        match = CONTENT_LINE.match(line)
        if not match:
            raise ImportRejected(f"Line {number} is not a valid iCalendar line: {line[:60]!r}")
        head, value = line[: match.end() - 1], line[match.end() :]
        name = head.split(";")[0].upper()
        values = value.count(",") + 1 if name in LIST_PROPERTIES else 0
        # Measured parser cost: a line ~28 µs, a parameter ~40 µs, a list value (EXDATE) ~19 µs; in half-lines.
        self.work += 2 + 3 * head.count(";") + 2 * values
        if self.work > MAX_PARSE_WORK:
            raise ImportRejected(
                f"The file is too big to import at once (at line {number} it already has more than "
                f"{MAX_PARSE_WORK // 2:,} lines, or as many parameters and list values). Split it into smaller files."
            )
        if name in ("EXDATE", "RDATE"):
            self.dates += values
            if self.dates > MAX_DATES_PER_FILE:
                raise ImportRejected(
                    f"Line {number}: the file has more than {MAX_DATES_PER_FILE:,} EXDATE and RDATE dates."
                )
        if name == "BEGIN":
            self.begin(value.upper(), number)
        elif name == "END":
            if not self.stack or self.stack[-1] != value.upper():
                raise ImportRejected(
                    f"Line {number}: END:{value[:40]} does not close {self.stack[-1] if self.stack else 'anything'}."
                )
            self.stack.pop()
        elif not self.stack:
            raise ImportRejected(f"Line {number} is outside BEGIN:VCALENDAR … END:VCALENDAR.")

    def begin(self, component: str, number: int) -> None:
        if not self.stack and component != "VCALENDAR":
            raise ImportRejected(f"Line {number}: the file must start with BEGIN:VCALENDAR.")
        if len(self.stack) >= 5:
            raise ImportRejected(f"Line {number}: components are nested too deeply.")
        self.stack.append(component)
        if component == "VEVENT":
            self.vevents.append(number)
            if len(self.vevents) > MAX_EVENTS_PER_FILE:
                raise ImportRejected(
                    f"The file has more than {MAX_EVENTS_PER_FILE:,} events (the one after that starts at line "
                    f"{number}). At most {MAX_EVENTS_PER_FILE:,} can be imported at once: split the file."
                )


def text_of(component, key: str) -> str:
    value = component.get(key)
    return str(value).strip() if value is not None else ""


def label(component, line: int) -> str:
    """How a refusal names a VEVENT: “Summary” at line N, UID x."""
    summary = text_of(component, "SUMMARY")[:60] or "untitled"
    uid = text_of(component, "UID")[:80] or "(none)"
    return f"Event “{summary}” at line {line}, UID {uid}"


def to_local(value) -> datetime | date:
    """A DTSTART-like value as UK wall-clock time (naive), or a date for all-day values."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value
        return value.astimezone(LONDON).replace(tzinfo=None)
    return value


@dataclass
class Parsed:
    uid: str
    component: object
    start: datetime
    end: datetime
    all_day: bool
    rule: str | None
    exdates: list[str]
    line: int = 0
    dates: int = 1
    overrides: list = field(default_factory=list)  # (component, local start, local end) per changed date
    instants: list | None = None  # a series kept as its dates (ics_instants.py): (original, start, end) in UTC


@dataclass
class ParsedFile:
    items: list[Parsed]
    skipped: list[tuple[str, str]]
    dates: int  # how many dates the import makes (one-offs count one)


class Checker:
    """One file's checks: the import date range, its clock and the running total of dates."""

    def __init__(self, now: datetime, deadline: Deadline):
        self.now, self.deadline = now, deadline
        self.bounds = import_range(now)
        self.dates = 0
        self.series = 0

    def local(self, component, key: str, where: str) -> datetime | date:
        try:
            value = to_local(component.decoded(key))
        except OverflowError:
            value = None
        if value is None or not in_range(value, self.bounds):
            raise ImportRejected(
                f"{where}: its {key} is outside the dates we can import ({describe_range(self.bounds)})."
            )
        return value

    def times(self, component, where: str) -> tuple[datetime, datetime, bool]:
        if "DTSTART" not in component:
            raise ImportRejected(f"{where}: DTSTART is missing.")
        start = self.local(component, "DTSTART", where)
        all_day = not isinstance(start, datetime)
        if "DTEND" in component:
            end = self.local(component, "DTEND", where)
        elif "DURATION" in component:
            length = component.decoded("DURATION")
            if not isinstance(length, timedelta) or abs(length) > MAX_EVENT_LENGTH:
                raise ImportRejected(f"{where}: it lasts more than {MAX_EVENT_LENGTH.days} days.")
            end = start + length
        else:
            end = start + (timedelta(days=1) if all_day else timedelta(hours=1))
        if all_day:
            start = datetime.combine(start, time())
            end = datetime.combine(end, time()) if not isinstance(end, datetime) else end
        elif not isinstance(end, datetime):
            end = datetime.combine(end, time())
        if end <= start:
            raise ImportRejected(f"{where}: it ends before it starts.")
        if end - start > MAX_EVENT_LENGTH:
            raise ImportRejected(f"{where}: it lasts more than {MAX_EVENT_LENGTH.days} days.")
        return start, end, all_day

    def rule(self, component, start: datetime, where: str) -> tuple[str, int]:
        """The RRULE (UNTIL in UTC), checked and counted up to the series' first horizon."""
        self.series += 1
        if self.series > MAX_SERIES_PER_FILE:
            raise ImportRejected(f"{where}: the file has more than {MAX_SERIES_PER_FILE} repeating events.")
        try:
            rule = rule_text(component)
            horizon = horizon_for(self.now, local_to_utc(start))
            starts, _ = starts_before(rule, start, horizon, cap=MAX_DATES_PER_SERIES)
        except TooManyDates:
            raise ImportRejected(
                f"{where}: its repeat rule makes more than {MAX_DATES_PER_SERIES:,} dates by "
                f"{format_uk_date(horizon.date())}, the most one series can have."
            ) from None
        except (RecurrenceError, ValueError, TypeError, OverflowError) as exc:
            reason = str(exc) if isinstance(exc, RecurrenceError) else "it is not valid."
            raise ImportRejected(f"{where}: its repeat rule cannot be used: {reason}") from None
        return rule, len(starts)

    def instants(self, component, rule: str | None, where: str) -> list | None:
        """The dates of a series London wall time cannot carry (another zone, UTC, RDATE), else None."""
        try:
            dated = instants(component, rule, self.now)
        except TooManyDates:
            raise ImportRejected(
                f"{where}: its dates (repeat rule and RDATE) are more than {MAX_DATES_PER_SERIES:,}, the most one "
                "series can have."
            ) from None
        except (RecurrenceError, ValueError, TypeError, OverflowError) as exc:
            reason = str(exc) if isinstance(exc, RecurrenceError) else "they are not valid."
            raise ImportRejected(f"{where}: its dates cannot be used: {reason}") from None
        if dated is None:
            return None
        if len(text_of(component, "UID")) > 255 - len("#20260101T000000Z"):
            raise ImportRejected(f"{where}: the UID is too long for a series imported date by date.")
        for _, start, _ in dated:
            if not in_range(start, self.bounds):
                raise ImportRejected(
                    f"{where}: one of its dates is outside the dates we can import ({describe_range(self.bounds)})."
                )
        return dated

    def count(self, dates: int, where: str) -> None:
        self.dates += dates
        if self.dates > MAX_DATES_PER_FILE:
            raise ImportRejected(
                f"{where}: with it the file makes more than {MAX_DATES_PER_FILE:,} dates, the most one import can "
                "make. Split the file."
            )

    def exdates(self, component) -> list[str]:
        """EXDATE values as recurrence ids; dates outside the import range cannot match any date, so are left out."""
        values = component.get("EXDATE")
        ids = []
        for item in values if isinstance(values, list) else [values] if values is not None else []:
            for entry in item.dts:
                try:
                    local = to_local(entry.dt)
                except OverflowError:
                    continue
                if not in_range(local, self.bounds):
                    continue
                ids.append(recurrence_id(local if isinstance(local, datetime) else datetime.combine(local, time())))
        return ids


def rule_text(component) -> str:
    """The RRULE as text with UNTIL in UTC (RFC 5545 needs that beside a TZID start)."""
    value = component["RRULE"]
    if isinstance(value, list):
        raise RecurrenceError("an event can have only one RRULE.")
    rule = value.to_ical().decode()

    def to_utc(match):
        raw = match.group(1)
        if raw.endswith("Z"):
            return match.group(0)
        if "T" in raw:
            local = datetime.strptime(raw, "%Y%m%dT%H%M%S")
        else:  # a date: the end of that day
            local = datetime.combine(datetime.strptime(raw, "%Y%m%d").date(), time(23, 59, 59))
        return f"UNTIL={local.replace(tzinfo=LONDON).astimezone(UTC):%Y%m%dT%H%M%SZ}"

    return UNTIL.sub(to_utc, rule)


def parse(data: bytes, *, now: datetime, deadline: Deadline | None = None) -> ParsedFile:
    """Everything in the file, checked; raises ImportRejected before anything is written."""
    deadline = deadline or Deadline()
    syntax = check_syntax(data)
    try:
        calendar = Calendar.from_ical(syntax.text)
    except (ValueError, KeyError, IndexError, TypeError, OverflowError) as exc:
        raise ImportRejected(f"The file could not be read as a calendar: {str(exc)[:200]}") from exc
    checker = Checker(now, deadline)
    skipped, masters, overrides = [], {}, []
    for index, component in enumerate(calendar.walk("VEVENT")):
        deadline.check()
        line = syntax.vevent_lines[index] if index < len(syntax.vevent_lines) else 0
        where = label(component, line)
        try:
            parsed = _parse_one(component, checker, where, line, skipped, masters, overrides)
        except (ValueError, TypeError, KeyError, OverflowError, AttributeError) as exc:
            raise ImportRejected(f"{where}: a value in it could not be read ({type(exc).__name__}).") from None
        if parsed is not None:
            masters[parsed.uid] = parsed
    for uid, component, line in overrides:
        where = label(component, line)
        if uid not in masters:
            skipped.append((f"a changed date of {uid}", "its series is not in the file"))
            continue
        checker.local(component, "RECURRENCE-ID", where)
        start, end, _ = checker.times(component, where)
        masters[uid].overrides.append((component, start, end))
    for count, name in ((len(calendar.walk("VTODO")), "task"), (len(calendar.walk("VJOURNAL")), "journal entry")):
        if count:
            skipped.append((f"{count} {name}(s)", "only events are imported"))
    return ParsedFile(list(masters.values()), skipped, checker.dates)


def _parse_one(component, checker: Checker, where: str, line: int, skipped, masters, overrides) -> Parsed | None:
    uid = text_of(component, "UID")
    errors = getattr(component, "errors", [])
    if errors:
        prop, message = errors[0]
        raise ImportRejected(f"{where}: {prop}: {str(message)[:200]}")
    if not uid:
        skipped.append((f"“{text_of(component, 'SUMMARY')[:60] or 'untitled'}”", "it has no UID"))
        return None
    if len(uid) > 255:
        raise ImportRejected(f"{where}: the UID is longer than 255 characters.")
    if "RECURRENCE-ID" in component:
        overrides.append((uid, component, line))
        return None
    if uid in masters:
        raise ImportRejected(f"{where}: the UID is used by two events.")
    start, end, all_day = checker.times(component, where)
    rule, dates = (None, 1)
    if "RRULE" in component:
        rule, dates = checker.rule(component, start, where)
    dated = checker.instants(component, rule, where)
    checker.count(len(dated) if dated is not None else dates, where)
    exdates = checker.exdates(component)
    return Parsed(uid, component, start, end, all_day, rule, exdates, line, dates, instants=dated)
