"""Conditional GET for feeds: ETag/Last-Modified, 304 before any building, and a body cache.

Calendar apps poll feeds every few minutes, forever. A feed's *version* is cheap to
compute (one aggregate query over the data's last change); the body is built only
when that version is new, and a poller that already has it gets a 304 without the
body being built or even looked up.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Response, current_app, request

# Called with "hit", "build" or "not_modified" for every feed answer (engagement.ops counts them
# for the feed cache hit ratio); observers must be cheap and must not raise.
observers: list[Callable[[str], None]] = []


def _observe(outcome: str) -> None:
    for observer in observers:
        observer(outcome)


class BodyCache:
    """A small thread-safe LRU of built bodies, keyed by (feed key, data version)."""

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0  # how many bodies were built: tests and benchmarks read it

    def get_or_build(self, key: tuple, build: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                _observe("hit")
                return self._items[key]
        _observe("build")
        body = build()
        with self._lock:
            self.builds += 1
            self._items[key] = body
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return body

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def make_etag(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]


def conditional_feed(
    *,
    cache: BodyCache,
    key: tuple,
    version,
    last_modified: datetime | None,
    build: Callable[[], bytes],
    mimetype: str,
    max_age: int = 300,
    cors: bool = True,
) -> Response:
    """Answer 304 if the client is current, else the (cached) body with validators.

    `version` must change whenever the feed's content would (e.g. the latest change time,
    the row count and the date, for feeds whose window moves with the day)."""
    etag = make_etag(*key, version)
    if last_modified is not None:
        last_modified = last_modified.astimezone(UTC).replace(microsecond=0)
    cache_control = f"public, max-age={max_age}"
    shared = current_app.config.get("FEEDS_SHARED_MAX_AGE", 0)
    if shared:  # shared caches (nginx, a CDN) revalidate sooner, so officers' changes show quickly
        cache_control += f", s-maxage={min(shared, max_age)}"
    headers = {"Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    if cors:
        headers["Access-Control-Allow-Origin"] = "*"
    if _client_is_current(etag, last_modified):
        _observe("not_modified")
        response = Response(status=304, headers=headers)
        response.set_etag(etag)
        if last_modified:
            response.last_modified = last_modified
        return response
    body = cache.get_or_build((*key, version), build)
    response = Response(body, content_type=mimetype, headers=headers)  # used verbatim: include any charset
    response.set_etag(etag)
    if last_modified:
        response.last_modified = last_modified
    return response


def _client_is_current(etag: str, last_modified: datetime | None) -> bool:
    if request.if_none_match:  # RFC 9110: If-None-Match wins over If-Modified-Since
        return request.if_none_match.contains(etag)
    if request.if_modified_since and last_modified is not None:
        return last_modified <= request.if_modified_since
    return False
