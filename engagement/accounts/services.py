"""Rules for staff accounts. Services never commit; the view or command that calls them does."""

from __future__ import annotations

import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, inspect, select

from engagement.accounts.models import User, new_session_token
from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import Conflict, DomainError
from engagement.core.mail import queue_templated
from engagement.core.permissions import ROLES, VOLUNTEER
from engagement.core.tokens import InvalidToken, make_token, read_token
from engagement.core.urls import public_url
from engagement.extensions import db

DEMO_EMAILS = frozenset({"admin@example.org", "coordinator@example.org", "officer@example.org"})
DEMO_PASSWORD = "demo-password"  # noqa: S105 - documented demo login, refused in production
MIN_PASSWORD_LENGTH = 10
_HASHERS: dict[bool, tuple[PasswordHasher, str]] = {}


def _argon2() -> tuple[PasswordHasher, str]:
    """The hasher plus a dummy hash: verifying the dummy when the email is unknown keeps timing equal.

    Tests use argon2's low-cost profile (same algorithm, less memory and time)."""
    cheap = bool(current_app.config.get("TESTING"))
    if cheap not in _HASHERS:
        hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if cheap else PasswordHasher()
        _HASHERS[cheap] = (hasher, hasher.hash("not-a-real-password"))
    return _HASHERS[cheap]


class LoginFailed(DomainError):
    status = 400


def normalise_email(email: str) -> str:
    """Check the syntax (no DNS lookups: nothing here may reach the internet) and lower-case it."""
    try:
        result = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise DomainError("Enter an email address in the correct format, like name@example.org", field="email") from exc
    return result.normalized.lower()


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters", field="password")
    if len(password) > 128:
        raise DomainError("Password must be 128 characters or fewer", field="password")


def set_password(user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = _argon2()[0].hash(password)
    user.session_token = new_session_token()  # signs out every other session


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(*, email, display_name, role, rank="", teams=(), password=None, actor=None) -> User:
    if role not in ROLES:
        raise DomainError(f"Role must be one of: {', '.join(ROLES)}", field="role")
    return _create(email, display_name, role, rank, teams, password, actor)


def invite_user(*, email, display_name, role, rank="", teams=(), actor=None) -> User:
    """A new staff account with no password yet: the person is emailed a link to set one."""
    user = create_user(email=email, display_name=display_name, role=role, rank=rank, teams=teams, actor=actor)
    request_password_reset(user.email)
    return user


def user_for_session(user_id: str) -> User | None:
    """Flask-Login's loader: the session holds "<id>:<session token>", so rotating the token signs out everywhere."""
    ident, _, token = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or user.session_token != token:
        return None
    return user


def create_volunteer_account(*, email, display_name, password=None, actor=None) -> User:
    """A sign-in for an approved Speed Watch volunteer; only approving an application calls this."""
    return _create(email, display_name, VOLUNTEER, "", (), password, actor)


def _create(email, display_name, role, rank, teams, password, actor) -> User:
    email = normalise_email(email)
    if not display_name or not display_name.strip():
        raise DomainError("Enter the person's name", field="display_name")
    if find_user_by_email(email):
        raise Conflict(f"There is already an account for {email}", field="email")
    user = User(email=email, display_name=display_name.strip(), rank=(rank or "").strip(), role=role)
    user.teams = list(teams)
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor=actor, target=user, summary=f"Created {role} {email}", role=role)
    return user


def update_user(user: User, *, actor, display_name, rank, role, teams, active) -> User:
    if user.role == VOLUNTEER:
        raise DomainError("Speed Watch volunteers are managed on the Speed Watch pages", field="role")
    if role not in ROLES:
        raise DomainError(f"Role must be one of: {', '.join(ROLES)}", field="role")
    if actor is not None and actor.id == user.id and (role != user.role or not active):
        raise DomainError(
            "You cannot change your own role or deactivate yourself. Ask another administrator.", field="role"
        )
    if user.role != role:
        audit.record(
            "user.role_change",
            actor=actor,
            target=user,
            summary=f"{user.email}: {user.role} → {role}",
            old=user.role,
            new=role,
        )
    if user.active != active:
        audit.record("user.activate" if active else "user.deactivate", actor=actor, target=user, summary=user.email)
        user.session_token = new_session_token()
    old_teams = {t.slug for t in user.teams}
    new_teams = {t.slug for t in teams}
    if old_teams != new_teams:
        audit.record(
            "user.teams_change",
            actor=actor,
            target=user,
            summary=user.email,
            old=sorted(old_teams),
            new=sorted(new_teams),
        )
    user.display_name, user.rank, user.role, user.active = display_name.strip(), (rank or "").strip(), role, active
    user.teams = list(teams)
    return user


def authenticate(email: str, password: str) -> User:
    """Return the user for these credentials or raise LoginFailed; both outcomes are audited."""
    generic = "Enter a correct email address and password"
    user = find_user_by_email(email or "")
    is_demo = user is not None and (user.demo or user.email in DEMO_EMAILS)
    if is_demo and not current_app.config["DEMO_ACCOUNTS_ALLOWED"]:
        audit.record("user.login_refused", actor_label=user.email, target=user, summary="demo account in production")
        raise LoginFailed("Demo accounts cannot sign in to this site.")
    hasher, dummy = _argon2()
    try:
        hasher.verify(user.password_hash if user and user.password_hash else dummy, password or "")
        ok = user is not None and user.password_hash is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or not user.active:
        audit.record(
            "user.login_failed",
            actor_label=(email or "")[:255],
            summary="wrong email or password" if not ok else "inactive account",
        )
        raise LoginFailed(generic if ok is False else "This account has been switched off. Ask your administrator.")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_login_at = utcnow()
    audit.record("user.login", actor=user, target=user, summary="signed in")
    return user


def sign_out_everywhere(user: User) -> None:
    """Logging out ends this session and any copy of its cookie: the session token in the cookie stops matching."""
    user.session_token = new_session_token()


def demo_account_count() -> int:
    """Accounts the demo loader made (0 on a database not migrated that far yet)."""
    inspector = inspect(db.engine)
    if not inspector.has_table(User.__tablename__):
        return 0
    if "demo" not in {c["name"] for c in inspector.get_columns(User.__tablename__)}:
        return 0
    return db.session.scalar(select(func.count()).select_from(User).where(User.demo.is_(True)))


def demo_accounts_refusal() -> str | None:
    """Production's serving check: demo accounts' password is published in the README."""
    count = demo_account_count()
    if not count:
        return None
    return (
        f"This production database holds {count} demo account(s) made by `flask demo load`, whose password is "
        "published. Remove them with `flask users remove-demo` (or load production data into a fresh database), "
        "then start again."
    )


def remove_demo_accounts() -> list[str]:
    """Delete the accounts the demo loader marked; records they made keep their rows (the links become empty)."""
    users = db.session.scalars(select(User).where(User.demo.is_(True)).order_by(User.email)).all()
    emails = [u.email for u in users]
    for user in users:
        audit.record("user.demo_removed", actor_label="flask users remove-demo", summary=user.email)
        user.teams = []
        db.session.delete(user)
    db.session.flush()
    return emails


def _password_fingerprint(user: User) -> str:
    """Changes whenever the password does, so a used reset link stops working."""
    return hashlib.sha256((user.password_hash or "unset").encode()).hexdigest()[:16]


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way (no account discovery)."""
    try:
        email = normalise_email(email)
    except DomainError:
        raise
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    token = make_token("password-reset", {"uid": user.id, "fp": _password_fingerprint(user)})
    link = public_url("accounts.reset_password", token=token)  # BASE_URL: never the request's Host header
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    queue_templated(
        user.email, "Reset your password", "accounts/email/reset_password", user=user, link=link, minutes=minutes
    )
    audit.record("user.password_reset_requested", actor_label=user.email, target=user)


def user_for_reset_token(token: str) -> User:
    data = read_token("password-reset", token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("fp") != _password_fingerprint(user):
        raise InvalidToken("This link has already been used or is no longer valid. Ask for a new one.")
    return user


def reset_password(token: str, password: str) -> User:
    user = user_for_reset_token(token)
    set_password(user, password)
    audit.record("user.password_reset", actor=user, target=user)
    return user
