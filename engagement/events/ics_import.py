"""Import VEVENTs from an .ics file (Outlook, Google or another system) into a team's events.

* The whole file is checked first (ics_parse.py: syntax with line numbers, then every VEVENT
  against the limits); a malformed one is rejected with the reason and where it is. The import
  runs in the caller's transaction, so a failure part-way leaves nothing behind.
* Events are matched on UID: importing the same file again updates instead of
  duplicating. A UID that belongs to another team's event is skipped.
* A series' RRULE is evaluated in Europe/London, like every series here.
* EXDATE dates are stored on the event and never created; RECURRENCE-ID overrides
  move or cancel that one date. CATEGORIES picks the event type by name or slug.
* Small uploads import during the request; big ones are queued for the worker (import_jobs.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.core.markup import clean_source
from engagement.events import series
from engagement.events.details import new_uid
from engagement.events.ics_instants import UID_MARK, derived_uid
from engagement.events.ics_parse import (
    Deadline,
    ImportRejected,
    Parsed,
    ParsedFile,
    label,
    parse,
    text_of,
    to_local,
)
from engagement.events.models import CANCELLED, DESCRIPTION_MAX, PUBLISHED, SCHEDULED, Event, EventType, Venue
from engagement.events.recurrence import recurrence_id
from engagement.events.validation import clean_title
from engagement.events.wall_clock import local_to_utc
from engagement.extensions import db

__all__ = ["ImportRejected", "ImportSummary", "apply", "import_ics", "parse"]

# How our own feed's descriptions end (queries.signup_text), so a round trip does not pile them up.
OUR_SIGNUP_TEXTS = (
    "No need to sign up",
    "You do not need to sign up",
    "You need to sign up",
    "For approved Community Speed Watch volunteers",
)
PROGRESS_EVERY = 100  # events between progress reports
FLUSH_EVERY = 200  # events written to the database at a time


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"Created {len(self.created)}, updated {len(self.updated)}, skipped {len(self.skipped)}."]
        out += [f"  skipped {what}: {why}" for what, why in self.skipped]
        return out


def _title(component) -> str:
    """SUMMARY without the "Cancelled: " that feeds (ours included) put before cancelled events."""
    title = text_of(component, "SUMMARY")
    if text_of(component, "STATUS").upper() == "CANCELLED" and title.lower().startswith("cancelled: "):
        title = title[len("cancelled: ") :]
    return clean_title(title) or "Untitled event"


def _description(component) -> tuple[str, str]:
    """(description, cancel reason): our own feed's "Cancelled: ..." and "Details: <url>" lines are taken off."""
    paragraphs = [p.strip() for p in text_of(component, "DESCRIPTION").replace("\r\n", "\n").split("\n\n")]
    reason = ""
    if paragraphs and paragraphs[0].startswith("Cancelled: "):
        reason = paragraphs.pop(0)[len("Cancelled: ") :]
    if paragraphs and re.fullmatch(r"Details: https?://\S+", paragraphs[-1]):
        paragraphs.pop()
        if paragraphs and paragraphs[-1].startswith(OUR_SIGNUP_TEXTS):
            paragraphs.pop()
    return clean_source(as_markdown("\n\n".join(p for p in paragraphs if p)))[:DESCRIPTION_MAX], reason[:300]


# Characters Markdown reads as formatting anywhere in a line, and what it reads at a line's start
# (headings, quotes, lists, rules): escaped, the text shows and exports exactly as it came.
MARKDOWN_ANYWHERE = re.compile(r"([\\`*_\[\]#])")
MARKDOWN_LINE_START = re.compile(r"^(\s*)(\d+)([.)])|^(\s*)([-+>])", re.MULTILINE)


def as_markdown(text: str) -> str:
    """Plain text (as iCalendar DESCRIPTION is) as Markdown source that renders back to the same text.

    Descriptions are stored as Markdown; an imported "\\\\server\\share" would otherwise come back
    with one backslash, and "*", "_", "#" or "[" would turn into emphasis, headings or links.
    """
    escaped = MARKDOWN_ANYWHERE.sub(r"\\\1", text)
    return MARKDOWN_LINE_START.sub(
        lambda m: f"{m.group(1)}{m.group(2)}\\{m.group(3)}" if m.group(2) else f"{m.group(4)}\\{m.group(5)}", escaped
    )


def _event_type(component, default: EventType, types: list[EventType]) -> EventType:
    categories = component.get("CATEGORIES")
    names = []
    for item in categories if isinstance(categories, list) else [categories] if categories else []:
        names += [str(c).strip().lower() for c in item.cats]
    for etype in types:
        if etype.slug in names or etype.name.lower() in names:
            return etype
    return default


def _venue(team, location: str, known: dict[str, Venue]) -> Venue | None:
    """Reuse the team's venue with this name, or record a new one (address details can be added later).

    `known` holds the venues this import has found or made, so each name costs one query at most.
    """
    if not location:
        return None
    name = location.split(",")[0].strip()[:160] or location[:160]
    key = name.lower()
    if key not in known:
        found = db.session.scalar(select(Venue).where(Venue.team_id == team.id, func.lower(Venue.name) == key).limit(1))
        if found is None:
            found = Venue(team=team, name=name, address=location[len(name) :].strip(" ,")[:300])
            db.session.add(found)
        known[key] = found
    return known[key]


def import_ics(
    team,
    data: bytes,
    *,
    actor,
    default_type: EventType,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Check the whole file, then create or update the team's events; the caller commits (or rolls back)."""
    now = now or utcnow()
    deadline = Deadline()
    return apply(
        team,
        parse(data, now=now, deadline=deadline),
        actor=actor,
        default_type=default_type,
        now=now,
        progress=progress,
        deadline=deadline,
    )


def apply(
    team,
    parsed: ParsedFile,
    *,
    actor,
    default_type: EventType,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    deadline: Deadline | None = None,
) -> ImportSummary:
    """Write a checked file's events (see parse); `progress(done, total)` is called every PROGRESS_EVERY events."""
    now = now or utcnow()
    deadline = deadline or Deadline()
    items = parsed.items
    summary = ImportSummary(skipped=list(parsed.skipped))
    types = db.session.scalars(select(EventType)).all()
    venues: dict[str, Venue] = {}
    query = select(Event).where(Event.uid.in_([i.uid for i in items]))
    query = query.options(selectinload(Event.occurrences), selectinload(Event.venue))  # a re-import: two queries
    existing = {e.uid: e for e in db.session.scalars(query)}
    for done, item in enumerate(items, start=1):
        deadline.check()
        if item.instants is not None:
            _apply_dated(team, item, actor, _event_type(item.component, default_type, types), now, venues, summary)
            if done % FLUSH_EVERY == 0:
                db.session.flush()
            continue
        event = existing.get(item.uid)
        if event is not None and event.team_id != team.id:
            summary.skipped.append((item.uid, "it belongs to another team's event"))
            continue
        try:
            title = _title(item.component)
        except DomainError as exc:
            raise ImportRejected(f"{label(item.component, item.line)}: {exc.message}") from None
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
        with db.session.no_autoflush:  # nothing half-filled is flushed; a batch is flushed at once below
            _apply(event, item, title, _event_type(item.component, default_type, types), now, venues)
            db.session.add(event)
            series.materialise(event, now=now, flush=False)
            _apply_overrides(event, item, summary)
        (summary.created if creating else summary.updated).append(title)
        if done % FLUSH_EVERY == 0:
            db.session.flush()
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(items)):
            progress(done, len(items))
    db.session.flush()
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


def _apply(
    event: Event,
    item: Parsed,
    title: str,
    event_type: EventType,
    now: datetime,
    venues: dict,
    times: tuple[datetime, datetime] | None = None,
) -> None:
    """Copy the VEVENT onto the event; `times` (UTC) replaces its own for one date of a dated series."""
    starts_at, ends_at = times or (local_to_utc(item.start), local_to_utc(item.end))
    rule, exdates = (None, "") if times else (item.rule, " ".join(item.exdates))
    venue = _venue(event.team, text_of(item.component, "LOCATION"), venues)
    status = CANCELLED if text_of(item.component, "STATUS").upper() == "CANCELLED" else PUBLISHED
    changed = (event.starts_at, event.ends_at, event.venue, event.status, event.rrule, event.exdates) != (
        starts_at,
        ends_at,
        venue,
        status,
        rule,
        exdates,
    )
    event.title, event.event_type = title, event_type
    event.description, reason = _description(item.component)
    event.venue = venue
    event.starts_at, event.ends_at, event.all_day = starts_at, ends_at, item.all_day
    event.dtstart_local = recurrence_id(to_local(starts_at)) if times else recurrence_id(item.start)
    event.rrule, event.exdates = rule, exdates
    event.signup_mode = event.signup_mode or event_type.default_signup_mode
    if status == CANCELLED and event.status != CANCELLED:
        event.cancelled_at, event.cancel_reason = now, reason or "Cancelled"
    event.status = status
    if event.published_at is None:
        event.published_at = now
    if changed and event.id is not None:
        event.revision += 1


def _apply_overrides(event: Event, item: Parsed, summary: ImportSummary) -> None:
    """Move or cancel the dates the file changes (checked by parse: within the import range, at most 14 days)."""
    rows = {row.recurrence_id: row for row in event.occurrences}
    for component, start, end in item.overrides:
        rid_value = to_local(component.decoded("RECURRENCE-ID"))
        rid_local = rid_value if isinstance(rid_value, datetime) else datetime.combine(rid_value, time())
        row = rows.get(recurrence_id(rid_local))
        if row is None:
            summary.skipped.append((f"the {rid_local:%d %B %Y} date of {event.title}", "the series does not make it"))
            continue
        new = (local_to_utc(start), local_to_utc(end))
        status = CANCELLED if text_of(component, "STATUS").upper() == "CANCELLED" else SCHEDULED
        if (row.starts_at, row.ends_at, row.status) != (*new, status):
            row.starts_at, row.ends_at, row.status = *new, status
            row.moved = new != series.occurrence_times(event, rid_local)
            row.revision += 1


def _apply_dated(team, item: Parsed, actor, event_type: EventType, now: datetime, venues: dict, summary) -> None:
    """A series kept as its dates (ics_instants.py): one event per date, UID "<UID>#<UTC start>"."""
    where = label(item.component, item.line)
    try:
        title = _title(item.component)
    except DomainError as exc:
        raise ImportRejected(f"{where}: {exc.message}") from None
    prefix = item.uid.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + UID_MARK
    query = select(Event).where(Event.uid.like(prefix + "%", escape="\\")).options(selectinload(Event.occurrences))
    existing = {e.uid: e for e in db.session.scalars(query)}
    if any(e.team_id != team.id for e in existing.values()):
        summary.skipped.append((item.uid, "it belongs to another team's event"))
        return
    changes = _dated_overrides(item)
    kept = set()
    for original, start, end in item.instants:
        uid = derived_uid(item.uid, original)
        kept.add(uid)
        event = existing.get(uid)
        creating = event is None
        if creating:
            event = Event(
                uid=uid,
                team=team,
                revision=0,
                status=PUBLISHED,
                published_at=now,
                created_by_id=getattr(actor, "id", None),
            )
        with db.session.no_autoflush:
            _apply(event, item, title, event_type, now, venues, times=changes.get(original, (start, end))[:2])
            if original in changes and changes[original][2] and event.status != CANCELLED:
                event.status, event.cancelled_at, event.cancel_reason = CANCELLED, now, "Cancelled"
            db.session.add(event)
            series.materialise(event, now=now, flush=False)
        (summary.created if creating else summary.updated).append(title)
    for uid, event in existing.items():  # future dates the file no longer has
        if uid not in kept and event.starts_at > now and event.status != CANCELLED:
            event.status, event.cancelled_at, event.cancel_reason = CANCELLED, now, "No longer in the imported calendar"
            event.revision += 1


def _dated_overrides(item: Parsed) -> dict[datetime, tuple[datetime, datetime, bool]]:
    """RECURRENCE-ID (as a UTC instant) to the date's new start, end and whether it is cancelled."""
    out = {}
    for component, start, end in item.overrides:
        rid = component.decoded("RECURRENCE-ID")
        if isinstance(rid, datetime):
            original = rid.astimezone(UTC) if rid.tzinfo is not None else local_to_utc(rid)
        else:
            original = local_to_utc(datetime.combine(rid, time()))
        out[original] = (local_to_utc(start), local_to_utc(end), text_of(component, "STATUS").upper() == "CANCELLED")
    return out
