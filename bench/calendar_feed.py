"""Benchmark the calendar feed (issue 4). Prints figures; asserts nothing.

  .venv/bin/python bench/calendar_feed.py        (or `make bench`)

1. Build time of /calendar.ics, uncached, for 1,000 events (50 of them weekly series),
   against the icalendar library alone serialising the same calendar prebuilt (target: within 1.5x).
2. SQL queries per feed request at 10 and at 1,000 events (target: constant, at most 3).
3. Requests per second under gunicorn for an unchanged feed and for a 304, against a minimal
   Flask app returning the same bytes under the same gunicorn settings (target: at least 0.5x).
   Needs `wrk` (Debian package wrk); that part is skipped with a note if it is missing.
Everything runs on loopback with a throwaway SQLite database (BENCH_DATABASE_URL to use another).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event as sa_event  # noqa: E402

from engagement import create_app  # noqa: E402
from engagement.extensions import db  # noqa: E402

WORK = Path(tempfile.mkdtemp(prefix="bench-calendar-"))
SECRET = "bench-secret-key-0123456789abcdef0123456789"


def make_app(url: str):
    os.environ.setdefault("SECRET_KEY", SECRET)
    return create_app(
        {
            "APP_ENV": "development",
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": url,
            "BASE_URL": "https://engage.example.org",
            "RATELIMIT_ENABLED": False,
        }
    )


def populate(app, total: int, series_count: int) -> None:
    """Events through the real services, as an officer would make them."""
    from engagement.events.details import EventDetails, When
    from engagement.events.models import EventType
    from engagement.events.recurrence import RepeatPattern
    from engagement.events.services import create_event, ensure_default_types, save_venue
    from engagement.teams.services import save_team

    with app.app_context():
        db.create_all()
        ensure_default_types()
        team = save_team(None, actor=None, name="Ladywood", area="Birmingham", coverage=["B1"])
        venue = save_venue(
            None,
            actor=None,
            team=team,
            name="Ladywood Community Library",
            address="Ladywood Middleway, Birmingham",
            postcode="B16 8HA",
        )
        types = db.session.scalars(db.select(EventType)).all()
        first = date.today() + timedelta(days=2)
        for n in range(total):
            day = first + timedelta(days=n % 300)
            start = datetime.combine(day, datetime.min.time()).replace(hour=9 + n % 10)
            create_event(
                actor=None,
                details=EventDetails(
                    team=team,
                    event_type=types[n % len(types)],
                    title=f"Event {n}: surgery café ☕",
                    description=f"Come and talk to us about anything.\n\nSession {n}.",
                    venue=venue,
                ),
                when=When(start, start + timedelta(minutes=90)),
                pattern=RepeatPattern("weekly", count=20) if n < series_count else None,
                publish=True,
            )
            if n % 100 == 99:
                db.session.commit()
        db.session.commit()


def count_queries(app, url: str) -> int:
    from engagement.events.calendar_feeds import FEED_CACHE

    FEED_CACHE.clear()
    from engagement.core.http_cache import read_engine

    with app.app_context():
        seen, engines = [], (db.engine, read_engine())  # feeds read through the fast-path engine (issue 21)
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        for engine in engines:
            sa_event.listen(engine, "before_cursor_execute", listener)
        try:
            assert app.test_client().get(url).status_code == 200
        finally:
            for engine in engines:
                sa_event.remove(engine, "before_cursor_execute", listener)
        return len(seen)


def build_times(app, runs: int = 5) -> tuple[float, float, bytes]:
    """(median seconds for our uncached build, median seconds for icalendar serialising alone, body)."""
    from icalendar import Calendar

    from engagement.core.db import utcnow
    from engagement.events import ical
    from engagement.events.calendar_feeds import FeedFilters, feed_events

    ours, alone = [], []
    with app.test_request_context():
        for _ in range(runs):
            db.session.expire_all()
            start = time.perf_counter()
            now = utcnow()
            body = ical.build_feed(feed_events(FeedFilters(), now), "Bench", now)
            ours.append(time.perf_counter() - start)
        prebuilt = Calendar.from_ical(body)
        for _ in range(runs):
            start = time.perf_counter()
            prebuilt.to_ical()
            alone.append(time.perf_counter() - start)
    return statistics.median(ours), statistics.median(alone), body


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


MINIMAL_APP = """
from flask import Flask, Response
BODY = open({path!r}, "rb").read()
app = Flask(__name__)

@app.route("/calendar.ics")
def feed():
    return Response(BODY, content_type="text/calendar; charset=utf-8",
                    headers={{"ETag": '"x"', "Cache-Control": "public, max-age=300"}})
"""


def gunicorn(module: str, port: int, env: dict, cwd: Path) -> subprocess.Popen:
    cmd = [
        str(ROOT / ".venv/bin/gunicorn"),
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        module,
    ]
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"gunicorn {module} did not start")


def wrk(url: str, headers: dict | None = None, seconds: int = 5) -> float:
    cmd = ["wrk", "-t2", "-c16", f"-d{seconds}s", url]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def throughput(db_url: str, body: bytes) -> None:
    if not shutil.which("wrk"):
        print("3. requests/second: skipped (install Debian's wrk: apt-get install -y wrk)")
        return
    (WORK / "feed.ics").write_bytes(body)
    (WORK / "minimal_app.py").write_text(MINIMAL_APP.format(path=str(WORK / "feed.ics")))
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": db_url,
        "BASE_URL": "https://engage.example.org",
        "PYTHONPATH": str(ROOT),
    }
    ours_port, floor_port = free_port(), free_port()
    ours = gunicorn("app:app", ours_port, env, ROOT)
    floor = gunicorn("minimal_app:app", floor_port, env, WORK)
    try:
        url = f"http://127.0.0.1:{ours_port}/calendar.ics"
        etag = subprocess.run(["curl", "-sI", url], capture_output=True, text=True).stdout
        etag = re.search(r"(?i)^etag:\s*(.+?)\s*$", etag, re.M).group(1)
        floor_url = f"http://127.0.0.1:{floor_port}/calendar.ics"
        wrk(url, seconds=1), wrk(floor_url, seconds=1)  # warm up both
        full, base = wrk(url), wrk(floor_url)
        not_modified = wrk(url, {"If-None-Match": etag})
        print("3. requests/second under gunicorn (2 sync workers, wrk -t2 -c16 -d5s, loopback):")
        print(f"   floor: minimal Flask route, same bytes      {base:9.0f} req/s")
        print(f"   /calendar.ics unchanged (200, cached body)  {full:9.0f} req/s  = {full / base:.2f}x floor")
        print(
            f"   /calendar.ics with If-None-Match (304)      {not_modified:9.0f} req/s  = {not_modified / base:.2f}x floor"
        )
        print("   target: at least 0.5x the floor")
    finally:
        for proc in (ours, floor):
            proc.terminate()
            proc.wait(timeout=10)


def main() -> None:
    url_big = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{WORK / 'big.db'}")
    url_small = f"sqlite:///{WORK / 'small.db'}"
    started = time.perf_counter()
    small, big = make_app(url_small), make_app(url_big)
    populate(small, 10, 2)
    populate(big, 1000, 50)
    print(f"(set up 10 and 1,000 events, 50 of them weekly series of 20, in {time.perf_counter() - started:.0f}s)")
    ours, alone, body = build_times(big)
    print(
        f"1. build /calendar.ics uncached, 1,000 events: {ours * 1000:.0f} ms; icalendar serialising the same "
        f"prebuilt calendar: {alone * 1000:.0f} ms; ratio {ours / alone:.2f}x (target within 1.5x); "
        f"{len(body) / 1024:.0f} KiB"
    )
    print(
        f"2. SQL queries per /calendar.ics request: {count_queries(small, '/calendar.ics')} at 10 events, "
        f"{count_queries(big, '/calendar.ics')} at 1,000 events (target: constant, at most 3); "
        f"team feed: {count_queries(big, '/teams/ladywood/calendar.ics')}"
    )
    throughput(url_big, body)
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
