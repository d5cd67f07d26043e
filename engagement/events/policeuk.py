"""data.police.uk "neighbourhood events" interop: /teams/<slug>/events.json out, a file importer in.

The format is a JSON list of objects with `title`, `description` (plain text), `address`,
`type`, `start_date` and `end_date` (UK local time without an offset, "2027-03-02T18:00:00")
and `contact_details` (`email`, `telephone`). Existing police.uk API consumers read ours.

Export (served by views/policeuk.py): the team's upcoming public dates, one object per
date (a series is listed date by date); cancelled dates are left out, as the format has no
status. `type` is the kind of event's slug; an online-only event's address is "Online: <link>".

Import (`flask events import-police-uk`): every object becomes a published one-off event.
Each item's UID is derived from team, title and start, so importing the same file again
updates those events instead of adding copies. The whole file is checked before anything
is written, and any problem rejects the whole file (the CLI rolls the transaction back).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.core.markup import plain_text, strip_tags
from engagement.core.timeutil import to_local
from engagement.events.details import EventDetails, When, details_of
from engagement.events.models import CANCELLED, PUBLISHED, SCHEDULED, Event, EventType, Occurrence, Venue
from engagement.events.queries import _public, with_everything
from engagement.events.services import create_event, publish_event, save_venue, update_event
from engagement.events.validation import collapse_spaces, resolve_when
from engagement.events.wall_clock import LONDON, local_to_utc
from engagement.extensions import db
from engagement.teams.models import Team
from engagement.teams.services import InvalidPostcode, parse_postcode

FALLBACK_TYPE = "public-meeting"
REQUIRED_KEYS = ("title", "address", "start_date")
ONLINE_PREFIX = "Online: "


def local_iso(instant: datetime) -> str:
    """UK wall-clock time without an offset, as police.uk writes it."""
    return to_local(instant).replace(tzinfo=None).isoformat(timespec="seconds")


# --- export -------------------------------------------------------------------------------


def upcoming_dates(team: Team, now: datetime | None = None) -> list[Occurrence]:
    """The team's public dates that have not ended and are not cancelled: one query."""
    now = now or utcnow()
    query = _public().where(
        Event.team_id == team.id,
        Event.status == PUBLISHED,
        Occurrence.status == SCHEDULED,
        Occurrence.ends_at > now,
    )
    query = with_everything(query.order_by(Occurrence.starts_at, Occurrence.id))
    return db.session.scalars(query).unique().all()


def address_of(row: Occurrence) -> str:
    if row.venue is not None:
        return row.venue.one_line
    return f"{ONLINE_PREFIX}{row.event.online_url}" if row.event.online_url else ""


def contact_details(team: Team) -> dict:
    """The team's public contacts, leaving out any it has not given (police.uk does the same)."""
    values = {"email": team.contact_email, "telephone": team.contact_phone}
    return {key: value for key, value in values.items() if value}


def police_uk_item(row: Occurrence, contact: dict) -> dict:
    event = row.event
    return {
        "title": event.title,
        "description": plain_text(event.description),
        "address": address_of(row),
        "type": event.event_type.slug,
        "start_date": local_iso(row.starts_at),
        "end_date": local_iso(row.ends_at),
        "contact_details": contact,
    }


# --- import: checking the file --------------------------------------------------------------


class ImportRejected(DomainError):
    """The file cannot be imported; nothing from it is kept. The message names the item."""

    status = 400


@dataclass
class Item:
    index: int
    title: str
    description: str
    address: str
    type_name: str
    start: datetime  # naive UK local
    end: datetime | None  # naive UK local; None: the kind of event's usual length

    @property
    def label(self) -> str:
        return f"item {self.index + 1} (index {self.index}, “{self.title[:60]}”)"


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"Created {len(self.created)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"skipped {len(self.skipped)}."
        ]
        out += [f"  created: {label}" for label in self.created]
        out += [f"  updated: {label}" for label in self.updated]
        out += [f"  skipped: {label}: {reason}" for label, reason in self.skipped]
        return out


def _where(index: int) -> str:
    return f"item {index + 1} (index {index})"


def load_json(raw: bytes | str) -> list:
    """The file's items; ImportRejected if it is not JSON or not a list."""
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise ImportRejected("The file is not UTF-8 text, so it cannot be JSON.") from None
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    if not isinstance(data, list):
        raise ImportRejected(f"The file must be a JSON list of events ([...]), not a JSON {type(data).__name__}.")
    return data


def _text(obj: dict, key: str, index: int, *, required: bool = False) -> str:
    value = obj.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ImportRejected(f"{_where(index)}: {key} must be text, not {json.dumps(value)[:40]}.")
    if required and not value.strip():
        raise ImportRejected(f"{_where(index)}: {key} is empty.")
    return value.strip()


def parse_local(value, key: str, index: int) -> datetime:
    """'2027-03-02T18:00:00' as naive UK local time. A value with an offset is converted to UK time."""
    text = value.strip() if isinstance(value, str) else ""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*", text):
            raise ValueError
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ImportRejected(
            f"{_where(index)}: {key} {json.dumps(value)[:40]} is not a date and time like 2027-03-02T18:00:00."
        ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(LONDON).replace(tzinfo=None)
    return parsed.replace(microsecond=0)


def parse_items(data: list) -> list[Item]:
    items = []
    for index, obj in enumerate(data):
        if not isinstance(obj, dict):
            raise ImportRejected(f"{_where(index)} must be a JSON object ({{...}}), not {json.dumps(obj)[:40]}.")
        missing = [key for key in REQUIRED_KEYS if key not in obj]
        if missing:
            raise ImportRejected(f"{_where(index)} has no {', '.join(missing)}.")
        start = parse_local(obj["start_date"], "start_date", index)
        end = None if obj.get("end_date") in (None, "") else parse_local(obj["end_date"], "end_date", index)
        if end is not None and end <= start:
            raise ImportRejected(f"{_where(index)}: end_date is not after start_date.")
        items.append(
            Item(
                index=index,
                title=collapse_spaces(_text(obj, "title", index, required=True)),
                description=_text(obj, "description", index),
                address=_text(obj, "address", index, required=True),
                type_name=_text(obj, "type", index),
                start=start,
                end=end,
            )
        )
    return items


def item_uid(team: Team, item: Item) -> str:
    """Stable per team, title and start, so a re-import finds the event it made last time."""
    key = f"{team.slug}|{item.title}|{item.start.isoformat()}"
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"policeuk-{hashlib.sha256(key.encode()).hexdigest()[:32]}@{host}"


# --- import: writing ----------------------------------------------------------------------


def _key(text: str) -> str:
    return collapse_spaces(text).casefold()


class TypeMatcher:
    """The kind of event by slug or name, any case; anything else is a public meeting."""

    def __init__(self):
        types = db.session.scalars(select(EventType).where(EventType.active.is_(True))).all()
        self.by_key = {}
        for etype in types:
            self.by_key[_key(etype.slug)] = etype
            self.by_key[_key(etype.name)] = etype
            self.by_key[re.sub(r"[^a-z0-9]+", "-", _key(etype.name)).strip("-")] = etype

    def __call__(self, name: str) -> EventType:
        etype = self.by_key.get(_key(name)) or self.by_key.get(FALLBACK_TYPE)
        if etype is None:
            raise ImportRejected(f"There is no active “{FALLBACK_TYPE}” kind of event to import unknown types as.")
        return etype


class VenueFinder:
    """The team's (or a shared) venue whose one-line address matches, else a new venue for the team."""

    def __init__(self, team: Team, actor=None):
        self.team, self.actor = team, actor
        query = select(Venue).where((Venue.team_id == team.id) | Venue.team_id.is_(None)).order_by(Venue.id)
        self.by_address: dict[str, Venue] = {}
        for venue in db.session.scalars(query).all():
            self.by_address.setdefault(_key(venue.one_line), venue)

    def __call__(self, address: str, label: str) -> Venue:
        found = self.by_address.get(_key(address))
        if found is None:
            found = self._create(address, label)
            self.by_address[_key(address)] = found
            self.by_address.setdefault(_key(found.one_line), found)
        return found

    def _create(self, address: str, label: str) -> Venue:
        parts = [collapse_spaces(strip_tags(part)) for part in address.split(",")]
        parts = [part for part in parts if part]
        postcode = ""
        if len(parts) > 1:
            try:
                postcode = parse_postcode(parts[-1]).full or ""
            except InvalidPostcode:
                postcode = ""
        if postcode:
            parts.pop()
        if not parts:
            raise ImportRejected(f"{label}: the address has no text once HTML tags are removed.")
        name, rest = parts[0], ", ".join(parts[1:])
        if len(name) > 160 or len(rest) > 300:
            raise ImportRejected(f"{label}: the address is too long for a venue (name 160, address 300 characters).")
        if postcode:
            return save_venue(None, actor=self.actor, team=self.team, name=name, address=rest, postcode=postcode)
        # Police.uk addresses often have no postcode, which the staff form insists on: keep what we were given.
        venue = Venue(team=self.team, team_id=self.team.id, name=name, address=rest, postcode="")
        db.session.add(venue)
        db.session.flush()
        audit.record("venue.create", actor=self.actor, target=venue, summary=venue.one_line, source="police.uk import")
        return venue


def import_police_uk(team: Team, raw: bytes | str, *, actor=None, now: datetime | None = None) -> ImportSummary:
    """Import a police.uk events file into `team`. Raises ImportRejected; the caller commits or rolls back."""
    items = parse_items(load_json(raw))
    return Importer(team, actor, now or utcnow()).run(items)


class Importer:
    """One file's import into one team: what exists already is loaded once, then items are saved in order."""

    def __init__(self, team: Team, actor, now: datetime):
        self.team, self.actor, self.now = team, actor, now
        self.types, self.venues = TypeMatcher(), VenueFinder(team, actor)
        self.summary = ImportSummary()

    def run(self, items: list[Item]) -> ImportSummary:
        uids = {item.index: item_uid(self.team, item) for item in items}
        query = select(Event).where(Event.uid.in_(set(uids.values()))).options(selectinload(Event.occurrences))
        existing = {event.uid: event for event in db.session.scalars(query).all()}
        seen: dict[str, Item] = {}
        for item in items:
            uid = uids[item.index]
            if uid in seen:
                self.summary.skipped.append((item.label, f"same title and start as {_where(seen[uid].index)}"))
                continue
            seen[uid] = item
            etype = self.types(item.type_name)
            try:
                when = resolve_when(When(item.start, item.end), etype)
            except DomainError as exc:
                raise ImportRejected(f"{item.label}: {exc.message}") from None
            if local_to_utc(when.end) <= self.now:
                self.summary.skipped.append((item.label, "already over"))
                continue
            event = existing.get(uid)
            refusal = self.refusal(event)
            if refusal:
                self.summary.skipped.append((item.label, refusal))
                continue
            try:
                self.save(event, item, uid, etype, when)
            except DomainError as exc:
                raise ImportRejected(f"{item.label}: {exc.message}") from None
        return self.summary

    def refusal(self, event: Event | None) -> str:
        """Why an event made by an earlier import must not be changed now ("" if it may)."""
        if event is None:
            return ""
        if event.team_id != self.team.id:
            return "an event with this identity belongs to another team"
        if event.status == CANCELLED:
            return "cancelled on this site, so not changed"
        if event.is_series:
            return "now part of a repeating series on this site, so not changed"
        return ""

    def save(self, event: Event | None, item: Item, uid: str, etype: EventType, when: When) -> None:
        if event is None:
            details = EventDetails(team=self.team, event_type=etype, title=item.title, description=item.description)
        else:
            details = details_of(event)  # keeps what police.uk does not carry: contact, places, sign-up mode
            details.event_type, details.title, details.description = etype, item.title, item.description
        online = item.address.startswith(ONLINE_PREFIX)
        details.online_url = item.address.removeprefix(ONLINE_PREFIX).strip() if online else ""
        details.venue = None if online else self.venues(item.address, item.label)
        if event is None:
            event = create_event(actor=self.actor, details=details, when=when, now=self.now)
            event.uid = uid
            publish_event(event, actor=self.actor, now=self.now)
            self.summary.created.append(item.label)
            return
        changed = update_event(event, actor=self.actor, details=details, when=when, now=self.now)
        if event.status != PUBLISHED:
            publish_event(event, actor=self.actor, now=self.now)
            changed.append("status")
        (self.summary.updated if changed else self.summary.unchanged).append(item.label)
