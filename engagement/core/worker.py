"""The background worker: `flask worker` loops, `flask worker --once` runs one pass (cron, tests).

Features register a task (a function that handles due rows and returns how many);
the worker runs each in turn. Each task owns its transactions.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import click
from flask import current_app
from flask.cli import with_appcontext

from engagement.extensions import db

TASKS: dict[str, Callable[[], int]] = {}


def register_task(name: str, func: Callable[[], int]) -> None:
    TASKS[name] = func


def run_once() -> dict[str, int]:
    """One pass over every task; a failing task is logged and rolled back, the others still run."""
    done = {}
    for name, func in TASKS.items():
        try:
            done[name] = func()
        except Exception:  # noqa: BLE001 - the loop must survive one broken task
            db.session.rollback()
            current_app.logger.exception("worker task %s failed", name)
            done[name] = -1
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
