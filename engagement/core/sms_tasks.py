"""Worker tasks for texts sent through GOV.UK Notify: delivery receipts and received texts.

Sending itself is the outbox's "mail" task (core.mail.send_due handles both channels). Here:
* `poll_receipts`: for texts Notify accepted whose status is not final, ask Notify
  (get_notification_by_id), at most NOTIFY_POLL_LIMIT per run, least recently asked first.
  Notify keeps statuses 7 days, so older rows are no longer asked about.
* `read_replies`: page through get_received_texts (newest first, `older_than` for the next page)
  back to the newest text already handed over (the cursor in `notify_cursors`), at most
  NOTIFY_REPLY_PAGES pages per run, then hand the new ones, oldest first, to the reply handlers
  registered in core.hooks; the cursor moves in the same commit as each text's handling.
* `apply_receipt` / `apply_received`: the same, for the JSON Notify POSTs to our callback URLs
  (engagement.core.callbacks), so a service may use callbacks, polling or both: each received
  text's Notify id is remembered (`notify_received_texts`), so it reaches the handlers once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import String, delete, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from engagement.core import notify
from engagement.core.db import UTCDateTime, utcnow
from engagement.core.hooks import sms_reply_handlers
from engagement.core.mail import SENT, OutboxMessage, TemporaryFailure
from engagement.core.sms import FINAL_STATUSES, PERMANENT, SMS, InvalidMobile, block, normalise_uk_mobile
from engagement.extensions import db

KEPT_BY_NOTIFY = timedelta(days=7)
REPLIES = "received-texts"


class NotifyCursor(db.Model):
    """How far a Notify list has been read: the newest received text already handed to the handlers."""

    __tablename__ = "notify_cursors"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    notify_id: Mapped[str] = mapped_column(String(36), nullable=False)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class ReceivedText(db.Model):
    """The Notify id of every received text handed over (no content, no number): with polling and
    callbacks both on, a text still reaches the handlers once. Kept as long as Notify keeps texts."""

    __tablename__ = "notify_received_texts"

    notify_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)


def parse_time(value: str | None) -> datetime | None:
    """Notify's '2026-12-04T19:00:00.000000Z' (or with +00:00) as an aware UTC datetime."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- delivery receipts ----------------------------------------------------------------------


def record_status(row: OutboxMessage, status: str, reason: str | None = None) -> None:
    """Keep Notify's status; a permanent failure stops further texts to the number."""
    row.delivery_status = status[:24]
    row.checked_at = utcnow()
    if status == PERMANENT and row.channel == SMS:
        block(
            row.to_addr, reason or "Notify: permanent-failure (the number does not exist or cannot get texts)", row.id
        )


def poll_receipts() -> int:
    """Ask Notify about texts still on their way; returns how many were asked about."""
    if not notify.configured():
        return 0
    limit = current_app.config.get("NOTIFY_POLL_LIMIT", 50)
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.channel == SMS, OutboxMessage.status == SENT, OutboxMessage.notify_id.is_not(None))
        .where(or_(OutboxMessage.delivery_status.is_(None), OutboxMessage.delivery_status.not_in(FINAL_STATUSES)))
        .where(OutboxMessage.sent_at > utcnow() - KEPT_BY_NOTIFY)
        .order_by(OutboxMessage.checked_at.is_not(None), OutboxMessage.checked_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    asked = 0
    for row in rows:
        try:
            found = notify.notification(row.notify_id)
        except TemporaryFailure as exc:
            current_app.logger.warning("Notify status check stopped: %s", exc)
            break
        except notify.PermanentFailure as exc:  # 400/404: Notify no longer knows it
            row.checked_at, row.delivery_status = utcnow(), "unknown"
            current_app.logger.warning("Notify has no status for outbox %s: %s", row.id, exc)
        else:
            record_status(row, found.get("status", "unknown"))
        asked += 1
        db.session.commit()
    return asked


def apply_receipt(payload: dict) -> bool:
    """A delivery-receipt callback: find the row by Notify's id (or our reference) and record the status."""
    notify_id, reference, status = payload.get("id"), payload.get("reference"), payload.get("status")
    if not status or not (notify_id or reference):
        return False
    row = (
        db.session.scalar(select(OutboxMessage).where(OutboxMessage.notify_id == str(notify_id))) if notify_id else None
    )
    if row is None and reference and str(reference).isdigit():
        row = db.session.get(OutboxMessage, int(reference))
    if row is None:
        return False
    if notify_id and not row.notify_id:
        row.notify_id = str(notify_id)
    record_status(row, str(status))
    return True


# --- received texts -------------------------------------------------------------------------


def _number(raw: str) -> str:
    """Notify gives senders' numbers as '447700900123' (no plus): E.164 when it is a UK mobile."""
    digits = raw.strip()
    if digits.isdigit() and digits.startswith("44") and len(digits) == 12:
        digits = "+" + digits
    try:
        return normalise_uk_mobile(digits)
    except InvalidMobile:
        return raw


def hand_over(number: str, content: str, received_at: datetime, notify_id: str) -> bool:
    """Offer one received text to the handlers in order (once per Notify id); True when one consumed it."""
    if db.session.get(ReceivedText, notify_id) is not None:
        return False
    db.session.add(ReceivedText(notify_id=notify_id, received_at=received_at))
    for handler in sms_reply_handlers():
        if handler(_number(number), content, received_at, notify_id):
            return True
    return False


def _unread(cursor: NotifyCursor | None, pages: int) -> list[dict]:
    """Texts newer than the cursor, newest first, reading at most `pages` pages."""
    found, older_than = [], None
    for _ in range(pages):
        page = notify.received_texts(older_than)
        texts = page.get("received_text_messages") or []
        for text in texts:
            created = parse_time(text.get("created_at"))
            if cursor and (text["id"] == cursor.notify_id or (created and created < cursor.seen_at)):
                return found
            found.append(text)
        if not texts or not (page.get("links") or {}).get("next"):
            return found
        older_than = texts[-1]["id"]
    current_app.logger.warning("received texts: more than %s pages unread; the oldest wait for later runs", pages)
    return found


def read_replies() -> int:
    """Hand texts residents sent since the last run to the reply handlers; returns how many."""
    if not notify.configured():
        return 0
    db.session.execute(
        delete(ReceivedText).where(ReceivedText.received_at < utcnow() - 2 * KEPT_BY_NOTIFY),
        execution_options={"synchronize_session": False},
    )
    cursor = db.session.get(NotifyCursor, REPLIES)
    try:
        texts = _unread(cursor, current_app.config.get("NOTIFY_REPLY_PAGES", 4))
    except TemporaryFailure as exc:
        current_app.logger.warning("reading received texts failed: %s", exc)
        return 0
    handled = 0
    for text in reversed(texts):  # oldest first, so the cursor only ever moves forward
        received_at = parse_time(text.get("created_at")) or utcnow()
        hand_over(text.get("user_number", ""), text.get("content", ""), received_at, text["id"])
        cursor = db.session.get(NotifyCursor, REPLIES) or NotifyCursor(name=REPLIES)
        cursor.notify_id, cursor.seen_at = text["id"], received_at
        db.session.add(cursor)
        db.session.commit()
        handled += 1
    return handled


def apply_received(payload: dict) -> bool:
    """A received-text callback ({id, source_number, destination_number, message, date_received})."""
    notify_id, number = payload.get("id"), payload.get("source_number")
    if not notify_id or not number:
        return False
    received_at = parse_time(payload.get("date_received")) or utcnow()
    hand_over(str(number), str(payload.get("message", "")), received_at, str(notify_id))
    return True
