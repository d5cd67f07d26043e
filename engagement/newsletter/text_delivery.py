"""How each text alert was delivered (issue 16): counts from its outbox rows, kept up to date by Notify's receipts.

An alert queues one outbox row per number (core.sms.queue_sms) whose `purpose` names the alert,
"alert-<kind>:<alert id>", so the rows of one alert are found without a table of their own. The worker
sends them and then polls Notify (core.sms_tasks.poll_receipts, or Notify's callback) for each
row's delivery status; these counts are read from the rows each time the page is shown, so they move
as receipts arrive. Buckets, as Notify names them:
* delivered: the phone got it;
* sending: still in our outbox, or accepted by Notify with no receipt yet;
* permanent failure: Notify said the number does not exist or cannot get texts (the number is then
  blocked), or refused the text, or we gave up retrying: it will not arrive;
* temporary failure: Notify tried for 72 hours (phone off, out of signal, inbox full); a later alert
  may still reach it. Notify's technical-failure (its own fault) counts here too;
* no receipt: written to a file (no NOTIFY_API_KEY: `make run`), or Notify no longer knows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from engagement.core.mail import FAILED, SENT, OutboxMessage
from engagement.extensions import db
from engagement.newsletter.text_models import TextAlert

SMS = "sms"  # core.sms.SMS, spelled here so listing alerts does not import the text machinery
PERMANENT, TEMPORARY, TECHNICAL = "permanent-failure", "temporary-failure", "technical-failure"
FAILURE_REASONS = {PERMANENT: "Notify: the number does not exist or cannot get texts"}


def alert_purpose(alert: TextAlert) -> str:
    """The outbox `purpose` of an alert's texts (40 characters at most: "alert-cancellation:" + the id)."""
    return f"alert-{alert.kind}:{alert.id}"


@dataclass
class Delivery:
    """One alert's texts by delivery state, and the parts (fragments) handed to Notify for it."""

    delivered: int = 0
    sending: int = 0
    permanent: int = 0
    temporary: int = 0
    no_receipt: int = 0
    parts_sent: int = 0

    @property
    def texts(self) -> int:
        return self.delivered + self.sending + self.permanent + self.temporary + self.no_receipt

    def add(self, status: str, receipt: str | None, count: int, with_notify: int, parts: int) -> None:
        if status == SENT:
            self.parts_sent += parts
        if receipt == "delivered":
            self.delivered += count
        elif status == FAILED or receipt == PERMANENT:
            self.permanent += count
        elif receipt in (TEMPORARY, TECHNICAL):
            self.temporary += count
        elif status == SENT and receipt in ("sent", "unknown"):
            self.no_receipt += count
        elif status == SENT and receipt is None:
            self.sending += with_notify  # accepted by Notify, receipt still to come
            self.no_receipt += count - with_notify  # written to a file
        else:  # waiting in the outbox, being sent, or Notify's created / sending / pending
            self.sending += count


def deliveries(alerts: Iterable[TextAlert]) -> dict[int, Delivery]:
    """{alert id: Delivery} for the alerts, in one grouped query over their outbox rows."""
    alerts = list(alerts)
    by_purpose = {alert_purpose(a): a.id for a in alerts}
    found = {a.id: Delivery() for a in alerts}
    if not alerts:
        return found
    rows = db.session.execute(
        select(
            OutboxMessage.purpose,
            OutboxMessage.status,
            OutboxMessage.delivery_status,
            func.count(OutboxMessage.id),
            func.count(OutboxMessage.notify_id),
            func.coalesce(func.sum(OutboxMessage.fragments), 0),
        )
        .where(OutboxMessage.channel == SMS, OutboxMessage.team_id.in_({a.team_id for a in alerts}))
        .where(OutboxMessage.purpose.in_(by_purpose))
        .group_by(OutboxMessage.purpose, OutboxMessage.status, OutboxMessage.delivery_status)
    )
    for purpose, status, receipt, count, with_notify, parts in rows:
        found[by_purpose[purpose]].add(status, receipt, int(count), int(with_notify), int(parts or 0))
    return found


def permanent_failures(alert: TextAlert, limit: int = 200) -> list[OutboxMessage]:
    """The alert's texts that will not arrive, oldest first (the page masks the numbers)."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == SMS, OutboxMessage.team_id == alert.team_id)
            .where(OutboxMessage.purpose == alert_purpose(alert))
            .where(or_(OutboxMessage.status == FAILED, OutboxMessage.delivery_status == PERMANENT))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )


def failure_reason(row: OutboxMessage) -> str:
    return row.last_error or FAILURE_REASONS.get(row.delivery_status or "", row.delivery_status or "failed")
