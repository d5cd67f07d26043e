"""Event feedback: a short survey attached to one event or to a kind of event, sent to attendees once.

Which survey: one attached to the event itself wins over one attached to its type; a
type's survey applies to events of the survey's team (or area, or every team if it is
force-wide). Only open, published surveys are used.

Sending: the worker task `send_due_feedback` looks at event dates that ended between
FEEDBACK_AFTER and FEEDBACK_WITHIN ago. Each date gets one FeedbackRun row (unique per
date) in the same transaction as its emails, so a date is never emailed twice, even with
several workers. Attendees come from the core.hooks provider ATTENDEES_TOPIC, which the
sign-ups feature registers (sign-ups sit above surveys, so surveys never import them):
func(occurrence) -> iterable of (email, name). With no provider registered nothing is
sent and no date is marked, so dates are still sent once a provider appears.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from engagement.core.db import utcnow
from engagement.core.hooks import provider
from engagement.core.i18n import _, force_language
from engagement.core.mail import queue_templated
from engagement.core.urls import public_url
from engagement.events.models import Event, Occurrence
from engagement.extensions import db
from engagement.surveys.models import PUBLISHED, FeedbackRun, Survey

FEEDBACK_AFTER = timedelta(minutes=30)  # time for officers to mark attendance
FEEDBACK_WITHIN = timedelta(days=3)  # older dates are not emailed (e.g. when the worker was down for long)
BATCH = 50
ATTENDEES_TOPIC = "occurrence.attendees"


def _open(now: datetime):
    return and_(Survey.status == PUBLISHED, Survey.opens_at <= now, Survey.closes_at > now)


def feedback_survey_for(occurrence, now: datetime | None = None) -> Survey | None:
    """The open feedback survey for this event date, if any (the event's own before its type's)."""
    now = now or utcnow()
    event = occurrence.event
    team = event.team
    candidates = db.session.scalars(
        select(Survey)
        .where(
            _open(now),
            or_(
                Survey.event_id == event.id,
                and_(
                    Survey.event_type_id == event.event_type_id,
                    or_(
                        Survey.team_id == team.id,
                        Survey.area == team.area,
                        and_(Survey.team_id.is_(None), Survey.area.is_(None)),
                    ),
                ),
            ),
        )
        .order_by(Survey.published_at.desc(), Survey.id.desc())
    ).all()
    own = [s for s in candidates if s.event_id == event.id]
    return (own or candidates or [None])[0]


def attendees(occurrence) -> list[tuple[str, str, str | None]]:
    """(email, name, language) of residents who signed up for this date and did not cancel, each address
    once; the language is the one they signed up in (None: English), so their email is written in it.
    A provider giving only (email, name) still works: those residents are written to in English."""
    provide = provider(ATTENDEES_TOPIC)
    seen: dict[str, tuple[str, str, str | None]] = {}
    for email, name, *language in (provide(occurrence) if provide else ()) or ():
        key = (email or "").strip().lower()
        if key and key not in seen:
            seen[key] = (email.strip(), name or "", language[0] if language else None)
    return list(seen.values())


def _due_occurrences(now: datetime, limit: int):
    attached = select(Survey.id).where(
        _open(now), or_(Survey.event_id == Event.id, Survey.event_type_id == Event.event_type_id)
    )
    return db.session.scalars(
        select(Occurrence)
        .join(Event, Event.id == Occurrence.event_id)
        .where(
            Occurrence.ends_at <= now - FEEDBACK_AFTER,
            Occurrence.ends_at > now - FEEDBACK_WITHIN,
            Event.published_at.is_not(None),
            exists(attached),
            ~exists(select(FeedbackRun.id).where(FeedbackRun.occurrence_id == Occurrence.id)),
        )
        .options(selectinload(Occurrence.event).selectinload(Event.team))
        .order_by(Occurrence.ends_at, Occurrence.id)
        .limit(limit)
    ).all()


def send_due_feedback(now: datetime | None = None, limit: int = BATCH) -> int:
    """Worker task: queue feedback emails for finished event dates; returns how many emails were queued."""
    if provider(ATTENDEES_TOPIC) is None:
        return 0  # nothing to send to yet; dates stay unmarked so they are sent once a provider exists
    now = now or utcnow()
    queued = 0
    for occurrence_id in [o.id for o in _due_occurrences(now, limit)]:
        queued += _send_for(occurrence_id, now)
    return queued


def _send_for(occurrence_id: int, now: datetime) -> int:
    """Claim one date by inserting its run row, queue its emails and commit, all together."""
    occurrence = db.session.get(Occurrence, occurrence_id)
    survey = None if occurrence.is_cancelled else feedback_survey_for(occurrence, now)
    run = FeedbackRun(occurrence_id=occurrence.id, survey_id=survey.id if survey else None, created_at=now)
    db.session.add(run)
    try:
        db.session.flush()
    except IntegrityError:  # another worker took this date
        db.session.rollback()
        return 0
    if survey is not None:
        for email, name, language in attendees(occurrence):
            with force_language(language):  # subject, body, date and links (?lang=) in their language
                url = public_url("surveys.short_link", code=survey.code)
                event_url = public_url("events.occurrence", occurrence_id=occurrence.id)
                queue_templated(email, _("How was it? %(title)s", title=occurrence.event.title),
                                "surveys/email/feedback", name=name, survey=survey, occurrence=occurrence,
                                survey_url=url, event_url=event_url)  # fmt: skip
            run.sent += 1
    db.session.commit()
    return run.sent
