"""Prometheus metrics: requests by endpoint, feed cache outcomes, and queue/task state read from the database.

Request counters live in each process; under gunicorn set PROMETHEUS_MULTIPROC_DIR (the
gunicorn config does) so any process answering /metrics reports all of them. Outbox depth
and the last run of each scheduled task are read from the database at scrape time, so
they are the same whichever process, host or worker is asked, and need no worker scrape.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select

from engagement.core.db import utcnow
from engagement.extensions import db

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("engagement_http_requests_total", "Requests answered", ["method", "endpoint", "status"])
LATENCY = Histogram(
    "engagement_http_request_duration_seconds", "Time to answer a request", ["method", "endpoint"], buckets=BUCKETS
)
FEED_CACHE = Counter(
    "engagement_feed_cache_total",
    "Feed answers by outcome: not_modified (304), hit (body from cache) or build",
    ["outcome"],
)

# (channel, table, created-or-due column, statuses still to send): each outbox the worker drains.
CHANNELS = (
    ("email", "outbox_messages", "created_at", ("pending", "sending")),
    ("newsletter", "newsletter_deliveries", "next_attempt_at", ("pending", "sending")),
)


def observe_request(method: str, endpoint: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, endpoint, str(status)).inc()
    LATENCY.labels(method, endpoint).observe(seconds)


def observe_feed(outcome: str) -> None:
    FEED_CACHE.labels(outcome).inc()


class DatabaseCollector:
    """Gauges computed with a few aggregate queries when Prometheus scrapes (every 15-60 s)."""

    def collect(self):
        now = utcnow()
        depth = GaugeMetricFamily("engagement_outbox_pending", "Messages not yet sent, per channel", labels=["channel"])
        age = GaugeMetricFamily(
            "engagement_outbox_oldest_pending_age_seconds",
            "Age of the oldest message still to send, per channel (0 when empty)",
            labels=["channel"],
        )
        failed = GaugeMetricFamily("engagement_outbox_failed", "Messages given up on, per channel", labels=["channel"])
        for channel, table_name, since, waiting in CHANNELS:
            table = db.metadata.tables.get(table_name)
            if table is None:
                continue
            count, oldest = db.session.execute(
                select(func.count(), func.min(table.c[since])).where(table.c.status.in_(waiting))
            ).one()
            depth.add_metric([channel], count)
            age.add_metric([channel], max((now - _aware(oldest)).total_seconds(), 0) if oldest else 0)
            failed.add_metric([channel], db.session.scalar(select(func.count()).where(table.c.status == "failed")) or 0)
        yield depth
        yield age
        yield failed
        yield from _task_metrics()
        db.session.rollback()


def _task_metrics():
    from engagement.core.worker import DONE, FAILED, TaskRun

    success = GaugeMetricFamily(
        "engagement_task_last_success_timestamp_seconds",
        "When each scheduled worker task last finished successfully (Unix time)",
        labels=["task"],
    )
    failure = GaugeMetricFamily(
        "engagement_task_last_failure_timestamp_seconds",
        "When each scheduled worker task last failed (Unix time)",
        labels=["task"],
    )
    for status, family in ((DONE, success), (FAILED, failure)):
        rows = db.session.execute(
            select(TaskRun.task, func.max(TaskRun.finished_at)).where(TaskRun.status == status).group_by(TaskRun.task)
        )
        for task, finished in rows:
            if finished is not None:
                family.add_metric([task], _aware(finished).timestamp())
    yield success
    yield failure


def _aware(value):
    """SQLite's func.min() returns a naive string-parsed datetime; treat it as UTC like UTCDateTime does."""
    from datetime import UTC, datetime

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def render() -> bytes:
    """The exposition text: every process's counters (multiprocess mode) or this one's, plus the database gauges."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        for metric in (REQUESTS, LATENCY, FEED_CACHE):
            registry.register(metric)
    registry.register(DatabaseCollector())
    return generate_latest(registry)
