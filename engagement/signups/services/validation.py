"""Checking what residents (and the team, for walk-ins) typed, and whether a date takes sign-ups now."""

from __future__ import annotations

import re
from datetime import datetime

from engagement.core.errors import DomainError
from engagement.core.markup import has_tags, strip_tags
from engagement.events.models import Occurrence
from engagement.signups.models import ACCESS_MAX, BOOKABLE_MODES, NAME_MAX, PHONE_MAX

_PHONE = re.compile(r"^\+?[0-9 ()-]{6,30}$")


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
