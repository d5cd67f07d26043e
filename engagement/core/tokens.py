"""Signed, expiring tokens for links sent by email (password reset, manage links).

A token carries a purpose (the itsdangerous salt) so one kind can never be replayed as another.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from engagement.core.errors import DomainError


class InvalidToken(DomainError):
    status = 400


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"engagement.{purpose}")


def make_token(purpose: str, payload) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int | None):
    """Return the payload or raise InvalidToken with a readable reason."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidToken("This link has expired. Ask for a new one.") from exc
    except BadSignature as exc:
        raise InvalidToken("This link is not valid. Check you copied all of it, or ask for a new one.") from exc
