"""Rules for events, event types and venues: create, edit, publish, cancel.

Local wall times come in (details.When) and UTC is stored. Series dates and single
dates of a series are handled in series.py. Services take the actor explicitly, raise
DomainError with a message an officer can read, audit every change and never commit.
"""

from __future__ import annotations

import re
from datetime import datetime

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import Conflict, DomainError
from engagement.core.hooks import notify
from engagement.core.markup import clean_source, has_tags, strip_tags
from engagement.core.permissions import can_manage_team, works_across_teams
from engagement.core.timeutil import format_datetime
from engagement.events import series
from engagement.events.details import EventDetails, When, new_uid
from engagement.events.models import (
    CANCELLED,
    DEFAULT_EVENT_TYPES,
    DRAFT,
    PUBLISHED,
    SIGNUP_MODES,
    Event,
    EventType,
    Venue,
)
from engagement.events.recurrence import RepeatPattern, recurrence_id
from engagement.events.validation import (
    build_rule,
    check_details,
    check_schedule,
    clean_reason,
    collapse_spaces,
    resolve_when,
)
from engagement.events.wall_clock import local_to_utc
from engagement.extensions import db
from engagement.teams.services import InvalidPostcode, parse_postcode


def _apply_when(event: Event, when: When) -> bool:
    """Set the first occurrence's times; True if they changed."""
    start, end = local_to_utc(when.start), local_to_utc(when.end)
    changed = (event.starts_at, event.ends_at, event.all_day, event.dtstart_local) != (
        start,
        end,
        when.all_day,
        recurrence_id(when.start),
    )
    event.starts_at, event.ends_at, event.all_day = start, end, when.all_day
    event.dtstart_local = recurrence_id(when.start)
    return changed


_PLAIN_FIELDS = (
    "title",
    "description",
    "online_url",
    "contact_email_public",
    "capacity",
    "signup_mode",
    "max_places_per_signup",
    "translations",
)


def _apply_details(event: Event, details: EventDetails) -> set[str]:
    """Copy the details onto the event; returns the names of the columns that changed (plus "place")."""
    values = {
        "team_id": details.team.id,
        "event_type_id": details.event_type.id,
        "venue_id": details.venue.id if details.venue else None,
        "contact_id": details.contact.id if details.contact else None,
        "languages": " ".join(details.languages or ()),
    } | {name: getattr(details, name) for name in _PLAIN_FIELDS}
    changed = {name for name, value in values.items() if getattr(event, name) != value}
    for name, value in values.items():
        setattr(event, name, value)
    event.team, event.event_type, event.venue, event.contact = (
        details.team,
        details.event_type,
        details.venue,
        details.contact,
    )
    if changed & {"venue_id", "online_url"}:
        changed.add("place")
    return changed


# --- creating and changing events ---------------------------------------------------------


def create_event(
    *,
    actor,
    details: EventDetails,
    when: When,
    pattern: RepeatPattern | None = None,
    publish: bool = False,
    now: datetime | None = None,
    duplicated_from: Event | None = None,
) -> Event:
    """A one-off event, or a series if a repeat pattern is given; its dates are materialised at once."""
    now = now or utcnow()
    details = check_details(details, actor)
    check_schedule(when, now, pattern)
    when = resolve_when(when, details.event_type)
    event = Event(uid=new_uid(), status=DRAFT, revision=0, created_by_id=getattr(actor, "id", None))
    _apply_details(event, details)
    _apply_when(event, when)
    if pattern is not None:
        event.rrule = build_rule(pattern, when.start)
    db.session.add(event)
    db.session.flush()
    series.materialise(event, now=now)
    audit.record(
        "event.create",
        actor=actor,
        target=event,
        summary=event.title,
        team=event.team.slug,
        series=event.rrule,
        duplicated_from=duplicated_from.id if duplicated_from else None,
    )
    if publish:
        publish_event(event, actor=actor, now=now)
    return event


def update_event(
    event: Event, *, actor, details: EventDetails, when: When | None = None, now: datetime | None = None
) -> list[str]:
    """Change an event's details (and a one-off's dates); returns the names of what changed.

    A series' dates change through series.change_following, which keeps each date's id.
    """
    now = now or utcnow()
    if event.status == CANCELLED:
        raise DomainError("This event is cancelled, so it cannot be changed. Duplicate it to schedule it again.")
    if actor is not None and not can_manage_team(actor, event.team):
        raise DomainError("You can only change your own teams' events", field="team")
    details = check_details(details, actor, keep_type_id=event.event_type_id)
    changed = _apply_details(event, details)
    if when is not None:
        if event.is_series:
            raise DomainError("Change a series' dates from one of its dates: “Change this and all following”.")
        if local_to_utc(when.start) != event.starts_at:
            check_schedule(when, now)
        when = resolve_when(when, details.event_type)
        if _apply_when(event, when):
            changed.add("time")
            series.materialise(event, now=now)
    if "time" in changed or "place" in changed:
        event.revision += 1
    if changed:
        audit.record("event.update", actor=actor, target=event, summary=event.title, changed=sorted(changed))
    if changed & {"time", "place", "capacity"}:
        notify("occurrences.changed", list(event.occurrences))  # sign-ups: tell residents, fill new places
    return sorted(changed)


def last_end(event: Event):
    """When the event's last materialised date ends (None if it has none)."""
    ends = [o.ends_at for o in event.occurrences]
    return max(ends) if ends else None


def publish_event(event: Event, *, actor, now: datetime | None = None) -> Event:
    """Make a draft public. Refused for past events: residents cannot go to them.

    Publishing a published event changes nothing (a double-tapped button is not an error).
    """
    now = now or utcnow()
    if event.status == PUBLISHED:
        return event
    if event.status == CANCELLED:
        raise DomainError("This event is cancelled, so it cannot be published. Duplicate it to schedule it again.")
    ended = last_end(event)
    if event.horizon_end is None and (ended is None or ended <= now):
        raise DomainError(
            f"This event is in the past (it ended on {format_datetime(ended or event.ends_at)}), so it cannot be "
            "published. Change the date, or duplicate it for a new date."
        )
    event.status = PUBLISHED
    event.published_at = event.published_at or now
    event.revision += 1
    audit.record("event.publish", actor=actor, target=event, summary=event.title)
    return event


def cancel_event(event: Event, *, actor, reason: str, now: datetime | None = None) -> Event:
    """Cancel a whole event or series. It stays visible, marked cancelled, until its dates pass."""
    now = now or utcnow()
    if event.status == CANCELLED:
        raise Conflict("This event is already cancelled.")
    reason = clean_reason(reason)
    ended = last_end(event)
    if event.horizon_end is None and ended is not None and ended <= now:
        raise DomainError("This event has already happened, so it cannot be cancelled.")
    event.status = CANCELLED
    event.cancel_reason = reason
    event.cancelled_at = now
    event.horizon_end = None  # no need to add dates to a cancelled series
    event.revision += 1
    audit.record("event.cancel", actor=actor, target=event, summary=event.title, reason=reason)
    notify("occurrences.changed", list(event.occurrences))
    return event


# --- event types and venues ---------------------------------------------------------------


def ensure_default_types() -> int:
    """Add any of the five standard event types that are missing (by slug); returns how many."""
    existing = set(db.session.scalars(db.select(EventType.slug)).all())
    added = 0
    for slug, name, description, minutes, mode in DEFAULT_EVENT_TYPES:
        if slug not in existing:
            db.session.add(
                EventType(
                    slug=slug,
                    name=name,
                    description=description,
                    default_duration_minutes=minutes,
                    default_signup_mode=mode,
                    active=True,
                )
            )
            added += 1
    db.session.flush()
    return added


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def save_event_type(
    etype: EventType | None,
    *,
    actor,
    name: str,
    slug: str,
    description: str,
    default_duration_minutes: int,
    default_signup_mode: str,
    active: bool = True,
) -> EventType:
    """Create (etype=None) or change an event type. The slug is used in public filter links."""
    name = collapse_spaces(name)
    slug = (slug or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"))[:60]
    if not name or has_tags(name):
        raise DomainError("Enter a plain-text name", field="name")
    if not SLUG.match(slug):
        raise DomainError("The web address name can only use lower-case letters, numbers and hyphens", field="slug")
    if default_signup_mode not in SIGNUP_MODES:
        raise DomainError("Choose a sign-up mode", field="default_signup_mode")
    if not 5 <= (default_duration_minutes or 0) <= 24 * 60:
        raise DomainError("The usual length must be between 5 and 1440 minutes", field="default_duration_minutes")
    for column, value, field in ((EventType.slug, slug, "slug"), (EventType.name, name, "name")):
        clash = db.session.scalar(
            db.select(EventType.id).where(column == value, EventType.id != getattr(etype, "id", -1))
        )
        if clash:
            raise Conflict(
                f"Another event type already has that {'name' if field == 'name' else 'web address name'}", field=field
            )
    creating = etype is None
    etype = etype or EventType()
    etype.name, etype.slug, etype.description = name, slug, clean_source(description)
    etype.default_duration_minutes, etype.default_signup_mode, etype.active = (
        default_duration_minutes,
        default_signup_mode,
        active,
    )
    db.session.add(etype)
    db.session.flush()
    audit.record("event_type.create" if creating else "event_type.update", actor=actor, target=etype, summary=name)
    return etype


VENUE_FLAGS = ("step_free", "hearing_loop", "accessible_toilet", "parking", "bsl_on_request")


def can_edit_venue(user, venue: Venue) -> bool:
    """A team's venue: whoever manages the team. A shared venue: coordinators and admins."""
    return can_manage_team(user, venue.team) if venue.team is not None else works_across_teams(user)


def save_venue(
    venue: Venue | None,
    *,
    actor,
    team,
    name: str,
    address: str,
    postcode: str,
    latitude: float | None = None,
    longitude: float | None = None,
    access_notes: str = "",
    public_transport: str = "",
    **flags: bool,
) -> Venue:
    """Create or change a venue. team=None makes it shared by every team (coordinators and admins only)."""
    if actor is not None:
        if team is None and not works_across_teams(actor):
            raise DomainError("Choose your team: only coordinators can add venues shared by every team", field="team")
        if team is not None and not can_manage_team(actor, team):
            raise DomainError("You can only add venues for your own teams", field="team")
    name = collapse_spaces(name)
    if not name or has_tags(name):
        raise DomainError("Enter the venue's name in plain text", field="name")
    try:
        parsed = parse_postcode(postcode)
    except InvalidPostcode as exc:
        raise DomainError("Enter the venue's full postcode, like B16 8QT", field="postcode") from exc
    if not parsed.full:
        raise DomainError("Enter the venue's full postcode, like B16 8QT", field="postcode")
    if (latitude is None) != (longitude is None):
        raise DomainError("Enter both latitude and longitude, or neither", field="latitude")
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise DomainError("Latitude must be between -90 and 90 and longitude between -180 and 180", field="latitude")
    creating = venue is None
    venue = venue or Venue()  # added to the session only once complete: an expired team may autoflush
    venue.team, venue.team_id = team, getattr(team, "id", None)
    venue.name, venue.address, venue.postcode = name, strip_tags(address or "").strip(), parsed.full
    venue.latitude, venue.longitude = latitude, longitude
    venue.access_notes = strip_tags(access_notes or "").strip()
    venue.public_transport = strip_tags(public_transport or "").strip()
    for flag in VENUE_FLAGS:
        setattr(venue, flag, bool(flags.get(flag, False)))
    db.session.add(venue)
    db.session.flush()
    audit.record("venue.create" if creating else "venue.update", actor=actor, target=venue, summary=venue.one_line)
    return venue
