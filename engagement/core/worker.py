"""The background worker: `flask worker` loops, `flask worker --once` runs one pass (cron, tests).

Features register a task (a function that handles due rows and returns how many);
the worker runs each in turn. Each task owns its transactions.

Queue tasks (mail, newsletter sending) run on every pass: their rows are shared between
workers with FOR UPDATE SKIP LOCKED. Scheduled tasks (reminders, quorum, retention, feeds,
horizon...) have a period: before running one, a worker claims the row (task, period start)
in `worker_task_runs` with INSERT ... ON CONFLICT DO NOTHING, so however many workers run, on
however many hosts, each period runs once. A run that failed, or whose worker died (its
lease ran out), may be claimed again within the same period; a finished one never is.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Index, Integer, String, Text, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from engagement.core.db import UTCDateTime, utcnow
from engagement.extensions import db

TASKS: dict[str, Callable[[], int]] = {}
PERIODS: dict[str, timedelta] = {}  # periods given at registration; config WORKER_TASK_PERIODS overrides
_claimed: dict[str, datetime] = {}  # task -> start of the period this process is running it for

RUNNING, DONE, FAILED = "running", "done", "failed"
RUN_LEASE = timedelta(minutes=15)  # a run still "running" after this is taken to have died with its worker
RETRY_AFTER = timedelta(minutes=1)  # a failed run is tried again this long after, within its period
KEEP_RUNS = timedelta(days=7)  # older run rows are deleted as new periods are claimed


class TaskRun(db.Model):
    """One row per scheduled task and period: the claim that makes the period run once."""

    __tablename__ = "worker_task_runs"
    __table_args__ = (Index("uq_worker_task_runs_task_period", "task", "period_start", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(80), nullable=False)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker: Mapped[str] = mapped_column(String(120), nullable=False)
    handled: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


def register_task(name: str, func: Callable[[], int], every: timedelta | None = None) -> None:
    """Add a task; with `every` it is scheduled (once per period across all workers)."""
    TASKS[name] = func
    if every is not None:
        PERIODS[name] = every


def period_of(name: str) -> timedelta | None:
    """The task's period: config WORKER_TASK_PERIODS (seconds) wins over registration; 0 means every pass."""
    configured = current_app.config.get("WORKER_TASK_PERIODS", {})
    if name in configured:
        seconds = float(configured[name])
        return timedelta(seconds=seconds) if seconds > 0 else None
    return PERIODS.get(name)


def claimed_period(name: str) -> datetime | None:
    """While a scheduled task runs, the start of the period it was claimed for (a task may key work on it)."""
    return _claimed.get(name)


def period_start(now: datetime, period: timedelta) -> datetime:
    """Periods are aligned on the Unix epoch, so every worker computes the same boundaries."""
    seconds = period.total_seconds()
    return datetime.fromtimestamp((now.timestamp() // seconds) * seconds, UTC)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def claim(name: str, period: timedelta, now: datetime | None = None) -> TaskRun | None:
    """Claim this period of the task for this worker, or None if another has it or finished it."""
    now = now or utcnow()
    start = period_start(now, period)
    me = worker_name()
    values = {"task": name, "period_start": start, "status": RUNNING, "started_at": now, "worker": me}
    inserted = db.session.execute(_insert_ignoring_conflict().values(**values)).scalar() is not None
    db.session.commit()  # the claim is visible to every other worker from here on
    row = db.session.scalar(
        select(TaskRun)
        .where(TaskRun.task == name, TaskRun.period_start == start)
        .execution_options(populate_existing=True)
    )
    if inserted:
        _forget_old_runs(name, now)
        return row
    retake = (row.status == FAILED and row.finished_at is not None and row.finished_at <= now - RETRY_AFTER) or (
        row.status == RUNNING and row.started_at <= now - RUN_LEASE
    )
    if not retake:
        db.session.rollback()
        return None
    # Compare-and-set on the state we read: of several workers retaking it, one wins.
    taken = db.session.execute(
        update(TaskRun)
        .where(TaskRun.id == row.id, TaskRun.status == row.status, TaskRun.started_at == row.started_at)
        .values(status=RUNNING, started_at=now, worker=me, finished_at=None),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    if taken.rowcount != 1:
        return None
    return db.session.get(TaskRun, row.id, populate_existing=True)


def _insert_ignoring_conflict():
    """INSERT ... ON CONFLICT DO NOTHING: of two workers inserting the same period, one row is made."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(TaskRun.__table__).on_conflict_do_nothing().returning(TaskRun.__table__.c.id)


def _forget_old_runs(name: str, now: datetime) -> None:
    db.session.execute(
        delete(TaskRun).where(TaskRun.task == name, TaskRun.period_start < now - KEEP_RUNS),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def _finish(run_id: int, status: str, handled: int | None = None, error: str | None = None, now=None) -> None:
    db.session.execute(
        update(TaskRun)
        .where(TaskRun.id == run_id)
        .values(status=status, finished_at=now or utcnow(), handled=handled, error=error),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def run_once() -> dict[str, int]:
    """One pass over every task; a failing task is logged and rolled back, the others still run.

    A scheduled task whose period another worker holds (or has finished) counts 0 in this pass."""
    done = {}
    for name, func in TASKS.items():
        period = period_of(name)
        run_id = None
        try:
            if period is not None:
                run = claim(name, period)
                if run is None:
                    done[name] = 0
                    continue
                run_id, _claimed[name] = run.id, run.period_start
            done[name] = func()
            if run_id is not None:
                _finish(run_id, DONE, handled=done[name])
        except Exception as exc:  # noqa: BLE001 - the loop must survive one broken task
            db.session.rollback()
            current_app.logger.exception("worker task %s failed", name)
            done[name] = -1
            if run_id is not None:
                try:
                    _finish(run_id, FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
                except Exception:  # noqa: BLE001 - the database itself may be what failed
                    db.session.rollback()
        finally:
            _claimed.pop(name, None)
    return done


@click.command("worker")
@click.option("--once", is_flag=True, help="Run one pass and exit (for cron and tests).")
@click.option("--interval", default=10.0, show_default=True, help="Seconds to sleep between passes.")
@with_appcontext
def worker_command(once: bool, interval: float) -> None:
    """Send queued mail and run other background tasks."""
    while True:
        done = run_once()
        if once:
            click.echo(", ".join(f"{name}: {count}" for name, count in done.items()) or "no tasks")
            return
        db.session.remove()
        time.sleep(interval)
