"""The daily retention pass: every rule the features registered, applied in turn, each one audited.

Worker task "privacy-retention" (daily, once across all workers). Each rule's function removes
what is older than its period and commits; the pass then writes one audit entry per rule
("privacy.retention.<rule>") with the counts, even when nothing was due, so the staff page can
show when each rule last ran and what it removed. A rule that fails is rolled back and audited
as failed; the others still run. Running twice in a row removes nothing more (each rule is
idempotent: it only touches rows still holding data past their date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from engagement.core import audit
from engagement.core.audit import AuditEntry
from engagement.core.db import utcnow
from engagement.core.personal_data import RetentionRule, retention_rules
from engagement.core.worker import TaskRun
from engagement.extensions import db

ACTION = "privacy.retention."
EVERY = timedelta(days=1)


def run_rules(now: datetime | None = None) -> int:
    """Apply every rule; returns how many records were removed or blanked in all."""
    now = now or utcnow()
    total = 0
    for rule in retention_rules():
        try:
            counts = rule.apply(now)
        except Exception as exc:  # noqa: BLE001 - one broken rule must not stop the others
            db.session.rollback()
            current_app.logger.exception("retention rule %s failed", rule.name)
            audit.record(f"{ACTION}{rule.name}", actor_label="worker", summary=f"{rule.label}: FAILED ({exc})"[:500],
                         rule=rule.name, failed=True)  # fmt: skip
            db.session.commit()
            continue
        removed = sum(counts.values())
        total += removed
        audit.record(
            f"{ACTION}{rule.name}",
            actor_label="worker",
            summary=f"{rule.label}: {removed} removed (kept {rule.days()} days {rule.when})",
            rule=rule.name,
            days=rule.days(),
            counts=counts,
            ran_at=now.isoformat(),
        )
        db.session.commit()
    return total


@dataclass
class RuleStatus:
    rule: RetentionRule
    last: AuditEntry | None
    hourly_removed: int | None  # what the older hourly task removed in the last 7 days, if the rule has one


def overview() -> list[RuleStatus]:
    """Each rule with its last run: two queries for any number of rules, plus one for the hourly tasks."""
    rules = retention_rules()
    latest = (
        select(func.max(AuditEntry.id))
        .where(AuditEntry.action.in_([f"{ACTION}{r.name}" for r in rules]))
        .group_by(AuditEntry.action)
    )
    entries = {e.action: e for e in db.session.scalars(select(AuditEntry).where(AuditEntry.id.in_(latest)))}
    tasks = [r.task for r in rules if r.task]
    hourly = dict(
        db.session.execute(
            select(TaskRun.task, func.coalesce(func.sum(TaskRun.handled), 0))
            .where(TaskRun.task.in_(tasks), TaskRun.handled > 0)
            .group_by(TaskRun.task)
        ).all()
    )
    return [
        RuleStatus(rule, entries.get(f"{ACTION}{rule.name}"), hourly.get(rule.task, 0) if rule.task else None)
        for rule in rules
    ]
