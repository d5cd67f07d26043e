"""Event types, venues, events (one-offs and series masters) and their occurrences.

An `Event` is what an officer schedules: a one-off, or a series with an RFC 5545
RRULE evaluated in Europe/London wall-clock time from `dtstart_local`. Every date
residents can attend is an `Occurrence` row with a stable id: its public URL
/events/<id>, and later its sign-ups, hang off that id. Series rows are
materialised on a rolling horizon (see engagement.events.series).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import TimestampMixin, UTCDateTime
from engagement.events.recurrence import parse_recurrence_id
from engagement.extensions import db

# Sign-up modes: drop in, sign-up welcome, sign-up needed, approved volunteers only.
SIGNUP_MODES = {
    "none": "No sign-up: just drop in",
    "optional": "Sign-up welcome, drop-ins too",
    "required": "Sign-up needed",
    "volunteers": "Approved volunteers only",
}
DRAFT, PUBLISHED, CANCELLED = "draft", "published", "cancelled"
EVENT_STATUSES = (DRAFT, PUBLISHED, CANCELLED)
SCHEDULED = "scheduled"
OCCURRENCE_STATUSES = (SCHEDULED, CANCELLED)

# Field limits, shared by forms and services so both say the same thing.
TITLE_MAX = 120
DESCRIPTION_MAX = 5000
REASON_MAX = 300
URL_MAX = 500
CAPACITY_MAX = 10_000
PLACES_MAX = 10


# The five kinds seeded by migration 0002 and `flask demo load`: slug, name, description, minutes, sign-up.
DEFAULT_EVENT_TYPES = (
    (
        "police-surgery",
        "Police surgery",
        "A drop-in session where you can talk to your local officers about anything that worries you in your "
        "neighbourhood, in private if you prefer. You do not need an appointment: come along at any time during "
        "the session.",
        90,
        "optional",
    ),
    (
        "cuppa-with-a-copper",
        "Cuppa with a Copper",
        "An informal chat over a cup of tea or coffee with your local officers. Ask questions, share concerns or "
        "just say hello. You do not need to book, but some cafés have limited space.",
        60,
        "optional",
    ),
    (
        "community-speed-watch",
        "Community Speed Watch",
        "Trained local volunteers check vehicle speeds with a speed device at an approved roadside site. The "
        "registrations of speeding vehicles are passed to the police, who send warning letters. Only approved "
        "Speed Watch volunteers take part: contact the team if you would like to volunteer.",
        60,
        "volunteers",
    ),
    (
        "neighbourhood-watch-meeting",
        "Neighbourhood Watch meeting",
        "A meeting of the local Neighbourhood Watch scheme, usually with an officer from the team. Hear what is "
        "happening locally, share information and plan together how to keep your streets safe.",
        90,
        "optional",
    ),
    (
        "public-meeting",
        "Public meeting",
        "A meeting open to everyone, where the team reports back on its local priorities and residents say what "
        "should come next.",
        90,
        "none",
    ),
)


class EventType(TimestampMixin, db.Model):
    """A kind of engagement (surgery, Cuppa with a Copper...): data, so admins add kinds without code."""

    __tablename__ = "event_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    default_duration_minutes: Mapped[int] = mapped_column(Integer, default=60, nullable=False)
    default_signup_mode: Mapped[str] = mapped_column(String(12), default="optional", nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    def __repr__(self) -> str:
        return f"<EventType {self.slug}>"


class Venue(TimestampMixin, db.Model):
    """A place events happen, with the accessibility facts residents check before they travel."""

    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(160), nullable=False)
    address: Mapped[str] = mapped_column(String(300), default="", nullable=False)
    postcode: Mapped[str] = mapped_column(String(10), default="", nullable=False)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    step_free: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    hearing_loop: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    accessible_toilet: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    parking: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    bsl_on_request: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    access_notes: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # How to get there without a car ("Bus 8 stops outside"), shown beside the Directions link (migration 0018).
    public_transport: Mapped[str] = mapped_column(Text, default="", server_default="", nullable=False)

    team = relationship("Team")

    @property
    def one_line(self) -> str:
        return ", ".join(part for part in (self.name, self.address, self.postcode) if part)

    def __repr__(self) -> str:
        return f"<Venue {self.name}>"


class Event(TimestampMixin, db.Model):
    """A one-off event or a series master. `uid` is its calendar identity and never changes."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), nullable=False, index=True)
    event_type_id: Mapped[int] = mapped_column(ForeignKey("event_types.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX), nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)  # Markdown source, cleaned
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="SET NULL"), index=True)
    online_url: Mapped[str] = mapped_column(String(URL_MAX), default="", nullable=False)
    # The first occurrence, in UTC; `dtstart_local` is the same start as the officer's wall clock.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    dtstart_local: Mapped[str] = mapped_column(String(15), nullable=False)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    contact_email_public: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    capacity: Mapped[int | None] = mapped_column(Integer)
    signup_mode: Mapped[str] = mapped_column(String(12), default="optional", nullable=False)
    max_places_per_signup: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, nullable=False, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="", nullable=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Rises only when time, place or status changes (iCal SEQUENCE later).
    revision: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # Rises with any change to what the event's feed entry shows, its dates, venue or type included
    # (events.feed_fragments keeps the entry's bytes per value; migration 0019).
    feed_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0", nullable=False)
    rrule: Mapped[str | None] = mapped_column(String(300))  # RFC 5545, without "RRULE:"
    # Dates the rule makes that do not happen at all (iCal EXDATE, e.g. from an import), as
    # space-separated local "YYYYMMDDTHHMMSS" recurrence ids; materialise never creates them.
    exdates: Mapped[str] = mapped_column(Text, default="", server_default="", nullable=False)
    # Series only: occurrences exist up to here; None once the whole rule is materialised.
    horizon_end: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    split_from_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Languages the officers there speak with residents, BCP 47 codes separated by spaces ("en ur pa"),
    # a fact like a venue's step-free access; "" means not said (events.languages, migration 0022).
    languages: Mapped[str] = mapped_column(String(120), default="", server_default="", nullable=False)
    # The officer's title and description in other languages: {"ur": {"title": ..., "description": ...}}.
    translations: Mapped[dict | None] = mapped_column(JSON)

    team = relationship("Team")
    event_type = relationship("EventType")
    venue = relationship("Venue")
    contact = relationship("User", foreign_keys=[contact_id])
    occurrences = relationship(
        "Occurrence", back_populates="event", order_by="Occurrence.recurrence_id", cascade="all, delete-orphan"
    )

    @property
    def language_codes(self) -> list[str]:
        return (self.languages or "").split()

    @property
    def exdate_ids(self) -> set[str]:
        return set((self.exdates or "").split())

    @property
    def is_series(self) -> bool:
        return self.rrule is not None

    @property
    def local_start(self) -> datetime:
        """Naive wall-clock start of the first occurrence, which the RRULE counts from."""
        return parse_recurrence_id(self.dtstart_local)

    @property
    def is_public(self) -> bool:
        """Residents see published events, and cancelled ones that were once published."""
        return self.published_at is not None and self.status in (PUBLISHED, CANCELLED)

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r}>"


class Occurrence(TimestampMixin, db.Model):
    """One date of an event: the public, addressable thing residents attend and later sign up for."""

    __tablename__ = "occurrences"
    __table_args__ = (
        UniqueConstraint("event_id", "recurrence_id", name="uq_occurrences_event_id_recurrence_id"),
        Index("ix_occurrences_event_starts", "event_id", "starts_at"),
        # The order of every public list (soonest first, id to break ties), with the end time so "not yet
        # ended" is checked in the index: the page's ids come off it in order, so a page costs the same
        # at 1,000 dates as at 100,000 (migration 0020).
        Index("ix_occurrences_list", "starts_at", "id", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    # The start the series rule gives, as local wall time "YYYYMMDDTHHMMSS" (iCal RECURRENCE-ID).
    recurrence_id: Mapped[str] = mapped_column(String(15), nullable=False)
    # The actual times, after any move.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(12), default=SCHEDULED, nullable=False)
    cancel_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="", nullable=False)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="SET NULL"))
    moved: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # Rises when this date's own time, place or status changes.
    revision: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    event = relationship("Event", back_populates="occurrences")
    venue_override = relationship("Venue", foreign_keys=[venue_id])

    @property
    def original_local_start(self) -> datetime:
        return parse_recurrence_id(self.recurrence_id)

    @property
    def venue(self) -> Venue | None:
        return self.venue_override or self.event.venue

    @property
    def is_cancelled(self) -> bool:
        """Cancelled on its own, or with its whole event (dates that had already ended stay as they were)."""
        if self.status == CANCELLED:
            return True
        event = self.event
        return event.status == CANCELLED and (event.cancelled_at is None or self.ends_at > event.cancelled_at)

    @property
    def cancel_message(self) -> str:
        return (self.cancel_reason if self.status == CANCELLED else self.event.cancel_reason) or "Cancelled"

    @property
    def sequence(self) -> int:
        """Changes whenever anything residents see about this date changes (series or the date itself)."""
        return self.event.revision + self.revision

    def __repr__(self) -> str:
        return f"<Occurrence {self.id} of event {self.event_id} at {self.recurrence_id}>"
