"""A resident corrects their own booking: name, phone and access needs (never the email address).

The email address (or, without one, the mobile number) is how the booking is found and how its
manage link reaches the resident, so it is not changed here: a wrong address is a new booking.
Corrections are the resident's own details, so they are not audited; the team's lists read the
booking itself and show the new values at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from engagement.core.db import utcnow
from engagement.core.errors import DomainError, FieldChecks
from engagement.core.i18n import _
from engagement.extensions import db
from engagement.signups.models import CANCELLED, Signup
from engagement.signups.services.slots import fresh
from engagement.signups.services.validation import clean_access_needs, clean_contact, clean_name


def correct_details(signup: Signup, *, name: str, phone: str, access_needs: str, now: datetime | None = None) -> bool:
    """Save the corrected details; True if anything changed. Every field is checked in one pass."""
    now = now or utcnow()
    signup = fresh(signup)
    if signup.status == CANCELLED:
        raise DomainError(_("This booking is cancelled. Sign up again if you would like to come."))
    if signup.occurrence.ends_at <= now:
        raise DomainError(_("This event has finished, so the booking cannot be changed."))
    checks = FieldChecks()
    name = checks(clean_name, name)
    contact = checks(clean_contact, signup.email or "", phone, signup.channel)
    access_needs = checks(clean_access_needs, access_needs)
    checks.done()
    _email, phone, mobile, _channel = contact
    if mobile and mobile != signup.mobile and _mobile_taken(signup, mobile):
        raise DomainError(_("This mobile number already has another booking for this event"), field="phone")
    before = (signup.name, signup.phone, signup.mobile, signup.access_needs)
    signup.name, signup.phone, signup.mobile, signup.access_needs = name, phone, mobile, access_needs
    return before != (signup.name, signup.phone, signup.mobile, signup.access_needs)


def _mobile_taken(signup: Signup, mobile: str) -> bool:
    """Another live booking for the same date already uses this mobile (one live booking per number per date)."""
    return (
        db.session.scalar(
            select(Signup.id).where(
                Signup.occurrence_id == signup.occurrence_id,
                Signup.mobile == mobile,
                Signup.status != CANCELLED,
                Signup.id != signup.id,
            )
        )
        is not None
    )
