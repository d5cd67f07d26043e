"""The emails residents get about a booking, queued in the outbox in the caller's transaction.

Each email says what happened and what happens next, gives the date in UK local time with the
venue's access facts, and carries a fresh manage link. Confirmed places get a calendar file:
METHOD:PUBLISH with the public feed's UID and SEQUENCE; cancellations get METHOD:CANCEL for
the identity the resident was last sent. Waiting-list residents get the same news without a
file to add (they have no place yet); a cancellation's file is harmless, so they get that too.
"""

from __future__ import annotations

from collections import OrderedDict

from flask import current_app, render_template

from engagement.core.mail import OutboxMessage, queue_email
from engagement.core.timeutil import format_range
from engagement.core.urls import url_context
from engagement.signups import links
from engagement.signups.models import CONFIRMED, Signup

ICS_PUBLISH = "text/calendar; method=PUBLISH"
ICS_CANCEL = "text/calendar; method=CANCEL"


def when_text(row) -> str:
    from engagement.events.display import event_when

    return event_when(row)


def _venue_facts(venue) -> list[str]:
    if venue is None:
        return []
    labels = {
        "step_free": "step-free access",
        "hearing_loop": "hearing loop",
        "accessible_toilet": "accessible toilet",
        "parking": "parking",
        "bsl_on_request": "British Sign Language interpreter on request (contact the team first)",
    }
    return [label for name, label in labels.items() if getattr(venue, name)]


def _send(signup: Signup, subject: str, template: str, attachments=(), **context) -> None:
    row = signup.occurrence
    event = row.event
    with url_context():
        from engagement.core.urls import public_url as absolute

        text = render_template(
            f"signups/email/{template}.txt",
            signup=signup,
            row=row,
            event=event,
            venue=row.venue,
            when=when_text(row),
            facts=_venue_facts(row.venue),
            event_url=absolute("events.occurrence", occurrence_id=row.id),
            manage_url=links.manage_url(signup),
            feed_url=links.feed_url(signup.email),
            position=context.pop("position", None),
            force_name=current_app.config["FORCE_NAME"],
            days=links.retention_days(),
            **context,
        )
        files = [(name, ctype, data() if callable(data) else data) for name, ctype, data in attachments]
    queue(signup.email, subject, text, files)


def queue(to: str, subject: str, text: str, attachments=()) -> OutboxMessage:
    """Queue a message in the outbox (the caller's transaction); core.mail writes CRLF wire format."""
    return queue_email(to, subject, text, attachments=attachments)


_ics_cache: OrderedDict[tuple, bytes] = OrderedDict()


def publish_file(row) -> bytes:
    """The date's .ics, built once per version: a busy date's sign-ups all attach the same bytes.

    Keyed on everything the file is made from (ids, revisions, last changes, base URL and time
    zone), so a cached copy is byte-for-byte what build_single would make now.
    """
    from engagement.events.ical import build_single

    event = row.event
    config = current_app.config
    key = (row.id, row.sequence, row.updated_at, event.updated_at, config["BASE_URL"], config["TIMEZONE"])
    data = _ics_cache.get(key)
    if data is None:
        data = _ics_cache[key] = build_single(row)
        while len(_ics_cache) > 64:
            _ics_cache.popitem(last=False)
    return data


def _publish(row) -> tuple:
    return ("event.ics", ICS_PUBLISH, lambda: publish_file(row))


def confirmation(signup: Signup, position: int | None = None) -> None:
    title = signup.occurrence.event.title
    if signup.status == CONFIRMED:
        _send(signup, f"You're booked: {title}", "confirmed", [_publish(signup.occurrence)])
    else:
        _send(signup, f"You're on the waiting list: {title}", "waiting", position=position)


def already_signed_up(signup: Signup) -> None:
    _send(signup, f"You're already signed up: {signup.occurrence.event.title}", "already")


def promoted(signup: Signup) -> None:
    _send(signup, f"A place is yours: {signup.occurrence.event.title}", "promoted", [_publish(signup.occurrence)])


def places_changed(signup: Signup, before: int, position: int | None = None) -> None:
    attachments = [_publish(signup.occurrence)] if signup.status == CONFIRMED else []
    subject = f"Your booking has changed: {signup.occurrence.event.title}"
    _send(signup, subject, "places_changed", attachments, before=before, position=position)


def cancelled_by_resident(signup: Signup) -> None:
    _send(signup, f"Your place is cancelled: {signup.occurrence.event.title}", "resident_cancelled")


def moved(signup: Signup, *, before: str, cancel_old: bytes | None) -> None:
    attachments = []
    if cancel_old is not None:
        attachments.append(("previous-date.ics", ICS_CANCEL, cancel_old))
    if signup.status == CONFIRMED:
        attachments.append(_publish(signup.occurrence))
    subject = f"Date changed: {signup.occurrence.event.title}"
    _send(signup, subject, "moved", attachments, before=before)


def occurrence_cancelled(signup: Signup, *, ics: bytes, reason: str) -> None:
    subject = f"Cancelled: {signup.occurrence.event.title}, {format_range(signup.occurrence.starts_at, None)}"
    _send(signup, subject, "cancelled", [("cancelled.ics", ICS_CANCEL, ics)], reason=reason)


def reminder(signup: Signup) -> None:
    _send(signup, f"Reminder: {signup.occurrence.event.title}, {when_text(signup.occurrence)}", "reminder")
