"""The emails residents get about a booking, queued in the outbox in the caller's transaction.

Each email says what happened and what happens next, gives the date in UK local time with the
venue's access facts, and carries a fresh manage link. Confirmed places get a calendar file:
METHOD:PUBLISH with the public feed's UID and SEQUENCE; cancellations get METHOD:CANCEL for
the identity the resident was last sent. Waiting-list residents get the same news without a
file to add (they have no place yet); a cancellation's file is harmless, so they get that too.
"""

from __future__ import annotations

import functools
import re
from collections import OrderedDict

from flask import current_app, render_template
from markupsafe import Markup, escape

from engagement.core.i18n import _, force_language, language_of
from engagement.core.mail import OutboxMessage, queue_email
from engagement.core.timeutil import format_range
from engagement.core.urls import url_context
from engagement.signups import links, texts
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
        "step_free": _("step-free access"),
        "hearing_loop": _("hearing loop"),
        "accessible_toilet": _("accessible toilet"),
        "parking": _("parking"),
        "bsl_on_request": _("British Sign Language interpreter on request (contact the team first)"),
    }
    return [label for name, label in labels.items() if getattr(venue, name)]


def _in_their_language(send):
    """Subject, body and dates in the resident's stored language (core.i18n), wherever this runs."""

    @functools.wraps(send)
    def wrapper(signup: Signup, *args, **kwargs):
        with force_language(language_of(signup)):
            return send(signup, *args, **kwargs)

    return wrapper


def _send(signup: Signup, subject: str, template: str, attachments=(), **context) -> None:
    # Residents who chose texts (or gave only a mobile) get the text instead (issue 16, signups.texts).
    if signup.by_text and texts.send(signup, template, **context):
        return
    if not signup.email:
        return
    row = signup.occurrence
    event = row.event
    with url_context():
        from engagement.core.urls import public_url as absolute

        values = dict(
            signup=signup,
            row=row,
            event=event,
            venue=row.venue,
            when=when_text(row),
            facts=_venue_facts(row.venue),
            event_url=absolute("events.occurrence", occurrence_id=row.id),
            team_events_url=absolute("events.event_list", team=event.team.slug),  # never the cancelled date itself
            manage_url=links.manage_url(signup),
            feed_url=links.feed_url(signup.email),
            position=context.pop("position", None),
            force_name=current_app.config["FORCE_NAME"],
            days=links.retention_days(),
            **context,
        )
        text = render_template(f"signups/email/{template}.txt", **values)
        html = _html(subject, template, values)
        files = [(name, ctype, data() if callable(data) else data) for name, ctype, data in attachments]
    queue(signup.email, subject, text, files, html=html)


def _html(subject: str, template: str, values: dict) -> str:
    """The HTML alternative: the same words, the date in words at the top, the details as a table and
    one clear button for the booking instead of a long link (the text part keeps every link)."""
    body = render_template(f"signups/email/{template}.txt", html_body=True, **values)
    paragraphs = [_linked(" ".join(p.split())) for p in body.split("\n\n") if p.strip()]
    return render_template("signups/email/booking.html", subject=subject, paragraphs=paragraphs, **values)


_URL = re.compile(r"https?://[^\s<>\"]+")


def _linked(paragraph: str) -> Markup:
    """A paragraph of the text part as HTML: escaped, with its web addresses made links."""
    escaped = str(escape(paragraph))
    return Markup(_URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped))  # noqa: S704 - escaped above


def queue(to: str, subject: str, text: str, attachments=(), html: str | None = None) -> OutboxMessage:
    """Queue a message in the outbox (the caller's transaction); core.mail writes CRLF wire format."""
    return queue_email(to, subject, text, html, attachments=attachments)


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


@_in_their_language
def confirmation(signup: Signup, position: int | None = None) -> None:
    title = signup.occurrence.event.title
    if signup.status == CONFIRMED:
        _send(signup, _("You're booked: %(title)s", title=title), "confirmed", [_publish(signup.occurrence)])
    else:
        _send(signup, _("You're on the waiting list: %(title)s", title=title), "waiting", position=position)


@_in_their_language
def already_signed_up(signup: Signup) -> None:
    _send(signup, _("You're already signed up: %(title)s", title=signup.occurrence.event.title), "already")


@_in_their_language
def promoted(signup: Signup) -> None:
    _send(
        signup,
        _("A place is yours: %(title)s", title=signup.occurrence.event.title),
        "promoted",
        [_publish(signup.occurrence)],
    )


@_in_their_language
def places_changed(signup: Signup, before: int, position: int | None = None) -> None:
    attachments = [_publish(signup.occurrence)] if signup.status == CONFIRMED else []
    subject = _("Your booking has changed: %(title)s", title=signup.occurrence.event.title)
    _send(signup, subject, "places_changed", attachments, before=before, position=position)


@_in_their_language
def cancelled_by_resident(signup: Signup) -> None:
    _send(signup, _("Your place is cancelled: %(title)s", title=signup.occurrence.event.title), "resident_cancelled")


@_in_their_language
def moved(signup: Signup, *, before: str, cancel_old: bytes | None) -> None:
    attachments = []
    if cancel_old is not None:
        attachments.append(("previous-date.ics", ICS_CANCEL, cancel_old))
    if signup.status == CONFIRMED:
        attachments.append(_publish(signup.occurrence))
    subject = _("Date changed: %(title)s", title=signup.occurrence.event.title)
    _send(signup, subject, "moved", attachments, before=before)


@_in_their_language
def occurrence_cancelled(signup: Signup, *, ics: bytes, reason: str) -> None:
    subject = _(
        "Cancelled: %(title)s, %(when)s",
        title=signup.occurrence.event.title,
        when=format_range(signup.occurrence.starts_at, None),
    )
    _send(signup, subject, "cancelled", [("cancelled.ics", ICS_CANCEL, ics)], reason=reason)


@_in_their_language
def reminder(signup: Signup) -> None:
    _send(
        signup,
        _("Reminder: %(title)s, %(when)s", title=signup.occurrence.event.title, when=when_text(signup.occurrence)),
        "reminder",
    )


@_in_their_language
def team_message(signup: Signup, message: str) -> None:
    """The team's own words to everyone booked on a date (services.messages), with the booking's details."""
    subject = _("Message about %(title)s, %(when)s", title=signup.occurrence.event.title,
                when=format_range(signup.occurrence.starts_at, None))  # fmt: skip
    _send(signup, subject, "message", message=message)
