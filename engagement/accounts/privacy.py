"""Accounts' part of data-subject requests (registered in engagement.core.personal_data).

A resident only has an account as an approved Speed Watch volunteer. Erasing one replaces the
address and name, removes the password and the second factor, switches the account off and signs
it out everywhere; the row stays so records it made (returns, shift sign-ups) still add up.
Staff accounts are found and exported but kept: they are the force's employment records, managed
on the users page (switch the account off there), not by a resident's request.
Retention (rule "staff-switched-off"): a staff account switched off for RETENTION_DAYS
staff-switched-off (730) is anonymised the same way, named "Former member of staff". The users
table has no "switched off at" column, so the clock is the latest of: the row's last change
(updated_at: switching off changes the row), its last sign-in, and any audit entry about the account
(user.deactivate, user.update...). Any of these inside the period keeps the account as it is.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, cast, delete, exists, or_, select
from sqlalchemy.orm import selectinload

from engagement.accounts import two_factor
from engagement.accounts.models import RecoveryCode, TwoFactor, User, new_session_token
from engagement.core.audit import AuditEntry
from engagement.core.permissions import VOLUNTEER
from engagement.core.personal_data import (
    EMAIL,
    ERASED_EMAIL_DOMAIN,
    Provider,
    Record,
    RetentionRule,
    Subject,
    erased_email,
    register_provider,
    register_retention_rule,
    retention_days,
)
from engagement.extensions import db

ERASED_NAME = "Erased account"
FORMER_STAFF = "Former member of staff"
BATCH = 500  # accounts one retention run anonymises at most; the next daily run takes the rest


def _users(subject: Subject) -> list[User]:
    if subject.kind != EMAIL:
        return []
    return list(db.session.scalars(select(User).where(subject.where(User.email)).order_by(User.id)))


def find(subject: Subject, names: frozenset[str]) -> list[Record]:
    return [
        Record(
            kind="Sign-in account",
            at=u.created_at,
            summary=f"{u.role_label}{'' if u.active else ', switched off'}",
            on_erase="Address, name and password deleted; switched off"
            if u.role == VOLUNTEER
            else "Kept: a staff account is managed on the staff accounts page, not by this request",
            data={
                "email": u.email,
                "name": u.display_name,
                "rank": u.rank,
                "role": u.role_label,
                "active": u.active,
                "created_at": u.created_at,
                "last_signed_in_at": u.last_login_at,
                "two_factor_sign_in": two_factor.has_factor(u),
            },
            names=(u.display_name,) if u.role == VOLUNTEER else (),
        )
        for u in _users(subject)
    ]


def erase(subject: Subject, records, *, actor=None, now: datetime) -> dict[str, int]:
    erased = 0
    for user in _users(subject):
        if user.role != VOLUNTEER:
            continue
        anonymise_user(user, ERASED_NAME)
        erased += 1
    db.session.flush()
    return {"users": erased}


def anonymise_user(user: User, name: str) -> None:
    """Replace address and name, remove password and second factor, switch off, sign out everywhere.

    The row stays (returns, batches and audit entries point at it). Used by erasure, by the
    staff-switched-off rule here and by Speed Watch's rule for long-suspended volunteers."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
    user.email, user.display_name, user.rank = erased_email(f"user-{user.id}"), name, ""
    user.password_hash, user.active, user.session_token = None, False, new_session_token()
    user.teams = []


PROVIDER = Provider(
    name="accounts",
    label="Sign-in accounts",
    about=(
        "Approved Speed Watch volunteers get a sign-in to see their rota; staff accounts belong to officers and "
        "staff. We hold the email address, name, role and when the account last signed in."
    ),
    fields={
        "email, name, rank, role": "the account's sign-in address, name, rank shown to residents, and role",
        "active": "whether the account can sign in",
        "created_at, last_signed_in_at": "when it was made and last used",
        "two_factor_sign_in": "whether an authenticator app is set up (the secret itself is never exported)",
    },
    covers={
        "users.email": "volunteers: replaced on erasure; staff: replaced after staff-switched-off",
        "users.display_name": "volunteers: replaced on erasure; staff: replaced after staff-switched-off",
        "user_two_factor.secret": "deleted on erasure and by an admin's reset",
        "user_recovery_codes.code_hash": "salted hashes; deleted on erasure",
    },
    find=find,
    erase=erase,
    order=50,
)


def _switched_off(now: datetime) -> dict[str, int]:
    cutoff = now - timedelta(days=retention_days("staff-switched-off"))
    touched = exists().where(
        AuditEntry.target_type == "user", AuditEntry.target_id == cast(User.id, String), AuditEntry.at >= cutoff
    )
    query = (
        select(User)
        .where(
            User.active.is_(False),
            User.role != VOLUNTEER,
            ~User.email.endswith(f"@{ERASED_EMAIL_DOMAIN}"),
            User.updated_at < cutoff,
            or_(User.last_login_at.is_(None), User.last_login_at < cutoff),
            ~touched,
        )
        .options(selectinload(User.teams))
        .order_by(User.id)
        .limit(BATCH)
    )
    users = list(db.session.scalars(query))
    for user in users:
        anonymise_user(user, FORMER_STAFF)
    db.session.commit()
    return {"staff accounts anonymised": len(users)}


RULE = RetentionRule(
    "staff-switched-off",
    "Switched-off staff accounts: names, email addresses, passwords and second factors",
    lambda: retention_days("staff-switched-off"),
    "after the account was switched off (its last change, sign-in or audit entry)",
    'the account row, named "Former member of staff", so what it did still adds up',
    _switched_off,
    "RETENTION_DAYS staff-switched-off",
    order=50,
)


def register() -> None:
    register_provider(PROVIDER)
    register_retention_rule(RULE)
