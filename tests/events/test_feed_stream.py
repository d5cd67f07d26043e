"""Streamed feeds (issue 21): a feed longer than one batch goes out as it is read (events.feed_stream).

BATCH is lowered to two events here, so a handful of events makes a feed of several chunks; the
bytes must still equal the feed built in one go, the validators must be set, the body cached once
the stream completes, the read connection given back however the response ends, and a change
committed while a feed streams must not show in half of it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engagement.core.db import utcnow
from engagement.core.http_cache import read_engine
from engagement.events import feed_stream, ical
from engagement.events.calendar_feeds import FEED_CACHE, FEED_LENGTHS, FeedFilters, build_whole, calendar_name
from engagement.events.feed_fragments import FeedFragment
from engagement.events.models import Event
from engagement.events.recurrence import RepeatPattern
from tests.events.test_feed_fragments import feed_queries
from tests.events.test_ical import at, next_weekday


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(feed_stream, "BATCH", 2)
    FEED_LENGTHS.clear()  # what this process remembers of each feed's length
    yield
    FEED_LENGTHS.clear()


@pytest.fixture
def events(make_event, small_batches):
    day = next_weekday(2)
    made = []
    for n in range(5):
        start = day + timedelta(days=n)
        pattern = RepeatPattern("weekly", count=3) if n % 2 == 0 else None
        made.append(make_event(at(start, 10), at(start, 11), title=f"Surgery {n}", pattern=pattern))
    return made


def checked_out() -> int:
    return read_engine().pool.checkedout()


@pytest.mark.parametrize(
    ("url", "filters", "slug"),
    [
        ("/calendar.ics", FeedFilters(), None),
        ("/teams/ladywood/calendar.ics", FeedFilters(["ladywood"]), "ladywood"),
        ("/calendar.ics?team=ladywood&type=police-surgery", FeedFilters(["ladywood"], ["police-surgery"]), None),
    ],
)
def test_a_long_feed_streams_the_same_bytes_with_its_validators(client, db, events, url, filters, slug):
    FEED_CACHE.clear()
    builds = FEED_CACHE.builds
    response = client.get(url)
    assert response.status_code == 200
    assert "Content-Length" not in response.headers  # streamed: no length known before the last chunk
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert response.mimetype == "text/calendar"
    body = response.data
    response.close()
    assert body == build_whole(filters, utcnow(), team_slug=slug)
    assert checked_out() == 0  # the stream's connection went back to the pool
    assert FEED_CACHE.builds == builds + 1  # kept when the last chunk went out
    cached = client.get(url)  # served whole from the cache
    assert cached.headers["Content-Length"] == str(len(body)) and cached.data == body
    assert FEED_CACHE.builds == builds + 1 and cached.headers["ETag"] == response.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_an_edit_rebuilds_only_its_event_and_costs_the_same_statements(client, db, events):
    assert client.get("/calendar.ics").data  # read to the end: every entry stored
    changed = db.session.get(Event, events[3].id)  # in the second batch
    changed.title = "Surgery 3 (moved upstairs)"
    db.session.commit()
    with feed_queries(db) as seen:
        response = client.get("/calendar.ics")
        body = response.data
        response.close()
    assert "Content-Length" not in response.headers and b"moved upstairs" in body
    assert body == build_whole(FeedFilters(), utcnow())
    # the version, the entries (one statement however many chunks), the changed event, its new entry
    assert len(seen["reads"]) + len(seen["writes"]) == 4 and len(seen["writes"]) == 1
    stored = db.session.execute(select(FeedFragment.event_id, FeedFragment.version)).all()
    versions = dict(db.session.execute(select(Event.id, Event.feed_version)).all())
    assert {event_id: versions[event_id] for event_id, _ in stored} == dict(stored)


def test_a_stream_cut_short_gives_back_its_connection_and_caches_nothing(client, db, events):
    FEED_CACHE.clear()
    builds = FEED_CACHE.builds
    head = client.head("/calendar.ics")
    assert head.status_code == 200 and head.data == b""
    head.close()
    response = client.get("/calendar.ics")
    first = next(iter(response.response))
    assert first.startswith(b"BEGIN:VCALENDAR") and b"END:VCALENDAR" not in first
    response.close()  # the client went away after the first chunk
    assert checked_out() == 0 and FEED_CACHE.builds == builds


def test_a_change_committed_while_a_feed_streams_does_not_show_in_half_of_it(client, db, events):
    assert client.get("/calendar.ics").data
    before = build_whole(FeedFilters(), utcnow())
    FEED_CACHE.clear()
    FEED_LENGTHS.clear()  # read from the start (a feed remembered as long reads after its head)
    response = client.get("/calendar.ics")
    chunks = iter(response.response)
    first = next(chunks)
    last = db.session.get(Event, events[-1].id)
    last.title = "Surgery 4 (renamed mid-stream)"
    db.session.commit()
    rest = b"".join(chunks)
    response.close()
    assert first + rest == before  # one snapshot: the feed as it was when it started
    after = client.get("/calendar.ics")
    assert b"renamed mid-stream" in after.data and after.headers["ETag"] != response.headers["ETag"]
    after.close()


def test_a_feed_long_last_time_sends_its_head_before_reading_its_entries(client, db, events):
    assert client.get("/teams/ladywood/calendar.ics").data  # remembered: longer than a batch
    changed = db.session.get(Event, events[0].id)  # in the first batch
    changed.title = "Surgery 0 (moved upstairs)"
    db.session.commit()
    with feed_queries(db) as seen:
        response = client.get("/teams/ladywood/calendar.ics")
        chunks = iter(response.response)
        first = next(chunks)
        read_before_head = len(seen["reads"])
        body = first + b"".join(chunks)
        response.close()
    name = calendar_name(FeedFilters(["ladywood"]), [], "Ladywood")
    assert first == ical.feed_head(name, utcnow()) and read_before_head == 1  # only the version
    assert body == build_whole(FeedFilters(["ladywood"]), utcnow(), team_slug="ladywood")
    assert b"moved upstairs" in body and "Content-Length" not in response.headers
    # Its snapshot starts with its entries, after the version: never older than its ETag says.
    FEED_CACHE.clear()
    response = client.get("/teams/ladywood/calendar.ics")
    chunks = iter(response.response)
    assert next(chunks) == first
    # (an open stream keeps its request's app context pushed, so db.session is that request's here)
    again = db.session.get(Event, events[0].id)
    again.title = "Surgery 0 (back downstairs)"
    db.session.commit()
    assert b"back downstairs" in b"".join(chunks)
    response.close()
    assert len(seen["reads"]) + len(seen["writes"]) == 4 and checked_out() == 0
