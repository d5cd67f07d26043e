"""Two-factor sign-in: set-up, codes at sign-in (wrong, reused, recovery), the required-role gate, pauses
after wrong codes, remembered devices, an admin's reset and the messages when a factor has gone."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from engagement.accounts import two_factor
from engagement.accounts.models import TwoFactor
from engagement.core.audit import AuditEntry
from engagement.core.db import utcnow


def csrf_token(client) -> str:
    """The session's CSRF token from whatever page "/" ends on (a half-signed-in session is redirected)."""
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    if 'name="csrf-token"' not in page:  # signed out: the home page has no form, so no token (core.lean)
        page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


PASSWORD = "correct-horse-battery"


@pytest.fixture
def required(app):
    app.config["STAFF_2FA_REQUIRED"] = "exporters"


def _password(client, user, next_url=""):
    return client.post(
        "/login" + next_url, data={"csrf_token": csrf_token(client), "email": user.email, "password": PASSWORD}
    )


def _code(client, code, url="/login/two-factor", **extra):
    return client.post(url, data={"csrf_token": csrf_token(client), "code": code, **extra})


def _secret(db, user) -> str:
    db.session.expire_all()
    return db.session.get(TwoFactor, user.id).secret


def _enrol(app, db, user) -> tuple[str, list[str]]:
    """Set up a factor through the pages; returns the secret and the recovery codes shown."""
    client = app.test_client()
    _password(client, user)
    assert client.get("/staff/account/two-factor").status_code == 200
    secret = _secret(db, user)
    page = _code(client, pyotp.TOTP(secret).now(), "/staff/account/two-factor")
    assert page.status_code == 200, page.get_data(as_text=True)
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", page.get_data(as_text=True))
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    _forget_step(db, user)
    return secret, codes


def _forget_step(db, user):
    """Let the current code be used again in a later sign-in of the same test (as the next 30 s would)."""
    db.session.get(TwoFactor, user.id).last_step -= 2
    db.session.commit()


def test_a_required_role_is_sent_to_set_up_and_can_do_nothing_else(app, db, required, make_user, client):
    officer = make_user(role="officer")
    signed = _password(client, officer)
    assert signed.status_code == 302 and signed.headers["Location"].startswith("/staff/account/two-factor")
    for path in ("/staff/", "/staff/events", "/", "/privacy"):
        refused = client.get(path)
        assert refused.status_code == 302 and "/staff/account/two-factor" in refused.headers["Location"], path
    setup = client.get("/staff/account/two-factor").get_data(as_text=True)
    assert "<svg" in setup and 'role="img"' in setup and "needs a code" in setup
    secret = _secret(db, officer)
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in setup

    wrong = _code(client, "000000", "/staff/account/two-factor")
    assert wrong.status_code == 400 and "That code is not right" in wrong.get_data(as_text=True)
    assert _secret(db, officer) == secret  # the scanned QR code still works on the next try

    done = _code(client, pyotp.TOTP(secret).now(), "/staff/account/two-factor")
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and "This is the only time they are shown" in page
    assert len(re.findall(r"<code>[0-9a-f]{5}-[0-9a-f]{5}</code>", page)) == 10
    assert client.get("/staff/").status_code == 200
    stored = db.session.scalars(
        select(two_factor.RecoveryCode).where(two_factor.RecoveryCode.user_id == officer.id)
    ).all()
    assert len(stored) == 10 and all(len(c.code_hash) == 64 and c.code_hash not in page for c in stored)


def test_sign_in_asks_for_the_code_refuses_wrong_and_reused_ones(app, db, required, make_user):
    officer = make_user(role="officer")
    secret, _codes = _enrol(app, db, officer)
    client = app.test_client()
    signed = _password(client, officer, "?next=/staff/events")
    assert signed.headers["Location"].startswith("/login/two-factor")
    assert "/login/two-factor" in client.get("/staff/").headers["Location"]

    wrong = _code(client, "123456")
    assert wrong.status_code == 400 and "That code is not right" in wrong.get_data(as_text=True)
    code = pyotp.TOTP(secret).now()
    right = _code(client, code, "/login/two-factor?next=/staff/events")
    assert right.status_code == 302 and right.headers["Location"] == "/staff/events"
    assert client.get("/staff/").status_code == 200

    other = app.test_client()
    _password(other, officer)
    reused = _code(other, code)
    assert reused.status_code == 400 and "already been used" in reused.get_data(as_text=True)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(officer.id))).all()
    assert "user.two_factor_enabled" in actions and actions.count("user.two_factor_failed") == 2


def test_a_code_from_the_next_or_last_step_is_accepted_for_clock_drift(app, db, make_user):
    officer = make_user(role="officer")
    row = two_factor.start_enrolment(officer)
    now = utcnow()
    totp = pyotp.TOTP(row.secret)
    assert two_factor.confirm_enrolment(officer, totp.at(now - timedelta(seconds=30)), now=now)
    assert two_factor.verify(officer, totp.at(now + timedelta(seconds=30)), now=now) == "app"
    with pytest.raises(two_factor.CodeRefused):
        two_factor.verify(officer, totp.at(now + timedelta(seconds=90)), now=now)


def test_a_recovery_code_works_once_only(app, db, required, make_user):
    officer = make_user(role="officer")
    _secret_value, codes = _enrol(app, db, officer)
    client = app.test_client()
    _password(client, officer)
    used = _code(client, codes[0].upper().replace("-", " "))
    assert used.status_code == 302
    second = app.test_client()
    _password(second, officer)
    again = _code(second, codes[0])
    assert again.status_code == 400 and "not right" in again.get_data(as_text=True)
    assert two_factor.recovery_codes_left(officer) == 9


def test_five_wrong_codes_pause_even_the_right_one(app, db, required, make_user):
    officer = make_user(role="officer")
    secret, _codes = _enrol(app, db, officer)
    client = app.test_client()
    _password(client, officer)
    for _ in range(two_factor.MAX_FAILURES):
        _code(client, "999999")
    paused = _code(client, pyotp.TOTP(secret).now())
    assert paused.status_code == 400 and "Too many wrong codes" in paused.get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.two_factor_locked")) is not None


def test_an_admin_reset_signs_them_out_and_they_set_it_up_again_with_a_message(app, db, required, make_user):
    officer = make_user(role="officer")
    secret, _codes = _enrol(app, db, officer)
    theirs = app.test_client()
    _password(theirs, officer)
    assert _code(theirs, pyotp.TOTP(secret).now()).status_code == 302

    admin = make_user(role="admin")
    admin_client = app.test_client()
    _password(admin_client, admin)
    admin_secret = _secret(db, admin) if db.session.get(TwoFactor, admin.id) else None
    assert admin_secret is None  # the admin must set up first: the gate sends them there
    assert "/staff/account/two-factor" in admin_client.get(f"/staff/users/{officer.id}").headers["Location"]
    admin_client.get("/staff/account/two-factor")
    _code(admin_client, pyotp.TOTP(_secret(db, admin)).now(), "/staff/account/two-factor")
    edit = admin_client.get(f"/staff/users/{officer.id}").get_data(as_text=True)
    assert "Reset two-factor sign-in" in edit
    reset = admin_client.post(
        f"/staff/users/{officer.id}/two-factor/reset", data={"csrf_token": csrf_token(admin_client)}
    )
    assert reset.status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.two_factor_reset"))
    assert entry.actor_id == admin.id and entry.target_id == str(officer.id)

    assert theirs.get("/staff/").headers["Location"].startswith("/login")  # signed out everywhere
    again = app.test_client()
    assert "/staff/account/two-factor" in _password(again, officer).headers["Location"]
    page = again.get("/staff/account/two-factor").get_data(as_text=True)
    assert "An administrator reset your two-factor sign-in on" in page
    assert _code(again, pyotp.TOTP(secret).now(), "/staff/account/two-factor").status_code == 400  # the old app entry


def test_a_factor_reset_while_on_the_code_page_gets_a_clear_answer(app, db, make_user):
    """Not required (STAFF_2FA_REQUIRED=none): the code page lets them through instead of failing."""
    volunteer_like = make_user(role="officer")
    secret, _codes = _enrol(app, db, volunteer_like)
    client = app.test_client()
    _password(client, volunteer_like)
    two_factor._clear(volunteer_like)
    db.session.commit()
    page = _code(client, pyotp.TOTP(secret).now())
    assert page.status_code == 302 and client.get("/staff/").status_code == 200


def test_the_code_page_times_out_without_a_500(app, db, required, make_user):
    officer = make_user(role="officer")
    _enrol(app, db, officer)
    client = app.test_client()
    _password(client, officer)
    with client.session_transaction() as session:
        session[two_factor.PASSWORD_AT] = (utcnow() - timedelta(minutes=11)).timestamp()
    timed_out = client.get("/login/two-factor")
    assert timed_out.status_code == 302 and timed_out.headers["Location"].startswith("/login")
    assert "timed out" in client.get("/login").get_data(as_text=True)


def test_remember_this_device_only_when_the_setting_allows_it(app, db, required, make_user):
    officer = make_user(role="officer")
    secret, _codes = _enrol(app, db, officer)
    client = app.test_client()
    _password(client, officer)
    assert "Do not ask for a code" not in client.get("/login/two-factor").get_data(as_text=True)

    app.config["STAFF_2FA_REMEMBER_DEVICE"] = True
    page = client.get("/login/two-factor").get_data(as_text=True)
    assert "Do not ask for a code on this device for 30 days" in page
    passed = _code(client, pyotp.TOTP(secret).now(), remember_device="y")
    assert two_factor.DEVICE_COOKIE in passed.headers.get("Set-Cookie", "")
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert _password(client, officer).headers["Location"] == "/staff/"  # the device is remembered

    app.config["STAFF_2FA_REMEMBER_DEVICE"] = False
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert _password(client, officer).headers["Location"].startswith("/login/two-factor")


def test_who_must_use_it(app, make_user, db):
    admin, officer = make_user(role="admin"), make_user(role="officer")
    volunteer = make_user(role="officer")
    volunteer.role = "volunteer"
    app.config["STAFF_2FA_REQUIRED"] = "exporters"
    assert two_factor.required(admin) and two_factor.required(officer) and not two_factor.required(volunteer)
    app.config["STAFF_2FA_REQUIRED"] = "all"
    assert two_factor.required(volunteer)
    app.config["STAFF_2FA_REQUIRED"] = "none"
    assert not two_factor.required(admin)
    app.config.update(STAFF_2FA_REQUIRED="all", APP_ENV="development")
    admin.demo = True
    assert not two_factor.required(admin)  # `make run`: the demo logins work with their password alone


def test_volunteers_may_turn_it_on_and_off(app, db, make_user):
    person = make_user(role="officer")
    person.role = "volunteer"
    db.session.commit()
    client = app.test_client()
    _password(client, person)
    assert client.get("/staff/account/two-factor").status_code == 200
    secret = _secret(db, person)
    _code(client, pyotp.TOTP(secret).now(), "/staff/account/two-factor")
    _forget_step(db, person)
    status = client.get("/staff/account/two-factor").get_data(as_text=True)
    assert "10 of 10" in status and "Turn off two-factor sign-in" in status
    off = _code(client, pyotp.TOTP(secret).now(), "/staff/account/two-factor/turn-off")
    assert off.status_code == 302 and not two_factor.has_factor(person)
