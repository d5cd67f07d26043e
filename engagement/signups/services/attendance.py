"""The team at the door: walk-ins and one-tap attendance.

Walk-ins are not counted against the places residents can book, and count as attended.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from engagement.accounts.services import normalise_email
from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.events.models import Occurrence
from engagement.extensions import db
from engagement.signups.models import CANCELLED, CONFIRMED, REMINDER_SKIPPED, WALK_IN, Signup
from engagement.signups.services.validation import clean_access_needs, clean_name, clean_phone


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
