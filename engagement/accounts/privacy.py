"""Accounts' part of data-subject requests (registered in engagement.core.personal_data).

A resident only has an account as an approved Speed Watch volunteer. Erasing one replaces the
address and name, removes the password and the second factor, switches the account off and signs
it out everywhere; the row stays so records it made (returns, shift sign-ups) still add up.
Staff accounts are found and exported but kept: they are the force's employment records, managed
on the users page (switch the account off there), not by a resident's request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from engagement.accounts import two_factor
from engagement.accounts.models import RecoveryCode, TwoFactor, User, new_session_token
from engagement.core.permissions import VOLUNTEER
from engagement.core.personal_data import EMAIL, Provider, Record, Subject, erased_email, register_provider
from engagement.extensions import db

ERASED_NAME = "Erased account"


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
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
        user.email, user.display_name, user.rank = erased_email(f"user-{user.id}"), ERASED_NAME, ""
        user.password_hash, user.active, user.session_token = None, False, new_session_token()
        user.teams = []
        erased += 1
    db.session.flush()
    return {"users": erased}


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
        "users.email": "volunteers: replaced on erasure; staff: kept while employed",
        "users.display_name": "volunteers: replaced on erasure; staff: kept while employed",
        "user_two_factor.secret": "deleted on erasure and by an admin's reset",
        "user_recovery_codes.code_hash": "salted hashes; deleted on erasure",
    },
    find=find,
    erase=erase,
    order=50,
)


def register() -> None:
    register_provider(PROVIDER)
