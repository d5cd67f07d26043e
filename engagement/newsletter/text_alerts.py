"""Officers' text alerts: compose (with the fragment count and cap), send to a team's verified numbers, and
what the staff side shows about texts: replies, fragments sent this month, permanent failures.

Every alert ends with the same short footer (replies are read in office hours and are not for reporting
crime; STOP ends alerts), and the cap (SMS_MAX_FRAGMENTS, default 3) counts the footer too: the figure
shown on the check step is what each resident's phone receives and what Notify charges for. Sending
queues one outbox row per number in the request's transaction (core.sms.queue_sms); the worker sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.core.mail import FAILED, OutboxMessage
from engagement.core.markup import strip_tags
from engagement.extensions import db
from engagement.newsletter.text_delivery import alert_purpose
from engagement.newsletter.text_models import (
    ALERT_MAX,
    APPEAL,
    CANCELLATION,
    KINDS,
    NEW_EVENT,
    AlertSubscription,
    TextAlert,
    TextNumber,
    TextReply,
)

FOOTER = "Replies read in office hours, not for reporting crime: call 999 or 101. Reply STOP to end alerts."


def max_fragments() -> int:
    return int(current_app.config.get("SMS_MAX_FRAGMENTS", 3))


def full_text(team, body: str) -> str:
    """What each resident's phone shows: who it is from, the officer's words, the footer."""
    words = " ".join(strip_tags(body or "").split())
    return f"{team.name} police: {words}\n{FOOTER}"


@dataclass(frozen=True)
class AlertCheck:
    """The check step: the whole text, its fragments and encoding, the cap, and who would get it."""

    text: str
    fragments: int
    encoding: str
    chars: int
    cap: int
    recipients: int

    @property
    def too_long(self) -> bool:
        return self.fragments > self.cap


def recipients_query(team_id: int):
    """Numbers with a confirmed subscription to the team that have not replied STOP since."""
    return (
        select(TextNumber)
        .join(AlertSubscription, AlertSubscription.number_id == TextNumber.id)
        .where(AlertSubscription.team_id == team_id, AlertSubscription.confirmed_at.is_not(None))
        .where(TextNumber.stopped_at.is_(None))
        .order_by(TextNumber.id)
    )


def subscriber_counts(team_ids: list[int]) -> dict[int, int]:
    """{team_id: verified numbers}, one query."""
    if not team_ids:
        return {}
    rows = db.session.execute(
        select(AlertSubscription.team_id, func.count(AlertSubscription.id))
        .join(TextNumber, TextNumber.id == AlertSubscription.number_id)
        .where(AlertSubscription.team_id.in_(team_ids), AlertSubscription.confirmed_at.is_not(None))
        .where(TextNumber.stopped_at.is_(None))
        .group_by(AlertSubscription.team_id)
    )
    return {team_id: count for team_id, count in rows}


def check_alert(team, kind: str, body: str) -> AlertCheck:
    """Validate an alert and count it; raises DomainError (on `body`) for an empty or over-long alert."""
    from engagement.core.sms import fragments

    if kind not in KINDS:
        raise DomainError("Choose what kind of alert this is", field="kind")
    if not " ".join(strip_tags(body or "").split()):
        raise DomainError("Enter the alert", field="body")
    if len(body) > ALERT_MAX:
        raise DomainError(f"An alert must be {ALERT_MAX} characters or fewer", field="body")
    text = full_text(team, body)
    parts = fragments(text)
    recipients = subscriber_counts([team.id]).get(team.id, 0)
    return AlertCheck(text, parts.count, parts.encoding, parts.chars, max_fragments(), recipients)


def send_alert(team, kind: str, body: str, *, actor, now: datetime | None = None) -> TextAlert:
    """Queue the alert to every verified number of the team (numbers Notify blocked are skipped)."""
    from engagement.core.sms import MobileBlocked, queue_sms

    check = check_alert(team, kind, body)
    if check.too_long:
        raise DomainError(
            f"This alert is {check.fragments} text messages long; the most is {check.cap}. Make it shorter.",
            field="body",
        )
    alert = TextAlert(team_id=team.id, kind=kind, body=check.text, fragments=check.fragments,
                      created_by_id=getattr(actor, "id", None), sent_at=now or utcnow())  # fmt: skip
    db.session.add(alert)
    db.session.flush()  # its id names its texts in the outbox (text_delivery counts them by it)
    purpose = alert_purpose(alert)
    sent = 0
    for number in db.session.scalars(recipients_query(team.id)):
        try:
            queue_sms(number.mobile, check.text, team_id=team.id, purpose=purpose)
        except MobileBlocked:
            continue
        sent += 1
    alert.recipients = sent
    db.session.flush()
    audit.record("text_alert.send", actor=actor, target=alert,
                 summary=f"{team.name}: {KINDS[kind].lower()} texted to {sent} number(s)")  # fmt: skip
    return alert


def prefill(occurrence, kind: str) -> str:
    """A starting text for a new event or a cancellation of one date (the officer may edit it)."""
    from engagement.core.urls import public_url
    from engagement.signups.texts import headline

    link = public_url("events.occurrence", occurrence_id=occurrence.id)
    if kind == CANCELLATION:
        return f"{headline(occurrence)} is CANCELLED. Details: {link}"
    if kind == NEW_EVENT:
        return f"New: {headline(occurrence)}. All welcome. Details: {link}"
    return ""


# --- what the staff pages show ---------------------------------------------------------------


def recent_alerts(team_ids: list[int], limit: int = 50) -> list[TextAlert]:
    return list(
        db.session.scalars(
            select(TextAlert)
            .where(TextAlert.team_id.in_(team_ids))
            .options(selectinload(TextAlert.team), selectinload(TextAlert.created_by))
            .order_by(TextAlert.sent_at.desc(), TextAlert.id.desc())
            .limit(limit)
        )
    )


def failures(team_ids: list[int], *, include_unassigned: bool, limit: int = 50) -> list[OutboxMessage]:
    """Texts that failed for good (the number is then blocked), newest first."""
    scope = OutboxMessage.team_id.in_(team_ids)
    if include_unassigned:
        scope = or_(scope, OutboxMessage.team_id.is_(None))
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == "sms", OutboxMessage.status == FAILED, scope)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def replies(team_ids: list[int], *, include_unassigned: bool, limit: int = 200) -> list[TextReply]:
    scope = TextReply.team_id.in_(team_ids)
    if include_unassigned:
        scope = or_(scope, TextReply.team_id.is_(None))
    return list(
        db.session.scalars(
            select(TextReply)
            .where(scope)
            .options(selectinload(TextReply.team))
            .order_by(TextReply.received_at.desc(), TextReply.id.desc())
            .limit(limit)
        )
    )


def spend(team_ids: list[int], now: datetime | None = None) -> dict[int, tuple[int, int]]:
    """{team_id: (fragments this month, last month)}: what Notify charges beyond its free allowance."""
    from engagement.core.sms import spend_by_team
    from engagement.core.timeutil import to_local

    today = to_local(now or utcnow()).date()
    last_month = today.replace(day=1) - timedelta(days=1)
    this, last = spend_by_team(today), spend_by_team(last_month)
    return {t: (this.get(t, 0), last.get(t, 0)) for t in team_ids}


KIND_CHOICES = [(NEW_EVENT, KINDS[NEW_EVENT]), (CANCELLATION, KINDS[CANCELLATION]), (APPEAL, KINDS[APPEAL])]
