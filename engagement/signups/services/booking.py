"""Residents' bookings: sign up (or join the waiting list), the form sent again, cancel, change places.

A sign-up is all or nothing: 3 places are confirmed together or wait together. Sign-up
closes when the date starts; a cancelled date takes no sign-ups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import Conflict, DomainError
from engagement.core.i18n import _
from engagement.events.models import Occurrence
from engagement.extensions import db
from engagement.signups import emails, links
from engagement.signups.models import BY_EMAIL, BY_TEXT, CANCELLED, CONFIRMED, WAITING, WEB, Signup
from engagement.signups.services.slots import (
    free_places,
    fresh,
    lock_slot,
    next_queue_no,
    release_places,
    skip_reminder_if_late,
    take_places,
    waiting_position,
)
from engagement.signups.services.validation import (
    check_open,
    check_places,
    clean_answers,
)
from engagement.signups.services.waitlist import promote_from_waitlist

# What a press of "Sign up" came to (SignupOutcome.kind).
DONE, CHECK_EMAIL, BOT = "done", "check-email", "bot"


class AlreadySignedUp(Conflict):
    """This address already holds a live sign-up for the date; its owner is emailed the link."""

    def __init__(self, existing: Signup, by_mobile: bool = False):
        what = "mobile number" if by_mobile else "email address"
        super().__init__(f"This {what} already has a booking for this event.")
        self.existing_id = existing.id
        self.existing_key = existing.request_key


@dataclass(frozen=True)
class SignupOutcome:
    """DONE: show the booking `signup_id`; CHECK_EMAIL: the address's owner was emailed; BOT: nothing kept."""

    kind: str
    signup_id: int | None = None


def sign_up(
    row: Occurrence,
    *,
    name: str,
    email: str = "",
    phone: str = "",
    places: int = 1,
    access_needs: str = "",
    consent_version: str = links.CONSENT_VERSION,
    request_key: str | None = None,
    now: datetime | None = None,
    send_email: bool = True,
    entered_by=None,
    channel: str | None = None,
) -> Signup:
    """Book places, or join the waiting list when they do not fit; emails (or texts) the confirmation.

    An email address or a UK mobile number is required; `channel` ("email" or "sms") is how the
    resident wants to hear about the booking when they gave both (texts need a mobile).
    Raises AlreadySignedUp if the address or mobile already holds a live sign-up for this date.
    send_email=False is for demo data only: its residents' addresses do not exist.
    entered_by: the staff user who typed a resident's details into the public form for them.
    """
    now = now or utcnow()
    check_open(row, now)
    name, email, phone, mobile, channel, places, access_needs = clean_answers(
        row, name=name, email=email, phone=phone, places=places, access_needs=access_needs, channel=channel
    )
    if consent_version not in links.CONSENT_TEXTS:
        raise DomainError(_("The form had changed. Read the statement again and sign up."))

    lock_slot(row)
    same = [Signup.email == email] if email else []
    same += [Signup.mobile == mobile] if mobile else []
    existing = db.session.scalar(
        select(Signup)
        .where(Signup.occurrence_id == row.id, or_(*same), Signup.status != CANCELLED)
        .order_by(Signup.id)
        .limit(1)
    )
    if existing is not None:
        raise AlreadySignedUp(existing, by_mobile=not (email and existing.email == email))
    signup = Signup(
        occurrence=row,
        occurrence_id=row.id,
        name=name,
        email=email,
        phone=phone,
        mobile=mobile,
        channel=channel,
        places=places,
        access_needs=access_needs,
        source=WEB,
        consent_version=links.stored_consent_version(consent_version),
        consent_at=now,
        request_key=request_key or None,
        added_by_id=getattr(entered_by, "id", None),
    )
    if take_places(row, places):
        signup.status, signup.confirmed_at = CONFIRMED, now
        skip_reminder_if_late(signup, row, now)
    else:
        signup.status, signup.queue_no = WAITING, next_queue_no(row)
    db.session.add(signup)
    db.session.flush()
    if send_email:
        emails.confirmation(signup, position=waiting_position(signup))
    return signup


def submit_signup(
    row: Occurrence,
    *,
    name: str,
    email: str,
    phone: str = "",
    places: int = 1,
    access_needs: str = "",
    consent_version: str = links.CONSENT_VERSION,
    request_key: str | None = None,
    honeypot: str = "",
    now: datetime | None = None,
    entered_by=None,
    channel: str | None = None,
) -> SignupOutcome:
    """The resident's sign-up form, however often it arrives: book, or say what the first sending did.

    A filled-in honeypot field is a bot: nothing is kept (BOT). The same form sent twice (its
    one-time request key) answers with the first booking (DONE), also when the second raced the
    first into the unique key. An address that already has a booking gets its link by email and
    the page reveals nothing (CHECK_EMAIL). Other refusals raise DomainError with their field.
    `entered_by` is a signed-in staff user filling the form in for a resident (a street stall, a phone
    call): they skip the per-IP limit, so each such sign-up is written to the audit log.
    """
    if honeypot:
        return SignupOutcome(BOT)
    key = request_key or None
    # The date's lock first: it starts the transaction, so the savepoint below nests inside it
    # (on SQLite a savepoint that starts the transaction would commit on release).
    lock_slot(row)
    try:
        with db.session.begin_nested():
            signup = sign_up(
                row,
                name=name,
                email=email,
                phone=phone,
                places=places,
                access_needs=access_needs,
                consent_version=consent_version or links.CONSENT_VERSION,
                request_key=key,
                now=now,
                entered_by=entered_by,
                channel=channel,
            )
    except AlreadySignedUp as exc:
        if key and exc.existing_key == key:  # the same form sent twice: show what the first did
            return SignupOutcome(DONE, exc.existing_id)
        resend_link(exc.existing_id)
        _audit_entered_by(entered_by, row, None, "already signed up: the manage link was emailed")
        return SignupOutcome(CHECK_EMAIL)
    except IntegrityError:  # the unique request key: a double submit that raced the first
        first = db.session.scalar(select(Signup.id).where(Signup.request_key == key)) if key else None
        if first is None:
            raise
        return SignupOutcome(DONE, first)
    _audit_entered_by(entered_by, row, signup, "signed up" if signup.status == CONFIRMED else "on the waiting list")
    return SignupOutcome(DONE, signup.id)


def _audit_entered_by(actor, row: Occurrence, signup: Signup | None, outcome: str) -> None:
    """Staff entering a resident's sign-up are not limited per IP; the log says who did it (no personal data)."""
    if actor is None:
        return
    audit.record("signup.entered_by_staff", actor=actor, target=signup, occurrence_id=row.id, outcome=outcome,
                 summary=f"{row.event.title}: a resident's sign-up entered by staff ({outcome})")  # fmt: skip


def resend_link(signup_id: int) -> None:
    """The second sign-up attempt with an address or mobile: its owner gets the manage link (email or text)."""
    signup = db.session.get(Signup, signup_id)
    if signup is not None and signup.reachable and signup.status != CANCELLED:
        emails.already_signed_up(signup)


def cancel_signup(signup: Signup, *, actor=None, now: datetime | None = None) -> list[Signup]:
    """Give up a booking or leave the waiting list; frees places for the waiting list. Returns promotions."""
    now = now or utcnow()
    row = signup.occurrence
    if row.ends_at <= now:
        raise DomainError(_("This event has finished, so the booking cannot be changed."))
    lock_slot(row)
    signup = fresh(signup)
    if signup.status == CANCELLED:
        return []  # a second press of the button changes nothing
    if signup.status == CONFIRMED and signup.source == WEB:
        release_places(row, signup.places)
    signup.status, signup.cancelled_at = CANCELLED, now
    if actor is not None:
        audit.record("signup.cancel", actor=actor, target=signup, summary=f"{row.event.title}, sign-up {signup.id}")
    if signup.reachable:
        emails.cancelled_by_resident(signup)
    return promote_from_waitlist(row, now=now)


def set_channel(signup: Signup, channel: str) -> Signup:
    """The booking page's choice of email or text, for residents who gave both (texts need a mobile)."""
    if channel == BY_TEXT and not signup.mobile:
        raise DomainError(_("Texts need a UK mobile number: this booking has none"), field="channel")
    if channel == BY_EMAIL and not signup.email:
        raise DomainError(_("This booking has no email address, so news of it goes by text"), field="channel")
    if channel not in (BY_EMAIL, BY_TEXT):
        raise DomainError(_("Choose email or text message"), field="channel")
    signup.channel = channel
    return signup


def change_places(signup: Signup, places: int, *, now: datetime | None = None) -> list[Signup]:
    """More or fewer places on one booking. More must fit now; fewer frees places for the waiting list."""
    now = now or utcnow()
    row = signup.occurrence
    check_open(row, now)
    places = check_places(row, places)
    slot = lock_slot(row)
    signup = fresh(signup)
    if signup.status == CANCELLED:
        raise DomainError(_("This booking is cancelled. Sign up again if you would like to come."))
    before = signup.places
    if places == before:
        return []
    if signup.status == CONFIRMED:
        extra = places - before
        if extra > 0 and not take_places(row, extra):
            free = free_places(row, slot) or 0
            raise DomainError(
                f"Only {free} more place{'s are' if free != 1 else ' is'} free, so you can have at most "
                f"{before + free}. Keep your booking as it is, or cancel it and join the waiting list.",
                field="places",
            )
        if extra < 0:
            release_places(row, -extra)
    signup.places = places
    db.session.flush()
    promoted = promote_from_waitlist(row, now=now)
    emails.places_changed(signup, before, position=waiting_position(signup))
    return promoted
