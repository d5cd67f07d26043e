"""Shared fixtures: an app per test on SQLite and (when TEST_DATABASE_URL is set) PostgreSQL.

Every test that uses `app` runs once per backend. The PostgreSQL run gets its own
uniquely named database, dropped at the end; with REQUIRE_POSTGRES=1 a missing
TEST_DATABASE_URL fails the run instead of skipping.
"""

from __future__ import annotations

import os
import re
import uuid

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engagement import create_app
from engagement.config import normalise_database_url
from engagement.extensions import db as _db

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def pytest_configure(config):
    """The .mo catalogues are build output (make test compiles them): a bare `pytest` compiles stale ones too."""
    from engagement.core.translations_cli import compile_all

    compile_all()


def _required(name: str) -> bool:
    return os.environ.get(name, "") == "1"


def postgres_server_url():
    """The admin URL of the test PostgreSQL server, or skip/fail as the environment asks."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        reason = "TEST_DATABASE_URL is not set, so PostgreSQL tests are skipped"
        if _required("REQUIRE_POSTGRES"):
            pytest.fail(reason + " (REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    return make_url(normalise_database_url(url))


def create_postgres_database(prefix: str = "engagement_test"):
    """Create an empty, uniquely named database; returns (url, drop_callable)."""
    server = postgres_server_url()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def make_test_app(database_url: str, tmp_path, **extra):
    config = {
        "APP_ENV": "test",
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": "http://localhost",
        "SERVER_NAME": "localhost",
        "MAIL_SERVER": "",
        "MAIL_DIR": str(tmp_path / "mail"),
        "SMS_DIR": str(tmp_path / "sms"),
        "MAIL_DEFAULT_SENDER": "Neighbourhood engagement <no-reply@example.org>",
        "RATELIMIT_STORAGE_URI": "memory://",
        "STAFF_2FA_REQUIRED": "none",  # tests sign staff in with a password; tests/accounts turn two-factor on
    }
    config.update(extra)
    return create_app(config)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """One schema per backend per run; tests empty the tables after themselves."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        drop = None
    else:
        url, drop = create_postgres_database()
    app = make_test_app(url, tmp_path_factory.mktemp("schema"))
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
    yield url
    if drop:
        drop()


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (fresh `g` and DB session), as in production,
    even though the test itself holds an app context open to call services."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _apps(tmp_path_factory):
    """One app per backend for the whole run: building one compiles every URL rule (~0.25 s)."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, _apps):
    """The backend's app with pristine config, fresh rate limits and empty tables for each test."""
    from engagement.extensions import limiter

    if database_url not in _apps:
        built = make_test_app(database_url, tmp_path)
        built.test_client_class = IsolatedClient
        _apps[database_url] = (built, dict(built.config))
    app, pristine = _apps[database_url]
    app.config.clear()
    app.config.update(pristine, MAIL_DIR=str(tmp_path / "mail"), SMS_DIR=str(tmp_path / "sms"))
    limiter.enabled = app.config["RATELIMIT_ENABLED"]  # other tests may have built apps with limits off
    limiter.reset()
    _clear_body_caches(app)
    with app.app_context():
        yield app
        _db.session.remove()
        _truncate_all()


def _clear_body_caches(app) -> None:
    """Feed bodies are cached by data version; emptied tables restart the versions, so start each test cold."""
    from engagement.core.http_cache import BodyCache
    from engagement.events.calendar_feeds import FEED_CACHE

    FEED_CACHE.clear()
    for value in app.extensions.values():
        if isinstance(value, BodyCache):
            value.clear()


def _truncate_all() -> None:
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


# --- factories -----------------------------------------------------------------------


@pytest.fixture
def make_team(db):
    from engagement.teams.services import save_team

    counter = iter(range(1, 10_000))

    def factory(name=None, area="Birmingham", coverage=None, **kwargs):
        n = next(counter)
        name = name or f"Test Team {n}"
        team = save_team(None, actor=None, name=name, area=area, coverage=coverage or [f"B{90 + n}"], **kwargs)
        db.session.commit()
        return team

    return factory


@pytest.fixture
def make_user(db):
    from engagement.accounts.services import create_user

    counter = iter(range(1, 10_000))

    def factory(role="officer", teams=(), email=None, password="correct-horse-battery", **kwargs):
        n = next(counter)
        user = create_user(
            email=email or f"{role}{n}@example.org",
            display_name=kwargs.pop("display_name", f"{role.title()} {n}"),
            role=role,
            teams=teams,
            password=password,
            rank=kwargs.pop("rank", "PC"),
        )
        db.session.commit()
        return user

    return factory


def csrf_token(client) -> str:
    """The CSRF token of the client's session, read from a page's meta tag like a browser would.

    Only pages with a form carry one (core.lean): the sign-in page, or any page once signed in."""
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def login(client, user, password="correct-horse-battery"):
    response = client.post("/login", data={"csrf_token": csrf_token(client), "email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def login_as(client):
    def do(user, password="correct-horse-battery"):
        return login(client, user, password)

    return do


@pytest.fixture
def post_form(client):
    """POST with the session's CSRF token added, as the real form would."""

    def do(url, data=None, **kwargs):
        payload = {"csrf_token": csrf_token(client), **(data or {})}
        return client.post(url, data=payload, **kwargs)

    return do


def email_text(raw: bytes) -> str:
    """The decoded plain-text body of a queued message, as a mail client shows it."""
    from email import message_from_bytes
    from email.policy import default

    return message_from_bytes(raw, policy=default).get_body(("plain",)).get_content()


@pytest.fixture
def smtp(app):
    """A real SMTP server (aiosmtpd) on loopback, with the app's MAIL_* settings pointed at it."""
    from tests.support.smtp import smtp_fixture

    yield from smtp_fixture(app)


@pytest.fixture
def notify_api(app):
    """A loopback GOV.UK Notify (tests/support/notify.py), with the app's NOTIFY_* settings pointed at it."""
    from tests.support.notify import notify_fixture

    yield from notify_fixture(app)
