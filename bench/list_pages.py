"""Benchmark: public lists at 1,000 vs 100,000 dates on PostgreSQL, fresh tables and after ANALYZE (issue 21).

  .venv/bin/python bench/list_pages.py [--small 100] [--big 10000]     (or `make bench`)

Each size gets its own throwaway database on the server named by BENCH_DATABASE_URL or
TEST_DATABASE_URL (skipped with a note when neither is set), loaded in bulk with 10 dates per event
(tests/support/scale_data.py). For /events, /teams/<slug>, /events?team=<slug> and /api/v1/events it
prints the median time of a whole request (Flask test client, in process, so SQL and rendering, no
network) side by side, first on freshly loaded tables (no statistics: autovacuum is off on this
machine's cluster) and then after ANALYZE, and writes EXPLAIN ANALYZE of each page's statements to
bench/plans/. Prints figures; asserts nothing. Target: 100,000 dates within 1.3x of 1,000.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import text  # noqa: E402

from engagement import create_app  # noqa: E402
from engagement.extensions import db  # noqa: E402
from tests.support.scale_data import load, temporary_postgres  # noqa: E402

PLANS = ROOT / "bench" / "plans"
RUNS = 30


def make_app(url: str):
    return create_app({
        "APP_ENV": "test", "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": url, "BASE_URL": "http://localhost", "SERVER_NAME": "localhost",
        "RATELIMIT_ENABLED": False, "MAIL_SERVER": "",
    })  # fmt: skip


def urls(team: str) -> dict[str, str]:
    return {
        "/events": "/events",
        "/teams/<slug>": f"/teams/{team}",
        "/events?team=": f"/events?team={team}",
        "/api/v1/events": "/api/v1/events?per_page=20",
    }


def time_url(app, url: str) -> float:
    client = app.test_client()
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def save_plans(app, url: str, label: str, out) -> None:
    """EXPLAIN ANALYZE of every SELECT on the occurrences one request of `url` sends."""
    seen: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "occurrences" in statement:
            seen.append((statement, parameters))

    with app.app_context():
        sa_event.listen(db.engine, "before_cursor_execute", keep)
        try:
            app.test_client().get(url)
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", keep)
        with db.engine.connect() as conn:
            for statement, parameters in seen:
                rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
                out.write(f"-- {label}: {url}\n" + "\n".join(r[0] for r in rows) + "\n\n")


def measure(server: str, events: int) -> dict[tuple[str, str], float]:
    url, drop = temporary_postgres(server, "bench_lists")
    results = {}
    try:
        app = make_app(url)
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            info = load(db, events=events)
            dates = events * 10
            print(f"  loaded {events:,} events, {dates:,} dates in {time.perf_counter() - started:.1f}s")
            db.session.remove()
        PLANS.mkdir(exist_ok=True)
        with open(PLANS / f"lists_{dates}_dates.txt", "w") as out:
            for stats in ("fresh", "analyzed"):
                if stats == "analyzed":
                    with app.app_context():
                        db.session.execute(text("ANALYZE"))
                        db.session.commit()
                for name, path in urls(info["team"]).items():
                    results[(stats, name)] = time_url(app, path)
                    save_plans(app, path, f"{dates:,} dates, {stats}", out)
        with app.app_context():
            db.engine.dispose()
    finally:
        drop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100, help="events in the small run (10 dates each)")
    parser.add_argument("--big", type=int, default=10_000, help="events in the big run (10 dates each)")
    args = parser.parse_args()
    server = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not server:
        print("list pages: skipped (set TEST_DATABASE_URL or BENCH_DATABASE_URL to a PostgreSQL server)")
        return
    print("list pages on PostgreSQL, median ms per request (in process, 30 runs):")
    small, big = measure(server, args.small), measure(server, args.big)
    print(f"  {'page':<18} {'statistics':<10} {args.small * 10:>8,} dates {args.big * 10:>9,} dates   ratio")
    for (stats, name), small_ms in small.items():
        big_ms = big[(stats, name)]
        print(f"  {name:<18} {stats:<10} {small_ms:11.2f} ms {big_ms:12.2f} ms   {big_ms / small_ms:5.2f}x")
    print(f"  target: at most 1.3x either way; plans in {PLANS.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
