"""A feed reader for the news and newsletter tests (query counting is tests/support/queries.py)."""

from __future__ import annotations

import feedparser


def read_feed(response):
    """Parse a feed response the way a reader would; fails the test unless feedparser is happy."""
    assert response.status_code == 200, response.status_code
    parsed = feedparser.parse(response.data, response_headers={"content-type": response.headers["Content-Type"]})
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed
