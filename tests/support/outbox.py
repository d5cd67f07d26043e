"""What the app queued to send: outbox rows, or the messages parsed as a mail client would."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

from sqlalchemy import select

from engagement.core.mail import OutboxMessage


def outbox_rows(db, to: str | None = None, subject_part: str = "") -> list[OutboxMessage]:
    """Outbox rows oldest first, optionally for one address and/or with a subject containing `subject_part`."""
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if to:
        query = query.where(OutboxMessage.to_addr == to)
    rows = db.session.scalars(query).all()
    return [r for r in rows if subject_part in (r.subject or "")]


def outbox(db, to: str | None = None) -> list:
    """Queued messages parsed (email.message.EmailMessage), oldest first, optionally for one address."""
    return [message_from_bytes(r.raw, policy=default) for r in outbox_rows(db, to)]
