"""The GOV.UK Notify transport, through Notify's official client (`notifications-python-client`).

Notify sends only through templates, so the service has one text template whose whole content
is `((body))` (NOTIFY_SMS_TEMPLATE_ID) and, for MAIL_TRANSPORT=notify, one email template with
subject `((subject))` and body `((body))` (NOTIFY_EMAIL_TEMPLATE_ID); README "Text messages".

Exactly once: Notify's `reference` is the outbox id. Before the call the row is committed as
"in flight"; a row found that way later (its worker died, or the answer never came) is first
looked up at Notify by reference (GET /v2/notifications?reference=...), and only sent if Notify
has no message with it. Outcomes: 201 sent (Notify's id kept); 400 permanent (recorded with
Notify's message; a `phone_number` validation error also blocks the number); 403 (our key or
clock), 429 and 5xx temporary, retried with the outbox's backoff.
"""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default as default_policy

from flask import current_app
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from engagement.core.mail import PermanentFailure, TemporaryFailure
from engagement.extensions import db

IN_FLIGHT = "in flight: no answer from Notify recorded"
NO_ANSWER = "no answer from Notify"


class BlockNumber(PermanentFailure):
    """Notify refused the number itself: no further texts to it."""

    blocks_number = True


def configured() -> bool:
    return bool(current_app.config.get("NOTIFY_API_KEY"))


def client() -> NotificationsAPIClient:
    cfg = current_app.config
    return NotificationsAPIClient(cfg["NOTIFY_API_KEY"], base_url=cfg["NOTIFY_BASE_URL"], timeout=cfg["NOTIFY_TIMEOUT"])


def _errors(exc: APIError) -> list[dict]:
    message = exc.message
    if isinstance(message, list):
        return [e for e in message if isinstance(e, dict)]
    return [{"error": "", "message": str(message)}]


def describe(exc: APIError) -> str:
    """'429 RateLimitError: Exceeded rate limit ...' from Notify's error shape."""
    parts = [f"{e.get('error', '')}: {e.get('message', '')}".strip(": ") for e in _errors(exc)]
    return f"{exc.status_code} " + "; ".join(parts)


def _raise(exc: APIError) -> None:
    """Turn the client's error into the outbox's temporary / permanent failure."""
    if exc.response is None:  # connection refused, timeout: Notify may or may not have the message
        raise TemporaryFailure(f"{NO_ANSWER}: {exc._message or type(exc.__cause__).__name__}") from exc
    text = describe(exc)
    status = exc.status_code
    if status == 400:
        if any(str(e.get("message", "")).startswith("phone_number") for e in _errors(exc)):
            raise BlockNumber(text) from exc
        raise PermanentFailure(text) from exc
    if status >= 500:
        raise TemporaryFailure(f"{NO_ANSWER} ({text})") from exc  # Notify may have made it: look before resending
    raise TemporaryFailure(text) from exc  # 403 our key or clock, 429 rate or daily limit


def _already_at_notify(api: NotificationsAPIClient, row, kind: str) -> str | None:
    """Notify's id for a message with this row's reference, if an interrupted attempt reached it."""
    try:
        found = api.get_all_notifications(template_type=kind, reference=str(row.id))
    except APIError as exc:
        _raise(exc)
    for notification in found.get("notifications", []):
        if notification.get("reference") == str(row.id):
            return notification["id"]
    return None


def _interrupted(row) -> bool:
    return row.attempts > 1 and (row.last_error or "").startswith((IN_FLIGHT, NO_ANSWER))


def deliver(row) -> None:
    """Send one outbox row (sms, or email with MAIL_TRANSPORT=notify); raises the outbox's failures."""
    kind = "sms" if row.channel == "sms" else "email"
    cfg = current_app.config
    template = cfg["NOTIFY_SMS_TEMPLATE_ID"] if kind == "sms" else cfg["NOTIFY_EMAIL_TEMPLATE_ID"]
    if not template:
        name = "NOTIFY_SMS_TEMPLATE_ID" if kind == "sms" else "NOTIFY_EMAIL_TEMPLATE_ID"
        raise TemporaryFailure(f"{name} is not set: create the template in Notify (README) and set it")
    api = client()
    if _interrupted(row) and (existing := _already_at_notify(api, row, kind)):
        row.notify_id = existing
        return
    row.last_error = IN_FLIGHT
    db.session.commit()  # from here a crash leaves a row that is looked up before it is ever resent
    try:
        if kind == "sms":
            response = api.send_sms_notification(
                phone_number=row.to_addr,
                template_id=template,
                personalisation={"body": row.raw.decode("utf-8")},
                reference=str(row.id),
            )
        else:
            response = api.send_email_notification(
                email_address=row.to_addr,
                template_id=template,
                personalisation={"subject": row.subject, "body": email_text(row.raw)},
                reference=str(row.id),
            )
    except APIError as exc:
        _raise(exc)
    row.notify_id = response["id"]


def email_text(raw: bytes) -> str:
    """The plain-text part of a queued email: what Notify's ((body)) receives."""
    message = message_from_bytes(raw, policy=default_policy)
    body = message.get_body(("plain",))
    return body.get_content() if body is not None else ""


def notification(notify_id: str) -> dict:
    """GET /v2/notifications/<id>; raises the outbox's failures."""
    try:
        return client().get_notification_by_id(notify_id)
    except APIError as exc:
        _raise(exc)


def received_texts(older_than: str | None = None) -> dict:
    """One page (up to 250, newest first) of GET /v2/received-text-messages."""
    try:
        return client().get_received_texts(older_than=older_than)
    except APIError as exc:
        _raise(exc)
