"""Column types and mixins shared by every model.

Datetimes are stored in UTC and are always timezone-aware in Python: a naive
datetime is a bug (whose wall clock is it?), so binding one raises at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import DateTime, select, update
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: store aware datetimes only")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TimestampMixin:
    """created_at / updated_at, kept by the database session, never by hand."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)


def insert_missing(model, values: dict) -> None:
    """Insert the row unless its key exists already (ON CONFLICT DO NOTHING): safe for two first comers."""
    from engagement.extensions import db

    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(model.__table__).values(**values).on_conflict_do_nothing())


def lock_row(model, key: dict, touch, defaults: Callable[[], dict]):
    """Take a row's lock until the transaction ends, creating the row if it is missing; return it freshly read.

    The lock is an UPDATE of `touch` to itself, so two requests for the same key queue up on every
    backend (SQLite's write lock, PostgreSQL's row lock). A missing row is inserted with `defaults()`
    and ON CONFLICT DO NOTHING, so two first comers cannot both create it. Per-date counters
    (sign-up places, Speed Watch staffing) use this before checking and changing their numbers.
    """
    from engagement.extensions import db

    db.session.flush()
    where = [getattr(model, name) == value for name, value in key.items()]
    touched = update(model).where(*where).values({touch: touch})
    options = {"synchronize_session": False}
    if db.session.execute(touched, execution_options=options).rowcount == 0:
        insert_missing(model, {**key, **defaults()})
        db.session.execute(touched, execution_options=options)
    query = select(model).where(*where).execution_options(populate_existing=True)
    return db.session.scalars(query).one()
