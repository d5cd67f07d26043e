"""A feed body sent as it is read: its head at once, then the stored entries in feed order, in batches.

At 10,000 events a feed is several megabytes of stored entries (feed_fragments.py). Reading them
all before the first byte made a poll after one edit wait 300-450 ms on PostgreSQL for bytes that
were already stored, so the body streams instead:

* One statement reads the feed's events in order with their stored entries. The order is taken on
  the narrow event rows first and the entries are joined to the sorted rows (LATERAL on PostgreSQL),
  so the sort never carries megabytes of entries and the first rows come back at once.
* On PostgreSQL it runs on a server-side cursor inside a REPEATABLE READ transaction on the
  fast-path read engine: one statement and one snapshot for the whole body, so a change made while
  it streams cannot show in half of it. The transaction is bounded in time: read_engine's sessions
  carry `idle_in_transaction_session_timeout` (FEEDS_STREAM_IDLE_SECONDS), so a client that stops
  reading cannot hold a snapshot open for ever; behind nginx (proxy buffering on) the stream ends at
  nginx's pace anyway, not the client's.
* On SQLite the rows are read in one go first: a read cursor left open there would block this very
  request's write of rebuilt entries (SQLite without WAL lets no writer commit beside a reader).
* Entries that are missing or stale (their event changed, or a date left the feed) are rebuilt
  batch by batch as the stream reaches them, with one query loading those events and one storing
  the new entries, so an edit costs its own event's work, not the feed's.
* A feed of at most one batch is answered whole, with a Content-Length, as before. A feed that was
  longer than a batch when this process last built it sends its head before reading anything, so
  the first byte waits only for the version; its entries follow as the statement returns them.
  Its snapshot then starts after the version was read, so a change committed in between may show
  in a body whose ETag is older: the next poll fetches it again, and a body is never older than
  its ETag.

The bytes are those of calendar_feeds.build_whole (tests/events/test_feed_fragments.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from flask import current_app
from sqlalchemy import select, true
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from engagement.core.http_cache import Streamed
from engagement.events import ical
from engagement.events.feed_fragments import FeedFragment, store
from engagement.events.models import Event
from engagement.extensions import db

BATCH = 500  # events per chunk: about 300 KiB of entries


def entries_statement(conditions: list, kind: str, dialect: str):
    """The feed's events in feed order, each with its stored entry of this variant (if any)."""
    fragment = FeedFragment.__table__
    ordered = (
        select(Event.id, Event.feed_version, Event.starts_at)
        .where(*conditions)
        .order_by(Event.starts_at, Event.id)
        .subquery("ordered")
    )
    stored = select(fragment.c.version, fragment.c.valid_until, fragment.c.body).where(
        fragment.c.event_id == ordered.c.id, fragment.c.variant == kind
    )
    if dialect == "postgresql":  # joined to the sorted rows, so the sort leaves the entries out
        stored = stored.lateral("stored")
        joined = ordered.outerjoin(stored, true())
    else:
        stored = fragment.alias("stored")
        joined = ordered.outerjoin(stored, (stored.c.event_id == ordered.c.id) & (stored.c.variant == kind))
    return (
        select(ordered.c.id, ordered.c.feed_version, stored.c.version, stored.c.valid_until, stored.c.body)
        .select_from(joined)
        .order_by(ordered.c.starts_at, ordered.c.id)
    )


class _Batches:
    """The open read: the connection, its transaction and the rows in batches. close() is idempotent."""

    def __init__(self, engine, statement):
        self.connection = engine.connect()
        self.transaction = None
        try:
            if self.connection.dialect.name == "postgresql":
                self.connection = self.connection.execution_options(isolation_level="REPEATABLE READ")
                self.transaction = self.connection.begin()
                result = self.connection.execution_options(stream_results=True, yield_per=BATCH).execute(statement)
                self.batches = result.partitions()
            else:
                rows = self.connection.execute(statement).all()
                self.batches = iter([rows[i : i + BATCH] for i in range(0, len(rows), BATCH)])
        except BaseException:
            self.close()
            raise

    def next(self) -> list | None:
        return next(self.batches, None)

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is None:
            return
        try:
            if self.transaction is not None and self.transaction.is_active:
                self.transaction.rollback()  # read only: nothing to keep
        finally:
            connection.close()


def _fresh(row, now: datetime) -> bool:
    return (
        row.body is not None and row.version == row.feed_version and (row.valid_until is None or row.valid_until >= now)
    )


def _bytes(
    batch: list, connection, load: Callable[[Session, list[int]], list[Event]], now: datetime, kind: str
) -> bytes:
    """A batch's entries in order: stored ones as they are, the rest built (one load) and stored."""
    stale = [row.id for row in batch if not _fresh(row, now)]
    built: dict[int, bytes] = {}
    if stale:
        rows = []
        with Session(bind=connection) as session:
            for event in load(session, stale):
                try:
                    body, until = ical.event_fragment(event, now)
                except Exception:  # noqa: BLE001 - whatever is wrong with one event, the others still go out
                    current_app.logger.exception("calendar feed: event %s left out, it cannot be written", event.id)
                    continue
                built[event.id] = body
                rows.append({"event_id": event.id, "variant": kind, "version": event.feed_version} | {
                    "valid_until": until, "body": body})  # fmt: skip
        if rows:
            with db.engine.begin() as writer:  # its own short transaction, on the main engine
                store(writer, rows)
    return b"".join(row.body if row.id not in built and _fresh(row, now) else built.get(row.id, b"") for row in batch)


def assemble(
    engine,
    statement,
    head: bytes,
    load: Callable[[Session, list[int]], list[Event]],
    now: datetime,
    kind: str,
    *,
    long: bool = False,
    counted: Callable[[int], None] = lambda events: None,
) -> bytes | Streamed:
    """The feed's body: whole if it fits in one batch, else a stream of its chunks (see the module).

    `long`: the feed had more than a batch last time (the caller remembers), so its head goes out
    before the entries are even read: the first byte then waits for nothing but the version. Else
    the first batch is read first, to answer a short feed whole. `counted(n)` gets the number of
    events once all are read."""
    if long:
        return _streamed(engine, statement, head, load, now, kind, counted)
    read = _Batches(engine, statement)
    try:
        batch = read.next() or []
        first = head + _bytes(batch, read.connection, load, now, kind)
        if len(batch) < BATCH:  # nothing more to read
            read.close()
            counted(len(batch))
            return first + ical.FOOTER
    except BaseException:
        read.close()
        raise

    def chunks() -> Iterator[bytes]:
        try:
            yield first
            events = len(batch)
            while (more := read.next()) is not None:
                events += len(more)
                yield _bytes(more, read.connection, load, now, kind)
            counted(events)
            yield ical.FOOTER
        finally:
            read.close()

    return Streamed(chunks(), read.close)


def _streamed(engine, statement, head, load, now, kind, counted) -> Streamed:
    opened: list[_Batches] = []

    def close() -> None:
        for read in opened:
            read.close()

    def chunks() -> Iterator[bytes]:
        try:
            yield head
            try:
                opened.append(_Batches(engine, statement))
            except DBAPIError as exc:  # a pooled connection the server dropped: once more, on a new one
                if not exc.connection_invalidated:
                    raise
                opened.append(_Batches(engine, statement))
            read, events = opened[-1], 0
            while (batch := read.next()) is not None:
                events += len(batch)
                yield _bytes(batch, read.connection, load, now, kind)
            counted(events)
            yield ical.FOOTER
        finally:
            close()

    return Streamed(chunks(), close)
