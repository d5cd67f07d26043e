"""Helpers shared by the news, feeds and newsletter tests: a query counter and a feed reader."""

from __future__ import annotations

from contextlib import contextmanager

import feedparser
from sqlalchemy import event

from engagement.extensions import db


@contextmanager
def count_queries():
    """Count SQL statements sent to the database inside the block (before_cursor_execute)."""
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def read_feed(response):
    """Parse a feed response the way a reader would; fails the test unless feedparser is happy."""
    assert response.status_code == 200, response.status_code
    parsed = feedparser.parse(response.data, response_headers={"content-type": response.headers["Content-Type"]})
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed
