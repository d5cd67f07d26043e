"""Three real `flask worker` processes on one PostgreSQL database: each scheduled task runs once per period.

The probe task writes a line per run; without the period claim in engagement.core.worker every
worker would run it on every pass (the control test shows the probe would see that).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import TEST_SECRET, create_postgres_database, make_test_app

ROOT = Path(__file__).resolve().parents[2]
SCHEDULED = ["signup-reminders", "speedwatch-quorum", "feeds", "events-horizon", "signup-purge"]


@pytest.fixture
def postgres_url(tmp_path):
    url, drop = create_postgres_database("engagement_ops")
    app = make_test_app(url, tmp_path)
    with app.app_context():
        from engagement.extensions import db

        db.create_all()
        db.engine.dispose()
    yield url
    drop()


def start_workers(url: str, tmp_path: Path, count: int, periods: str) -> list[subprocess.Popen]:
    env = {**os.environ, "APP_ENV": "test", "SECRET_KEY": TEST_SECRET, "DATABASE_URL": url, "MAIL_SERVER": "",
           "MAIL_DIR": str(tmp_path / "mail"), "PROBE_FILE": str(tmp_path / "probe.log"), "PROBE_PERIOD": "2",
           "WORKER_TASK_PERIODS": periods}  # fmt: skip
    procs = []
    for n in range(count):
        log = open(tmp_path / f"worker-{n}.log", "wb")  # noqa: SIM115 - the child writes it until killed
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "tests.ops.probe_app", "worker", "--interval", "0.05"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))  # fmt: skip
    return procs


def run_for(procs: list[subprocess.Popen], tmp_path: Path, seconds: float) -> float:
    """Let the workers run `seconds` from the probe's first run (starting Python and the app takes a while);
    returns how long they ran in all."""
    started = time.monotonic()
    deadline = started + 60
    while not (tmp_path / "probe.log").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(seconds)
    for proc in procs:
        proc.send_signal(signal.SIGKILL)
    for proc in procs:
        proc.wait(timeout=10)
    return time.monotonic() - started


def probe_lines(tmp_path: Path) -> list[tuple[datetime, int]]:
    path = tmp_path / "probe.log"
    lines = path.read_text().split("\n") if path.exists() else []
    return [(datetime.fromisoformat(p), int(pid)) for p, pid in (line.split() for line in lines if line)]


def test_three_workers_run_each_period_once(postgres_url, tmp_path):
    periods = ",".join(f"{name}=2" for name in SCHEDULED)
    procs = start_workers(postgres_url, tmp_path, 3, periods)
    elapsed = run_for(procs, tmp_path, 12)

    runs = probe_lines(tmp_path)
    per_period = Counter(start for start, _pid in runs)
    assert len(per_period) >= 5, f"the probe ran in too few periods: {per_period}"  # 12 s, 2 s periods
    assert max(per_period.values()) == 1, f"a period ran more than once: {per_period.most_common(3)}"
    starts = sorted(per_period)
    gaps = [(b - a).total_seconds() for a, b in zip(starts, starts[1:], strict=False)]
    assert set(gaps) == {2.0}, f"periods were skipped: {gaps}"  # once, and not fewer than once
    assert {pid for _s, pid in runs} <= {p.pid for p in procs}

    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT task, period_start, status, worker FROM worker_task_runs")).all()
    engine.dispose()
    tasks = Counter(task for task, *_ in rows)
    for name in SCHEDULED:  # at most once per 2 s period of the whole run, and they did run
        assert 3 <= tasks[name] <= elapsed / 2 + 1, f"{name} ran {tasks[name]} times in {elapsed:.0f}s"
    assert {status for _t, _p, status, _w in rows} <= {"done", "running"}  # running: killed mid-task


def test_control_without_the_claim_every_worker_runs_every_pass(postgres_url, tmp_path):
    """The probe can see duplicates: with its period set to 0 (every pass), three workers repeat periods."""
    procs = start_workers(postgres_url, tmp_path, 3, "ops-probe=0")
    run_for(procs, tmp_path, 3)
    per_period = Counter(start for start, _pid in probe_lines(tmp_path))
    assert per_period and max(per_period.values()) > 1
