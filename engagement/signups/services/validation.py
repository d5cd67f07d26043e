"""Checking what residents (and the team, for walk-ins) typed, and whether a date takes sign-ups now."""

from __future__ import annotations

import re
from datetime import datetime

from engagement.accounts.services import normalise_email
from engagement.core.errors import DomainError, FieldChecks
from engagement.core.i18n import _, ngettext
from engagement.core.markup import has_tags, strip_tags
from engagement.core.sms import InvalidMobile, normalise_uk_mobile, sms_enabled
from engagement.events.models import Occurrence
from engagement.signups.models import ACCESS_MAX, BOOKABLE_MODES, BY_EMAIL, BY_TEXT, CHANNELS, NAME_MAX, PHONE_MAX

_PHONE = re.compile(r"^\+?[0-9 ()-]{6,30}$")


def check_open(row: Occurrence, now: datetime) -> None:
    """Whether residents may sign up for this date right now; raises with the reason if not."""
    event = row.event
    if not event.is_public:
        raise DomainError(_("This event is not open for sign-up."))
    if row.is_cancelled:
        raise DomainError(_("This event has been cancelled, so you cannot sign up for it."))
    if event.signup_mode not in BOOKABLE_MODES:
        raise DomainError(_("You do not need to sign up for this event through this website."))
    if row.starts_at <= now:
        raise DomainError(_("This event has already started or finished, so you cannot sign up for it."))


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Enter your name"), field="name")
    if len(name) > NAME_MAX:
        raise DomainError(_("Your name must be %(num)s characters or fewer", num=NAME_MAX), field="name")
    if has_tags(name):
        raise DomainError(_("Enter your name without < or > characters"), field="name")
    return name


def clean_phone(phone: str) -> str:
    phone = " ".join((phone or "").split())
    if phone and (len(phone) > PHONE_MAX or not _PHONE.match(phone)):
        raise DomainError(_("Enter a phone number, like 0121 496 0000 or +44 7700 900 123"), field="phone")
    return phone


def mobile_of(phone: str, *, required: bool) -> str | None:
    """The number as E.164 when it is a UK mobile; None for a landline unless texts need it (`required`)."""
    if not phone:
        return None
    try:
        return normalise_uk_mobile(phone)
    except InvalidMobile as exc:
        if required:
            raise DomainError(str(exc), field="phone") from exc
        return None


def clean_contact(email: str, phone: str, channel: str | None) -> tuple[str | None, str, str | None, str]:
    """Email and/or mobile (one is required): (email or None, phone as typed, mobile E.164 or None, channel).

    Without an email address, news of the booking goes by text, so the phone must be a UK mobile;
    with both, the resident's choice holds (texts only if the phone is a mobile)."""
    email = normalise_email(email) if (email or "").strip() else None
    phone = clean_phone(phone)
    if not sms_enabled():  # SMS_ENABLED=0: email only, the phone kept for calls as before issue 16
        if not email:
            raise DomainError(_("Enter your email address"), field="email")
        return email, phone, None, BY_EMAIL
    if not email and not phone:
        raise DomainError(_("Enter an email address or a mobile phone number"), field="email")
    wants_text = channel == BY_TEXT or not email
    if channel not in (None, "", *CHANNELS):
        raise DomainError(_("Choose email or text message"), field="channel")
    if wants_text and not phone:
        raise DomainError(_("Enter a mobile phone number for the texts, or choose email"), field="phone")
    mobile = mobile_of(phone, required=wants_text)
    return email, phone, mobile, BY_TEXT if wants_text else BY_EMAIL


def clean_access_needs(text: str) -> str:
    text = strip_tags(text or "").strip()
    if len(text) > ACCESS_MAX:
        raise DomainError(_("Access needs must be %(num)s characters or fewer", num=ACCESS_MAX), field="access_needs")
    return text


def check_places(row: Occurrence, places) -> int:
    most = row.event.max_places_per_signup or 1
    if not isinstance(places, int) or places < 1:
        raise DomainError(_("Enter how many places you need, 1 or more"), field="places")
    if places > most:
        raise DomainError(
            ngettext(
                "You can book up to %(num)s place for this event",
                "You can book up to %(num)s places for this event",
                most,
            ),
            field="places",
        )
    return places


def clean_answers(row: Occurrence, *, name, email, phone, places, access_needs, channel=None) -> tuple:
    """Every answer of the sign-up form checked in one pass, so the page lists all the problems together.

    Returns (name, email, phone, mobile, channel, places, access_needs) cleaned; raises DomainErrors.
    """
    checks = FieldChecks()
    name = checks(clean_name, name)
    contact = checks(clean_contact, email, phone, channel) or (None, "", None, None)
    places = checks(check_places, row, places)
    access_needs = checks(clean_access_needs, access_needs)
    checks.done()
    return (name, *contact, places, access_needs)
