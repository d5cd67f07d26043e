"""Sign-up rules: book, join the waiting list, cancel, change places, promote, walk-ins, attendance.

Capacity is enforced by the database, never by a check-then-insert in Python:
1. Every change to a date's sign-ups first takes that date's lock: an UPDATE of its
   `signup_slots` row (a row lock on PostgreSQL, the single write lock on SQLite), held
   until the transaction ends. Waiting-list numbers and promotions happen under it.
2. Places are taken with a conditional UPDATE:
   `SET confirmed = confirmed + n WHERE confirmed + n <= capacity`. If no row changed,
   the date is full for this sign-up, and it joins the waiting list with the next number.
So confirmed places never exceed capacity, however many residents press the button at once.

The rules by module: `slots` (the lock and the counter), `validation` (what residents typed),
`booking` (residents' own bookings), `waitlist` (promotion), `attendance` (the team at the door).
Import them from here. Services never commit: the view or worker task that calls them owns
the transaction.
"""

from __future__ import annotations

from engagement.signups.models import BOOKABLE_MODES
from engagement.signups.services.attendance import add_walk_in, set_attendance
from engagement.signups.services.booking import (
    BOT,
    CHECK_EMAIL,
    DONE,
    AlreadySignedUp,
    SignupOutcome,
    cancel_signup,
    change_places,
    resend_link,
    set_channel,
    sign_up,
    submit_signup,
)
from engagement.signups.services.details import correct_details
from engagement.signups.services.messages import (
    AUDIENCES,
    BOOKED,
    BOOKED_AND_WAITING,
    Recipients,
    check_message,
    message_booked,
    message_recipients,
)
from engagement.signups.services.slots import (
    calendar_rid,
    free_places,
    lock_slot,
    remember_told,
    skip_reminder_if_late,
    venue_id_of,
    waiting_position,
)
from engagement.signups.services.validation import (
    check_open,
    check_places,
    clean_access_needs,
    clean_answers,
    clean_contact,
    clean_name,
    clean_phone,
)
from engagement.signups.services.waitlist import promote_from_waitlist

__all__ = [
    "AUDIENCES",
    "BOOKED",
    "BOOKED_AND_WAITING",
    "Recipients",
    "check_message",
    "message_booked",
    "message_recipients",
    "BOOKABLE_MODES",
    "BOT",
    "CHECK_EMAIL",
    "DONE",
    "AlreadySignedUp",
    "SignupOutcome",
    "add_walk_in",
    "calendar_rid",
    "cancel_signup",
    "change_places",
    "correct_details",
    "check_open",
    "check_places",
    "clean_access_needs",
    "clean_answers",
    "clean_contact",
    "clean_name",
    "clean_phone",
    "free_places",
    "lock_slot",
    "promote_from_waitlist",
    "remember_told",
    "resend_link",
    "set_attendance",
    "set_channel",
    "sign_up",
    "skip_reminder_if_late",
    "submit_signup",
    "venue_id_of",
    "waiting_position",
]
