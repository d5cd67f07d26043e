"""Core's data-protection part for text messages: texts sent to a number, and blocked numbers.

Found under a phone-number request (the resident's number in any spelling). Erasure: a text still
waiting is cancelled (deleted); a sent one loses its number, body and development file (the row,
fragments and outcome stay, so a team's spend stays true); a blocked number is deleted (the worst
case is one more failed text). Text bodies also fall under the outbox's body retention
(RETENTION_DAYS outbox-bodies), which blanks every channel's bodies.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from engagement.core.mail import PENDING, OutboxMessage
from engagement.core.personal_data import PHONE, Provider, Record, Subject, register_provider
from engagement.core.sms import SMS, BlockedNumber
from engagement.extensions import db


def _texts(subject: Subject) -> list[OutboxMessage]:
    if subject.kind != PHONE:
        return []
    query = select(OutboxMessage).where(OutboxMessage.channel == SMS, subject.where(phone_column=OutboxMessage.to_addr))
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def _blocked(subject: Subject) -> list[BlockedNumber]:
    if subject.kind != PHONE:
        return []
    return list(db.session.scalars(select(BlockedNumber).where(subject.where(phone_column=BlockedNumber.number))))


def find(subject: Subject, names: frozenset[str]) -> list[Record]:
    records = [
        Record(
            kind="Text message to them",
            at=m.sent_at or m.created_at,
            summary=f"{m.subject} ({m.status})",
            on_erase="Cancelled" if m.status == PENDING else "Number and text deleted; the outcome stays",
            data={
                "to": m.to_addr,
                "text": m.raw.decode("utf-8", "replace"),
                "status": m.status,
                "delivery": m.delivery_status,
                "queued_at": m.created_at,
                "sent_at": m.sent_at,
            },  # fmt: skip
        )
        for m in _texts(subject)
    ]
    records += [
        Record(
            kind="Blocked number",
            at=b.blocked_at,
            summary="Texts to this number failed permanently, so none are sent to it",
            on_erase="Deleted",
            data={"number": b.number, "reason": b.reason, "blocked_at": b.blocked_at},
        )
        for b in _blocked(subject)
    ]
    return records


def _forget_file(message: OutboxMessage) -> None:
    if message.file_path:
        path = Path(message.file_path)
        if path.is_file() and path.resolve().is_relative_to(Path(current_app.config["SMS_DIR"]).resolve()):
            path.unlink()
        message.file_path = None


def erase(subject: Subject, records, *, actor=None, now: datetime) -> dict[str, int]:
    cancelled = blanked = 0
    for message in _texts(subject):
        _forget_file(message)
        if message.status == PENDING:
            db.session.delete(message)
            cancelled += 1
        else:
            message.to_addr, message.raw = f"erased-{message.id}", b""
            blanked += 1
    blocked = _blocked(subject)
    for row in blocked:
        db.session.delete(row)
    db.session.flush()
    return {"text messages cancelled": cancelled, "text messages blanked": blanked, "sms_blocked_numbers": len(blocked)}


PROVIDER = Provider(
    name="text-messages",
    label="Text messages we sent",
    about=(
        "Text messages the site sends (through GOV.UK Notify) are kept in its outbox with their outcome; a number "
        "Notify reports as permanently failing is kept so that no more texts are sent to it."
    ),
    fields={
        "to": "the mobile number the text was sent to",
        "text": "the text message",
        "status": "whether it was handed to GOV.UK Notify",
        "delivery": "what Notify reported (delivered, permanent-failure ...)",
        "queued_at": "when it was written",
        "sent_at": "when it was handed to Notify",
        "number": "a number texts to which failed permanently",
        "reason": "what Notify said",
        "blocked_at": "when it was blocked",
    },
    covers={
        "sms_blocked_numbers.number": "deleted on erasure",
        "sms_blocked_numbers.reason": "deleted on erasure",
    },
    not_personal={"notify_cursors.name": 'the name of a Notify list the worker reads ("received-texts")'},
    find=find,
    erase=erase,
    order=900,  # before core's mail-and-audit scrubbing, which runs last
)


def register() -> None:
    register_provider(PROVIDER)
