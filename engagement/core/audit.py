"""Audit log: who did what to which record, and when.

Services call `record()` inside the same transaction as the change, so the entry
exists exactly when the change does. Admins read it at /staff/audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, Index, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.audit_actions import WORDS
from engagement.core.db import UTCDateTime, utcnow
from engagement.core.timeutil import local_to_utc
from engagement.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(255), default="system", nullable=False)
    action: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text, default="", nullable=False)
    details: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    ip: Mapped[str | None] = mapped_column(String(64))

    actor = relationship("User", lazy="joined")


def record(action: str, *, actor=None, target=None, summary: str = "", actor_label: str | None = None, **details):
    """Add an audit entry to the current session (the caller's transaction commits it)."""
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label or getattr(actor, "email", None) or "system",
        target_type=type(target).__name__.lower() if target is not None else None,
        target_id=str(target.id) if target is not None and getattr(target, "id", None) is not None else None,
        summary=summary,
        details=details,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    """What the admin asked for: words in a person's name or email, an action (a code, or a family
    ending in "."), and a range of local dates (both ends included)."""

    person: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def args(self) -> dict[str, str]:
        """The filter as query arguments, for the page links."""
        values = {
            "person": self.person,
            "action": self.action,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in values.items() if value}


def filter_from_args(args) -> tuple[AuditFilter, dict[str, str]]:
    """The filter from the page's query string, and a message per field that could not be read.

    A date that is not a date is reported (and ignored) rather than silently widening the search."""
    errors: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    for key, words in (("from", "from"), ("to", "to")):
        text = (args.get(key) or "").strip()
        dates[key] = None
        if text:
            try:
                dates[key] = date.fromisoformat(text)
            except ValueError:
                errors[key] = f"Enter the {words} date as a real date, for example 3 March 2026 (2026-03-03)"
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        errors["to"] = "The to date must be the same as or after the from date"
        dates["to"] = None
    person = " ".join((args.get("person") or "").split())[:100]
    action = (args.get("action") or "").strip()[:80]
    return AuditFilter(person=person, action=action, date_from=dates["from"], date_to=dates["to"]), errors


def _like(words: str) -> str:
    escaped = words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def recent_entries(*, action: str | None = None, page: int = 1, per_page: int = 50, filters: AuditFilter | None = None):
    """One page of the log, newest first; the actor is joined in the same query.

    A known action code matches exactly; a family ("user.") or an older hand-typed prefix matches
    every code starting with it. Dates are local days, so "to 3 March" includes the evening of 3 March."""
    filters = filters or AuditFilter(action=action or "")
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if filters.action:
        if filters.action in WORDS and not filters.action.endswith("."):
            query = query.where(AuditEntry.action == filters.action)
        else:
            query = query.where(AuditEntry.action.startswith(filters.action, autoescape=True))
    if filters.person:
        User = AuditEntry.actor.property.mapper.class_  # noqa: N806 - the actor's model, without core importing accounts
        pattern = _like(filters.person)
        actors = select(User.id).where(
            func.lower(User.display_name).like(pattern, escape="\\") | func.lower(User.email).like(pattern, escape="\\")
        )
        query = query.where(
            func.lower(AuditEntry.actor_label).like(pattern, escape="\\") | AuditEntry.actor_id.in_(actors)
        )
    if filters.date_from:
        query = query.where(AuditEntry.at >= local_to_utc(filters.date_from, time.min))
    if filters.date_to:
        query = query.where(AuditEntry.at < local_to_utc(filters.date_to + timedelta(days=1), time.min))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
