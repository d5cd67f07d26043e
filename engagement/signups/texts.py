"""The text messages residents get about a booking, for those who chose texts or gave no email (issue 16).

A text is short and plain: what, when (short UK form, "Sat 5 Dec 10:30am"), where (venue and
postcode), what happened, and a link: the manage link for the resident's own booking, the
event page for news about the date. Texts are queued in the core outbox (core.sms.queue_sms) in
the caller's transaction, like emails. A number Notify reported as permanently failing is
blocked by core: the resident then gets the email instead, if they gave one. A text is in the
language the resident booked in (core.i18n): its fixed words and the date; the event's title in that
language if the officer gave one; the officer's own words (a reason, a message) as written.
"""

from __future__ import annotations

from flask import current_app, render_template

from engagement.core.i18n import SOURCE, current_language, force_language, format_skeleton, format_time, language_of
from engagement.core.timeutil import to_local
from engagement.core.urls import public_url, url_context
from engagement.events.languages import shown
from engagement.signups import links
from engagement.signups.models import Signup

# The email templates (emails._send) that have a text: other emails have no text counterpart.
TEXTS = ("confirmed", "waiting", "promoted", "places_changed", "resident_cancelled", "moved", "cancelled",
         "reminder", "already", "message")  # fmt: skip


def short_when(value) -> str:
    """'Sat 5 Dec 10:30am' (local time): the day, date and time a text has room for; in another
    language its short CLDR form ('sob., 5 gru 10:30')."""
    local = to_local(value)
    if current_language() != SOURCE:
        return f"{format_skeleton('MMMEd', local)} {format_time(local)}"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{local:%a} {local.day} {local:%b} {hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def short_where(venue) -> str:
    if venue is None:
        return ""
    return " ".join(part for part in (venue.name, venue.postcode) if part)


def headline(row) -> str:
    """'Cuppa with a Copper, Sat 5 Dec 10:30am, Canalside Café B1 2JT' (the venue's name and postcode)."""
    where = short_where(row.venue)
    return f"{shown(row.event).title}, {short_when(row.starts_at)}" + (f", {where}" if where else "")


def send(signup: Signup, template: str, **context) -> bool:
    """Queue the booking's text for an email template name; False if there is none or the number is blocked."""
    if template not in TEXTS or not signup.mobile:
        return False
    from engagement.core.sms import MobileBlocked, queue_sms

    row = signup.occurrence
    with force_language(language_of(signup)), url_context():
        body = render_template(
            f"signups/sms/{template}.txt",
            signup=signup,
            row=row,
            event=row.event,
            headline=headline(row),
            event_url=public_url("events.occurrence", occurrence_id=row.id),
            manage_url=links.manage_url(signup),
            force_name=current_app.config["FORCE_NAME"],
            **context,
        )
    try:
        queue_sms(signup.mobile, " ".join(body.split()), team_id=row.event.team_id, purpose=f"signup-{template}")
    except MobileBlocked:
        return False
    return True
