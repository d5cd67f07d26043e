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
is written (policeuk_parse.py, within the limits of limits.py), and any problem rejects the
whole file (the CLI rolls the transaction back).
"""

from __future__ import annotations

import re
from datetime import datetime

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
from engagement.events.policeuk_parse import (
    ImportRejected,
    ImportSummary,
    Item,
    item_uid,
    load_json,
    parse_items,
    where_item,
)
from engagement.events.queries import _public, with_everything
from engagement.events.services import create_event, publish_event, save_venue, update_event
from engagement.events.validation import collapse_spaces, resolve_when
from engagement.events.wall_clock import local_to_utc
from engagement.extensions import db
from engagement.teams.models import Team
from engagement.teams.services import InvalidPostcode, parse_postcode

FALLBACK_TYPE = "public-meeting"
ONLINE_PREFIX = "Online: "
PROGRESS_EVERY = 100


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


def police_uk_items(rows: list[Occurrence], contact: dict) -> list[dict]:
    """The export's items; a date that cannot be written (a row broken in the database) is left out and logged."""
    items = []
    for row in rows:
        try:
            items.append(police_uk_item(row, contact))
        except Exception:  # noqa: BLE001 - one bad row must not take the team's whole export down
            current_app.logger.exception("police.uk export: date %s left out, it cannot be written", row.id)
    return items


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


def import_police_uk(
    team: Team, raw: bytes | str, *, actor=None, now: datetime | None = None, progress=None
) -> ImportSummary:
    """Import a police.uk events file into `team`. Raises ImportRejected; the caller commits or rolls back.

    `progress(text)` hears how far it has got (the CLI prints it)."""
    now = now or utcnow()
    items = parse_items(load_json(raw), now)
    if progress is not None:
        progress(f"Checked {len(items)} items. Saving...")
    return Importer(team, actor, now, progress).run(items)


class Importer:
    """One file's import into one team: what exists already is loaded once, then items are saved in order."""

    def __init__(self, team: Team, actor, now: datetime, progress=None):
        self.team, self.actor, self.now, self.progress = team, actor, now, progress
        self.types, self.venues = TypeMatcher(), VenueFinder(team, actor)
        self.summary = ImportSummary()

    def run(self, items: list[Item]) -> ImportSummary:
        uids = {item.index: item_uid(self.team, item) for item in items}
        query = select(Event).where(Event.uid.in_(set(uids.values()))).options(selectinload(Event.occurrences))
        existing = {event.uid: event for event in db.session.scalars(query).all()}
        seen: dict[str, Item] = {}
        for done, item in enumerate(items, start=1):
            if self.progress is not None and done % PROGRESS_EVERY == 0:
                self.progress(f"  saved {done} of {len(items)} items")
            uid = uids[item.index]
            if uid in seen:
                self.summary.skipped.append((item.label, f"same title and start as {where_item(seen[uid].index)}"))
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
