"""Mail outbox: requests write a message row; the worker delivers it.

The full RFC 5322 message (with its Message-ID) is built once at queue time, so a
retry sends the very same bytes. Temporary SMTP failures back off and retry;
permanent ones (5xx) are recorded with the server's reason. With no MAIL_SERVER
the worker writes .eml files under MAIL_DIR instead, for development.
"""

from __future__ import annotations

import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from flask import current_app, render_template
from sqlalchemy import LargeBinary, String, Text, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from engagement.core.db import UTCDateTime, utcnow
from engagement.core.i18n import html_lang
from engagement.extensions import db

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
EMAIL = "email"
# CRLF line ends and lines within SMTP's 998-octet limit: smtplib sends bytes as they are.
WIRE = SMTP.clone(max_line_length=998)
LEASE = timedelta(minutes=5)


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    to_addr: Mapped[str] = mapped_column(String(320), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    message_id: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    status: Mapped[str] = mapped_column(String(12), default=PENDING, nullable=False, index=True)
    attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    file_path: Mapped[str | None] = mapped_column(String(500))
    # Channels (engagement.core.sms): "email" rows carry an RFC 5322 message in `raw`, "sms" rows the
    # text's UTF-8 body; team_id and purpose say whose spend a text is and why it was sent.
    channel: Mapped[str] = mapped_column(String(8), default=EMAIL, server_default=EMAIL, nullable=False)
    fragments: Mapped[int | None] = mapped_column()
    team_id: Mapped[int | None] = mapped_column(index=True)
    purpose: Mapped[str] = mapped_column(String(40), default="", server_default="", nullable=False)
    # GOV.UK Notify's id for the message once accepted, its latest delivery status, and when we last asked.
    notify_id: Mapped[str | None] = mapped_column(String(36), index=True)
    delivery_status: Mapped[str | None] = mapped_column(String(24))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TemporaryFailure(Exception):
    """Delivery may work later (connection refused, 4xx reply)."""


class PermanentFailure(Exception):
    """Delivery will never work for this message (5xx reply)."""


def build_message(to: str, subject: str, text: str, html: str | None = None, *, headers=None, attachments=()):
    """Build the MIME message with the `email` package (never by string pasting)."""
    msg = EmailMessage()
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(domain=domain)
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        subtype, _, params = subtype.partition(";")
        extra = {"params": {}}
        if "method=" in params:
            extra["params"]["method"] = params.split("method=")[1].strip()
        if maintype == "text":  # bytes say nothing of their encoding: declare it, or "Café" is read as Latin-1
            extra["params"]["charset"] = "utf-8"
        msg.add_attachment(data, maintype=maintype, subtype=subtype.strip(), filename=filename, **extra)
    # The language it is written in (core.i18n: the recipient's, forced around rendering in the worker). Set
    # last: set_content and the multipart steps move or drop Content-* headers set before them.
    if "Content-Language" not in msg:
        msg["Content-Language"] = html_lang()
    return msg


def queue_email(to: str, subject: str, text: str, html: str | None = None, **kwargs) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction; nothing is sent here."""
    msg = build_message(to, subject, text, html, **kwargs)
    row = OutboxMessage(to_addr=to, subject=subject, message_id=msg["Message-ID"], raw=msg.as_bytes(policy=WIRE))
    db.session.add(row)
    return row


def queue_templated(to: str, subject: str, template: str, **context) -> OutboxMessage:
    """Render `<template>.txt` (and `<template>.html` if it exists) and queue the result."""
    from engagement.core.urls import url_context

    with url_context():  # the worker has no request: templates may still use url_for
        text = render_template(f"{template}.txt", **context)
        html = None
        if current_app.jinja_env.loader is not None:
            try:
                html = render_template(f"{template}.html", **context)
            except Exception as exc:  # noqa: BLE001 - only a missing template is expected here
                if type(exc).__name__ != "TemplateNotFound":
                    raise
    return queue_email(to, subject, text, html)


def _claim(limit: int) -> list[OutboxMessage]:
    """Lease due messages; SKIP LOCKED lets several workers share the table on PostgreSQL."""
    now = utcnow()
    query = (
        select(OutboxMessage)
        .where(
            or_(
                (OutboxMessage.status == PENDING) & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == SENDING) & (OutboxMessage.locked_until < now),
            )
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(db.session.scalars(query))
    for row in rows:
        row.status = SENDING
        row.locked_until = now + LEASE
    db.session.commit()
    return rows


class SmtpConnection:
    """One SMTP connection reused for a batch of messages; reopened after a connection error."""

    def __init__(self):
        self.smtp = None

    def _open(self):
        cfg = current_app.config
        smtp_class = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        smtp = smtp_class(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"])
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        return smtp

    def send(self, to_addr: str, raw: bytes) -> None:
        sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
        try:
            if self.smtp is None:
                self.smtp = self._open()
            self.smtp.sendmail(sender, [to_addr], raw)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = next(iter(exc.recipients.values()))
            _raise_for_code(code, reason)
        except smtplib.SMTPAuthenticationError as exc:
            # Our credentials, not this message: keep it for when the settings are fixed.
            self.close()
            raise TemporaryFailure(f"SMTP login failed ({exc.smtp_code})") from exc
        except smtplib.SMTPResponseException as exc:
            if not isinstance(exc, smtplib.SMTPDataError):  # smtplib resets after a DATA refusal; else reconnect
                self.close()
            _raise_for_code(exc.smtp_code, exc.smtp_error)
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def _raise_for_code(code: int, reason) -> None:
    text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    if 500 <= code < 600:
        raise PermanentFailure(f"{code} {text}")
    raise TemporaryFailure(f"{code} {text}")


def _deliver_file(row: OutboxMessage) -> None:
    folder = Path(current_app.config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{row.created_at:%Y%m%d-%H%M%S}-{row.id}.eml"
    path.write_bytes(row.raw)
    row.file_path = str(path)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes, at most an hour between tries."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def send_due(limit: int = 50) -> int:
    """Deliver due messages over one connection; commits after each one so a crash repeats nothing finished."""
    handled = 0
    connection = SmtpConnection()
    try:
        for row in _claim(limit):
            _deliver_one(row, connection)
            handled += 1
    finally:
        connection.close()
    return handled


def mail_transport() -> str:
    """MAIL_TRANSPORT (smtp | notify | files); unset, smtp with a MAIL_SERVER and files without."""
    cfg = current_app.config
    return cfg.get("MAIL_TRANSPORT") or ("smtp" if cfg["MAIL_SERVER"] else "files")


def _deliver_text_file(row: OutboxMessage) -> None:
    """Without NOTIFY_API_KEY a text becomes a small file under SMS_DIR (development, `make run`)."""
    folder = Path(current_app.config["SMS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{row.created_at:%Y%m%d-%H%M%S}-{row.id}.txt"
    path.write_text(f"To: {row.to_addr}\nFragments: {row.fragments}\n\n{row.raw.decode('utf-8')}\n", encoding="utf-8")
    row.file_path = str(path)


def _send_row(row: OutboxMessage, connection: SmtpConnection) -> None:
    from engagement.core import notify

    if row.channel == "sms":
        if notify.configured():
            notify.deliver(row)
        else:
            _deliver_text_file(row)
        return
    transport = mail_transport()
    if transport == "notify":
        notify.deliver(row)
    elif transport == "smtp":
        connection.send(row.to_addr, row.raw)
    else:
        _deliver_file(row)


def _deliver_one(row: OutboxMessage, connection: SmtpConnection) -> None:
    row.attempts += 1
    try:
        _send_row(row, connection)
    except PermanentFailure as exc:
        row.status, row.last_error = FAILED, str(exc)
        if getattr(exc, "blocks_number", False):
            from engagement.core.sms import block

            block(row.to_addr, str(exc), row.id)
    except TemporaryFailure as exc:
        row.last_error = str(exc)
        if row.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            row.status = FAILED
            row.last_error = f"gave up after {row.attempts} attempts: {exc}"
        else:
            row.status = PENDING
            row.next_attempt_at = utcnow() + backoff(row.attempts)
    else:
        row.status, row.sent_at, row.last_error = SENT, utcnow(), None
    row.locked_until = None
    db.session.commit()


def outbox_page(page: int = 1, per_page: int = 50, channel: str | None = None):
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
