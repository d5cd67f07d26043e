from datetime import UTC, datetime

import pytest
from flask import Flask

from engagement.core.http_cache import BodyCache, conditional_feed


@pytest.fixture
def feed_app():
    app = Flask(__name__)
    state = {"version": 1, "modified": datetime(2026, 11, 1, 12, 0, 0, 500, tzinfo=UTC)}
    cache = BodyCache(size=2)

    @app.route("/feed.ics", methods=["GET", "HEAD"])
    def feed():
        return conditional_feed(
            cache=cache,
            key=("all",),
            version=state["version"],
            last_modified=state["modified"],
            build=lambda: f"BODY v{state['version']}".encode(),
            mimetype="text/calendar",
        )

    return app, state, cache


def test_first_get_builds_then_etag_gives_304_without_building(feed_app):
    app, state, cache = feed_app
    client = app.test_client()
    first = client.get("/feed.ics")
    assert first.status_code == 200 and first.data == b"BODY v1"
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert first.headers["Last-Modified"] == "Sun, 01 Nov 2026 12:00:00 GMT"
    etag = first.headers["ETag"]
    again = client.get("/feed.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/feed.ics").data == b"BODY v1"
    assert cache.builds == 1


def test_if_modified_since(feed_app):
    app, state, cache = feed_app
    client = app.test_client()
    assert client.get("/feed.ics", headers={"If-Modified-Since": "Sun, 01 Nov 2026 12:00:00 GMT"}).status_code == 304
    assert client.get("/feed.ics", headers={"If-Modified-Since": "Sun, 01 Nov 2026 11:59:59 GMT"}).status_code == 200


def test_new_version_changes_etag_and_rebuilds(feed_app):
    app, state, cache = feed_app
    client = app.test_client()
    etag = client.get("/feed.ics").headers["ETag"]
    state["version"] = 2
    response = client.get("/feed.ics", headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.data == b"BODY v2" and response.headers["ETag"] != etag
    assert cache.builds == 2


def test_head_has_headers_and_no_body(feed_app):
    app, state, cache = feed_app
    response = app.test_client().head("/feed.ics")
    assert response.status_code == 200 and response.data == b"" and response.headers["ETag"]


def test_cache_is_bounded():
    cache = BodyCache(size=2)
    for n in range(5):
        cache.get_or_build(("k", n), lambda n=n: str(n).encode())
    assert cache.builds == 5
    cache.get_or_build(("k", 4), lambda: b"never")
    assert cache.builds == 5
    cache.get_or_build(("k", 0), lambda: b"0")
    assert cache.builds == 6
