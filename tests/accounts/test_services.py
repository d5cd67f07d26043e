import pytest

from engagement.accounts import services
from engagement.accounts.models import User
from engagement.core.audit import AuditEntry
from engagement.core.errors import Conflict, DomainError
from engagement.core.mail import OutboxMessage
from engagement.core.tokens import InvalidToken
from tests.conftest import email_text


def test_passwords_are_argon2_and_verified(app, db, make_user):
    user = make_user(email="pc@example.org", password="a-long-password")
    assert user.password_hash.startswith("$argon2")
    assert services.authenticate("PC@example.org", "a-long-password") == user
    with pytest.raises(services.LoginFailed, match="Enter a correct email address and password"):
        services.authenticate("pc@example.org", "wrong-password")
    with pytest.raises(services.LoginFailed, match="Enter a correct email address and password"):
        services.authenticate("nobody@example.org", "wrong-password")
    actions = [e.action for e in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))]
    assert actions.count("user.login") == 1 and actions.count("user.login_failed") == 2


def test_inactive_user_cannot_sign_in(app, db, make_user):
    user = make_user(password="a-long-password")
    user.active = False
    with pytest.raises(services.LoginFailed, match="switched off"):
        services.authenticate(user.email, "a-long-password")


def test_create_user_rules(app, db, make_user):
    make_user(email="taken@example.org")
    with pytest.raises(Conflict, match="already an account"):
        services.create_user(email="Taken@Example.org", display_name="X", role="officer")
    with pytest.raises(DomainError, match="correct format"):
        services.create_user(email="not-an-email", display_name="X", role="officer")
    with pytest.raises(DomainError, match="Role must be"):
        services.create_user(email="new@example.org", display_name="X", role="superuser")
    with pytest.raises(DomainError, match="at least 10"):
        services.create_user(email="new@example.org", display_name="X", role="officer", password="short")


def test_role_change_is_audited_and_self_demotion_refused(app, db, make_user):
    admin = make_user(role="admin")
    officer = make_user(role="officer")
    services.update_user(
        officer, actor=admin, display_name="New Name", rank="PCSO", role="coordinator", teams=[], active=True
    )
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "user.role_change"))
    assert entry.details == {"old": "officer", "new": "coordinator"} and entry.actor_id == admin.id
    with pytest.raises(DomainError, match="cannot change your own role"):
        services.update_user(admin, actor=admin, display_name="A", rank="", role="officer", teams=[], active=True)


def test_deactivating_rotates_session_token(app, db, make_user):
    admin = make_user(role="admin")
    officer = make_user()
    before = officer.session_token
    services.update_user(
        officer, actor=admin, display_name=officer.display_name, rank="", role="officer", teams=[], active=False
    )
    assert officer.session_token != before


def test_password_reset_link_works_once(app, db, make_user):
    user = make_user(email="reset@example.org")
    with app.test_request_context():
        services.request_password_reset("reset@example.org")
    db.session.commit()
    message = db.session.scalar(db.select(OutboxMessage))
    assert message.to_addr == "reset@example.org" and message.subject == "Reset your password"
    body = email_text(message.raw)
    token = body.split("/reset-password/")[1].split()[0]
    services.reset_password(token, "a-brand-new-password")
    db.session.commit()
    assert services.authenticate("reset@example.org", "a-brand-new-password") == user
    with pytest.raises(InvalidToken, match="already been used"):
        services.reset_password(token, "yet-another-password")


def test_reset_for_unknown_email_sends_nothing(app, db):
    with app.test_request_context():
        services.request_password_reset("ghost@example.org")
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_expired_reset_token(app, db, make_user):
    make_user(email="late@example.org")
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    with app.test_request_context():
        services.request_password_reset("late@example.org")
    token = email_text(db.session.scalar(db.select(OutboxMessage)).raw).split("/reset-password/")[1].split()[0]
    with pytest.raises(InvalidToken, match="expired"):
        services.user_for_reset_token(token)


def test_demo_accounts_refused_in_production(app, db, make_user):
    make_user(email="officer@example.org", password="demo-password")
    app.config["DEMO_ACCOUNTS_ALLOWED"] = False
    with pytest.raises(services.LoginFailed, match="Demo accounts cannot sign in"):
        services.authenticate("officer@example.org", "demo-password")
    app.config["DEMO_ACCOUNTS_ALLOWED"] = True
    assert services.authenticate("officer@example.org", "demo-password").email == "officer@example.org"


def test_user_count_unchanged_after_failed_create(app, db):
    with pytest.raises(DomainError):
        services.create_user(email="x@example.org", display_name="  ", role="officer")
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
