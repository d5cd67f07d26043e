"""Benchmark incremental calendar feeds (issue 21). Prints figures side by side; asserts nothing.

  .venv/bin/python bench/feed_incremental.py        (or `make bench`; never part of `make test`)

1. /calendar.ics after one event changed, 10,000 events: time to first byte under gunicorn
   (target <= 50 ms), beside the cold build of the same feed.
2. Cold build of the whole feed at 1,000 events (no stored entries, no cached body) against the
   icalendar library alone serialising the same calendar prebuilt (target <= 1.2x).
3. An unchanged feed (200) and a 304, at 100 and 1,000 events, against a minimal Flask route
   returning the same bytes, both under gunicorn (2 sync workers, wrk -t2 -c16; target >= 0.8x
   and >= 0.9x). Needs Debian's wrk; skipped with a note without it.
4. Statements per feed request at 10, 1,000 and 10,000 events, by path.
The database is PostgreSQL when BENCH_DATABASE_URL names one, otherwise a throwaway SQLite file.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import calendar_feed as shared  # noqa: E402 - gunicorn, wrk and the minimal app of the first feed benchmark
from sqlalchemy import delete, event, text  # noqa: E402

from engagement.extensions import db  # noqa: E402

WORK = Path(tempfile.mkdtemp(prefix="bench-feed-"))
shutil.rmtree(shared.WORK, ignore_errors=True)
# The floor: a minimal Flask route with the same bytes, answering 304 to its ETag as Flask does.
MINIMAL_APP = """
from flask import Flask, Response, request
BODY = open({path!r}, "rb").read()
app = Flask(__name__)

@app.route("/calendar.ics")
def feed():
    response = Response(BODY, content_type="text/calendar; charset=utf-8", headers={{"Cache-Control": "public, max-age=300"}})
    response.set_etag("x")
    return response.make_conditional(request)
"""


def populate(app, total: int, series_every: int = 20) -> None:
    """`total` events of one team, one in `series_every` a weekly series of 20, written as the ORM would."""
    from engagement.core.db import utcnow
    from engagement.events import series
    from engagement.events.details import new_uid
    from engagement.events.models import PUBLISHED, Event, EventType
    from engagement.events.recurrence import recurrence_id
    from engagement.events.services import ensure_default_types, save_venue
    from engagement.events.wall_clock import local_to_utc
    from engagement.teams.services import save_team

    with app.app_context():
        db.create_all()
        ensure_default_types()
        teams = [save_team(None, actor=None, name=n, area=a, coverage=[c]) for n, a, c in
                 (("Ladywood", "Birmingham", "B1"), ("Foleshill", "Coventry", "CV6"))]  # fmt: skip
        venue = save_venue(
            None, actor=None, team=teams[0], name="Ladywood Community Library", address="Ladywood", postcode="B16 8HA"
        )
        types = db.session.scalars(db.select(EventType)).all()
        now, first = utcnow(), date.today() + timedelta(days=2)
        for n in range(total):
            local = datetime.combine(first + timedelta(days=n % 300), datetime.min.time()).replace(hour=9 + n % 10)
            is_series = n % series_every == 0
            row = Event(
                uid=new_uid(), team=teams[n % 2], event_type=types[n % len(types)], venue=venue,
                title=f"Event {n}: surgery café ☕", description=f"Come and talk to us.\n\nSession {n}.",
                starts_at=local_to_utc(local), ends_at=local_to_utc(local + timedelta(minutes=90)),
                dtstart_local=recurrence_id(local), status=PUBLISHED, published_at=now, revision=0,
                rrule="FREQ=WEEKLY;COUNT=20" if is_series else None,
            )  # fmt: skip
            db.session.add(row)
            series.materialise(row, now=now, flush=False)
            if n % 500 == 499:
                db.session.commit()
        db.session.commit()


def statements(app, url: str) -> dict[str, int]:
    """Statements per request on both engines, by path: 304, cached body, from stored entries, after a change."""
    from engagement.core.http_cache import read_engine
    from engagement.events.calendar_feeds import FEED_CACHE

    client = app.test_client()

    def count(headers=None) -> int:
        with app.app_context():
            engines, seen = (read_engine(), db.engine), []
            listener = lambda *args: seen.append(args[2])  # noqa: E731
            for engine in engines:
                event.listen(engine, "before_cursor_execute", listener)
            try:
                response = client.get(url, headers=headers or {})
                response.get_data()  # a long feed streams: its statements run as it is read
                response.close()
            finally:
                for engine in engines:
                    event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    first = client.get(url)
    etag, _ = first.headers["ETag"], first.get_data()  # read to the end: the body is cached then
    out = {"304": count({"If-None-Match": etag}), "cached": count()}
    FEED_CACHE.clear()
    out["entries"] = count()
    touch_one(app)
    out["changed"] = count()
    return out


def touch_one(app, n: int = [0]) -> None:  # noqa: B006 - a counter across calls
    from engagement.events.models import Event

    n[0] += 1
    with app.app_context():
        row = db.session.scalars(db.select(Event).order_by(Event.id.desc()).limit(1)).one()
        row.title = f"Changed {n[0]}"
        db.session.commit()


def cold_build(app, runs: int = 3) -> tuple[float, float, bytes]:
    """Median seconds for the feed with no stored entries and no cached body, and icalendar alone."""
    from icalendar import Calendar

    from engagement.events.calendar_feeds import FEED_CACHE
    from engagement.events.feed_fragments import FeedFragment

    client, ours, alone = app.test_client(), [], []
    for _ in range(runs):
        with app.app_context():
            db.session.execute(delete(FeedFragment))
            db.session.commit()
        FEED_CACHE.clear()
        start = time.perf_counter()
        body = client.get("/calendar.ics").data
        ours.append(time.perf_counter() - start)
    prebuilt = Calendar.from_ical(body)
    for _ in range(runs):
        start = time.perf_counter()
        prebuilt.to_ical()
        alone.append(time.perf_counter() - start)
    return statistics.median(ours), statistics.median(alone), body


def ttfb(url: str) -> float:
    out = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{time_starttransfer}", url], capture_output=True, text=True
    )
    return float(out.stdout)


def env_for(url: str) -> dict:
    return {**os.environ, "APP_ENV": "production", "SECRET_KEY": shared.SECRET, "DATABASE_URL": url,
            "BASE_URL": "https://engage.example.org", "PYTHONPATH": str(ROOT), "DEMO_ACCOUNTS_ALLOWED": "0"}  # fmt: skip


def served(url: str, run, **env) -> None:
    port = shared.free_port()
    proc = shared.gunicorn("app:app", port, env_for(url) | env, ROOT)
    try:
        run(f"http://127.0.0.1:{port}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def database(name: str) -> tuple[str, callable]:
    base = os.environ.get("BENCH_DATABASE_URL")
    if not base:
        return f"sqlite:///{WORK / name}.db", lambda: None
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    db_name = f"bench_{name}_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{db_name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))

    return make_url(base).set(database=db_name).render_as_string(hide_password=False), drop


def main() -> None:
    from engagement.core.http_cache import read_engine

    sizes, apps, drops = (10, 100, 1000, 10000), {}, []
    started = time.perf_counter()
    for size in sizes:
        url, drop = database(f"e{size}")
        drops.append(drop)
        apps[size] = (shared.make_app(url), url)
        populate(apps[size][0], size)
    backend = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    print(f"(feeds of 10, 100, 1,000 and 10,000 events on {backend}, set up in {time.perf_counter() - started:.0f}s)")
    try:
        app, url = apps[10000]
        cold10k, _, _ = cold_build(app, runs=1)

        def after_change(base: str) -> None:
            for _ in range(4):  # each worker builds its own body first and learns the feed is long
                ttfb(base + "/calendar.ics")
            times = []
            for _ in range(5):
                touch_one(app)
                times.append(ttfb(base + "/calendar.ics"))
            print(f"1. after one event changed, 10,000 events: time to first byte {statistics.median(times) * 1000:.0f} ms "
                  f"(median of 5; target <= 50 ms); the same feed cold (nothing stored): {cold10k * 1000:.0f} ms")  # fmt: skip

        served(url, after_change, FEEDS_VERSION_SECONDS="0")  # the change made here must show at once
        ours, alone, body = cold_build(apps[1000][0])
        print(f"2. cold build, 1,000 events: {ours * 1000:.0f} ms; icalendar serialising the same prebuilt calendar: "
              f"{alone * 1000:.0f} ms; ratio {ours / alone:.2f}x (target <= 1.2x); {len(body) / 1024:.0f} KiB")  # fmt: skip
        throughput(apps)
        for size in (10, 1000, 10000):
            print(f"4. statements per request, {size:,} events: {statements(apps[size][0], '/calendar.ics')}")
    finally:
        for app, _ in apps.values():
            with app.app_context():
                db.engine.dispose()
                read_engine().dispose()
        for drop in drops:
            drop()
        shutil.rmtree(WORK, ignore_errors=True)


def throughput(apps) -> None:
    if not shutil.which("wrk"):
        print("3. requests/second: skipped (install Debian's wrk: apt-get install -y wrk)")
        return
    for size in (100, 1000):
        app, url = apps[size]
        body = app.test_client().get("/calendar.ics").data
        (WORK / "feed.ics").write_bytes(body)
        (WORK / "minimal_app.py").write_text(MINIMAL_APP.format(path=str(WORK / "feed.ics")))
        floor_port = shared.free_port()
        floor = shared.gunicorn("minimal_app:app", floor_port, env_for(url), WORK)

        def measure(base: str, size: int = size, floor_port: int = floor_port) -> None:
            feed, floor_url = base + "/calendar.ics", f"http://127.0.0.1:{floor_port}/calendar.ics"
            for _ in range(10):  # the workers may still be starting
                head = subprocess.run(["curl", "-sI", "-m", "60", feed], capture_output=True, text=True).stdout
                found = re.search(r"(?i)^etag:\s*(.+?)\s*$", head, re.M)
                if found:
                    break
                time.sleep(1)
            else:
                print(f"3. {size:,} events: no ETag from the app under gunicorn, skipped: {head[:200]!r}")
                return
            etag = found.group(1)
            shared.wrk(feed, seconds=1), shared.wrk(floor_url, seconds=1)
            base_rate, full = shared.wrk(floor_url), shared.wrk(feed)
            not_modified = shared.wrk(feed, {"If-None-Match": etag})
            floor_304 = shared.wrk(floor_url, {"If-None-Match": '"x"'})
            print(f"3. {size:,} events under gunicorn: unchanged feed {full:.0f} req/s vs floor {base_rate:.0f} "
                  f"= {full / base_rate:.2f}x (target >= 0.8x); 304 {not_modified:.0f} req/s vs floor's 304 "
                  f"{floor_304:.0f} = {not_modified / floor_304:.2f}x (target >= 0.9x)")  # fmt: skip

        try:
            served(url, measure)
        finally:
            floor.terminate()
            floor.wait(timeout=10)


if __name__ == "__main__":
    main()
