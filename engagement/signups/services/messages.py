"""The team's message to everyone booked on a date ("The room has changed to the hall upstairs").

One message from an officer becomes one outbox email per recipient (nobody sees anyone else's
address), each with that resident's own booking link, and one audit entry saying who sent what
to how many. Who receives it is decided in one place, `message_recipients`, so other channels
(texts, for those who chose them) are added there and the check-answers page counts them too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from engagement.core import audit
from engagement.core.errors import DomainError
from engagement.core.permissions import can_manage_team
from engagement.events.models import Occurrence
from engagement.extensions import db
from engagement.signups import emails
from engagement.signups.models import CONFIRMED, WAITING, WEB, Signup
from engagement.signups.services.slots import lock_slot

BOOKED, BOOKED_AND_WAITING = "booked", "booked_and_waiting"
AUDIENCES = {BOOKED: "Everyone booked", BOOKED_AND_WAITING: "Everyone booked and everyone on the waiting list"}
MESSAGE_MAX = 2000


@dataclass(frozen=True)
class Recipients:
    """Who a message reaches: the sign-ups, and how many of them by email (and, later, by text)."""

    signups: list[Signup]

    @property
    def by_email(self) -> int:
        return sum(1 for s in self.signups if s.email and not s.by_text)

    @property
    def by_text(self) -> int:
        return sum(1 for s in self.signups if s.by_text)

    @property
    def count(self) -> int:
        return len(self.signups)


def message_recipients(row: Occurrence, audience: str) -> Recipients:
    """The residents a message about `row` goes to: live web bookings we can reach (booked, and the
    waiting list if asked), oldest first. Walk-ins and sign-ups whose details were deleted are left out."""
    statuses = (CONFIRMED, WAITING) if audience == BOOKED_AND_WAITING else (CONFIRMED,)
    signups = db.session.scalars(
        select(Signup)
        .where(Signup.occurrence_id == row.id, Signup.status.in_(statuses), Signup.source == WEB)
        .order_by(Signup.status, Signup.id)
    ).all()
    return Recipients([s for s in signups if s.reachable])


def check_message(row: Occurrence, audience: str, text: str, *, actor) -> str:
    """The message as it will be sent, or DomainError (with its field) saying what to fix."""
    if actor is not None and not can_manage_team(actor, row.event.team):
        raise DomainError("Only the event's team can message the people booked on it.")
    if audience not in AUDIENCES:
        raise DomainError("Choose who to send the message to", field="audience")
    text = "\n".join(line.rstrip() for line in (text or "").strip().splitlines())
    if not text:
        raise DomainError("Enter the message, for example “The room has changed to the hall upstairs”",
                          field="message")  # fmt: skip
    if len(text) > MESSAGE_MAX:
        raise DomainError(f"The message must be {MESSAGE_MAX:,} characters or fewer", field="message")
    return text


def message_booked(row: Occurrence, *, audience: str, text: str, actor, request_key: str | None = None) -> int:
    """Send the message to everyone chosen (one outbox email each); returns how many it went to.

    `request_key` is the check-answers page's one-time key: the Send button pressed twice (or the
    page sent again) sends once, answering with the first sending's count.
    """
    text = check_message(row, audience, text, actor=actor)
    lock_slot(row)  # one sending per date at a time, so the key check below cannot race
    if request_key and (sent := _already_sent(row, request_key)) is not None:
        return sent
    recipients = message_recipients(row, audience)
    if not recipients.count:
        raise DomainError("Nobody is booked on this date yet, so there is nobody to send the message to.")
    for signup in recipients.signups:
        emails.team_message(signup, text)
    audit.record(
        "signup.message",
        actor=actor,
        target=row,
        summary=f"{row.event.title}: a message to {recipients.count} {_people(recipients.count)} "
        f"({AUDIENCES[audience].lower()})",
        audience=audience,
        recipients=recipients.count,
        by_email=recipients.by_email,
        by_text=recipients.by_text,
        message=text,
        request_key=request_key,
    )
    return recipients.count


def _already_sent(row: Occurrence, request_key: str) -> int | None:
    """How many an earlier sending with the same key reached, from the audit log (None: not sent)."""
    entries = db.session.scalars(
        select(audit.AuditEntry).where(
            audit.AuditEntry.action == "signup.message",
            audit.AuditEntry.target_type == "occurrence",
            audit.AuditEntry.target_id == str(row.id),
        )
    )
    return next((e.details.get("recipients", 0) for e in entries if e.details.get("request_key") == request_key), None)


def _people(count: int) -> str:
    return "person" if count == 1 else "people"
