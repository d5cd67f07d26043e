"""Count the SQL statements a block sends, to prove a page costs the same for 1 or 200 items."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def count_queries(engine=None):
    """Yield a list that fills with each statement sent inside the block (before_cursor_execute)."""
    if engine is None:
        from engagement.extensions import db

        engine = db.engine
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
