"""Read side of sign-ups. Every list states how it loads.

* places_left / counts_for: one aggregate query for any number of dates.
* attendee_list: one query for all of a date's sign-ups; counts and positions are worked
  out from that list, so the page costs the same for 1 or 200 sign-ups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select

from engagement.core.db import utcnow
from engagement.events.models import Occurrence
from engagement.events.queries import with_everything
from engagement.extensions import db
from engagement.signups.models import BOOKABLE_MODES, CANCELLED, CONFIRMED, WAITING, WALK_IN, WEB, Signup, SignupSlot


@dataclass
class Counts:
    """Figures for one date: places booked (confirmed web sign-ups), waiting, walk-ins, attended."""

    booked: int = 0
    bookings: int = 0
    waiting: int = 0
    waiting_places: int = 0
    walk_ins: int = 0
    cancelled: int = 0
    attended: int = 0


def counts_for(ids: list[int]) -> dict[int, Counts]:
    """Counts per date id, in one aggregate query."""
    if not ids:
        return {}

    def total(condition, value=Signup.places):
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    web_confirmed = (Signup.status == CONFIRMED) & (Signup.source == WEB)
    query = (
        select(
            Signup.occurrence_id,
            total(web_confirmed),
            total(web_confirmed, 1),
            total(Signup.status == WAITING, 1),
            total(Signup.status == WAITING),
            total((Signup.status == CONFIRMED) & (Signup.source == WALK_IN)),
            total(Signup.status == CANCELLED, 1),
            total((Signup.status != CANCELLED) & Signup.attended.is_(True)),
        )
        .where(Signup.occurrence_id.in_(ids))
        .group_by(Signup.occurrence_id)
    )
    return {row[0]: Counts(*(int(v) for v in row[1:])) for row in db.session.execute(query)}


def places_left(rows) -> dict[int, int | None]:
    """Free places per date id (None: no limit), one query: the public API's and event page's figure."""
    ids = [row.id for row in rows if row.event.capacity is not None]  # no limit: nothing to look up
    booked = {}
    if ids:
        query = select(SignupSlot.occurrence_id, SignupSlot.confirmed).where(SignupSlot.occurrence_id.in_(ids))
        booked = dict(db.session.execute(query).all())
    result = {}
    for row in rows:
        capacity = row.event.capacity
        result[row.id] = None if capacity is None else max(capacity - booked.get(row.id, 0), 0)
    return result


@dataclass
class PageState:
    """What the public page of a date says about signing up."""

    mode: str
    open: bool
    places_left: int | None
    waiting: int
    reason: str = ""


def closed_reason(row: Occurrence, now: datetime) -> str:
    """Why residents cannot sign up for this date ("cancelled", "started", "not_public"), or "" while open.

    One rule for the event page and the staff dashboard's line, so the two never disagree.
    """
    if row.is_cancelled:
        return "cancelled"
    if row.starts_at <= now:
        return "started"
    if not row.event.is_public or row.event.status != "published":
        return "not_public"
    return ""


def page_columns() -> dict:
    """The figures a date's public page and sign-up form show, as correlated columns for the page's
    own statement (events.page_queries): places confirmed and people waiting, no round trip of their own."""
    return {
        "confirmed": select(SignupSlot.confirmed)
        .where(SignupSlot.occurrence_id == Occurrence.id)
        .correlate(Occurrence)
        .scalar_subquery(),
        "waiting": select(func.count(Signup.id))
        .where(Signup.occurrence_id == Occurrence.id, Signup.status == WAITING)
        .correlate(Occurrence)
        .scalar_subquery(),
    }


def page_state(row: Occurrence, now: datetime | None = None, data: dict | None = None) -> PageState:
    """What the page says about signing up; `data` (page_columns' values) saves the two lookups."""
    now = now or utcnow()
    event = row.event
    if data is not None:
        left = None if event.capacity is None else max(event.capacity - int(data.get("confirmed") or 0), 0)
        waiting = int(data.get("waiting") or 0) if left == 0 else 0
    else:
        left = places_left([row])[row.id] if event.capacity is not None else None
        waiting = 0
        if left == 0:
            waiting = db.session.scalar(
                select(func.count()).select_from(Signup).where(Signup.occurrence_id == row.id, Signup.status == WAITING)
            )
    reason = closed_reason(row, now)
    return PageState(
        mode=event.signup_mode,
        open=event.signup_mode in BOOKABLE_MODES and not reason,
        places_left=left,
        waiting=waiting,
        reason=reason,
    )


@dataclass
class AttendeeList:
    confirmed: list[Signup] = field(default_factory=list)
    waiting: list[Signup] = field(default_factory=list)
    cancelled: list[Signup] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)


def attendee_list(row: Occurrence) -> AttendeeList:
    """All of a date's sign-ups in one query: confirmed by name, waiting in order, cancelled latest first."""
    signups = db.session.scalars(select(Signup).where(Signup.occurrence_id == row.id).order_by(Signup.id)).all()
    result = AttendeeList()
    for signup in signups:
        {CONFIRMED: result.confirmed, WAITING: result.waiting, CANCELLED: result.cancelled}[signup.status].append(
            signup
        )
    result.confirmed.sort(key=lambda s: (s.name.casefold(), s.id))
    result.waiting.sort(key=lambda s: s.queue_no or 0)
    for position, signup in enumerate(result.waiting, start=1):
        signup.position = position
    result.cancelled.sort(key=lambda s: s.cancelled_at or s.updated_at, reverse=True)
    c = result.counts
    for s in result.confirmed:
        if s.source == WEB:
            c.booked += s.places
            c.bookings += 1
        else:
            c.walk_ins += s.places
        if s.attended:
            c.attended += s.places
    c.waiting = len(result.waiting)
    c.waiting_places = sum(s.places for s in result.waiting)
    c.attended += sum(s.places for s in result.waiting if s.attended)
    c.cancelled = len(result.cancelled)
    return result


def staff_dates(teams, *, start: datetime, end: datetime, limit: int = 200) -> list[tuple[Occurrence, Counts]]:
    """Dates of these teams that take sign-ups or have some, with their counts: two queries."""
    from engagement.events.models import Event

    ids = [t.id for t in teams]
    if not ids:
        return []
    has_signups = select(SignupSlot.occurrence_id).where(SignupSlot.occurrence_id == Occurrence.id).exists()
    query = (
        select(Occurrence)
        .join(Occurrence.event)
        .where(
            Event.team_id.in_(ids),
            Occurrence.ends_at > start,
            Occurrence.starts_at < end,
            (Event.signup_mode.in_(BOOKABLE_MODES)) | has_signups,
        )
        .order_by(Occurrence.starts_at, Occurrence.id)
        .limit(limit)
    )
    rows = db.session.scalars(with_everything(query)).unique().all()
    counts = counts_for([r.id for r in rows])
    return [(row, counts.get(row.id, Counts())) for row in rows]


def my_events(email: str, now: datetime | None = None) -> list[Occurrence]:
    """Dates this address has a confirmed place at, still within the feed's retention window."""
    now = now or utcnow()
    query = (
        select(Occurrence)
        .join(Signup, Signup.occurrence_id == Occurrence.id)
        .where(Signup.email == email, Signup.status == CONFIRMED, Occurrence.ends_at > now - timedelta(days=90))
        .order_by(Occurrence.starts_at, Occurrence.id)
    )
    return db.session.scalars(with_everything(query)).unique().all()


def attendees_for_feedback(row: Occurrence) -> list[tuple[str, str, str | None]]:
    """(email, name, language) of people with a place at this date whose consent covered a feedback
    email, one query; the language is the sign-up's, so the feedback email is written in it.

    The surveys feature asks for these through core.hooks ("occurrence.attendees") after the date.
    """
    from engagement.signups.links import FEEDBACK_CONSENT

    query = (
        select(Signup.email, Signup.name, Signup.language)
        .where(
            Signup.occurrence_id == row.id,
            Signup.status == CONFIRMED,
            Signup.email.is_not(None),
            or_(*(Signup.consent_version.like(f"{version}+%") for version in FEEDBACK_CONSENT)),
        )
        .order_by(Signup.id)
    )
    return [(email, name, language) for email, name, language in db.session.execute(query)]
