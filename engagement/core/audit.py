"""Audit log: who did what to which record, and when.

Services call `record()` inside the same transaction as the change, so the entry
exists exactly when the change does. Admins read it at /staff/audit.
"""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import UTCDateTime, utcnow
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


def recent_entries(*, action: str | None = None, page: int = 1, per_page: int = 50):
    """One page of the log, newest first; the actor is joined in the same query."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
