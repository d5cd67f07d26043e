"""The privacy notice and accessibility statement: built from settings, linked from every page, valid HTML."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_notice_reads_the_settings_the_worker_uses(app, client):
    app.config["PRIVACY_DPO_EMAIL"] = "dpo@force.example"
    app.config["RETENTION_DAYS"] = {**app.config["RETENTION_DAYS"], "audit-log": 1234}
    app.config["SIGNUP_RETENTION_DAYS"] = 77
    page = client.get("/privacy")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "mailto:dpo@force.example" in body
    assert "1234 days after the entry" in body and "77 days after the event date" in body
    assert "Event sign-ups and waiting lists" in body and "Community Speed Watch" in body
    assert "Information Commissioner" in body and "/privacy/request" in body
    assert "Part 3 of the Data Protection Act 2018" in body


def test_accessibility_statement_has_the_regulations_structure(app, client):
    app.config["ACCESSIBILITY_LAST_CHECKED"] = "2027-03-02"
    body = client.get("/accessibility").get_data(as_text=True)
    for heading in (
        "How accessible this website is",
        "Feedback and contact information",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "How we tested this website",
        "Preparation of this accessibility statement",
    ):
        assert heading in body
    assert "Tuesday 2 March 2027" in body and "WCAG" in body and "axe-core" in body


@pytest.mark.parametrize("path", ["/", "/events", "/privacy/request", "/login"])
def test_every_page_links_both_from_the_footer(app, client, path):
    body = client.get(path).get_data(as_text=True)
    footer = body[body.index('<footer class="site-footer">') :]
    assert 'href="/privacy"' in footer and 'href="/accessibility"' in footer


def test_forms_that_collect_personal_data_link_to_the_notice(app, client, make_team):
    from tests.privacy.helpers import make_event

    team = make_team(name="Ladywood", coverage=["B16"])
    row = make_event(team, days=5)
    from engagement.extensions import db

    db.session.commit()
    for path in (
        f"/events/{row.id}/sign-up",
        f"/subscribe/email?team={team.slug}",
        f"/teams/{team.slug}/speed-watch/apply",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        body = page.get_data(as_text=True)
        main = body[body.index("<main") : body.index("</main>")]
        assert 'href="/privacy"' in main, path


def _validators() -> Path | None:
    for candidate in (
        os.environ.get("VALIDATORS_DIR"),
        ROOT.parent / "shared" / "validators",
        "/work/shared/validators",
    ):
        if (
            candidate
            and (Path(candidate) / "bin" / "check_html").exists()
            and (Path(candidate) / "node_modules").exists()
        ):
            return Path(candidate)
    return None


@pytest.fixture
def served(app):
    """The test app on a loopback port, so check_html loads the pages with their stylesheet."""
    import socket
    import threading

    from werkzeug.serving import make_server

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=10)


def test_legal_pages_pass_check_html(app, served):
    tools = _validators()
    if tools is None:
        pytest.skip("shared/validators is not set up (run its setup.sh), so check_html cannot run")
    app.config["SERVER_NAME"] = None  # answer to 127.0.0.1:port as well as the test client's localhost
    urls = [f"{served}{path}" for path in ("/privacy", "/accessibility", "/privacy/request")]
    result = subprocess.run(  # noqa: S603 - a fixed tool on our own pages
        [str(tools / "bin" / "check_html"), *urls], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert result.stdout.count("VERDICT: PASS") == 3
