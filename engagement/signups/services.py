"""Sign-up rules: book, join the waiting list, cancel, change places, promote, walk-ins, attendance.

Capacity is enforced by the database, never by a check-then-insert in Python:
1. Every change to a date's sign-ups first takes that date's lock: an UPDATE of its
   `signup_slots` row (a row lock on PostgreSQL, the single write lock on SQLite), held
   until the transaction ends. Waiting-list numbers and promotions happen under it.
2. Places are taken with a conditional UPDATE:
   `SET confirmed = confirmed + n WHERE confirmed + n <= capacity`. If no row changed,
   the date is full for this sign-up, and it joins the waiting list with the next number.
So confirmed places never exceed capacity, however many residents press the button at once.

Rules residents see:
* A sign-up is all or nothing: 3 places are confirmed together or wait together.
* Promotion: when places free up (a cancellation, fewer places, a larger capacity), the
  waiting list is read in order and every sign-up that fits the free places is confirmed;
  one that does not fit keeps its number and is passed over, so a 1-place sign-up behind a
  3-place one gets the single free place. Nobody is ever moved off a confirmed place, even
  if capacity is lowered.
* Walk-ins are recorded by the team at the door: they are not counted against the places
  residents can book, and count as attended.
* Sign-up closes when the date starts; a cancelled date takes no sign-ups.
Services never commit: the view or worker task that calls them owns the transaction.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from engagement.accounts.services import normalise_email
from engagement.core import audit
from engagement.core.db import lock_row, utcnow
from engagement.core.errors import Conflict, DomainError
from engagement.core.markup import has_tags, strip_tags
from engagement.events.models import Event, Occurrence
from engagement.extensions import db
from engagement.signups import emails, links
from engagement.signups.models import (
    ACCESS_MAX,
    CANCELLED,
    CONFIRMED,
    NAME_MAX,
    PHONE_MAX,
    REMINDER_SKIPPED,
    WAITING,
    WALK_IN,
    WEB,
    Signup,
    SignupSlot,
)

BOOKABLE_MODES = ("optional", "required")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,30}$")


class AlreadySignedUp(Conflict):
    """This address already holds a live sign-up for the date; the view emails its owner the link."""

    def __init__(self, existing: Signup):
        super().__init__("This email address already has a booking for this event.")
        self.existing_id = existing.id
        self.existing_key = existing.request_key


# --- the lock and the counter ---------------------------------------------------------------


def venue_id_of(row: Occurrence) -> int | None:
    return row.venue_id or row.event.venue_id


def calendar_rid(row: Occurrence) -> str:
    return row.recurrence_id if row.event.is_series else ""


def remember_told(slot: SignupSlot, row: Occurrence) -> None:
    """Record what residents now know about the date: its calendar identity, time and place."""
    slot.calendar_uid, slot.calendar_rid, slot.calendar_sequence = row.event.uid, calendar_rid(row), row.sequence
    slot.told_starts_at, slot.told_ends_at, slot.told_venue_id = row.starts_at, row.ends_at, venue_id_of(row)
    slot.told_cancelled = row.is_cancelled


def lock_slot(row: Occurrence) -> SignupSlot:
    """Take the date's sign-up lock (until commit or rollback) and return its counter row, fresh."""
    return lock_row(
        SignupSlot,
        {"occurrence_id": row.id},
        SignupSlot.confirmed,
        lambda: {
            "confirmed": 0,
            "waiting_seq": 0,
            "calendar_uid": row.event.uid,
            "calendar_rid": calendar_rid(row),
            "calendar_sequence": row.sequence,
            "told_starts_at": row.starts_at,
            "told_ends_at": row.ends_at,
            "told_venue_id": venue_id_of(row),
            "told_cancelled": row.is_cancelled,
        },
    )


def _take_places(row: Occurrence, places: int) -> bool:
    """The capacity rule itself: add places only while they fit (capacity NULL means no limit)."""
    capacity = select(Event.capacity).where(Event.id == row.event_id).scalar_subquery()
    stmt = (
        update(SignupSlot)
        .where(
            SignupSlot.occurrence_id == row.id,
            or_(capacity.is_(None), SignupSlot.confirmed + places <= capacity),
        )
        .values(confirmed=SignupSlot.confirmed + places)
    )
    return db.session.execute(stmt, execution_options={"synchronize_session": False}).rowcount == 1


def _release_places(row: Occurrence, places: int) -> None:
    stmt = update(SignupSlot).where(SignupSlot.occurrence_id == row.id).values(confirmed=SignupSlot.confirmed - places)
    db.session.execute(stmt, execution_options={"synchronize_session": False})


def _next_queue_no(row: Occurrence) -> int:
    stmt = (
        update(SignupSlot)
        .where(SignupSlot.occurrence_id == row.id)
        .values(waiting_seq=SignupSlot.waiting_seq + 1)
        .returning(SignupSlot.waiting_seq)
    )
    return db.session.execute(stmt, execution_options={"synchronize_session": False}).scalar_one()


def _fresh(signup: Signup) -> Signup:
    """Re-read a sign-up after taking the lock: another request may have changed it meanwhile."""
    query = select(Signup).where(Signup.id == signup.id).execution_options(populate_existing=True)
    return db.session.scalars(query).one()


def free_places(row: Occurrence, slot: SignupSlot) -> int | None:
    capacity = row.event.capacity
    return None if capacity is None else max(capacity - slot.confirmed, 0)


def waiting_position(signup: Signup) -> int | None:
    """1 for the first on the waiting list; None if not waiting."""
    if signup.status != WAITING:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Signup)
        .where(
            Signup.occurrence_id == signup.occurrence_id, Signup.status == WAITING, Signup.queue_no < signup.queue_no
        )
    )
    return ahead + 1


def _reminder_window() -> timedelta:
    return timedelta(hours=current_app.config["SIGNUP_REMINDER_HOURS"])


def skip_reminder_if_late(signup: Signup, row: Occurrence, now: datetime) -> None:
    """Booked or promoted inside the reminder window: the email just sent is the reminder."""
    if row.starts_at - _reminder_window() <= now:
        signup.reminder = REMINDER_SKIPPED


# --- checking what residents typed ------------------------------------------------------------


def check_open(row: Occurrence, now: datetime) -> None:
    """Whether residents may sign up for this date right now; raises with the reason if not."""
    event = row.event
    if not event.is_public:
        raise DomainError("This event is not open for sign-up.")
    if row.is_cancelled:
        raise DomainError("This event has been cancelled, so you cannot sign up for it.")
    if event.signup_mode not in BOOKABLE_MODES:
        raise DomainError("You do not need to sign up for this event through this website.")
    if row.starts_at <= now:
        raise DomainError("This event has already started or finished, so you cannot sign up for it.")


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Enter your name", field="name")
    if len(name) > NAME_MAX:
        raise DomainError(f"Your name must be {NAME_MAX} characters or fewer", field="name")
    if has_tags(name):
        raise DomainError("Enter your name without < or > characters", field="name")
    return name


def clean_phone(phone: str) -> str:
    phone = " ".join((phone or "").split())
    if phone and (len(phone) > PHONE_MAX or not _PHONE.match(phone)):
        raise DomainError("Enter a phone number, like 0121 496 0000 or +44 7700 900 123", field="phone")
    return phone


def clean_access_needs(text: str) -> str:
    text = strip_tags(text or "").strip()
    if len(text) > ACCESS_MAX:
        raise DomainError(f"Access needs must be {ACCESS_MAX} characters or fewer", field="access_needs")
    return text


def check_places(row: Occurrence, places) -> int:
    most = row.event.max_places_per_signup or 1
    if not isinstance(places, int) or places < 1:
        raise DomainError("Enter how many places you need, 1 or more", field="places")
    if places > most:
        raise DomainError(f"You can book up to {most} place{'s' if most != 1 else ''} for this event", field="places")
    return places


# --- residents ------------------------------------------------------------------------------


def sign_up(
    row: Occurrence,
    *,
    name: str,
    email: str,
    phone: str = "",
    places: int = 1,
    access_needs: str = "",
    consent_version: str = links.CONSENT_VERSION,
    request_key: str | None = None,
    now: datetime | None = None,
    send_email: bool = True,
) -> Signup:
    """Book places, or join the waiting list when they do not fit; emails the confirmation.

    Raises AlreadySignedUp if the address already holds a live sign-up for this date.
    send_email=False is for demo data only: its residents' addresses do not exist.
    """
    now = now or utcnow()
    check_open(row, now)
    name = clean_name(name)
    email = normalise_email(email)
    phone = clean_phone(phone)
    places = check_places(row, places)
    access_needs = clean_access_needs(access_needs)
    if consent_version not in links.CONSENT_TEXTS:
        raise DomainError("The form had changed. Read the statement again and sign up.")

    lock_slot(row)
    existing = db.session.scalar(
        select(Signup).where(Signup.occurrence_id == row.id, Signup.email == email, Signup.status != CANCELLED)
    )
    if existing is not None:
        raise AlreadySignedUp(existing)
    signup = Signup(
        occurrence=row,
        occurrence_id=row.id,
        name=name,
        email=email,
        phone=phone,
        places=places,
        access_needs=access_needs,
        source=WEB,
        consent_version=links.stored_consent_version(consent_version),
        consent_at=now,
        request_key=request_key or None,
    )
    if _take_places(row, places):
        signup.status, signup.confirmed_at = CONFIRMED, now
        skip_reminder_if_late(signup, row, now)
    else:
        signup.status, signup.queue_no = WAITING, _next_queue_no(row)
    db.session.add(signup)
    db.session.flush()
    if send_email:
        emails.confirmation(signup, position=waiting_position(signup))
    return signup


def resend_link(signup_id: int) -> None:
    """The second sign-up attempt with an address: its owner gets the manage link by email."""
    signup = db.session.get(Signup, signup_id)
    if signup is not None and signup.email and signup.status != CANCELLED:
        emails.already_signed_up(signup)


def cancel_signup(signup: Signup, *, actor=None, now: datetime | None = None) -> list[Signup]:
    """Give up a booking or leave the waiting list; frees places for the waiting list. Returns promotions."""
    now = now or utcnow()
    row = signup.occurrence
    if row.ends_at <= now:
        raise DomainError("This event has finished, so the booking cannot be changed.")
    lock_slot(row)
    signup = _fresh(signup)
    if signup.status == CANCELLED:
        return []  # a second press of the button changes nothing
    if signup.status == CONFIRMED and signup.source == WEB:
        _release_places(row, signup.places)
    signup.status, signup.cancelled_at = CANCELLED, now
    if actor is not None:
        audit.record("signup.cancel", actor=actor, target=signup, summary=f"{row.event.title}, sign-up {signup.id}")
    if signup.email:
        emails.cancelled_by_resident(signup)
    return promote_from_waitlist(row, now=now)


def change_places(signup: Signup, places: int, *, now: datetime | None = None) -> list[Signup]:
    """More or fewer places on one booking. More must fit now; fewer frees places for the waiting list."""
    now = now or utcnow()
    row = signup.occurrence
    check_open(row, now)
    places = check_places(row, places)
    slot = lock_slot(row)
    signup = _fresh(signup)
    if signup.status == CANCELLED:
        raise DomainError("This booking is cancelled. Sign up again if you would like to come.")
    before = signup.places
    if places == before:
        return []
    if signup.status == CONFIRMED:
        extra = places - before
        if extra > 0 and not _take_places(row, extra):
            free = free_places(row, slot) or 0
            raise DomainError(
                f"Only {free} more place{'s are' if free != 1 else ' is'} free, so you can have at most "
                f"{before + free}. Keep your booking as it is, or cancel it and join the waiting list.",
                field="places",
            )
        if extra < 0:
            _release_places(row, -extra)
    signup.places = places
    db.session.flush()
    promoted = promote_from_waitlist(row, now=now)
    emails.places_changed(signup, before, position=waiting_position(signup))
    return promoted


def promote_from_waitlist(row: Occurrence, *, now: datetime | None = None) -> list[Signup]:
    """Confirm, in order, every waiting sign-up that fits the free places (caller holds the lock)."""
    now = now or utcnow()
    if row.is_cancelled or row.starts_at <= now:
        return []
    slot = lock_slot(row)
    free = free_places(row, slot)
    if free == 0:
        return []
    waiting = db.session.scalars(
        select(Signup).where(Signup.occurrence_id == row.id, Signup.status == WAITING).order_by(Signup.queue_no)
    ).all()
    promoted = []
    for signup in waiting:
        if free is not None and signup.places > free:
            continue  # too big for the places free now: keeps its number
        if not _take_places(row, signup.places):
            continue
        signup.status, signup.confirmed_at, signup.promoted_at = CONFIRMED, now, now
        skip_reminder_if_late(signup, row, now)
        promoted.append(signup)
        if free is not None:
            free -= signup.places
            if free == 0:
                break
    db.session.flush()
    for signup in promoted:
        if signup.email:
            emails.promoted(signup)
    return promoted


# --- the team ------------------------------------------------------------------------------


def add_walk_in(
    row: Occurrence,
    *,
    actor,
    name: str,
    places: int = 1,
    email: str = "",
    phone: str = "",
    access_needs: str = "",
    now: datetime | None = None,
) -> Signup:
    """Someone who came without booking: recorded as attended, outside the bookable places."""
    now = now or utcnow()
    name = clean_name(name)
    email = normalise_email(email) if (email or "").strip() else None
    phone = clean_phone(phone)
    access_needs = clean_access_needs(access_needs)
    if not isinstance(places, int) or not 1 <= places <= 50:
        raise DomainError("Enter the number of people, from 1 to 50", field="places")
    if row.starts_at - timedelta(days=1) > now:
        raise DomainError("Walk-ins can be added from the day before the event.")
    if email:
        clash = db.session.scalar(
            select(Signup.id).where(Signup.occurrence_id == row.id, Signup.email == email, Signup.status != CANCELLED)
        )
        if clash:
            raise DomainError(
                "That email address already has a sign-up: mark it as attended in the list", field="email"
            )
    signup = Signup(
        occurrence=row,
        occurrence_id=row.id,
        status=CONFIRMED,
        source=WALK_IN,
        name=name,
        email=email,
        phone=phone,
        access_needs=access_needs,
        places=places,
        confirmed_at=now,
        reminder=REMINDER_SKIPPED,
        attended=True,
        attended_at=now,
        attendance_by_id=getattr(actor, "id", None),
        added_by_id=getattr(actor, "id", None),
    )
    db.session.add(signup)
    db.session.flush()
    audit.record("signup.walk_in", actor=actor, target=signup, summary=row.event.title, occurrence_id=row.id)
    return signup


def set_attendance(signup: Signup, *, actor, attended: bool, now: datetime | None = None) -> Signup:
    """One tap at the door: attended or not (cancelled sign-ups cannot be marked)."""
    if signup.status == CANCELLED:
        raise DomainError("This sign-up was cancelled. Add the person as a walk-in instead.")
    if signup.attended != attended:
        signup.attended = attended
        signup.attended_at = (now or utcnow()) if attended else None
        signup.attendance_by_id = getattr(actor, "id", None)
    return signup
