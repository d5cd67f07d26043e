"""The period claim in engagement.core.worker, in one process on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from engagement.core import worker
from engagement.core.worker import DONE, FAILED, RUN_LEASE, RUNNING, TaskRun, claim, period_start, run_once

HOUR = timedelta(hours=1)
NOON = datetime(2027, 3, 2, 12, 20, tzinfo=UTC)


def test_periods_align_on_the_epoch():
    assert period_start(NOON, HOUR) == datetime(2027, 3, 2, 12, 0, tzinfo=UTC)
    assert period_start(NOON, timedelta(minutes=7)) == datetime(2027, 3, 2, 12, 18, tzinfo=UTC)


def test_a_period_is_claimed_once(app, db):
    first = claim("t", HOUR, NOON)
    assert first is not None and first.status == RUNNING
    assert claim("t", HOUR, NOON + timedelta(minutes=5)) is None  # same period: someone has it
    assert claim("other", HOUR, NOON) is not None  # another task has its own periods
    assert claim("t", HOUR, NOON + HOUR) is not None  # the next period


def test_a_failed_run_is_retried_after_a_minute_and_a_dead_one_after_its_lease(app, db):
    run = claim("t", HOUR, NOON)
    worker._finish(run.id, FAILED, error="boom", now=NOON)
    assert claim("t", HOUR, NOON + timedelta(seconds=30)) is None
    again = claim("t", HOUR, NOON + timedelta(minutes=2))
    assert again is not None and again.id == run.id and again.status == RUNNING
    assert claim("t", HOUR, NOON + timedelta(minutes=3)) is None  # running, lease not over
    dead = claim("t", HOUR, NOON + timedelta(minutes=2) + RUN_LEASE)
    assert dead is not None and dead.id == run.id
    worker._finish(run.id, DONE, handled=3, now=NOON + timedelta(minutes=30))
    assert claim("t", HOUR, NOON + timedelta(minutes=39)) is None  # finished: never again this period


def test_run_once_runs_a_scheduled_task_once_per_period_and_records_it(app, db):
    calls = []
    worker.register_task("ops-test", lambda: calls.append(1) or 7, every=HOUR)
    try:
        assert run_once()["ops-test"] == 7
        assert run_once()["ops-test"] == 0  # same period: skipped, counted as nothing done
        assert calls == [1]
        row = db.session.scalars(select(TaskRun).where(TaskRun.task == "ops-test")).one()
        assert row.status == DONE and row.handled == 7 and row.finished_at is not None
        app.config["WORKER_TASK_PERIODS"] = {**app.config["WORKER_TASK_PERIODS"], "ops-test": 0}
        run_once()
        assert calls == [1, 1]  # period 0 in config: every pass
    finally:
        worker.TASKS.pop("ops-test")
        worker.PERIODS.pop("ops-test")


def test_a_failing_scheduled_task_is_recorded_and_the_others_still_run(app, db):
    def broken():
        raise RuntimeError("feed server on fire")

    worker.register_task("ops-broken", broken, every=HOUR)
    try:
        done = run_once()
        assert done["ops-broken"] == -1 and done["mail"] == 0
        row = db.session.scalars(select(TaskRun).where(TaskRun.task == "ops-broken")).one()
        assert row.status == FAILED and "feed server on fire" in row.error
    finally:
        worker.TASKS.pop("ops-broken")
        worker.PERIODS.pop("ops-broken")


def test_old_run_rows_are_forgotten(app, db):
    old = claim("t", HOUR, NOON - timedelta(days=8))
    db.session.execute(update(TaskRun).where(TaskRun.id == old.id).values(status=DONE))
    db.session.commit()
    claim("t", HOUR, NOON)
    assert [r.period_start for r in db.session.scalars(select(TaskRun))] == [period_start(NOON, HOUR)]


def test_the_features_scheduled_tasks_have_periods(app):
    scheduled = {name for name in worker.TASKS if worker.period_of(name)}
    assert {"signup-reminders", "speedwatch-quorum", "feeds", "events-horizon", "signup-purge"} <= scheduled
    assert {"mail", "newsletter-send"}.isdisjoint(scheduled)  # queues: every pass, shared with SKIP LOCKED
