"""Issue 13 §5: production refuses unsafe settings and demo accounts; logout revokes the session; personal
pages are never cached; HSTS and Permissions-Policy are sent."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engagement import create_app
from engagement.accounts.services import demo_account_count
from engagement.config import ConfigError
from engagement.core.production import MEMORY_WARNING, check_settings
from tests.conftest import csrf_token, login


def _production(**extra) -> dict:
    return {"APP_ENV": "production", "SECRET_KEY": "p" * 40, "SKIP_SERVING_CHECKS": True, **extra}


def test_production_refuses_rate_limits_switched_off(tmp_path):
    from engagement.extensions import limiter

    saved = limiter._storage, limiter._limiter, limiter._key_prefix
    try:
        with pytest.raises(ConfigError, match="RATELIMIT_ENABLED=false is refused"):
            create_app(_production(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/a.db", RATELIMIT_ENABLED=False))
    finally:
        limiter._storage, limiter._limiter, limiter._key_prefix = saved


def test_production_warns_about_per_process_limits_and_accepts_redis(tmp_path):
    base = {"PRODUCTION": True, "RATELIMIT_ENABLED": True}
    assert check_settings({**base, "RATELIMIT_STORAGE_URI": "memory://"}) == [MEMORY_WARNING]
    assert check_settings({**base, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}) == []
    assert check_settings({"PRODUCTION": False, "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://"}) == []


def test_production_refuses_to_serve_with_demo_accounts(app, db, make_user, monkeypatch):
    user = make_user(role="officer", email="d.byrne@example.org")
    user.demo = True
    db.session.commit()
    assert demo_account_count() == 1
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)  # as under gunicorn
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    from engagement.extensions import limiter

    saved = limiter._storage, limiter._limiter, limiter._key_prefix  # create_app re-points the shared limiter
    try:
        with pytest.raises(ConfigError, match="flask users remove-demo"):
            create_app({**_production(SQLALCHEMY_DATABASE_URI=url), "SKIP_SERVING_CHECKS": False,
                        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15"})  # fmt: skip
    finally:
        limiter._storage, limiter._limiter, limiter._key_prefix = saved


def test_remove_demo_deletes_only_demo_accounts(app, db, make_user):
    from engagement.accounts.models import User
    from engagement.accounts.services import remove_demo_accounts

    demo = make_user(role="officer", email="volunteer.demo@example.org")
    demo.demo = True
    real = make_user(role="officer", email="real.officer@example.org")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "remove-demo"])
    assert "Removed 1 demo account(s): volunteer.demo@example.org" in result.output
    emails = db.session.scalars(select(User.email)).all()
    assert real.email in emails and "volunteer.demo@example.org" not in emails
    assert remove_demo_accounts() == []


def test_every_demo_loaded_account_is_refused_in_production(app, db):
    """Not just admin@/coordinator@/officer@: every account the loader made, volunteers and demo officers too."""
    from engagement.accounts.models import User
    from engagement.accounts.services import DEMO_PASSWORD, LoginFailed, authenticate
    from engagement.demo.cli import load_demo

    load_demo()
    db.session.commit()
    users = db.session.scalars(select(User).where(User.password_hash.is_not(None))).all()
    assert len(users) >= 5 and all(u.demo for u in users)
    app.config["DEMO_ACCOUNTS_ALLOWED"] = False
    for user in users:
        with pytest.raises(LoginFailed, match="Demo accounts cannot sign in"):
            authenticate(user.email, DEMO_PASSWORD)


def test_logout_revokes_a_captured_cookie(app, client, make_user):
    user = make_user(role="officer")
    login(client, user)
    assert client.get("/staff/").status_code == 200
    captured = client.get_cookie("session").value
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    thief = app.test_client()
    thief.set_cookie("session", captured, domain="localhost")
    response = thief.get("/staff/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_personal_pages_are_no_store_and_feeds_stay_cacheable(app, client, make_user, make_team):
    team = make_team(name="Ladywood", coverage=["B1"])
    user = make_user(role="officer", teams=[team])
    public = client.get("/teams/ladywood")
    assert "no-store" not in public.headers.get("Cache-Control", "")
    feed = client.get("/teams/ladywood/calendar.ics")
    assert feed.status_code == 200 and "no-store" not in feed.headers.get("Cache-Control", "")
    login(client, user)
    for url in ("/staff/", "/staff/audit", "/staff/events", "/teams/ladywood"):
        response = client.get(url)
        assert response.headers.get("Cache-Control") == "no-store", url
    assert client.get("/bookings/not-a-real-token").headers.get("Cache-Control") == "no-store"


def test_hsts_only_on_https_and_permissions_policy_everywhere(app, client):
    response = client.get("/")
    assert "Strict-Transport-Security" not in response.headers
    assert "camera=()" in response.headers["Permissions-Policy"]
    app.config["BASE_URL"] = "https://engage.example.org"
    assert client.get("/").headers["Strict-Transport-Security"].startswith("max-age=31536000")
