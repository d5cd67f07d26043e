"""Core's data-protection part: the mail outbox and the audit log, searched and scrubbed last.

Erasure runs after every feature's provider, so it also catches what those providers wrote
while erasing (a withdrawal's audit entry, a cancellation email). Rules for each table:
* outbox_messages to the person: still pending, deleted (cancelled); otherwise the address and
  body are blanked and the row (subject, status, times) stays, so the outbox's figures stay true.
  Messages to others that mention them (a team's "new application from ..." email) lose their body.
* audit_entries that name them: the address, phone and full name are replaced by "[erased]";
  the entry (who did what, when) stays.
Retention: bodies OUTBOX_BODIES days after sending, rows after OUTBOX_ROWS, the audit log after
AUDIT_LOG, sign-in and password-reset entries after LOGIN_RECORDS (RETENTION_DAYS in settings).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

from flask import current_app
from sqlalchemy import String, cast, delete, func, or_, select, update

from engagement.core.audit import AuditEntry
from engagement.core.mail import FAILED, PENDING, SENT, OutboxMessage
from engagement.core.personal_data import (
    EMAIL,
    Provider,
    Record,
    RetentionRule,
    Subject,
    erased_email,
    register_provider,
    register_retention_rule,
    retention_days,
    text_mentions,
)
from engagement.extensions import db

ERASED = "[erased]"
SCAN_LIMIT = 200_000  # bodies read per search at most; retention keeps far fewer than this
LOGIN_ACTIONS = (
    "user.login",
    "user.login_failed",
    "user.login_refused",
    "user.password_reset_requested",
    "user.password_reset",
    "user.two_factor_failed",
    "user.two_factor_passed",
)


def _body_text(raw: bytes) -> str:
    """Every text part of a stored message, decoded (bodies may be quoted-printable or base64)."""
    try:
        message = message_from_bytes(raw, policy=default_policy)
        parts = [message.get("Subject", ""), message.get("To", "")]
        for part in message.walk():
            if part.get_content_maintype() == "text":
                parts.append(part.get_content())
        return "\n".join(str(p) for p in parts).lower()
    except Exception:  # noqa: BLE001 - a broken message is still searched as bytes
        return raw.decode("utf-8", "replace").lower()


def _terms(subject: Subject, names: frozenset[str]) -> list[str]:
    # A lone first name would match strangers: only full names (two words or more) are searched for.
    return [*subject.needles, *(n for n in names if len(n.split()) >= 2 and len(n) >= 5)]


def _mentioning(terms: list[str], exclude_to: str | None) -> list[OutboxMessage]:
    """Messages to other people whose body still exists and mentions one of the terms."""
    lowered = [t.lower() for t in terms]
    query = (
        select(OutboxMessage.id, OutboxMessage.raw)
        .where(func.length(OutboxMessage.raw) > 0)
        .order_by(OutboxMessage.id)
        .limit(SCAN_LIMIT)
        .execution_options(yield_per=500)
    )
    if exclude_to:
        query = query.where(func.lower(OutboxMessage.to_addr) != exclude_to)
    ids = [ident for ident, raw in db.session.execute(query) if any(t in _body_text(raw) for t in lowered)]
    if not ids:
        return []
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)))


def _to_them(subject: Subject) -> list[OutboxMessage]:
    if subject.kind != EMAIL:
        return []
    query = select(OutboxMessage).where(subject.where(OutboxMessage.to_addr)).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def _audit_naming(terms: list[str]) -> list[AuditEntry]:
    text = cast(AuditEntry.details, String)
    query = select(AuditEntry).where(
        or_(
            text_mentions(AuditEntry.actor_label, terms),
            text_mentions(AuditEntry.summary, terms),
            text_mentions(text, terms),
        )  # fmt: skip
    )
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def find(subject: Subject, names: frozenset[str]) -> list[Record]:
    terms = _terms(subject, names)
    own = _to_them(subject)
    records = [
        Record(
            kind="Email to them",
            at=m.sent_at or m.created_at,
            summary=f"{m.subject} ({m.status})",
            on_erase="Cancelled"
            if m.status == PENDING
            else "Address and message text deleted; the subject and outcome stay",
            data={
                "to": m.to_addr,
                "subject": m.subject,
                "status": m.status,
                "queued_at": m.created_at,
                "sent_at": m.sent_at,
            },  # fmt: skip
        )
        for m in own
    ]
    records += [
        Record(
            kind="Email to staff that mentions them",
            at=m.sent_at or m.created_at,
            summary=m.subject,
            on_erase="Message text deleted",
            data={"subject": m.subject, "queued_at": m.created_at, "sent_at": m.sent_at},
        )
        for m in _mentioning(terms, subject.value if subject.kind == EMAIL else None)
    ]
    records += [
        Record(
            kind="Audit log entry",
            at=e.at,
            summary=f"{e.action}: {e.summary}" if e.summary else e.action,
            on_erase="Their details replaced by [erased]; the entry stays",
            data={
                "at": e.at,
                "action": e.action,
                "by": "a staff account" if e.actor_id else e.actor_label,
                "summary": e.summary,
            },  # fmt: skip
        )
        for e in _audit_naming(terms)
    ]
    return records


def _scrub(value, pattern: re.Pattern):
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [_scrub(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, pattern) for k, v in value.items()}
    return value


def _forget_file(message: OutboxMessage) -> None:
    """Development writes .eml files instead of sending; the copy on disk goes with the body."""
    if message.file_path:
        path = Path(message.file_path)
        if path.is_file() and path.resolve().is_relative_to(Path(current_app.config["MAIL_DIR"]).resolve()):
            path.unlink()
        message.file_path = None


def erase(subject: Subject, records, *, actor=None, now: datetime) -> dict[str, int]:
    db.session.flush()  # see what the other providers changed and queued in this transaction
    names = frozenset(n for r in records for n in r.names)
    terms = _terms(subject, names)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    cancelled = blanked = 0
    for message in _to_them(subject):
        _forget_file(message)
        if message.status == PENDING:
            db.session.delete(message)
            cancelled += 1
            continue
        message.to_addr, message.raw = erased_email(f"mail-{message.id}"), b""
        message.subject = pattern.sub(ERASED, message.subject)
        blanked += 1
    for message in _mentioning(terms, None):
        _forget_file(message)
        message.raw, message.subject = b"", pattern.sub(ERASED, message.subject)
        blanked += 1
    entries = _audit_naming(terms)
    for entry in entries:
        entry.actor_label = pattern.sub(ERASED, entry.actor_label)
        entry.summary = pattern.sub(ERASED, entry.summary)
        entry.details = _scrub(dict(entry.details or {}), pattern)
    db.session.flush()
    return {"outbox_messages cancelled": cancelled, "outbox_messages blanked": blanked, "audit_entries": len(entries)}


PROVIDER = Provider(
    name="mail-and-audit",
    label="Emails we sent and the audit log",
    about=(
        "Every email the site sends is kept in its outbox until it has been delivered, then the message text is "
        "deleted after a while; the audit log records who did what (sign-ins, exports, changes) so the force can "
        "check how personal data was used."
    ),
    fields={
        "to": "the address the email was sent to",
        "subject": "the email's subject line",
        "status": "pending (not sent yet), sent, or failed",
        "queued_at": "when the site wrote the email",
        "sent_at": "when it was handed to the mail server",
        "at": "when the audited action happened",
        "action": "what happened, as a short code",
        "by": "who did it (a staff account, or a form residents use)",
        "summary": "the audit log's one-line description",
    },
    covers={
        "outbox_messages.to_addr": "blanked on erasure; the row is deleted after outbox-rows",
        "outbox_messages.subject": "their details replaced by [erased] on erasure",
        "outbox_messages.raw": "deleted on erasure, and outbox-bodies days after sending",
        "outbox_messages.file_path": "the development copy on disk is deleted with the body",
        "audit_entries.actor_label": "their details replaced by [erased] on erasure; audit-log",
        "audit_entries.summary": "their details replaced by [erased] on erasure; audit-log",
        "audit_entries.details": "their details replaced by [erased] on erasure; audit-log",
        "audit_entries.ip": "deleted with the entry (login-records, audit-log)",
        "privacy_suppressions.subject_hash": "a keyed hash, never the address: kept so we never contact them again",
    },
    not_personal={"data_versions.name": "the name of a cached data set, not a person"},
    find=find,
    erase=erase,
    order=1000,
)


def _blank_bodies(now: datetime) -> dict[str, int]:
    cutoff = now - timedelta(days=retention_days("outbox-bodies"))
    done = func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at)
    old = select(OutboxMessage).where(
        OutboxMessage.status.in_((SENT, FAILED)), done < cutoff, func.length(OutboxMessage.raw) > 0
    )
    count = 0
    for message in db.session.scalars(old.limit(10_000)):
        _forget_file(message)
        message.raw = b""
        count += 1
    db.session.commit()
    return {"message bodies deleted": count}


def _delete_rows(now: datetime) -> dict[str, int]:
    cutoff = now - timedelta(days=retention_days("outbox-rows"))
    gone = db.session.execute(
        delete(OutboxMessage).where(OutboxMessage.status.in_((SENT, FAILED)), OutboxMessage.created_at < cutoff)
    ).rowcount
    db.session.commit()
    return {"outbox messages deleted": gone or 0}


def _delete_audit(now: datetime) -> dict[str, int]:
    cutoff = now - timedelta(days=retention_days("audit-log"))
    gone = db.session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff)).rowcount
    db.session.commit()
    return {"audit entries deleted": gone or 0}


def _delete_logins(now: datetime) -> dict[str, int]:
    cutoff = now - timedelta(days=retention_days("login-records"))
    gone = db.session.execute(
        delete(AuditEntry).where(AuditEntry.action.in_(LOGIN_ACTIONS), AuditEntry.at < cutoff)
    ).rowcount
    # Nothing else keeps a typed address or an IP longer than this: clear the IPs of older entries too.
    cleared = db.session.execute(
        update(AuditEntry).where(AuditEntry.ip.is_not(None), AuditEntry.at < cutoff).values(ip=None)
    ).rowcount
    db.session.commit()
    return {"sign-in and password-reset entries deleted": gone or 0, "IP addresses cleared": cleared or 0}


RULES = (
    RetentionRule("outbox-bodies", "Email message text (the outbox)", lambda: retention_days("outbox-bodies"),
                  "after sending", "the recipient, subject and outcome", _blank_bodies, "RETENTION_DAYS outbox-bodies",
                  order=80),
    RetentionRule("outbox-rows", "Records of emails sent (recipient, subject, outcome)",
                  lambda: retention_days("outbox-rows"), "after sending", "nothing", _delete_rows,
                  "RETENTION_DAYS outbox-rows", order=81),
    RetentionRule("login-records", "Sign-in, failed sign-in and password-reset records, and IP addresses",
                  lambda: retention_days("login-records"), "after the event", "other audit entries, without IPs",
                  _delete_logins, "RETENTION_DAYS login-records", order=90),
    RetentionRule("audit-log", "The audit log", lambda: retention_days("audit-log"), "after the entry", "nothing",
                  _delete_audit, "RETENTION_DAYS audit-log", order=91),
)  # fmt: skip


def register() -> None:
    register_provider(PROVIDER)
    for rule in RULES:
        register_retention_rule(rule)
