"""The worker reading feeds from a real HTTP server on loopback, including broken, slow and hostile ones."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest

from engagement.core.db import utcnow
from engagement.core.worker import run_once
from engagement.feeds.fetch import fetch_due, fetch_source
from engagement.feeds.models import FAILED, NOT_MODIFIED, OK, FeedEntry, FeedSource
from engagement.feeds.services import add_source
from tests.feeds.conftest import allow_port, item, rss

GOOD = rss(
    item("wmp-1", "Appeal after Ladywood burglary", link="https://example.org/news/1",
         description='<p onclick="steal()">Call <b>101</b>.</p><script>alert(1)</script>'
                     '<a href="javascript:alert(2)">x</a> <a href="https://example.org/more">more</a>'),
    item("wmp-2", "Knife amnesty starts", link="https://example.org/news/2", date="Wed, 04 Nov 2026 10:30:00 GMT"),
)  # fmt: skip


def _source(db, team, url) -> FeedSource:
    source = add_source(actor=None, team=team, title="Press office", url=url)
    db.session.commit()
    return source


def _entries(db) -> list[FeedEntry]:
    db.session.expire_all()
    return db.session.scalars(db.select(FeedEntry).order_by(FeedEntry.id)).all()


def test_first_fetch_stores_sanitised_entries(db, team, feed_server):
    source = _source(
        db, team, feed_server.serve("/feed.rss", GOOD, etag='"v1"', last_modified="Tue, 03 Nov 2026 09:00:00 GMT")
    )
    assert fetch_source(source.id) == 2
    first, second = _entries(db)
    assert (first.guid, first.title, first.link) == (
        "wmp-1",
        "Appeal after Ladywood burglary",
        "https://example.org/news/1",
    )
    assert first.summary_html == (
        '<p>Call <b>101</b>.</p><a rel="nofollow noopener">x</a> '
        '<a href="https://example.org/more" rel="nofollow noopener">more</a>'
    )
    assert first.summary_text == "Call 101. x more"
    assert second.published_at == datetime(2026, 11, 4, 10, 30, tzinfo=UTC)
    db.session.refresh(source)
    assert source.last_status == OK and source.etag == '"v1"' and source.failures == 0
    assert source.last_modified == "Tue, 03 Nov 2026 09:00:00 GMT"
    assert source.next_fetch_at > utcnow() + timedelta(minutes=59)


def test_second_fetch_is_conditional_and_stores_nothing_twice(db, team, feed_server):
    source = _source(
        db, team, feed_server.serve("/feed.rss", GOOD, etag='"v1"', last_modified="Tue, 03 Nov 2026 09:00:00 GMT")
    )
    fetch_source(source.id)
    assert fetch_source(source.id) == 0
    path, headers = feed_server.requests[-1]
    assert headers["If-None-Match"] == '"v1"' and headers["If-Modified-Since"] == "Tue, 03 Nov 2026 09:00:00 GMT"
    db.session.refresh(source)
    assert source.last_status == NOT_MODIFIED and len(_entries(db)) == 2
    # The feed changes: one new item, the old ones again. Only the new one is stored.
    feed_server.serve("/feed.rss", GOOD.replace("</channel>", item("wmp-3", "New item") + "</channel>"), etag='"v2"')
    assert fetch_source(source.id) == 1
    assert [e.guid for e in _entries(db)] == ["wmp-1", "wmp-2", "wmp-3"]


def test_entries_without_guid_use_link_and_without_either_are_skipped(db, team, feed_server):
    body = rss(item(None, "By link", link="https://example.org/a"), item(None, "Nothing to key on"),
               item(None, "By link again", link="https://example.org/a"))  # fmt: skip
    source = _source(db, team, feed_server.serve("/feed.rss", body))
    assert fetch_source(source.id) == 1
    assert [e.guid for e in _entries(db)] == ["https://example.org/a"]
    db.session.refresh(source)
    assert source.last_status == OK and source.last_error == "1 entries had no id or link and were skipped."


def test_atom_feed(db, team, feed_server):
    atom = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
      <title>Council news</title><id>urn:x:council</id><updated>2026-11-05T12:00:00Z</updated>
      <entry><title>Bin collections change</title><id>urn:x:1</id><updated>2026-11-05T12:00:00Z</updated>
      <link href="https://example.org/bins"/><summary type="html">&lt;p&gt;New days&lt;/p&gt;</summary></entry></feed>"""
    source = _source(db, team, feed_server.serve("/atom", atom, content_type="application/atom+xml"))
    assert fetch_source(source.id) == 1
    [entry] = _entries(db)
    assert (entry.guid, entry.summary_html, entry.published_at) == (
        "urn:x:1",
        "<p>New days</p>",
        datetime(2026, 11, 5, 12, tzinfo=UTC),
    )


def _fails(db, source, message: str):
    assert fetch_source(source.id) == 0
    db.session.refresh(source)
    assert source.last_status == FAILED, source.last_error
    assert message in source.last_error
    assert source.last_fetched_at > utcnow() - timedelta(minutes=1)
    return source


def test_malformed_feed_is_recorded_and_saves_nothing_partial(db, team, feed_server):
    url = feed_server.serve("/feed.rss", GOOD, etag='"v1"')
    source = _source(db, team, url)
    fetch_source(source.id)
    # Two good new items, then the document breaks off: none of it may be stored.
    broken = GOOD.replace("</channel></rss>", item("wmp-3", "Three") + item("wmp-4", "Four") + "<item><title>Fi")
    feed_server.serve("/feed.rss", broken, etag='"v2"')
    _fails(db, source, "The feed is not well-formed XML")
    assert [e.guid for e in _entries(db)] == ["wmp-1", "wmp-2"]  # earlier entries kept, nothing new
    assert source.etag == '"v1"' and source.failures == 1


def test_a_web_page_is_not_a_feed(db, team, feed_server):
    page = "<!DOCTYPE html><html><head><title>Home</title></head><body><p>Welcome</p></body></html>"
    source = _source(db, team, feed_server.serve("/", page, content_type="text/html"))
    _fails(db, source, "This address does not return an RSS or Atom feed")


@pytest.mark.parametrize(("status", "message"), [(404, "answered 404 Not Found"), (500, "answered 500")])
def test_http_errors(db, team, feed_server, status, message):
    source = _source(db, team, feed_server.serve("/feed.rss", "oops", status=status, content_type="text/plain"))
    _fails(db, source, message)


def test_unreachable_server(app, db, team):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    allow_port(app, port)
    source = _source(db, team, f"http://127.0.0.1:{port}/feed.rss")
    _fails(db, source, "Could not connect to the server")


def test_slow_server_times_out(app, db, team, feed_server):
    app.config["FEEDS_TIMEOUT"] = 0.3
    source = _source(db, team, feed_server.serve("/slow.rss", GOOD, delay=1.0))
    _fails(db, source, "did not answer within 0.3 seconds")


def test_oversized_feed_is_refused(app, db, team, feed_server):
    app.config["FEEDS_MAX_BYTES"] = 1_000_000
    source = _source(db, team, feed_server.serve("/big.rss", GOOD.replace("Press releases", "x" * 1_100_000)))
    _fails(db, source, "larger than 1 MB")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("file:///etc/passwd", "redirected to an address that is not http or https"),
        ("ftp://127.0.0.1/feed.rss", "redirected to an address that is not http or https"),
    ],
)
def test_redirects_away_from_http_are_refused(db, team, feed_server, target, message):
    source = _source(db, team, feed_server.serve("/r", "", status=302, headers={"Location": target}))
    _fails(db, source, message)


def test_failures_back_off_and_recover(db, team, feed_server):
    source = _source(db, team, feed_server.serve("/feed.rss", "oops", status=503, content_type="text/plain"))
    fetch_source(source.id)
    fetch_source(source.id)
    db.session.refresh(source)
    assert source.failures == 2
    assert utcnow() + timedelta(minutes=119) < source.next_fetch_at < utcnow() + timedelta(minutes=121)
    feed_server.serve("/feed.rss", GOOD)
    fetch_source(source.id)
    db.session.refresh(source)
    assert (source.failures, source.last_status, source.last_error) == (0, OK, None)
    assert source.last_success_at is not None


def test_worker_fetches_only_due_active_sources_once(db, team, feed_server):
    due = _source(db, team, feed_server.serve("/a.rss", GOOD))
    later = add_source(actor=None, team=team, title="Later", url=feed_server.serve("/b.rss", GOOD))
    later.next_fetch_at = utcnow() + timedelta(minutes=30)
    off = add_source(actor=None, team=team, title="Off", url=feed_server.serve("/c.rss", GOOD))
    off.active = False
    db.session.commit()
    assert run_once()["feeds"] == 1
    assert run_once()["feeds"] == 0
    assert [path for path, _ in feed_server.requests] == ["/a.rss"]
    assert {e.source_id for e in _entries(db)} == {due.id}


def test_a_leased_source_is_not_fetched_by_another_worker(db, team, feed_server):
    source = _source(db, team, feed_server.serve("/a.rss", GOOD))
    source.locked_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    assert fetch_due() == 0
    source.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert fetch_due() == 1
