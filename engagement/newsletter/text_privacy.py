"""Text alerts' part of data-subject requests and retention (registered in engagement.core.personal_data).

Found by phone number (any spelling: the numbers are stored as E.164). Erasure deletes the number
with its alert subscriptions and codes, and every reply it sent. Retention: replies are deleted
RETENTION_DAYS text-replies after they arrived; numbers never confirmed go after 7 days, numbers
that replied STOP and have nothing left 30 days after; codes a day after they were sent (the
3-a-day limit needs nothing older).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import selectinload

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
from engagement.extensions import db
from engagement.newsletter.text_models import AlertSubscription, TextCode, TextNumber, TextReply

UNCONFIRMED_DAYS = 7
STOPPED_KEEP_DAYS = 30


def _numbers(subject: Subject) -> list[TextNumber]:
    query = (
        select(TextNumber)
        .where(subject.where(None, TextNumber.mobile))
        .options(selectinload(TextNumber.subscriptions).selectinload(AlertSubscription.team))
    )
    return list(db.session.scalars(query))


def _replies(subject: Subject) -> list[TextReply]:
    query = select(TextReply).where(subject.where(None, TextReply.mobile)).order_by(TextReply.received_at)
    return list(db.session.scalars(query.options(selectinload(TextReply.team))))


def find(subject: Subject, names: frozenset[str]) -> list[Record]:
    records = []
    for number in _numbers(subject):
        records.append(
            Record(
                kind="Text alerts number",
                at=number.created_at,
                summary=f"{len(number.subscriptions)} team(s)" + (", replied STOP" if number.stopped_at else ""),
                on_erase="Deleted, with its alert subscriptions and codes",
                data={
                    "mobile": number.mobile,
                    "first_asked_at": number.created_at,
                    "confirmed_at": number.verified_at,
                    "stopped_at": number.stopped_at,
                    "language": number.language,  # the texts' language (core.i18n)
                },  # fmt: skip
            )
        )
        for sub in number.subscriptions:
            records.append(
                Record(
                    kind="Text alerts subscription",
                    at=sub.requested_at,
                    summary=f"{sub.team.name} Neighbourhood Team" + ("" if sub.confirmed_at else " (not confirmed)"),
                    on_erase="Deleted",
                    data={
                        "team": sub.team.name,
                        "asked_at": sub.requested_at,
                        "confirmed_at": sub.confirmed_at,
                        "consent_wording": sub.consent_text,
                    },  # fmt: skip
                )
            )
    for reply in _replies(subject):
        records.append(
            Record(
                kind="Reply to a text",
                at=reply.received_at,
                summary=f"{format_datetime(reply.received_at)}" + (f", to {reply.team.name}" if reply.team else ""),
                on_erase="Deleted",
                data={
                    "mobile": reply.mobile,
                    "received_at": reply.received_at,
                    "message": reply.content,
                    "team": reply.team.name if reply.team else None,
                },  # fmt: skip
            )
        )
    return records


def _delete_numbers(ids: list[int]) -> int:
    """Spelled out rather than left to ON DELETE CASCADE, which SQLite does not enforce by default."""
    if not ids:
        return 0
    db.session.execute(delete(TextCode).where(TextCode.number_id.in_(ids)))
    db.session.execute(delete(AlertSubscription).where(AlertSubscription.number_id.in_(ids)))
    return db.session.execute(delete(TextNumber).where(TextNumber.id.in_(ids))).rowcount or 0


def erase(subject: Subject, records, *, actor=None, now: datetime) -> dict[str, int]:
    numbers = [n.id for n in _numbers(subject)]
    gone = _delete_numbers(numbers)
    replies = db.session.execute(delete(TextReply).where(subject.where(None, TextReply.mobile))).rowcount or 0
    db.session.expire_all()
    return {"text_alert_numbers": gone, "text_replies": replies}


PROVIDER = Provider(
    name="text-alerts",
    label="Text alerts and replies to texts",
    about=(
        "Residents give a UK mobile number to get a team's text alerts, and confirm it with a code we text them "
        "(double opt-in). We use it only to send those alerts. Texts residents send back are kept for the team "
        "to read. Lawful basis: consent, with the wording shown in consent_wording; STOP ends every alert."
    ),
    fields={
        "mobile": "the number, in international form (+44...)",
        "first_asked_at, confirmed_at, stopped_at": "when the number first asked, last confirmed a code, replied STOP",
        "team, asked_at, consent_wording": "which team's alerts, when, and the exact words agreed to",
        "message, received_at": "a text the resident sent back, and when it arrived",
    },
    covers={
        "text_alert_numbers.mobile": "deleted on erasure; unconfirmed after 7 days; after STOP, 30 days later",
        "text_replies.mobile": "deleted on erasure and RETENTION_DAYS text-replies after it arrived",
        "text_replies.content": "deleted on erasure and RETENTION_DAYS text-replies after it arrived",
    },
    find=find,
    erase=erase,
    order=31,
)


def purge(now: datetime) -> dict[str, int]:
    """Old replies, numbers nobody confirmed, numbers that stopped, and spent codes."""
    replies = (
        db.session.execute(
            delete(TextReply).where(TextReply.received_at < now - timedelta(days=retention_days("text-replies")))
        ).rowcount
        or 0
    )
    codes = db.session.execute(delete(TextCode).where(TextCode.created_at < now - timedelta(days=1))).rowcount or 0
    confirmed = select(AlertSubscription.id).where(
        AlertSubscription.number_id == TextNumber.id, AlertSubscription.confirmed_at.is_not(None)
    )
    stale = db.session.scalars(
        select(TextNumber.id).where(
            ~confirmed.exists(),
            or_(
                TextNumber.stopped_at < now - timedelta(days=STOPPED_KEEP_DAYS),
                (TextNumber.stopped_at.is_(None)) & (TextNumber.created_at < now - timedelta(days=UNCONFIRMED_DAYS)),
            ),
        )
    ).all()
    numbers = _delete_numbers(list(stale))
    db.session.commit()
    return {"replies deleted": replies, "codes deleted": codes, "numbers deleted": numbers}


RULES = (
    RetentionRule(
        "text-replies",
        "Text alerts: replies, unconfirmed and stopped numbers, codes",
        lambda: retention_days("text-replies"),
        "after a reply arrives (numbers: 7 days unconfirmed, 30 days after STOP; codes: 1 day)",
        "nothing",
        purge,
        "RETENTION_DAYS text-replies",
        order=32,
    ),
)


def register() -> None:
    register_provider(PROVIDER)
    for rule in RULES:
        register_retention_rule(rule)
