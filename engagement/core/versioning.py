"""Data versions: a counter per area of data, bumped in the same transaction as any change to it.

Feeds are polled far more often than they change. Reading one indexed row tells a
feed whether anything it shows may have changed, instead of aggregating over every
event and date. The bump happens in a before_flush hook, so every ORM write counts,
whichever service or admin screen made it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from engagement.core.db import UTCDateTime, utcnow
from engagement.extensions import db

_TRACKED: dict[str, tuple[type, ...]] = {}


class DataVersion(db.Model):
    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=0, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


def track(name: str, *models: type) -> None:
    """Bump `name` whenever an instance of one of these models is added, changed or deleted."""
    _TRACKED[name] = tuple(set(_TRACKED.get(name, ())) | set(models))


def current(name: str) -> tuple[int, datetime | None]:
    row = db.session.execute(
        select(DataVersion.version, DataVersion.changed_at).where(DataVersion.name == name)
    ).first()
    return (row.version, row.changed_at) if row else (0, None)


def _touched(session: Session, models: tuple[type, ...]) -> bool:
    if any(isinstance(obj, models) for obj in (*session.new, *session.deleted)):
        return True
    return any(isinstance(obj, models) and session.is_modified(obj) for obj in session.dirty)


@event.listens_for(Session, "before_flush")
def _bump(session: Session, flush_context, instances) -> None:
    names = [name for name, models in _TRACKED.items() if _touched(session, models)]
    if names:
        bump(session.connection(), names)


def bump(connection, names) -> None:
    """Raise each named counter by one in the connection's transaction, creating missing ones.

    Names may be made on the fly (calendar feeds keep one per team, "feed.team.12"). In sorted
    order, so two transactions bumping the same names cannot deadlock; a missing row is inserted
    with ON CONFLICT DO NOTHING first, so two first comers cannot both fail on the key.
    """
    now = utcnow()
    for name in sorted(set(names)):
        raise_it = update(DataVersion).where(DataVersion.name == name)
        raise_it = raise_it.values(version=DataVersion.version + 1, changed_at=now)
        if connection.execute(raise_it).rowcount == 0:
            connection.execute(_insert_missing(connection, name, now))
            connection.execute(raise_it)


def _insert_missing(connection, name: str, now: datetime):
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(DataVersion.__table__).values(name=name, version=0, changed_at=now).on_conflict_do_nothing()
