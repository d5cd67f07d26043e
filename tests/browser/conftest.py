"""Browser test harness: the demo app on a live server, driven by Debian's Chromium through Playwright.

One server and one browser per test session keep the run fast. Each test gets a fresh browser
context (its own cookies), so signing in in one test never leaks into another.

Chromium is never downloaded: the tests use /usr/bin/chromium (or $CHROMIUM_PATH). When it is
missing or will not start, the tests skip with the reason, or fail when REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from engagement import create_app
from engagement.extensions import db as _db

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_SECRET = "browser-test-secret-key-0123456789abcdef"

# The demo logins documented in the README (engagement/demo).
DEMO_PASSWORD = "demo-password"
OFFICER_EMAIL = "officer@example.org"  # an officer of the first demo team (Ladywood)
COORDINATOR_EMAIL = "coordinator@example.org"
ADMIN_EMAIL = "admin@example.org"


def _unavailable(reason: str):
    """Skip, or fail when the run requires the browser (REQUIRE_BROWSER=1, as .ci/run sets)."""
    if os.environ.get("REQUIRE_BROWSER", "") == "1":
        pytest.fail(reason + " (REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app with the demo data, served on 127.0.0.1 in a daemon thread; yields its base URL."""
    tmp: Path = tmp_path_factory.mktemp("browser")
    app = create_app(
        {
            "APP_ENV": "test",
            "SECRET_KEY": BROWSER_SECRET,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'browser.db'}",
            "MAIL_SERVER": "",
            "MAIL_DIR": str(tmp / "mail"),
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_ENABLED": False,
            "STAFF_2FA_REQUIRED": "none",  # the demo logins sign in with their password (see engagement.accounts)
        }
    )
    from engagement.demo.cli import load_demo

    with app.app_context():
        _db.create_all()
        load_demo()
        _db.session.commit()
        _db.session.remove()

    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    app.config["BASE_URL"] = base_url
    try:
        yield base_url
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            _db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is in the dev requirements
        _unavailable(f"the playwright package is not installed: {exc}")
    if not Path(CHROMIUM_PATH).exists():
        _unavailable(f"Chromium not found at {CHROMIUM_PATH}; install Debian's chromium package")

    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
    except PlaywrightError as exc:
        manager.stop()
        lines = [line for line in str(exc).splitlines() if line.strip()]
        detail = " | ".join(lines[:1] + lines[-4:])[:800]  # the error and the end of the browser log
        _unavailable(f"Chromium at {CHROMIUM_PATH} would not start: {detail}")
    try:
        yield browser
    finally:
        browser.close()
        manager.stop()


def new_context(browser, base_url: str, **kwargs):
    """A fresh browser context (own cookies) whose relative URLs go to the live server."""
    kwargs.setdefault("viewport", {"width": 1280, "height": 800})
    ctx = browser.new_context(base_url=base_url, **kwargs)
    ctx.set_default_timeout(10_000)
    return ctx


def watch_for_errors(page) -> list[str]:
    """Collect uncaught JavaScript errors; the `page` fixtures fail the test if there are any."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


@pytest.fixture
def context(browser, live_server):
    ctx = new_context(browser, live_server)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    """A signed-out page at desktop width."""
    page = context.new_page()
    errors = watch_for_errors(page)
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


def sign_in(page, email: str = OFFICER_EMAIL, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real login form, as a person would."""
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")


@pytest.fixture(scope="session")
def signed_in_state(browser, live_server):
    """storage_state(email): the cookies of a session signed in as that demo user, made once per user.

    Signing in is slow on purpose (argon2), so each demo user signs in through the form once per run
    and later contexts reuse the cookies.
    """
    cache: dict[str, dict] = {}

    def state(email: str = OFFICER_EMAIL) -> dict:
        if email not in cache:
            ctx = new_context(browser, live_server)
            try:
                page = ctx.new_page()
                sign_in(page, email)
                assert "/login" not in page.url, f"{email} could not sign in; ended at {page.url}"
                cache[email] = ctx.storage_state()
            finally:
                ctx.close()
        return cache[email]

    return state


@pytest.fixture
def page_as(browser, live_server, signed_in_state):
    """page_as(email): a new page signed in as a demo user (officer@, coordinator@ or admin@example.org)."""
    opened = []

    def make(email: str = OFFICER_EMAIL, **context_kwargs):
        ctx = new_context(browser, live_server, storage_state=signed_in_state(email), **context_kwargs)
        page = ctx.new_page()
        opened.append((ctx, watch_for_errors(page)))
        return page

    yield make
    for ctx, _ in opened:
        ctx.close()
    errors = [e for _, errs in opened for e in errs]
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def signed_in_page(page_as):
    """A page signed in as the demo officer."""
    return page_as(OFFICER_EMAIL)
