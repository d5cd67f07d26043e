"""Residents' own requests: an emailed, signed, single-use link proves they own the address.

1. /privacy/request: the resident gives an address; we always answer the same ("check your
   email") and email a link that works once, for PRIVACY_LINK_HOURS (24), so the page never
   tells anyone whether we hold data under an address.
2. Following the link (a button, so mail scanners cannot use it up) marks it used and lets this
   browser see, download or delete what is held under the address for GRANT_MINUTES.
The download and the erasure are the same as the staff ones, audited with the resident as actor.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, update

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.mail import queue_templated
from engagement.core.personal_data import RetentionRule, Subject, register_retention_rule, retention_days, subject_hash
from engagement.core.tokens import InvalidToken, make_token, read_token
from engagement.core.urls import public_url
from engagement.extensions import db
from engagement.privacy.models import RequestLink
from engagement.privacy.subjects import email_subject

PURPOSE = "privacy-request"
GRANT_KEY = "privacy_subject"
GRANT_MINUTES = 60


def request_link(email: str) -> None:
    """Email the owner of the address a link to their data, whether or not we hold any."""
    subject = email_subject(email)
    link = RequestLink(created_at=utcnow())
    db.session.add(link)
    db.session.flush()
    token = make_token(PURPOSE, {"id": link.id, "email": subject.value})
    hours = current_app.config["PRIVACY_LINK_HOURS"]
    queue_templated(
        subject.value,
        "Your request about your personal data",
        "privacy/email/request_link",
        link=public_url("privacy.self_link", token=token),
        hours=hours,
    )
    audit.record("privacy.self_request", actor_label="public request form", summary="A resident asked for a link",
                 subject_hash=subject_hash(subject))  # fmt: skip


def check_link(token: str) -> tuple[RequestLink, Subject]:
    data = read_token(PURPOSE, token, current_app.config["PRIVACY_LINK_HOURS"] * 3600)
    link = db.session.get(RequestLink, data.get("id")) if isinstance(data, dict) else None
    if link is None or link.used_at is not None:
        raise InvalidToken("This link has already been used. Ask for a new one: each link works once.")
    return link, Subject.email(data["email"])


def use_link(token: str) -> Subject:
    """Mark the link used (a compare-and-set, so two presses cannot both use it) and return whose it is."""
    link, subject = check_link(token)
    used = db.session.execute(
        update(RequestLink).where(RequestLink.id == link.id, RequestLink.used_at.is_(None)).values(used_at=utcnow()),
        execution_options={"synchronize_session": False},
    ).rowcount
    if used != 1:
        raise InvalidToken("This link has already been used. Ask for a new one: each link works once.")
    return subject


def grant(session, subject: Subject) -> None:
    session[GRANT_KEY] = {"email": subject.value, "until": (utcnow() + timedelta(minutes=GRANT_MINUTES)).timestamp()}


def granted(session) -> Subject | None:
    held = session.get(GRANT_KEY)
    if not isinstance(held, dict) or float(held.get("until", 0)) < utcnow().timestamp():
        return None
    return Subject.email(held["email"])


def revoke(session) -> None:
    session.pop(GRANT_KEY, None)


def _forget_links(now) -> dict[str, int]:
    cutoff = now - timedelta(days=retention_days("privacy-links"))
    gone = db.session.execute(delete(RequestLink).where(RequestLink.created_at < cutoff)).rowcount
    db.session.commit()
    return {"links deleted": gone or 0}


def register() -> None:
    register_retention_rule(
        RetentionRule(
            "privacy-links",
            "Residents' single-use links to their data (no address is stored with them)",
            lambda: retention_days("privacy-links"),
            "after they were sent",
            "nothing",
            _forget_links,
            "RETENTION_DAYS privacy-links",
            order=95,
        )
    )
