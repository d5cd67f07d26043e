"""/healthz and /readyz against real databases: reachable or not, migrated or not, Redis configured or not."""

from __future__ import annotations

import socket

import pytest
from flask_migrate import stamp
from sqlalchemy import text

from tests.conftest import make_test_app


@pytest.fixture
def stamped(app, db):
    """The test schema comes from create_all; stamp it as Alembic would leave it after `flask db upgrade`."""

    def at(revision: str = "heads"):
        stamp(revision=revision)

    yield at
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_healthz_needs_nothing_but_the_process(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert response.headers["X-Request-ID"]


def test_readyz_is_ready_when_migrated_to_head(app, stamped):
    stamped()
    response = app.test_client().get("/readyz")
    assert response.status_code == 200 and response.json == {"status": "ready"}


def test_readyz_names_a_schema_that_is_not_migrated_or_behind(app, stamped):
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["reasons"] == ["database schema not migrated (run flask db upgrade)"]
    stamped("0008_speedwatch")
    assert client.get("/readyz").json["reasons"] == ["database migrations not at head (run flask db upgrade)"]


def test_readyz_stays_ready_while_the_next_release_has_migrated_before_restarting(app, db, stamped):
    stamped()
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('0099_from_the_next_release')"))
    assert app.test_client().get("/readyz").status_code == 200


@pytest.mark.parametrize(
    "url",
    ["sqlite:////nonexistent-folder/engagement.db", "postgresql+psycopg://postgres@127.0.0.1:{port}/nowhere"],
    ids=["sqlite", "postgresql"],
)
def test_readyz_is_503_when_the_database_is_unreachable(url, tmp_path):
    with socket.socket() as s:  # a port nobody listens on: bound, then closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = make_test_app(url.format(port=port), tmp_path)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "reasons": ["database unreachable (OperationalError)"]}
    assert "nowhere" not in response.get_data(as_text=True)  # no database names or hosts in the reason
    assert app.test_client().get("/healthz").status_code == 200


def test_readyz_checks_redis_only_when_it_holds_the_rate_limits(app, stamped):
    stamped()
    client = app.test_client()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.config["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{port}/0"
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json["reasons"] == ["redis unreachable (ConnectionError)"]
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    assert client.get("/readyz").status_code == 200
