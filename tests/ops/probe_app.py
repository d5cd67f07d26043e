"""The real app plus one scheduled probe task, for `flask --app tests.ops.probe_app worker` in tests.

Every run of the probe appends "<period start> <pid>" to PROBE_FILE (one O_APPEND write, so lines
from several processes never interleave) and takes a little while, so workers overlap.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta

from engagement import create_app
from engagement.core.db import utcnow
from engagement.core.worker import claimed_period, period_start, register_task

PERIOD = timedelta(seconds=float(os.environ.get("PROBE_PERIOD", "1")))


def probe() -> int:
    # Unscheduled (the control test sets the period to 0), it has no claimed period: use the clock's.
    start = claimed_period("ops-probe") or period_start(utcnow(), PERIOD)
    line = f"{start.isoformat()} {os.getpid()}\n"
    fd = os.open(os.environ["PROBE_FILE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)
    time.sleep(0.2)
    return 1


register_task("ops-probe", probe, every=PERIOD)
app = create_app()
