"""Benchmark residents' pages against the framework floor (issue 21 item 4). Prints figures; asserts nothing.

  .venv/bin/python bench/resident_pages.py        (or `make bench`)

Under gunicorn (2 sync workers, wrk -t2 -c16 -d5s, loopback), side by side in one run: requests per
second for the event page of a bookable date, its sign-up form (GET) and the home page, each against a
minimal Flask route returning the same bytes under the same gunicorn settings. Targets: event page and
sign-up form >= 0.3x the floor, home page >= 0.6x. Also the statements each page sends.
On PostgreSQL when BENCH_DATABASE_URL (or TEST_DATABASE_URL) names a server: a database of its own,
dropped afterwards; else a throwaway SQLite file. Needs Debian's wrk; skipped with a note without it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
if not os.environ.get("BENCH_DATABASE_URL") and os.environ.get("TEST_DATABASE_URL"):
    os.environ["BENCH_DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]

import calendar_feed as shared  # noqa: E402 - gunicorn, wrk, free_port and make_app
import feed_incremental  # noqa: E402 - database(): a PostgreSQL database of its own, or SQLite

from engagement.extensions import db  # noqa: E402

WORK = Path(tempfile.mkdtemp(prefix="bench-resident-"))
EVENTS = 200

FLOOR_APP = """
from flask import Flask, Response
app = Flask(__name__)
PAGES = {{}}
for name, path in {pages!r}.items():
    PAGES[path] = open({work!r} + "/" + name + ".html", "rb").read()

def page(path):
    return Response(PAGES["/" + path], content_type="text/html; charset=utf-8")

app.add_url_rule("/", "home", lambda: page(""))
app.add_url_rule("/<path:path>", "page", page)
"""


def populate(app) -> int:
    """A team, a venue, EVENTS published events through the services; returns a bookable date's id."""
    from engagement.events.details import EventDetails, When
    from engagement.events.models import EventType
    from engagement.events.services import create_event, ensure_default_types, save_venue
    from engagement.teams.services import save_team

    with app.app_context():
        db.create_all()
        ensure_default_types()
        team = save_team(None, actor=None, name="Ladywood", area="Birmingham", coverage=["B1", "B16"])
        venue = save_venue(
            None, actor=None, team=team, name="Ladywood Community Library",
            address="Ladywood Middleway, Birmingham", postcode="B16 8HA", step_free=True,
        )  # fmt: skip
        types = {t.slug: t for t in db.session.scalars(db.select(EventType)).all()}
        first = date.today() + timedelta(days=3)
        target = None
        for n in range(EVENTS):
            start = datetime.combine(first + timedelta(days=n % 90), datetime.min.time()).replace(hour=10 + n % 8)
            event = create_event(
                actor=None,
                details=EventDetails(
                    team=team,
                    event_type=types["police-surgery"],
                    title=f"Police surgery {n}",
                    venue=venue,
                    description="Come and talk to your local officers about anything that worries you.",
                    capacity=30,
                    signup_mode="required",
                    max_places_per_signup=4,
                ),  # fmt: skip
                when=When(start, start + timedelta(hours=1)),
                publish=True,
            )
            target = target or event.occurrences[0].id
        db.session.commit()
        return target


def statements(app, url: str) -> int:
    """Statements one anonymous GET sends on either engine, after one warm-up request."""
    from sqlalchemy import event as sa_event

    from engagement.core.http_cache import read_engine

    with app.app_context():
        client = app.test_client()
        client.get(url)
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        engines = {db.engine, read_engine()}
        for engine in engines:
            sa_event.listen(engine, "before_cursor_execute", listener)
        try:
            assert app.test_client().get(url).status_code == 200
        finally:
            for engine in engines:
                sa_event.remove(engine, "before_cursor_execute", listener)
        return len(seen)


def main() -> None:
    url, drop = feed_incremental.database("resident")
    try:
        app = shared.make_app(url)
        target = populate(app)
        pages = {"event": f"/events/{target}", "signup": f"/events/{target}/sign-up", "home": "/"}
        print(f"resident pages: {EVENTS} events on {url.split(':')[0]}")
        for path in pages.values():
            print(f"   statements per anonymous GET of {path:24s} {statements(app, path)}")
        if not shutil.which("wrk"):
            print("   requests/second: skipped (install Debian's wrk: apt-get install -y wrk)")
            return
        throughput(url, pages)
    finally:
        drop()


def throughput(url: str, pages: dict[str, str]) -> None:
    env = feed_incremental.env_for(url)
    port, floor_port = shared.free_port(), shared.free_port()
    ours = shared.gunicorn("app:app", port, env, ROOT)
    try:
        for name, path in pages.items():
            out = subprocess.run(["curl", "-s", f"http://127.0.0.1:{port}{path}"], capture_output=True, check=True)
            (WORK / f"{name}.html").write_bytes(out.stdout)
        (WORK / "floor_app.py").write_text(FLOOR_APP.format(pages=pages, work=str(WORK)))
        floor = shared.gunicorn("floor_app:app", floor_port, env, WORK)
        try:
            print("   requests/second under gunicorn (2 sync workers, wrk -t2 -c16 -d5s, loopback):")
            targets = {"event": 0.3, "signup": 0.3, "home": 0.6}
            for name, path in pages.items():
                mine, base = f"http://127.0.0.1:{port}{path}", f"http://127.0.0.1:{floor_port}{path}"
                shared.wrk(mine, seconds=1), shared.wrk(base, seconds=1)  # warm up both
                rate, floor_rate = shared.wrk(mine), shared.wrk(base)
                print(
                    f"   {path:24s} {rate:7.0f} req/s vs floor {floor_rate:7.0f} = {rate / floor_rate:.2f}x"
                    f"  (target >= {targets[name]}x)"
                )
        finally:
            floor.terminate()
            floor.wait(timeout=10)
    finally:
        ours.terminate()
        ours.wait(timeout=10)


if __name__ == "__main__":
    main()
