"""Load at force scale (issue 18): locust, headless, bounded, loopback. Prints figures; asserts nothing.

  .venv/bin/python bench/force_scale.py [--step 25] [--multipliers 1,3,6,10,15,25,40]   (or `make bench`)

The model, per second at x1 (West Midlands: 2.9 million people, 18 teams):
- calendar subscribers: 50,000 subscribed calendars polling hourly = 13.9 polls/s; 70% a team's
  feed, 20% a filtered /calendar.ics (team and type), 10% the whole force's; half of them send
  If-None-Match (Apple, Outlook), half do not (Google);
- residents browsing: 3.5 pages/s (25,000 visits a day of 5 pages, the busiest hour three times
  the average): home, teams, a team, its events, one date, news; one in 70 views is a sign-up
  (the form, then the POST), each from its own client address;
- officers editing now and then: 1 edit a minute (a date cancelled), each invalidating every feed
  (at least one per step, so its delay is measured: at x1 edits come twice as often as modelled);
- a newsletter to 10,000 subscribers, sent by the 2 workers while the first step runs.
Each multiplier runs the whole model that many times over for --step seconds, first through
nginx (TLS, feed cache), then straight against gunicorn (no cache). "Headroom" is the largest
multiplier at which all requests together keep p99 under 500 ms with under 1% errors (each
kind's p99 is printed too; at low multipliers a kind has few samples, so its p99 is its slowest). The load generator
shares the machine's 2 cores with everything it measures, so the figures are a floor.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from pathlib import Path

import gevent
import locust  # patches the standard library for gevent, before the stack's modules load
import psycopg
from locust import FastHttpUser, constant_throughput, task
from locust.env import Environment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))

from stack import Stack  # noqa: E402
from webclient import Client  # noqa: E402

FEED_POLLS, PAGES, SIGNUP_EVERY, EDITS_PER_MINUTE, SUBSCRIBERS = 50_000 / 3600, 3.5, 70, 1.0, 10_000
P99_LIMIT_MS, ERROR_LIMIT = 500, 0.01
COORDINATOR = ("bench.coordinator@example.org", "a-long-bench-password-0123456789")
STATE: dict = {}  # filled by main(): teams, types, dates to cancel, the stack


class Subscriber(FastHttpUser):
    """A calendar app: polls one feed, sending the ETag it was last given (when it is that kind of app)."""

    insecure = True

    def on_start(self):
        kind = random.random()
        team = random.choice(STATE["teams"])
        if kind < 0.7:
            self.path, self.name = f"/teams/{team}/calendar.ics", "feed: team"
        elif kind < 0.9:
            self.path, self.name = f"/calendar.ics?team={team}&type={random.choice(STATE['types'])}", "feed: filtered"
        else:
            self.path, self.name = "/calendar.ics", "feed: force"
        self.conditional, self.etag = random.random() < 0.5, None

    @task
    def poll(self):
        headers = {"If-None-Match": self.etag} if self.conditional and self.etag else {}
        with self.client.get(self.path, headers=headers, name=self.name, catch_response=True) as reply:
            if reply.status_code in (200, 304):
                self.etag = reply.headers.get("ETag") or self.etag
                reply.success()
            else:
                reply.failure(f"status {reply.status_code}")


class Resident(FastHttpUser):
    """Browses pages; now and then signs up (through the stdlib client, from its own loopback address)."""

    insecure = True

    @task
    def browse(self):
        team = random.choice(STATE["teams"])
        date = random.choice(STATE["signup_dates"])
        path, name = random.choice([("/", "page: home"), ("/teams", "page: teams"), (f"/teams/{team}", "page: team"),
                                    (f"/events?team={team}", "page: events"), (f"/events/{date}", "page: date"),
                                    ("/news", "page: news")])  # fmt: skip
        self.client.get(path, name=name)
        if random.random() < 1 / SIGNUP_EVERY:
            sign_up(self.environment, self.host, date)


def sign_up(environment, host: str, date: int) -> None:
    n = random.randrange(1, 250 * 250)
    source = f"127.1.{n // 250}.{n % 250 + 1}"  # nginx sees a separate client; gunicorn is told by X-Forwarded-For
    client = Client(host, str(STATE["stack"].cert), source=source)
    headers = {} if host.startswith("https") else {"X-Forwarded-For": f"198.18.{n // 250}.{n % 250 + 1}"}
    started = time.perf_counter()
    error = None
    try:
        reply = client.submit(f"/events/{date}/sign-up", {"name": "Load Test", "email": f"load{n}@example.org"},
                              headers=headers)  # fmt: skip
        if reply.status >= 400:
            error = RuntimeError(f"status {reply.status}")
    except Exception as exc:  # noqa: BLE001 - reported to locust as a failure
        error = exc
    environment.events.request.fire(request_type="POST", name="sign-up (form + post)", response_time=(time.perf_counter() - started) * 1000,
                                    response_length=0, exception=error, context={})  # fmt: skip


def officer(environment, host: str, step: float, rate_per_minute: float, delays: list[float]) -> None:
    """Cancel dates at the modelled rate; after each, a watcher polls that team's feed until it changes."""
    edits = max(1, round(rate_per_minute * step / 60))  # at least one per step, to measure its delay
    if "session" not in STATE["officer"].cookies:
        STATE["officer"].staff_login(*COORDINATOR)  # once: two-factor set-up happens on the first sign-in
    client = STATE["officer"]
    watchers = []
    for n in range(edits):
        gevent.sleep(step / (edits + 1))
        if not STATE["dates"]:
            break
        date, team = STATE["dates"].pop()
        watcher = Client(host, str(STATE["stack"].cert), source=f"127.0.0.{10 + n % 200}")
        feed = f"/teams/{team}/calendar.ics"
        before = watcher.get(feed, cookies=False).header("ETag")
        path = f"/staff/occurrences/{date}/cancel"
        page = client.submit(path, {"reason": "Load test: room unavailable"})
        if 'name="confirmed"' in page.text:
            client.submit_page(page, path, {"confirmed": "yes"})
        watchers.append(gevent.spawn(watch, watcher, feed, before, time.monotonic(), delays))
    gevent.joinall(watchers, timeout=40)  # bounded: nginx shows a change within s-maxage (30 s)
    gevent.killall(watchers)


def watch(client: Client, feed: str, before: str, edited: float, delays: list[float]) -> None:
    while client.get(feed, cookies=False).header("ETag") == before:
        gevent.sleep(0.25)
    delays.append(time.monotonic() - edited)


def run_step(host: str, multiplier: float, step: float) -> dict:
    feed_rate, page_rate = FEED_POLLS * multiplier, PAGES * multiplier
    feed_users, page_users = math.ceil(feed_rate / 2), math.ceil(page_rate / 2)
    feed_cls = type("Feeds", (Subscriber,), {"wait_time": constant_throughput(feed_rate / feed_users), "host": host,
                                             "fixed_count": feed_users})  # fmt: skip
    page_cls = type("Pages", (Resident,), {"wait_time": constant_throughput(page_rate / page_users), "host": host,
                                           "fixed_count": page_users})  # fmt: skip
    env = Environment(user_classes=[feed_cls, page_cls], events=locust.events)
    runner = env.create_local_runner()
    runner.start(feed_users + page_users, spawn_rate=500)
    gevent.sleep(3)  # ramp, not measured
    env.stats.reset_all()
    delays: list[float] = []
    edits = gevent.spawn(officer, env, host, step, EDITS_PER_MINUTE * multiplier, delays)
    started = time.monotonic()
    gevent.sleep(step)
    elapsed = time.monotonic() - started
    runner.quit()
    edits.join(timeout=60)
    kinds = {}
    for (name, _method), entry in sorted(env.stats.entries.items()):
        kinds[name] = {
            "rps": entry.num_requests / elapsed, "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95), "p99": entry.get_response_time_percentile(0.99),
            "errors": entry.num_failures / entry.num_requests if entry.num_requests else 0.0,
        }  # fmt: skip
    total = env.stats.total
    p99, errors = total.get_response_time_percentile(0.99), total.num_failures / max(total.num_requests, 1)
    return {"kinds": kinds, "rps": total.num_requests / elapsed, "delays": delays, "p99": p99, "errors": errors,
            "ok": p99 < P99_LIMIT_MS and errors < ERROR_LIMIT}  # fmt: skip


def prepare(stack: Stack) -> None:
    stack.flask("users", "create", "--email", COORDINATOR[0], "--name", "Bench Coordinator", "--role", "coordinator",
                "--password-stdin", stdin=COORDINATOR[1] + "\n")  # fmt: skip
    url = f"postgresql://postgres@127.0.0.1:{stack.ports['pg']}/engagement"
    with psycopg.connect(url) as conn:
        STATE["teams"] = [r[0] for r in conn.execute("SELECT slug FROM teams ORDER BY slug")]
        STATE["types"] = [r[0] for r in conn.execute("SELECT slug FROM event_types ORDER BY slug")]
        future = (
            "FROM occurrences o JOIN events e ON e.id = o.event_id JOIN teams t ON t.id = e.team_id "
            "WHERE e.status = 'published' AND o.status = 'scheduled' AND o.starts_at > now() + interval '2 days'"
        )
        open_dates = f"SELECT o.id {future} AND e.signup_mode IN ('optional', 'required') ORDER BY random() LIMIT 40"
        STATE["signup_dates"] = [r[0] for r in conn.execute(open_dates)]
        # The officer cancels other dates (of series), so residents never sign up for one just cancelled.
        STATE["dates"] = [tuple(r) for r in conn.execute(
            f"SELECT o.id, t.slug {future} AND e.rrule IS NOT NULL AND o.id <> ALL(%s) ORDER BY random()",
            (STATE["signup_dates"],))]  # fmt: skip
    csv = stack.run / "subscribers.csv"
    csv.write_text(
        "email,consented_at\n" + "".join(f"nl{n:05d}@example.org,2026-01-05T18:30\n" for n in range(SUBSCRIBERS))
    )
    stack.flask("newsletter", "import-subscribers", "--team", STATE["teams"][0], str(csv))


def send_newsletter(stack: Stack) -> int:
    issue = int(stack.flask("newsletter", "compose", "--team", STATE["teams"][0], "--subject", "Load test").split()[-1])
    stack.flask("newsletter", "send", str(issue))
    return issue


def report(results: dict, stack: Stack, issue: int) -> None:
    print("\nLoad at force scale: x1 = 13.9 feed polls/s + 3.5 pages/s + 1 sign-up per 70 views + 1 edit/min")
    for target, steps in results.items():
        print(f"\n== {target}")
        print(f"{'x':>5} {'kind':<24} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7}")
        for multiplier, step in steps.items():
            for name, k in step["kinds"].items():
                print(f"{multiplier:>5g} {name:<24} {k['rps']:>8.1f} {k['p50']:>7.0f} {k['p95']:>7.0f} {k['p99']:>7.0f} "
                      f"{k['errors']:>7.1%}")  # fmt: skip
            delays = sorted(step["delays"])
            seen = f"edit visible after {delays[len(delays) // 2]:.1f}s median, {delays[-1]:.1f}s max" if delays else ""
            verdict = "holds" if step["ok"] else "OVER"
            print(f"{multiplier:>5g} {'all requests':<24} {step['rps']:>8.1f} {'':>7} {'':>7} {step['p99']:>7.0f} "
                  f"{step['errors']:>7.1%}  {verdict}; {seen}")  # fmt: skip
        held = [m for m, s in steps.items() if s["ok"]]
        print(f"headroom {target}: x{max(held) if held else 0:g} the modelled load at p99 < {P99_LIMIT_MS} ms")
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{stack.ports['pg']}/engagement") as conn:
        row = conn.execute("SELECT status, recipients, finished_at - started_at FROM newsletter_issues WHERE id=%s",
                           (issue,)).fetchone()  # fmt: skip
    print(
        f"\nnewsletter to {SUBSCRIBERS:,}: {row[0]}, {row[1]} recipients, sent in {row[2]} (2 workers, during the load)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--step", type=float, default=25, help="seconds measured per multiplier")
    parser.add_argument("--multipliers", default="1,3,6,10,15,25,40")
    args = parser.parse_args()
    multipliers = [float(m) for m in args.multipliers.split(",")]
    stack = Stack(Path(tempfile.mkdtemp(prefix="engagement-bench-")), shared_max_age=30)
    STATE["stack"] = stack
    results: dict[str, dict] = {}
    issue = 0
    try:
        stack.up()
        STATE["officer"] = Client(stack.base_url, str(stack.cert), source="127.0.0.9")
        prepare(stack)
        for target, host in (
            ("through nginx (TLS, feed cache)", stack.base_url),
            ("straight to gunicorn", stack.app_url),
        ):
            results[target] = {}
            for multiplier in multipliers:
                if not issue:
                    issue = send_newsletter(stack)
                print(f"{target}: x{multiplier:g} for {args.step:g}s ...", flush=True)
                results[target][multiplier] = run_step(host, multiplier, args.step)
                if not results[target][multiplier]["ok"]:
                    break  # past the limit: higher multipliers only take longer to say so
        report(results, stack, issue)
    finally:
        stack.down()


if __name__ == "__main__":
    main()
