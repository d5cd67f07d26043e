"""JSON access lines (URL rules, no tokens, request ids) and the Prometheus text at /metrics."""

from __future__ import annotations

import io
import json
import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families

from engagement.core.mail import queue_email
from engagement.core.worker import run_once
from engagement.ops.logs import ACCESS_LOGGER, JsonFormatter

TOKEN = "eyJzIjoxMiwiayI6IkFCQyJ9.Z1x2Yw.Secret-Signature_0123456789"


@pytest.fixture
def access_lines():
    """Capture the access logger through the production formatter, as journald would receive it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(ACCESS_LOGGER)
    old_level = logger.level
    logger.disabled = False  # Alembic's env.py (fileConfig) disables existing loggers when a test migrates
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_access_lines_name_the_rule_never_the_token(app, access_lines):
    client = app.test_client()
    client.get(f"/bookings/{TOKEN}", headers={"X-Request-ID": "nginx-req-0001"})
    client.get(f"/my-events/{TOKEN}.ics")
    client.get(f"/no-such-page/{TOKEN}")
    lines = access_lines()
    assert [line["path"] for line in lines] == ["/bookings/<token>", "/my-events/<token>.ics", "<unmatched>"]
    assert TOKEN not in json.dumps(lines)
    first = lines[0]
    assert first["request_id"] == "nginx-req-0001" and first["method"] == "GET" and first["logger"] == ACCESS_LOGGER
    assert first["endpoint"] == "signups.manage" and isinstance(first["duration_ms"], float)
    assert first["status"] in (200, 400, 404) and "remote_addr" not in first and "ip" not in first


def test_request_ids_pass_through_when_well_formed_and_are_made_otherwise(app, access_lines):
    client = app.test_client()
    kept = client.get("/teams", headers={"X-Request-ID": "3f2a9c0d1e8b4a7f"})
    made = client.get("/teams", headers={"X-Request-ID": "bad id; Injected=yes <script>"})
    assert kept.headers["X-Request-ID"] == "3f2a9c0d1e8b4a7f"
    assert len(made.headers["X-Request-ID"]) == 32 and "Injected" not in made.headers["X-Request-ID"]
    assert [line["request_id"] for line in access_lines()] == ["3f2a9c0d1e8b4a7f", made.headers["X-Request-ID"]]


def test_probes_are_not_logged(app, access_lines):
    client = app.test_client()
    client.get("/healthz")
    client.get("/readyz")
    client.get("/metrics")
    assert access_lines() == []


def _samples(text: str) -> dict:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _metric(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_requests_by_endpoint_and_read_queues_and_tasks_from_the_database(app, db):
    client = app.test_client()
    before = _samples(client.get("/metrics").get_data(as_text=True))
    client.get("/teams")
    client.get("/teams")
    queue_email("resident@example.org", "Hello", "Body")
    db.session.commit()
    after = _samples(client.get("/metrics").get_data(as_text=True))
    key = {"method": "GET", "endpoint": "teams.team_list", "status": "200"}
    assert (
        _metric(after, "engagement_http_requests_total", **key)
        - _metric(before, "engagement_http_requests_total", **key)
        == 2
    )
    assert _metric(after, "engagement_outbox_pending", channel="email") == 1
    assert _metric(after, "engagement_outbox_pending", channel="newsletter") == 0
    assert 0 <= _metric(after, "engagement_outbox_oldest_pending_age_seconds", channel="email") < 60
    run_once()
    done = _samples(client.get("/metrics").get_data(as_text=True))
    assert _metric(done, "engagement_outbox_pending", channel="email") == 0
    assert _metric(done, "engagement_task_last_success_timestamp_seconds", task="feeds") > 1.7e9


def test_feed_cache_outcomes_are_counted(app):
    client = app.test_client()
    before = _samples(client.get("/metrics").get_data(as_text=True))
    first = client.get("/calendar.ics")
    client.get("/calendar.ics")
    client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
    after = _samples(client.get("/metrics").get_data(as_text=True))
    for outcome in ("build", "hit", "not_modified"):
        name = "engagement_feed_cache_total"
        assert _metric(after, name, outcome=outcome) - _metric(before, name, outcome=outcome) == 1, outcome


def test_metrics_are_for_the_scraper_only(app):
    client = app.test_client()
    assert client.get("/metrics").status_code == 200  # loopback, straight to the app
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404  # via a proxy
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 404
    app.config["METRICS_TOKEN"] = "scrape-token-0123456789"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    ok = client.get("/metrics", headers={"Authorization": "Bearer scrape-token-0123456789"})
    assert ok.status_code == 200 and ok.mimetype == "text/plain"
