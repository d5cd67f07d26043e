"""Benchmark: send one newsletter to 10,000 subscribers through aiosmtpd on loopback.

Compares the real path (the worker's start and send tasks: one delivery row per recipient,
outcomes committed in batches of 50 or every second, one connection per batch) with a bare
smtplib loop sending the very same messages over one connection. aiosmtpd runs in its own
process, as a mail server would, so it does not share the senders' interpreter lock.
Prints figures; not a test.

    .venv/bin/python bench/newsletter_send.py [--subscribers N] [--database-url URL] [--workers 3]

The database: --database-url if given; else, with TEST_DATABASE_URL set (as in CI), a fresh
PostgreSQL database created and dropped for the run (10,000 subscribers, under two minutes);
else a SQLite file, where every per-copy commit waits for the disk (fsync), so the default
there is 2,500 subscribers to keep the run short: pass --subscribers 10000 for the full size.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import smtplib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from engagement import create_app  # noqa: E402
from engagement.core.db import utcnow  # noqa: E402
from engagement.extensions import db  # noqa: E402

INTRO = (
    "Thank you to everyone who came to our public meeting at **St John's Church Hall**. You told us that "
    "anti-social behaviour on the canal towpaths and vehicle crime are your top concerns.\n\n"
) * 4


class Sink:
    """Counts what arrives (in the server process)."""

    def __init__(self, counter):
        self.counter = counter

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.counter.get_lock():
            self.counter.value += 1
        return "250 OK"


def _serve(port: int, counter, ready) -> None:
    controller = Controller(Sink(counter), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def _temporary_postgres(server_url: str):
    """A uniquely named empty database on the test PostgreSQL server, and a function that drops it."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from engagement.config import normalise_database_url

    server = make_url(normalise_database_url(server_url))
    name = f"newsletter_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _setup(app, count: int):
    from engagement.news.services import PostDetails, save_post
    from engagement.newsletter.issues import create_issue, update_issue
    from engagement.newsletter.models import Subscriber, Subscription
    from engagement.teams.services import save_team

    db.create_all()
    team = save_team(None, actor=None, name="Ladywood", area="Birmingham", coverage=["B1"])
    posts = [
        save_post(None, PostDetails(f"News item {n}", "A short summary of the news item for residents.",
                                    "Body text. " * 40, team), actor=None, publish=True)
        for n in range(3)
    ]  # fmt: skip
    now = utcnow()
    db.session.execute(insert(Subscriber), [
        {"email": f"resident{n:05d}@example.org", "secret": f"s{n:010d}", "confirmed_at": now,
         "created_at": now, "updated_at": now} for n in range(count)])  # fmt: skip
    ids = db.session.scalars(db.select(Subscriber.id)).all()
    db.session.execute(insert(Subscription), [
        {"subscriber_id": i, "team_id": team.id, "requested_at": now, "confirmed_at": now, "consent_text": "bench",
         "source": "import"} for i in ids])  # fmt: skip
    issue = create_issue(actor=None, team=team, subject="Ladywood news: benchmark issue", intro=INTRO, weeks=0)
    update_issue(issue, actor=None, subject=issue.subject, intro=INTRO, weeks=0, post_ids=[p.id for p in posts])
    db.session.commit()
    return issue


def run_worker(app, issue) -> tuple[float, list[tuple[str, bytes]]]:
    """The worker's two tasks, timed; also keeps each message as it was handed to SMTP, for the replay."""
    from engagement.core.mail import SmtpConnection
    from engagement.newsletter import delivery
    from engagement.newsletter.issues import schedule

    sent: list[tuple[str, bytes]] = []
    original = SmtpConnection.send

    def keep(self, to_addr, raw):
        sent.append((to_addr, raw))
        return original(self, to_addr, raw)

    SmtpConnection.send = keep
    schedule(issue, actor=None)
    db.session.commit()
    started = time.perf_counter()
    delivery.start_due()
    while delivery.send_due(budget_seconds=600):
        pass
    elapsed = time.perf_counter() - started
    SmtpConnection.send = original
    return elapsed, sent


def _share(config: dict, ready, go, done) -> None:
    """One of several worker processes sharing a send (PostgreSQL, SKIP LOCKED)."""
    from engagement.newsletter import delivery

    app = create_app(config)
    with app.app_context():
        db.engine.dispose()  # never reuse the parent's connections after fork
        ready.release()
        go.wait()
        while not done.is_set():
            if not delivery.send_due(budget_seconds=600):
                time.sleep(0.01)


def run_shared(app, config: dict, count: int, issue_id: int) -> float:
    """Send a second issue with `count` worker processes; returns the seconds until every copy went."""
    from engagement.newsletter import delivery
    from engagement.newsletter.issues import schedule
    from engagement.newsletter.models import SENT, Issue

    ready, go, done = multiprocessing.Semaphore(0), multiprocessing.Event(), multiprocessing.Event()
    workers = [multiprocessing.Process(target=_share, args=(config, ready, go, done)) for _ in range(count)]
    for worker in workers:
        worker.start()
    for _ in workers:  # every process has started and built its app before the clock starts
        ready.acquire(timeout=60)
    schedule(db.session.get(Issue, issue_id), actor=None)
    db.session.commit()
    started = time.perf_counter()
    delivery.start_due()
    go.set()
    while True:
        delivery.finish()
        if db.session.get(Issue, issue_id).status == SENT:
            break
        db.session.rollback()
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    done.set()
    for worker in workers:
        worker.join(30)
    return elapsed


def run_smtplib(port: int, sender: str, messages: list[tuple[str, bytes]]) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for to, raw in messages:
            smtp.sendmail(sender, [to], raw)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=None)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=3, help="also time this many worker processes (PostgreSQL)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="newsletter-bench-"))
    drop = None
    url = args.database_url
    if url is None and os.environ.get("TEST_DATABASE_URL"):
        url, drop = _temporary_postgres(os.environ["TEST_DATABASE_URL"])
    url = url or f"sqlite:///{workdir / 'bench.db'}"
    if args.subscribers is None:
        args.subscribers = 2_500 if url.startswith("sqlite") else 10_000
    port, counter, ready = _free_port(), multiprocessing.Value("i", 0), multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(port, counter, ready), daemon=True)
    server.start()
    ready.wait(30)
    config = {
        "APP_ENV": "test", "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": url, "BASE_URL": "https://engage.example.org", "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port, "MAIL_DIR": str(workdir / "mail"), "RATELIMIT_ENABLED": False,
    }  # fmt: skip
    app = create_app(config)
    try:
        with app.app_context():
            setup_started = time.perf_counter()
            issue = _setup(app, args.subscribers)
            print(f"setup: {args.subscribers:,} subscribers on {db.engine.dialect.name} "
                  f"in {time.perf_counter() - setup_started:.1f}s")  # fmt: skip
            worker_seconds, replay = run_worker(app, issue)
            sent = counter.value
            average = sum(len(raw) for _, raw in replay) / max(len(replay), 1)
            bare_seconds = run_smtplib(port, "no-reply@example.org", replay)
            worker_rate, bare_rate = sent / worker_seconds, len(replay) / bare_seconds
            print(f"messages: {sent:,} received from the worker, {counter.value - sent:,} from the replay "
                  f"(average {average / 1024:.1f} KiB)")  # fmt: skip
            print(f"worker (delivery rows, batched commits):   {worker_seconds:6.1f}s  {worker_rate:7.0f} msg/s")
            print(f"bare smtplib loop, one connection:          {bare_seconds:6.1f}s  {bare_rate:7.0f} msg/s")
            print(f"ratio worker / bare smtplib: {worker_rate / bare_rate:.2f} (target at least 0.70)")
            if db.engine.dialect.name == "postgresql" and args.workers > 1:
                from engagement.newsletter.issues import create_issue

                second = create_issue(actor=None, team=issue.team, subject="Second issue", intro=INTRO, weeks=0)
                db.session.commit()
                shared_seconds = run_shared(app, config, args.workers, second.id)
                shared_rate = args.subscribers / shared_seconds
                print(f"{args.workers} worker processes sharing a send:  {shared_seconds:6.1f}s  {shared_rate:7.0f} msg/s"
                      f"  (ratio {shared_rate / bare_rate:.2f})")  # fmt: skip
            db.session.remove()
            db.engine.dispose()
    finally:
        server.terminate()
        server.join(10)
        if drop:
            drop()


if __name__ == "__main__":
    main()
