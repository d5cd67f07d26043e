"""Two-factor sign-in: an authenticator app's 6-digit codes (TOTP, pyotp) plus ten single-use recovery codes.

Who must use it is a setting (STAFF_2FA_REQUIRED): `exporters` (the default) means every role that
can download residents' personal data (administrators, coordinators, officers, data protection
officers); `all` adds Speed Watch volunteers, who may otherwise set it up by choice; `none` asks no one.
Demo accounts are exempt when APP_ENV=development, so `make run` stays one command (production
refuses demo accounts altogether). The password step signs the user in; `gate()` then sends them
to the code page or to set-up on every request until this session has passed the second factor.
Services never commit; a refused code is a CodeRefused whose counters the view commits anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, select

from engagement.accounts.models import RecoveryCode, TwoFactor, User, new_session_token
from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.core.permissions import ADMIN, COORDINATOR, OFFICER, PRIVACY_OFFICER
from engagement.core.timeutil import format_datetime, format_time
from engagement.core.tokens import InvalidToken, make_token, read_token
from engagement.extensions import db

EXPORTER_ROLES = (ADMIN, COORDINATOR, OFFICER, PRIVACY_OFFICER)  # every role that can download personal data
MAX_FAILURES = 5  # wrong codes in a row before a pause
LOCK_FOR = timedelta(minutes=15)
RECOVERY_COUNT = 10
PASSED = "two_factor_passed"  # session key: the fingerprint of the factor this session passed
PASSWORD_AT = "two_factor_password_at"  # noqa: S105 - a session key: when the password step happened
CODE_WINDOW = timedelta(minutes=10)  # time from the password to the code
DEVICE_COOKIE = "engagement_device"
DEVICE_PURPOSE = "two-factor-device"
_NOT_DIGITS = re.compile(r"[\s-]")


class CodeRefused(DomainError):
    status = 400

    def __init__(self, message: str):
        super().__init__(message, field="code")


def factor(user: User) -> TwoFactor | None:
    return db.session.get(TwoFactor, user.id)


def has_factor(user: User) -> bool:
    row = factor(user)
    return row is not None and row.active


def required(user: User) -> bool:
    mode = current_app.config["STAFF_2FA_REQUIRED"]
    if mode == "none" or (user.demo and current_app.config["APP_ENV"] == "development"):
        return False
    return mode == "all" or user.role in EXPORTER_ROLES


def fingerprint(row: TwoFactor) -> str:
    """Changes whenever the factor does (set up again, reset), so sessions and remembered devices
    that passed the old one are asked again."""
    basis = f"{row.user_id}:{row.secret}:{row.confirmed_at.isoformat() if row.confirmed_at else ''}"
    return hashlib.sha256(basis.encode()).hexdigest()[:32]


def gate(user: User, session, device_cookie: str | None) -> str | None:
    """What this signed-in session still owes: "verify" (enter a code), "enrol" (set one up) or None."""
    row = factor(user)
    if row is not None and row.active:
        mark = fingerprint(row)
        if session.get(PASSED) == mark:
            return None
        if device_cookie and remembered(user, row, device_cookie):
            session[PASSED] = mark
            return None
        return "verify"
    return "enrol" if required(user) else None


# --- setting it up ---------------------------------------------------------------------


def start_enrolment(user: User) -> TwoFactor:
    """A new secret waiting for its first code; the same one until confirmed, so a scanned QR stays valid."""
    row = factor(user)
    if row is not None and row.active:
        raise DomainError("Two-factor sign-in is already set up for this account.")
    if row is None:
        row = TwoFactor(user_id=user.id)
        db.session.add(row)
    if row.secret is None:
        row.secret, row.confirmed_at, row.last_step, row.failures = pyotp.random_base32(), None, None, 0
    db.session.flush()
    return row


def provisioning_uri(user: User, row: TwoFactor) -> str:
    return pyotp.TOTP(row.secret).provisioning_uri(name=user.email, issuer_name=current_app.config["SITE_NAME"])


def qr_code(uri: str) -> Markup:
    """The set-up QR code as inline SVG with a text alternative (the key is also shown as text)."""
    svg = segno.make(uri, error="m", micro=False).svg_inline(scale=5, title="QR code to set up your authenticator app")
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR code to set up your authenticator app" ', 1))  # noqa: S704 - segno escapes


def grouped_key(secret: str) -> str:
    """The key in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_enrolment(user: User, code: str, *, now: datetime | None = None) -> list[str]:
    """The first code proves the app is set up; returns the ten recovery codes, shown once."""
    now = now or utcnow()
    row = factor(user)
    if row is None or row.secret is None:
        raise CodeRefused("Start again: open this page to get a new QR code.")
    if row.active:
        raise DomainError("Two-factor sign-in is already set up for this account.")
    _check_lock(row, now)
    step = _match(row.secret, code, now)
    if step is None:
        _failed(user, row, now)
        raise CodeRefused("That code is not right. Enter the 6-digit code your app shows now.")
    row.confirmed_at, row.last_step, row.failures, row.locked_until, row.reset_at = now, step, 0, None, None
    audit.record("user.two_factor_enabled", actor=user, target=user, summary="set up two-factor sign-in")
    return new_recovery_codes(user, now=now)


def new_recovery_codes(user: User, *, now: datetime | None = None) -> list[str]:
    """Ten fresh codes replace any earlier ones; only salted hashes are kept."""
    now = now or utcnow()
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_COUNT):
        plain = secrets.token_hex(5)
        salt = secrets.token_hex(8)
        db.session.add(RecoveryCode(user_id=user.id, salt=salt, code_hash=_hash(salt, plain), created_at=now))
        codes.append(f"{plain[:5]}-{plain[5:]}")
    db.session.flush()
    return codes


def recovery_codes_left(user: User) -> int:
    query = select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    return db.session.scalar(query)


# --- signing in ------------------------------------------------------------------------


def verify(user: User, code: str, *, now: datetime | None = None) -> str:
    """Accept a current authenticator code (each once) or an unused recovery code; returns which."""
    now = now or utcnow()
    row = factor(user)
    if row is None or not row.active:
        raise CodeRefused("Two-factor sign-in is not set up for this account any more. Sign in again.")
    _check_lock(row, now)
    cleaned = _NOT_DIGITS.sub("", code or "").lower()
    if cleaned.isdigit() and len(cleaned) == 6:
        step = _match(row.secret, cleaned, now)
        if step is not None and row.last_step is not None and step <= row.last_step:
            _failed(user, row, now)
            raise CodeRefused("That code has already been used. Wait for your app to show a new code, then enter it.")
        if step is not None:
            row.last_step, row.failures, row.locked_until = step, 0, None
            return "app"
    elif len(cleaned) == 10:
        for stored in db.session.scalars(
            select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ):
            if hmac.compare_digest(stored.code_hash, _hash(stored.salt, cleaned)):
                stored.used_at, row.failures, row.locked_until = now, 0, None
                audit.record("user.two_factor_recovery_used", actor=user, target=user,
                             summary=f"used a recovery code ({recovery_codes_left(user)} left)")  # fmt: skip
                return "recovery"
    _failed(user, row, now)
    raise CodeRefused("That code is not right. Enter the 6-digit code from your app, or one of your recovery codes.")


def disable(user: User, code: str, *, now: datetime | None = None) -> None:
    """Turn it off (only for people it is not required of); needs a current code."""
    if required(user):
        raise DomainError("Two-factor sign-in is required for your role, so it cannot be turned off.", field="code")
    verify(user, code, now=now)
    _clear(user)
    audit.record("user.two_factor_disabled", actor=user, target=user, summary="turned off two-factor sign-in")


def reset(user: User, *, actor, now: datetime | None = None) -> None:
    """An admin's reset for a lost phone: the factor and codes go, the user is signed out everywhere
    and must set it up again (if required) at their next sign-in."""
    if actor is not None and actor.id == user.id:
        raise DomainError(
            "You cannot reset your own two-factor sign-in. Ask another administrator, or use a recovery code."
        )
    row = factor(user)
    if row is None or row.secret is None:
        raise DomainError(f"{user.display_name} has not set up two-factor sign-in, so there is nothing to reset.")
    _clear(user)
    factor(user).reset_at = now or utcnow()
    user.session_token = new_session_token()
    audit.record("user.two_factor_reset", actor=actor, target=user, summary=f"reset two-factor sign-in of {user.email}")


def code_window_passed(session, now: datetime | None = None) -> bool:
    """True when the password step was longer ago than CODE_WINDOW (the user must start again)."""
    at = session.get(PASSWORD_AT)
    return at is not None and (now or utcnow()).timestamp() - float(at) > CODE_WINDOW.total_seconds()


# --- remember this device (only if STAFF_2FA_REMEMBER_DEVICE is on) --------------------


def remember_allowed() -> bool:
    return bool(current_app.config["STAFF_2FA_REMEMBER_DEVICE"])


def device_token(user: User) -> str:
    return make_token(DEVICE_PURPOSE, {"uid": user.id, "fp": fingerprint(factor(user))})


def remembered(user: User, row: TwoFactor, token: str) -> bool:
    if not remember_allowed():
        return False
    try:
        data = read_token(DEVICE_PURPOSE, token, current_app.config["STAFF_2FA_REMEMBER_DAYS"] * 86400)
    except InvalidToken:
        return False
    return isinstance(data, dict) and data.get("uid") == user.id and data.get("fp") == fingerprint(row)


# --- helpers ---------------------------------------------------------------------------


def _hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{_NOT_DIGITS.sub('', code).lower()}".encode()).hexdigest()


def _match(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second step (previous, current or next, for clock drift) whose code this is."""
    cleaned = _NOT_DIGITS.sub("", code or "")
    if not (cleaned.isdigit() and len(cleaned) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), cleaned):
            return step
    return None


def _check_lock(row: TwoFactor, now: datetime) -> None:
    if row.locked_until is not None and row.locked_until > now:
        raise CodeRefused(
            f"Too many wrong codes. Wait until {format_time(row.locked_until)} and try again. "
            "If you have lost your phone, use a recovery code then, or ask an administrator to reset it."
        )


def _failed(user: User, row: TwoFactor, now: datetime) -> None:
    row.failures += 1
    audit.record("user.two_factor_failed", actor=user, target=user, summary=f"wrong code ({row.failures} in a row)")
    if row.failures >= MAX_FAILURES:
        row.failures, row.locked_until = 0, now + LOCK_FOR
        audit.record("user.two_factor_locked", actor=user, target=user,
                     summary=f"codes paused until {format_datetime(row.locked_until)}")  # fmt: skip


def _clear(user: User) -> None:
    row = factor(user)
    if row is not None:
        row.secret = row.confirmed_at = row.last_step = row.locked_until = None
        row.failures = 0
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()
