"""Import VEVENTs from an .ics file (Outlook, Google or another system) into a team's events.

* The whole file is checked first; a malformed one is rejected with the reason and,
  where there is one, the line number. The import runs in the caller's transaction,
  so a failure part-way leaves nothing behind.
* Events are matched on UID: importing the same file again updates instead of
  duplicating. A UID that belongs to another team's event is skipped.
* Times in any VTIMEZONE-defined zone (e.g. Outlook's "GMT Standard Time") are
  converted to UK wall-clock time; a series' RRULE is then evaluated in Europe/London,
  like every series here. Floating times are taken as UK local time.
* EXDATE dates are stored on the event and never created; RECURRENCE-ID overrides
  move or cancel that one date. CATEGORIES picks the event type by name or slug.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from icalendar import Calendar
from sqlalchemy import func, select

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.core.markup import clean_source
from engagement.events import series
from engagement.events.details import new_uid
from engagement.events.models import CANCELLED, DESCRIPTION_MAX, PUBLISHED, SCHEDULED, Event, EventType, Venue
from engagement.events.recurrence import recurrence_id
from engagement.events.rrule_expansion import RecurrenceError, occurrence_local_starts
from engagement.events.validation import clean_title
from engagement.events.wall_clock import LONDON, local_to_utc
from engagement.extensions import db

MAX_BYTES = 5 * 1024 * 1024
CONTENT_LINE = re.compile(r'^[A-Za-z0-9-]+(;[A-Za-z0-9-]+=("[^"]*"|[^";:,]*)(,("[^"]*"|[^";:,]*))*)*:')
UNTIL = re.compile(r"UNTIL=([0-9TZ]+)")
# How our own feed's descriptions end (queries.signup_text), so a round trip does not pile them up.
OUR_SIGNUP_TEXTS = (
    "No need to sign up",
    "You do not need to sign up",
    "You need to sign up",
    "For approved Community Speed Watch volunteers",
)


class ImportRejected(DomainError):
    status = 400


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"Created {len(self.created)}, updated {len(self.updated)}, skipped {len(self.skipped)}."]
        out += [f"  skipped {what}: {why}" for what, why in self.skipped]
        return out


def check_syntax(data: bytes) -> str:
    """RFC 5545 content lines and BEGIN/END nesting, with line numbers; returns the text."""
    if len(data) > MAX_BYTES:
        raise ImportRejected(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(f"The file is not UTF-8 text (byte {exc.start}). Export it again as .ics.") from exc
    stack: list[str] = []
    logical, start_line = "", 0
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate([*lines, ""], start=1):
        if line[:1] in (" ", "\t") and logical:
            logical += line[1:]
            continue
        if logical:
            _check_line(logical, start_line, stack)
        logical, start_line = line, number
    if not stack and not text.strip():
        raise ImportRejected("The file is empty.")
    if stack:
        raise ImportRejected(f"The file ends inside {stack[-1]}: END:{stack[-1]} is missing.")
    return text


def _check_line(line: str, number: int, stack: list[str]) -> None:
    if not CONTENT_LINE.match(line):
        raise ImportRejected(f"Line {number} is not a valid iCalendar line: {line[:60]!r}")
    name, _, value = line.partition(":")
    name = name.split(";")[0].upper()
    if name == "BEGIN":
        if not stack and value.upper() != "VCALENDAR":
            raise ImportRejected(f"Line {number}: the file must start with BEGIN:VCALENDAR.")
        stack.append(value.upper())
    elif name == "END":
        if not stack or stack[-1] != value.upper():
            raise ImportRejected(f"Line {number}: END:{value} does not close {stack[-1] if stack else 'anything'}.")
        stack.pop()
    elif not stack:
        raise ImportRejected(f"Line {number} is outside BEGIN:VCALENDAR … END:VCALENDAR.")


def _local(value) -> datetime | date:
    """A DTSTART-like value as UK wall-clock time (naive), or a date for all-day values."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value
        return value.astimezone(LONDON).replace(tzinfo=None)
    return value


def _rule_text(component, start_local: datetime) -> str:
    """The RRULE as text with UNTIL in UTC (RFC 5545 needs that beside a TZID start)."""
    rule = component["RRULE"].to_ical().decode()

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


def _exdates(component) -> list[str]:
    values = component.get("EXDATE")
    if values is None:
        return []
    ids = []
    for item in values if isinstance(values, list) else [values]:
        for entry in item.dts:
            local = _local(entry.dt)
            if not isinstance(local, datetime):
                local = datetime.combine(local, time())
            ids.append(recurrence_id(local))
    return ids


def _text(component, key: str) -> str:
    value = component.get(key)
    return str(value).strip() if value is not None else ""


def _title(component) -> str:
    """SUMMARY without the "Cancelled: " that feeds (ours included) put before cancelled events."""
    title = _text(component, "SUMMARY")
    if _text(component, "STATUS").upper() == "CANCELLED" and title.lower().startswith("cancelled: "):
        title = title[len("cancelled: ") :]
    return clean_title(title) or "Untitled event"


def _description(component) -> tuple[str, str]:
    """(description, cancel reason): our own feed's "Cancelled: ..." and "Details: <url>" lines are taken off."""
    paragraphs = [p.strip() for p in _text(component, "DESCRIPTION").replace("\r\n", "\n").split("\n\n")]
    reason = ""
    if paragraphs and paragraphs[0].startswith("Cancelled: "):
        reason = paragraphs.pop(0)[len("Cancelled: ") :]
    if paragraphs and re.fullmatch(r"Details: https?://\S+", paragraphs[-1]):
        paragraphs.pop()
        if paragraphs and paragraphs[-1].startswith(OUR_SIGNUP_TEXTS):
            paragraphs.pop()
    return clean_source("\n\n".join(p for p in paragraphs if p))[:DESCRIPTION_MAX], reason[:300]


def _event_type(component, default: EventType, types: list[EventType]) -> EventType:
    categories = component.get("CATEGORIES")
    names = []
    for item in categories if isinstance(categories, list) else [categories] if categories else []:
        names += [str(c).strip().lower() for c in item.cats]
    for etype in types:
        if etype.slug in names or etype.name.lower() in names:
            return etype
    return default


def _venue(team, location: str) -> Venue | None:
    """Reuse the team's venue with this name, or record a new one (address details can be added later)."""
    if not location:
        return None
    name = location.split(",")[0].strip()[:160] or location[:160]
    found = db.session.scalar(
        select(Venue).where(Venue.team_id == team.id, func.lower(Venue.name) == name.lower()).limit(1)
    )
    if found:
        return found
    venue = Venue(team=team, name=name, address=location[len(name) :].strip(" ,")[:300])
    db.session.add(venue)
    return venue


@dataclass
class Parsed:
    uid: str
    component: object
    start: datetime
    end: datetime
    all_day: bool
    rule: str | None
    exdates: list[str]
    overrides: list = field(default_factory=list)


def _times(component, uid: str) -> tuple[datetime, datetime, bool]:
    if "DTSTART" not in component:
        raise ImportRejected(f"Event {uid}: DTSTART is missing.")
    start = _local(component.decoded("DTSTART"))
    if "DTEND" in component:
        end = _local(component.decoded("DTEND"))
    elif "DURATION" in component:
        end = start + component.decoded("DURATION")
    else:
        end = start + (timedelta(days=1) if not isinstance(start, datetime) else timedelta(hours=1))
    all_day = not isinstance(start, datetime)
    if all_day:
        start, end = datetime.combine(start, time()), datetime.combine(end, time())
    if end <= start:
        raise ImportRejected(f"Event {uid}: it ends before it starts.")
    return start, end, all_day


def parse(data: bytes) -> tuple[list[Parsed], list[tuple[str, str]]]:
    """Everything in the file, checked; raises ImportRejected before anything is written."""
    text = check_syntax(data)
    try:
        calendar = Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError) as exc:
        raise ImportRejected(f"The file could not be read as a calendar: {exc}") from exc
    skipped, masters, overrides = [], {}, []
    for component in calendar.walk("VEVENT"):
        uid = _text(component, "UID")
        errors = getattr(component, "errors", [])
        if errors:
            prop, message = errors[0]
            raise ImportRejected(f"Event {uid or '(no UID)'}: {prop}: {message}")
        if not uid:
            skipped.append((f"“{_text(component, 'SUMMARY') or 'untitled'}”", "it has no UID"))
            continue
        if "RECURRENCE-ID" in component:
            overrides.append((uid, component))
            continue
        if uid in masters:
            raise ImportRejected(f"Event {uid}: the UID is used by two events.")
        start, end, all_day = _times(component, uid)
        rule = _rule_text(component, start) if "RRULE" in component else None
        if rule:
            try:
                occurrence_local_starts(rule, start, end=local_to_utc(start) + timedelta(days=800))
            except (RecurrenceError, ValueError) as exc:
                raise ImportRejected(f"Event {uid}: its repeat rule cannot be used: {exc}") from exc
        masters[uid] = Parsed(uid, component, start, end, all_day, rule, _exdates(component))
    for uid, component in overrides:
        if uid not in masters:
            skipped.append((f"a changed date of {uid}", "its series is not in the file"))
            continue
        masters[uid].overrides.append(component)
    for count, name in ((len(calendar.walk("VTODO")), "task"), (len(calendar.walk("VJOURNAL")), "journal entry")):
        if count:
            skipped.append((f"{count} {name}(s)", "only events are imported"))
    return list(masters.values()), skipped


def import_ics(team, data: bytes, *, actor, default_type: EventType, now: datetime | None = None) -> ImportSummary:
    """Create or update the team's events from the file; the caller commits (or rolls back)."""
    now = now or utcnow()
    items, skipped = parse(data)
    summary = ImportSummary(skipped=skipped)
    types = db.session.scalars(select(EventType)).all()
    existing = {e.uid: e for e in db.session.scalars(select(Event).where(Event.uid.in_([i.uid for i in items])))}
    for item in items:
        event = existing.get(item.uid)
        if event is not None and event.team_id != team.id:
            summary.skipped.append((item.uid, "it belongs to another team's event"))
            continue
        title = _title(item.component)
        creating = event is None
        if creating:
            event = Event(
                uid=item.uid or new_uid(),
                team=team,
                revision=0,
                status=PUBLISHED,
                published_at=now,
                created_by_id=getattr(actor, "id", None),
            )
        with db.session.no_autoflush:  # the venue lookup must not flush a half-filled event
            _apply(event, item, title, _event_type(item.component, default_type, types), now)
        db.session.add(event)
        db.session.flush()
        series.materialise(event, now=now)
        _apply_overrides(event, item, summary)
        (summary.created if creating else summary.updated).append(title)
    audit.record(
        "event.import_ics",
        actor=actor,
        target=team,
        summary=summary.lines()[0],
        created=len(summary.created),
        updated=len(summary.updated),
        skipped=len(summary.skipped),
    )
    return summary


def _apply(event: Event, item: Parsed, title: str, event_type: EventType, now: datetime) -> None:
    starts_at, ends_at = local_to_utc(item.start), local_to_utc(item.end)
    venue = _venue(event.team, _text(item.component, "LOCATION"))
    status = CANCELLED if _text(item.component, "STATUS").upper() == "CANCELLED" else PUBLISHED
    changed = (event.starts_at, event.ends_at, event.venue_id, event.status, event.rrule, event.exdates) != (
        starts_at,
        ends_at,
        venue.id if venue else None,
        status,
        item.rule,
        " ".join(item.exdates),
    )
    event.title, event.event_type = title, event_type
    event.description, reason = _description(item.component)
    event.venue = venue
    event.starts_at, event.ends_at, event.all_day = starts_at, ends_at, item.all_day
    event.dtstart_local = recurrence_id(item.start)
    event.rrule, event.exdates = item.rule, " ".join(item.exdates)
    event.signup_mode = event.signup_mode or event_type.default_signup_mode
    if status == CANCELLED and event.status != CANCELLED:
        event.cancelled_at, event.cancel_reason = now, reason or "Cancelled"
    event.status = status
    if event.published_at is None:
        event.published_at = now
    if changed and event.id is not None:
        event.revision += 1


def _apply_overrides(event: Event, item: Parsed, summary: ImportSummary) -> None:
    rows = {row.recurrence_id: row for row in event.occurrences}
    for component in item.overrides:
        rid_value = _local(component.decoded("RECURRENCE-ID"))
        rid_local = rid_value if isinstance(rid_value, datetime) else datetime.combine(rid_value, time())
        row = rows.get(recurrence_id(rid_local))
        if row is None:
            summary.skipped.append((f"the {rid_local:%d %B %Y} date of {event.title}", "the series does not make it"))
            continue
        start, end, _ = _times(component, item.uid)
        new = (local_to_utc(start), local_to_utc(end))
        status = CANCELLED if _text(component, "STATUS").upper() == "CANCELLED" else SCHEDULED
        if (row.starts_at, row.ends_at, row.status) != (*new, status):
            row.starts_at, row.ends_at, row.status = *new, status
            row.moved = new != series.occurrence_times(event, rid_local)
            row.revision += 1
