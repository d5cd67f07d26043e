"""Issue 13 §7: the public API does what its OpenAPI document says, checked by schemathesis.

The app runs as a real HTTP server (werkzeug's make_server in a thread, on a free loopback port)
over the test database filled with the demo data, and `schemathesis run <openapi.json> --checks all`
runs against it with a bounded number of examples and a time budget: every check (status codes,
content types, headers, response schemas, schema-valid data accepted, invalid data rejected,
unsupported methods answered 405 with Allow) must pass. The exact cases the probe found are tested
directly too, so a failure here names them.
"""

# ruff: noqa: F811 - the events fixtures are imported into this module by name, as pytest needs
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from engagement.events.recurrence import RepeatPattern
from tests.events.conftest import make_event, officer, team, types, venue  # noqa: F401 - fixtures
from tests.events.test_api import WINTER, get_json, titles

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
BUDGET_SECONDS = int(os.environ.get("SCHEMATHESIS_SECONDS", "15"))  # its --max-time; stopped at twice that
# A new seed each run, so each run tries inputs earlier runs did not; the output prints it ("Seed: N") and
# SCHEMATHESIS_SEED=N repeats a run exactly.
SEED = os.environ.get("SCHEMATHESIS_SEED")


def test_an_empty_date_is_not_a_date(client):
    for name in ("from", "to"):
        response = client.get(f"/api/v1/events?{name}=")
        assert response.status_code == 400 and f"{name} must be a date" in response.get_json()["error"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("team=no-such-team", "There is no team called 'no-such-team'"),
        ("team=ladywood&team=atlantis", "There is no team called 'atlantis'"),
        ("type=karaoke", "There is no kind of event called 'karaoke'"),
    ],
)
def test_unknown_teams_and_kinds_are_404s_like_the_feeds(client, team, types, query, message):
    """Schema-valid slugs that name nothing: 404 (documented), not the 400 kept for malformed values."""
    body = get_json(client, f"/api/v1/events?{query}", status=404)
    assert message in body["error"] and body["status"] == 404


def test_dates_the_schema_accepts_are_answered_even_when_nothing_can_match(client, make_event):
    """`to` before `from` (or before today, `from` defaulting to today) is an empty list, not a 400."""
    make_event(WINTER, title="Winter surgery")
    assert get_json(client, "/api/v1/events?to=2000-01-01") == {"items": [], "next": None}
    assert get_json(client, "/api/v1/events?from=2027-03-02&to=2027-03-01") == {"items": [], "next": None}
    assert titles(get_json(client, "/api/v1/events?from=2027-03-02&to=2027-03-02")) == ["Winter surgery"]


def test_any_cursor_of_the_documented_shape_is_a_position(client, make_event):
    event = make_event(WINTER, pattern=RepeatPattern("weekly", count=3), title="Weekly")
    assert get_json(client, "/api/v1/events?from=2027-01-01&cursor=0-0")["items"][0]["id"] == event.occurrences[0].id
    assert get_json(client, "/api/v1/events?from=2027-01-01&cursor=9999999999999999-9999999999")["items"] == []


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH", "POST"])
@pytest.mark.parametrize("path", ["/api/v1/events", "/api/v1/openapi.json", "/events", "/teams", "/calendar.ics"])
def test_every_405_says_which_methods_are_allowed(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert {"GET", "HEAD", "OPTIONS"} <= allowed and method not in allowed
    if path.startswith("/api/"):
        assert response.get_json() == {"error": "That action is not allowed here", "status": 405}
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_405_on_a_form_lists_its_post(client, make_team):
    make_team(name="Ladywood", coverage=["B1"])
    response = client.open("/subscribe/email", method="TRACE")
    assert response.status_code == 405 and {"GET", "POST"} <= set(response.headers["Allow"].replace(" ", "").split(","))


@pytest.fixture
def live_server(app, db):
    """The test app with the demo data, served over real HTTP on a free loopback port."""
    from engagement.demo.cli import load_demo

    load_demo()
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config.update(BASE_URL=base, SERVER_NAME=f"127.0.0.1:{server.server_port}")  # links point at it
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.mark.timeout(2 * BUDGET_SECONDS + 30)
def test_schemathesis_finds_nothing(live_server, tmp_path):
    if not SCHEMATHESIS.exists():
        pytest.fail(f"schemathesis is not installed next to {sys.executable}: pip install -r requirements-dev.txt")
    command = [
        str(SCHEMATHESIS), "run", f"{live_server}/api/v1/openapi.json",
        "--checks", "all",
        "--max-examples", "40",
        "--max-time", str(BUDGET_SECONDS),
        "--workers", "1",
        *(["--seed", SEED] if SEED else []),
        "--request-timeout", "10",
        "--generation-database", "none",
        "--no-color",
    ]  # fmt: skip
    env = {**os.environ, "SCHEMATHESIS_HOOKS": ""}
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=2 * BUDGET_SECONDS + 20)  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "No issues found" in output or "passed" in output.lower(), output
