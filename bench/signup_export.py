"""Benchmark the sign-up export (issue 5). Prints figures; asserts nothing.

  .venv/bin/python bench/signup_export.py [ROWS]        (default 100,000)

Exports ROWS sign-ups (across 100 dates) to CSV through the app's own path (the export
query read with yield_per, core.exports column values, neutralising, local times, BOM),
and in the same run through a baseline: Python's csv.writer over the same rows fetched by
one plain SQL query. Reports rows per second for both (target: the app at least 0.5x the
baseline) and the export's peak memory growth (tracemalloc, in a separate pass so it does
not slow the timing; target: under 50 MB), plus the process's peak RSS.
Runs on a throwaway SQLite database (BENCH_DATABASE_URL to use PostgreSQL, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/DBNAME on an empty database).
"""

from __future__ import annotations

import csv
import io
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from engagement import create_app  # noqa: E402
from engagement.extensions import db  # noqa: E402

SECRET = "bench-secret-key-0123456789abcdef0123456789"
DATES = 100


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


def populate(rows: int) -> None:
    """A team, a weekly series of DATES dates, and `rows` sign-ups inserted in bulk."""
    from engagement.events.details import EventDetails, When
    from engagement.events.models import EventType
    from engagement.events.recurrence import RepeatPattern
    from engagement.events.services import create_event, ensure_default_types, save_venue
    from engagement.signups.models import Signup
    from engagement.teams.services import save_team

    ensure_default_types()
    team = save_team(None, actor=None, name="Ladywood", area="Birmingham", coverage=["B16"])
    venue = save_venue(None, actor=None, team=team, name="Ladywood Library", address="", postcode="B16 8HA")
    etype = db.session.scalar(db.select(EventType).where(EventType.slug == "neighbourhood-watch-meeting"))
    first = datetime.combine(date.today() + timedelta(days=1), dtime(19, 0))
    event = create_event(
        actor=None,
        details=EventDetails(
            team=team, event_type=etype, title="Neighbourhood Watch", venue=venue, capacity=None, signup_mode="required"
        ),  # fmt: skip
        when=When(first, first + timedelta(minutes=90)),
        pattern=RepeatPattern("weekly", count=DATES),
        publish=True,
    )
    db.session.commit()
    ids = [o.id for o in event.occurrences]
    batch = []
    for n in range(rows):
        batch.append(
            {
                "occurrence_id": ids[n % len(ids)],
                "status": "waiting" if n % 10 == 9 else "confirmed",
                "queue_no": n if n % 10 == 9 else None,
                "places": 1 + n % 3,
                "name": f"Resident {n} Ó'Brien" if n % 50 else f"=Resident {n}",
                "email": f"resident{n}@example.org",
                "phone": f"0121 496 {n % 1000:04d}" if n % 2 else "",
                "source": "web",
                "secret": f"s{n}",
                "attended": n % 4 == 0,
            }
        )
        if len(batch) == 10_000:
            db.session.execute(insert(Signup), batch)
            batch.clear()
    if batch:
        db.session.execute(insert(Signup), batch)
    db.session.commit()


def app_export() -> tuple[int, int]:
    """The app's CSV: the same generators the export view streams. Returns (rows, bytes)."""
    from engagement.core.exports import choose_columns
    from engagement.signups import exports

    columns = exports.bind(choose_columns(exports.COLUMNS, exports.DEFAULT_KEYS))
    filters = exports.ExportFilter()
    size = 0
    lines = 0
    for chunk in exports.csv_chunks(columns, exports.stream_rows(filters, columns)):
        size += len(chunk.encode())
        lines += chunk.count("\n")
    return lines - 1, size


BASELINE_SQL = """
SELECT o.starts_at, e.title, v.name, s.name, s.email, s.phone, s.places, s.status, s.queue_no, s.attended
FROM signups s
JOIN occurrences o ON o.id = s.occurrence_id
JOIN events e ON e.id = o.event_id
LEFT JOIN venues v ON v.id = COALESCE(o.venue_id, e.venue_id)
WHERE s.status != 'cancelled'
ORDER BY o.starts_at, o.id, s.status, s.queue_no, s.name, s.id
"""


def baseline_export() -> tuple[int, int]:
    """csv.writer over one plain SQL query: the floor for any CSV export of these rows."""
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(BASELINE_SQL)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            ["Date", "Event", "Venue", "Name", "Email", "Phone", "Places", "Status", "Position", "Attended"]
        )
        size = rows = 0
        while True:
            batch = cursor.fetchmany(1000)
            if not batch:
                break
            writer.writerows(batch)
            rows += len(batch)
            size += len(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate(0)
        return rows, size
    finally:
        connection.close()


def timed(func, repeat: int = 3) -> tuple[float, tuple]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    workdir = Path(tempfile.mkdtemp(prefix="bench-signups-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"
    app = make_app(url)
    with app.app_context():
        db.create_all()
        start = time.perf_counter()
        populate(rows)
        print(f"Database: {db.engine.dialect.name}; {rows:,} sign-ups over {DATES} dates "
              f"inserted in {time.perf_counter() - start:.1f} s")  # fmt: skip
        db.session.remove()

        app_time, (app_rows, app_bytes) = timed(app_export)
        base_time, (base_rows, base_bytes) = timed(baseline_export)
        db.session.remove()

        tracemalloc.start()
        before, _ = tracemalloc.get_traced_memory()
        app_export()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.session.remove()

        print(f"App export (core.exports CSV over the streamed query): {app_rows:,} rows, {app_bytes / 1e6:.1f} MB "
              f"in {app_time:.2f} s = {app_rows / app_time:,.0f} rows/s")  # fmt: skip
        print(f"Baseline (csv.writer over one plain SQL query):        {base_rows:,} rows, {base_bytes / 1e6:.1f} MB "
              f"in {base_time:.2f} s = {base_rows / base_time:,.0f} rows/s")  # fmt: skip
        ratio = (app_rows / app_time) / (base_rows / base_time)
        print(f"Speed: {ratio:.2f}x the baseline (target at least 0.5x)")
        print(
            f"Peak memory growth during the export (tracemalloc): {(peak - before) / 1e6:.1f} MB (target under 50 MB)"
        )
        print(
            f"Peak RSS of this process (includes populating): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )
    if url.startswith("sqlite"):
        (workdir / "bench.db").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
