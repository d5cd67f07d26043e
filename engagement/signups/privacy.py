"""Sign-ups' part of data-subject requests and retention (registered in engagement.core.personal_data).

Erasure, per table:
* signups: a booking for a date still to come is cancelled first (its places go to the waiting
  list); then name, email, phone and access needs are blanked and the manage link stops working.
  The row stays with its status, places and attendance, so the team's figures do not change.
* signup_feeds: the private "my events" calendar of the address is deleted.
Retention: `signups` (SIGNUP_RETENTION_DAYS after the date, the existing tasks.purge_expired) and
`signups-waiting` (waiting-list and cancelled sign-ups, RETENTION_DAYS signups-waiting after the date).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import selectinload

from engagement.core.db import utcnow
from engagement.core.personal_data import (
    Provider,
    Record,
    RetentionRule,
    Subject,
    register_provider,
    register_retention_rule,
    retention_days,
)
from engagement.core.timeutil import format_datetime
from engagement.events.models import Occurrence
from engagement.extensions import db
from engagement.signups import links, tasks
from engagement.signups.models import CANCELLED, WAITING, EventsFeed, Signup, new_secret
from engagement.signups.services.booking import cancel_signup


def _consent_words(signup: Signup) -> str:
    """The words the resident agreed to: the stored version names the wording and the period it promised."""
    version, _, days = (signup.consent_version or "").partition("+")
    if version not in links.CONSENT_TEXTS:
        return ""
    team = signup.occurrence.event.team.name if signup.occurrence.event.team else "local"
    return links.CONSENT_TEXTS[version].format(team=team, days=days.removesuffix("d") or links.retention_days())


def _signups(subject: Subject) -> list[Signup]:
    query = (
        select(Signup)
        .where(or_(subject.where(Signup.email, Signup.phone), subject.where(None, Signup.mobile)))
        .options(selectinload(Signup.occurrence).selectinload(Occurrence.event))
        .order_by(Signup.created_at, Signup.id)
    )
    return list(db.session.scalars(query))


def _feeds(subject: Subject) -> list[EventsFeed]:
    return list(db.session.scalars(select(EventsFeed).where(subject.where(EventsFeed.email)).order_by(EventsFeed.id)))


def find(subject: Subject, names: frozenset[str]) -> list[Record]:
    records = []
    for s in _signups(subject):
        row = s.occurrence
        waiting = s.status == WAITING
        coming = s.status != CANCELLED and row.ends_at > utcnow()
        records.append(
            Record(
                kind="Waiting-list entry" if waiting else "Sign-up",
                at=s.created_at,
                summary=f"{row.event.title}, {format_datetime(row.starts_at)} ({s.status}, {s.places} place(s))",
                on_erase=("Cancelled, then " if coming else "")
                + "name, email, phone, mobile and access needs deleted; the place count and attendance stay",
                data={
                    "id": s.id,
                    "event": row.event.title,
                    "date": row.starts_at,
                    "status": s.status,
                    "places": s.places,
                    "waiting_number": s.queue_no,
                    "name": s.name,
                    "email": s.email,
                    "phone": s.phone,
                    "mobile": s.mobile,
                    "language": s.language,
                    "news_by": "text message" if s.by_text else "email",
                    "access_needs": s.access_needs,
                    "how": "walk-in recorded by the team" if s.source == "walk_in" else "the sign-up form",
                    "consent_version": s.consent_version,
                    "consent_wording": _consent_words(s),
                    "consented_at": s.consent_at,
                    "signed_up_at": s.created_at,
                    "cancelled_at": s.cancelled_at,
                    "attended": s.attended,
                },
                names=(s.name,) if s.name else (),
            )
        )
    records += [
        Record(
            kind="Private calendar link",
            at=f.created_at,
            summary="A private calendar of the dates this address is signed up for",
            on_erase="Deleted",
            data={"email": f.email, "created_at": f.created_at},
        )
        for f in _feeds(subject)
    ]
    return records


def erase(subject: Subject, records, *, actor=None, now: datetime) -> dict[str, int]:
    signups = _signups(subject)
    cancelled = 0
    for signup in signups:
        if signup.status != CANCELLED and signup.occurrence.ends_at > now:
            cancel_signup(signup, now=now)  # frees the places and promotes the waiting list
            cancelled += 1
    for signup in signups:
        signup.name, signup.email, signup.phone, signup.access_needs = "", None, "", ""
        signup.mobile = None
        signup.request_key, signup.secret = None, new_secret()
    feeds = db.session.execute(delete(EventsFeed).where(subject.where(EventsFeed.email))).rowcount or 0
    db.session.flush()
    return {"signups": len(signups), "signups cancelled": cancelled, "signup_feeds": feeds}


PROVIDER = Provider(
    name="signups",
    label="Event sign-ups and waiting lists",
    about=(
        "Residents give their name, an email address or a mobile number (or both) and, if they choose, access "
        "needs when they sign up for an event date (or a team records a walk-in). We use them to book the place, send the "
        "confirmation, a reminder and any changes, and to help them take part. Lawful basis: consent, with the "
        "wording shown in consent_wording."
    ),
    fields={
        "event": "the event's title",
        "date": "when the date starts (UTC in the file; shown in UK time on the site)",
        "status": "confirmed, waiting (on the waiting list) or cancelled",
        "places": "how many places the booking is for",
        "waiting_number": "the order on the waiting list, if it joined one",
        "name, email, phone": "as typed on the sign-up form",
        "mobile, news_by": "the phone number in international form when it is a UK mobile (texts go to it), and "
        "whether news of the booking goes by email or text",
        "language": "the language they used our site in (emails to them are written in it; empty means English)",
        "access_needs": "anything the resident told the team to help them take part (seen by the team only)",
        "how": "the sign-up form, or a walk-in recorded by the team",
        "consent_version, consent_wording": "the exact words agreed to, and their version",
        "attended": "whether the team marked them as there",
    },
    covers={
        "signups.name": "blanked on erasure and by the signups rules",
        "signups.email": "blanked on erasure and by the signups rules",
        "signups.phone": "blanked on erasure and by the signups rules",
        "signups.mobile": "blanked on erasure and by the signups rules",
        "signups.access_needs": "blanked on erasure and by the signups rules",
        "signup_feeds.email": "deleted on erasure, and once the address has no sign-ups left",
    },
    find=find,
    erase=erase,
    order=10,
)


def _blank_waiting(now: datetime) -> dict[str, int]:
    """Waiting-list and cancelled sign-ups were never at the event: their details go soon after it."""
    cutoff = now - timedelta(days=retention_days("signups-waiting"))
    ended = select(Occurrence.id).where(Occurrence.ends_at < cutoff)
    blanked = db.session.execute(
        update(Signup)
        .where(
            Signup.occurrence_id.in_(ended),
            Signup.status.in_((WAITING, CANCELLED)),
            or_(Signup.email.is_not(None), Signup.name != "", Signup.phone != "", Signup.access_needs != "",
                Signup.mobile.is_not(None)),
        )
        .values(name="", email=None, phone="", mobile=None, access_needs="", request_key=None),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.commit()
    return {"sign-ups blanked": blanked or 0}


RULES = (
    RetentionRule(
        "signups",
        "Sign-ups: residents' names, emails, phone numbers and access needs",
        lambda: current_app.config["SIGNUP_RETENTION_DAYS"],
        "after the event date",
        "the booking's status, places and attendance",
        lambda now: {"sign-ups blanked": tasks.purge_expired(now)},
        "SIGNUP_RETENTION_DAYS",
        task="signup-purge",
        order=10,
    ),
    RetentionRule(
        "signups-waiting",
        "Waiting-list entries and cancelled sign-ups: the same details",
        lambda: retention_days("signups-waiting"),
        "after the event date",
        "the entry's status and places",
        _blank_waiting,
        "RETENTION_DAYS signups-waiting",
        order=11,
    ),
)


def register() -> None:
    register_provider(PROVIDER)
    for rule in RULES:
        register_retention_rule(rule)
