"""The values an event is made from, which other features build too (sign-ups, Speed Watch, the demo).

`When` is the dates as an officer entered them (naive Europe/London wall times),
`EventDetails` everything else; services check both (validation.py) before saving.
`new_uid` makes an event's calendar identity, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit
from uuid import uuid4

from flask import current_app

from engagement.events.models import Event, EventType, Venue


@dataclass(frozen=True)
class When:
    """Start and end as the officer entered them: naive local wall times.

    For an all-day event `end` is midnight after the last day. `end=None` means
    "use the event type's default duration".
    """

    start: datetime
    end: datetime | None = None
    all_day: bool = False


@dataclass
class EventDetails:
    """Everything about an event except its dates."""

    team: object
    event_type: EventType
    title: str
    description: str = ""
    venue: Venue | None = None
    online_url: str = ""
    contact: object = None
    contact_email_public: bool = False
    capacity: int | None = None
    signup_mode: str | None = None  # None: the event type's default
    max_places_per_signup: int = 1
    languages: list[str] = field(default_factory=list)  # spoken there, BCP 47 codes (events.languages)
    translations: dict | None = None  # {"ur": {"title", "description"}}; None: none


def details_of(event: Event) -> EventDetails:
    """The event's current details, as a starting point for a change."""
    return EventDetails(
        team=event.team,
        event_type=event.event_type,
        title=event.title,
        description=event.description,
        venue=event.venue,
        online_url=event.online_url,
        contact=event.contact,
        contact_email_public=event.contact_email_public,
        capacity=event.capacity,
        signup_mode=event.signup_mode,
        max_places_per_signup=event.max_places_per_signup,
        languages=event.language_codes,
        translations=event.translations,
    )


def new_uid() -> str:
    """Calendar identity, made once: "<uuid>@<site host>"."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"{uuid4()}@{host}"
