"""Text messages: UK mobile numbers, SMS fragments, the sms outbox channel, blocked numbers, spend.

Texts go through the same outbox as email (`core.mail.OutboxMessage`, channel "sms"): a request
queues a row in its own transaction and the worker sends it through GOV.UK Notify
(`core.notify`), with the same lease, SKIP LOCKED, backoff and exactly-once rules. Notify's
`reference` is the outbox id, so a row whose send was interrupted is looked up at Notify before
it is ever sent again. Without NOTIFY_API_KEY the worker writes each text to SMS_DIR as a small
file instead (listed at /staff/mail), so `make run` needs no account.

PUBLIC INTERFACE (features may import):
* `normalise_uk_mobile(raw) -> "+447700900123"`, raising `InvalidMobile` (a ValueError whose
  message a resident can read). Ofcom's fiction range 07700 900000-900999 is accepted outside
  production only (APP_ENV development/test), for demo data and tests;
* `fragments(text) -> Fragments(count, encoding, chars)`: GSM-7 160 / 153 per part (extension
  characters count 2), otherwise UCS-2 70 / 67. It first applies the typographic downgrades
  Notify makes (curly quotes, dashes, ellipsis), so the figure matches what Notify charges;
* `queue_sms(to, body, *, team_id=None, purpose="") -> OutboxMessage`, raising `InvalidMobile`,
  `MobileBlocked` (a number Notify reported as a permanent failure) or `TextTooLong`
  (both DomainErrors);
* `is_blocked(number)`, `blocked_numbers()`, `mask(number) -> "•••••••• 123"`;
* `sms_spend(team_id, month) -> int`: fragments handed to Notify for the team in that calendar
  month (Europe/London), `month` a date/datetime in the month or "YYYY-MM";
* replies: `register_sms_reply_handler(func, name=None, order=100)` (defined in `core.hooks`,
  re-exported here). The worker calls func(number, content, received_at, notify_id) for every
  text residents send to the service, lowest order first, until one returns True. `number` is
  E.164 ("+447700900123") when it parses as a UK mobile, else as Notify gave it; `received_at`
  is an aware UTC datetime. Each text is offered in its own transaction, committed with the
  worker's "newest text read" cursor, so a text is handed over once; a handler that raises rolls
  that text back and the worker tries again on its next run (handlers should therefore be
  idempotent on notify_id). Core stores no replies: the STOP handler (order < 1000) consumes
  STOP, and the replies feature registers a last handler (order 1000) storing the rest.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import phonenumbers
from flask import current_app
from sqlalchemy import String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from engagement.core.db import UTCDateTime, utcnow
from engagement.core.errors import DomainError
from engagement.core.hooks import register_sms_reply_handler, sms_reply_handlers  # noqa: F401 - re-exported
from engagement.core.mail import SENT, OutboxMessage
from engagement.extensions import db

SMS = "sms"
MAX_CHARS = 918  # Notify refuses longer text message content
# Notify's delivery statuses for texts; "sent" means sent abroad, where no receipt follows.
DELIVERED, PERMANENT, TEMPORARY, TECHNICAL = "delivered", "permanent-failure", "temporary-failure", "technical-failure"
FINAL_STATUSES = (DELIVERED, PERMANENT, TEMPORARY, TECHNICAL, "sent")


class InvalidMobile(ValueError):
    """Not a UK mobile number; the message says what to type instead."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class MobileBlocked(DomainError):
    """Notify reported the number as permanently failing: we send it nothing more."""


class TextTooLong(DomainError):
    """Longer than Notify accepts."""


# --- numbers ------------------------------------------------------------------------------

ENTER_MOBILE = "Enter a UK mobile number, like 07700 900 123"
LANDLINE = "That looks like a landline: texts need a mobile number"


def normalise_uk_mobile(raw: str) -> str:
    """'07700 900123', '+44 7700 900123', '0044 7700-900123' -> '+447700900123'; anything else is refused."""
    text = (raw or "").strip()
    if not text or len(text) > 40:
        raise InvalidMobile(ENTER_MOBILE)
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException as exc:
        raise InvalidMobile(ENTER_MOBILE) from exc
    if number.country_code == 44 and _drama_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.country_code != 44 or not phonenumbers.is_valid_number(number):
        raise InvalidMobile(ENTER_MOBILE)
    kind = phonenumbers.number_type(number)
    if kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.UAN):
        raise InvalidMobile(LANDLINE)
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise InvalidMobile(ENTER_MOBILE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _drama_number(number) -> bool:
    """Ofcom's range for fiction, 07700 900000-900999: accepted outside production (demo data, tests),
    so they never text a real person; phonenumbers itself calls them invalid."""
    national = str(number.national_number)
    return len(national) == 10 and national.startswith("7700900") and not current_app.config.get("PRODUCTION", True)


def _national_digits(number: str) -> str:
    digits = "".join(ch for ch in number or "" if ch.isdigit())
    if (number or "").startswith("+44") or digits.startswith("44") and len(digits) == 12:
        return "0" + digits[2:]
    return digits


def mask(number: str) -> str:
    """'+447700900123' -> '•••••••• 123': enough for a resident to recognise, not to copy."""
    digits = _national_digits(number)
    if len(digits) <= 3:
        return "•" * len(digits)
    return "•" * (len(digits) - 3) + " " + digits[-3:]


# --- fragments ----------------------------------------------------------------------------

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")  # sent as ESC + character: two septets each
# Notify replaces these before sending rather than switching the whole text to Unicode.
DOWNGRADES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2022": "-",
        "\t": " ",
    }
)


@dataclass(frozen=True)
class Fragments:
    count: int
    encoding: str  # "GSM-7" or "UCS-2"
    chars: int  # septets for GSM-7, UTF-16 code units for UCS-2


def _parts(units: list[int], single: int, per_part: int) -> int:
    """Parts needed, never splitting an escape pair or a surrogate pair across two parts."""
    total = sum(units)
    if total <= single:
        return 1 if total else 0
    parts, used = 1, 0
    for unit in units:
        if used + unit > per_part:
            parts, used = parts + 1, 0
        used += unit
    return parts


def fragments(text: str) -> Fragments:
    """How many SMS parts Notify will send (and charge) for this text."""
    text = (text or "").translate(DOWNGRADES)
    if all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text):
        units = [2 if ch in GSM_EXTENSION else 1 for ch in text]
        return Fragments(_parts(units, 160, 153), "GSM-7", sum(units))
    units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return Fragments(_parts(units, 70, 67), "UCS-2", sum(units))


# --- blocked numbers ----------------------------------------------------------------------


class BlockedNumber(db.Model):
    """A number Notify called a permanent failure (or refused as invalid): no more texts to it."""

    __tablename__ = "sms_blocked_numbers"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    blocked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    outbox_id: Mapped[int | None] = mapped_column()


def is_blocked(number: str) -> bool:
    return db.session.scalar(select(BlockedNumber.id).where(BlockedNumber.number == number)) is not None


def block(number: str, reason: str, outbox_id: int | None = None) -> None:
    """Record a permanent failure, once per number (inside the caller's transaction)."""
    if not is_blocked(number):
        db.session.add(BlockedNumber(number=number, reason=reason[:2000], outbox_id=outbox_id))


def blocked_numbers(limit: int = 200) -> list[BlockedNumber]:
    return list(db.session.scalars(select(BlockedNumber).order_by(BlockedNumber.blocked_at.desc()).limit(limit)))


# --- queueing -----------------------------------------------------------------------------


def queue_sms(to: str, body: str, *, team_id: int | None = None, purpose: str = "") -> OutboxMessage:
    """Add a text to the outbox in the caller's transaction; the worker sends it."""
    number = normalise_uk_mobile(to)
    body = (body or "").strip()
    if not body:
        raise ValueError("a text message needs a body")
    if len(body) > MAX_CHARS:
        raise TextTooLong(f"A text message can be at most {MAX_CHARS} characters; this one has {len(body)}.")
    if is_blocked(number):
        raise MobileBlocked("Texts to this number have failed, so we no longer send to it.")
    parts = fragments(body)
    row = OutboxMessage(
        channel=SMS,
        to_addr=number,
        subject=(purpose or "Text message")[:300],
        message_id=f"sms-{uuid.uuid4()}",
        raw=body.encode("utf-8"),
        fragments=parts.count,
        team_id=team_id,
        purpose=purpose[:40],
    )
    db.session.add(row)
    return row


def sms_enabled() -> bool:
    """SMS_ENABLED: whether features offer text messages at all (with no key, they go to files)."""
    return bool(current_app.config.get("SMS_ENABLED", True))


# --- spend --------------------------------------------------------------------------------


def _month_bounds(month) -> tuple[datetime, datetime]:
    from engagement.core.timeutil import local_to_utc

    if isinstance(month, str):
        year, _, number = month.partition("-")
        first = date(int(year), int(number), 1)
    elif isinstance(month, datetime):
        from engagement.core.timeutil import to_local

        local = to_local(month) if month.tzinfo else month
        first = local.date().replace(day=1)
    else:
        first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return local_to_utc(first, time(0, 0)), local_to_utc(following, time(0, 0))


def sms_spend(team_id: int | None, month) -> int:
    """Fragments handed to Notify for the team in the month (what Notify charges for, whatever the receipt)."""
    start, end = _month_bounds(month)
    query = select(func.coalesce(func.sum(OutboxMessage.fragments), 0)).where(
        OutboxMessage.channel == SMS,
        OutboxMessage.status == SENT,
        OutboxMessage.sent_at >= start,
        OutboxMessage.sent_at < end,
    )
    query = query.where(OutboxMessage.team_id.is_(None) if team_id is None else OutboxMessage.team_id == team_id)
    return int(db.session.scalar(query) or 0)


def spend_by_team(month) -> dict[int | None, int]:
    """{team_id: fragments} for the month, one query (the staff outbox page)."""
    start, end = _month_bounds(month)
    rows = db.session.execute(
        select(OutboxMessage.team_id, func.sum(OutboxMessage.fragments))
        .where(OutboxMessage.channel == SMS, OutboxMessage.status == SENT)
        .where(OutboxMessage.sent_at >= start, OutboxMessage.sent_at < end)
        .group_by(OutboxMessage.team_id)
    )
    return {team_id: int(total or 0) for team_id, total in rows}


def spend_table(month) -> list[tuple[str, int]]:
    """[(team name, fragments)] for the month, biggest first; texts with no team are "No team"."""
    by_team = spend_by_team(month)
    names = {}
    teams = db.metadata.tables.get("teams")  # by table name: core never imports the teams feature
    ids = [team_id for team_id in by_team if team_id is not None]
    if teams is not None and ids:
        names = dict(db.session.execute(select(teams.c.id, teams.c.name).where(teams.c.id.in_(ids))).all())
    rows = [
        (names.get(team_id, f"Team {team_id}") if team_id else "No team", total) for team_id, total in by_team.items()
    ]
    return sorted(rows, key=lambda row: (-row[1], row[0]))


def blocked_count() -> int:
    return int(db.session.scalar(select(func.count()).select_from(BlockedNumber)) or 0)
