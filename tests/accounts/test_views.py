import re

from engagement.accounts.models import User
from engagement.core.mail import OutboxMessage
from tests.conftest import csrf_token, email_text


def _login(client, email, password, **extra):
    return client.post("/login", data={"csrf_token": csrf_token(client), "email": email, "password": password, **extra})


def test_login_logout_and_next(client, make_user):
    user = make_user(password="a-long-password")
    assert client.get("/staff/teams").headers["Location"].startswith("/login?next=")
    response = client.post(
        "/login?next=/staff/teams",
        data={"csrf_token": csrf_token(client), "email": user.email, "password": "a-long-password"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/staff/teams"
    assert client.get("/staff/teams").status_code == 200
    out = client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert out.status_code == 302
    assert client.get("/staff/teams").status_code == 302


def test_next_cannot_leave_the_site(client, make_user):
    user = make_user(password="a-long-password")
    response = client.post(
        "/login?next=//evil.example/",
        data={"csrf_token": csrf_token(client), "email": user.email, "password": "a-long-password"},
    )
    assert response.headers["Location"] == "/staff/"


def test_wrong_password_keeps_email_and_shows_error_summary(client, make_user):
    user = make_user(password="a-long-password")
    response = _login(client, user.email, "nope-nope-nope")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and "Enter a correct email address and password" in page
    assert f'value="{user.email}"' in page


def test_missing_csrf_token_is_a_readable_400(client, make_user):
    user = make_user(password="a-long-password")
    response = client.post("/login", data={"email": user.email, "password": "a-long-password"})
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)


def test_login_rate_limited_with_clear_message(client, make_user):
    user = make_user(password="a-long-password")
    statuses = [_login(client, user.email, "wrong-password-x").status_code for _ in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    page = _login(client, user.email, "a-long-password").get_data(as_text=True)
    assert "Too many attempts" in page and "Wait a minute" in page


def test_remember_me_sets_a_secure_flagged_cookie_only_when_asked(client, make_user):
    user = make_user(password="a-long-password")
    plain = _login(client, user.email, "a-long-password")
    assert not any(c.startswith("remember_token") for c in plain.headers.getlist("Set-Cookie"))
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    remembered = _login(client, user.email, "a-long-password", remember="y")
    cookie = next(c for c in remembered.headers.getlist("Set-Cookie") if c.startswith("remember_token"))
    assert "HttpOnly" in cookie


def test_session_dies_when_password_changes(client, db, make_user):
    from engagement.accounts.services import set_password

    user = make_user(password="a-long-password")
    _login(client, user.email, "a-long-password")
    assert client.get("/staff/").status_code == 200
    set_password(db.session.get(User, user.id), "another-long-password")
    db.session.commit()
    assert client.get("/staff/").status_code == 302


def test_password_reset_journey(client, db, make_user):
    make_user(email="forgetful@example.org", password="a-long-password")
    response = client.post(
        "/forgot-password", data={"csrf_token": csrf_token(client), "email": "forgetful@example.org"}
    )
    assert "Check your email" in response.get_data(as_text=True)
    body = email_text(db.session.scalar(db.select(OutboxMessage)).raw)
    path = re.search(r"http://localhost(/reset-password/\S+)", body).group(1)
    mismatch = client.post(
        path, data={"csrf_token": csrf_token(client), "password": "new-password-1", "confirm": "new-password-2"}
    )
    assert mismatch.status_code == 400 and "The passwords do not match" in mismatch.get_data(as_text=True)
    done = client.post(
        path, data={"csrf_token": csrf_token(client), "password": "new-password-1", "confirm": "new-password-1"}
    )
    assert done.status_code == 302
    assert _login(client, "forgetful@example.org", "new-password-1").status_code == 302
    again = client.get(path)
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
    assert client.get("/reset-password/garbage").status_code == 400


def test_admin_creates_user_and_duplicate_is_a_form_error(client, db, make_user, make_team, login_as, post_form):
    team = make_team(name="Ladywood", coverage=["B1"])
    admin = make_user(role="admin")
    login_as(admin)
    created = post_form(
        "/staff/users/new",
        {
            "email": "new.pcso@example.org",
            "display_name": "New Person",
            "rank": "PCSO",
            "role": "officer",
            "teams": [str(team.id)],
        },
    )
    assert created.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "new.pcso@example.org"))
    assert [t.slug for t in user.teams] == ["ladywood"] and user.password_hash is None
    assert db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.to_addr == "new.pcso@example.org"))
    duplicate = post_form(
        "/staff/users/new", {"email": "NEW.pcso@example.org", "display_name": "Again", "role": "officer"}
    )
    assert duplicate.status_code == 400
    assert "There is already an account for new.pcso@example.org" in duplicate.get_data(as_text=True)
    assert 'value="Again"' in duplicate.get_data(as_text=True)


def test_cli_creates_user_from_stdin(app, db, make_team):
    make_team(name="Ladywood", coverage=["B1"])
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "cli@example.org",
            "--name",
            "Cli User",
            "--role",
            "officer",
            "--team",
            "ladywood",
            "--password-stdin",
        ],
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created officer cli@example.org in ladywood" in result.output
    bad = runner.invoke(
        args=["users", "create", "--email", "cli@example.org", "--name", "X", "--role", "officer", "--password-stdin"],
        input="a-long-password\n",
    )
    assert bad.exit_code != 0 and "already an account" in bad.output
    unknown = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "z@example.org",
            "--name",
            "X",
            "--role",
            "officer",
            "--team",
            "atlantis",
            "--password-stdin",
        ],
        input="a-long-password\n",
    )
    assert unknown.exit_code != 0 and "No team with slug 'atlantis'" in unknown.output
