"""Conditional GET for feeds: ETag/Last-Modified, 304 before any building, and a body cache.

Calendar apps poll feeds every few minutes, forever. A feed's *version* is cheap to
compute (one aggregate query over the data's last change); the body is built only
when that version is new, and a poller that already has it gets a 304 without the
body being built or even looked up.

The fast path (serve_fast, read_connection): feeds are polled by calendar apps that never sign
in, so their URLs skip the session cookie, Flask-Login's user loading and flashed messages, and
read through an engine whose connections are in autocommit and are not pinged on checkout. On
PostgreSQL that makes a 304 one round trip: no ping, no BEGIN, and no ROLLBACK when the
connection goes back to the pool (psycopg sends none for a connection outside a transaction).
CSRF is only checked on POST, and feed URLs take only GET and HEAD.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, request, stream_with_context
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError

from engagement.core.i18n import SOURCE, current_language

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

    def get_or_build(self, key: tuple, build: Callable[[], bytes | Streamed]) -> bytes | Streamed:
        """The cached body, or build(); a Streamed body is kept once its last chunk has gone out."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                _observe("hit")
                return self._items[key]
        _observe("build")
        body = build()
        if isinstance(body, Streamed):
            return body.then(lambda whole: self._keep(key, whole))
        self._keep(key, body)
        return body

    def _keep(self, key: tuple, body: bytes) -> None:
        with self._lock:
            self.builds += 1
            self._items[key] = body
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class Streamed:
    """A body sent in chunks as it is made (events.feed_stream), with what releases its resources.

    `close` runs when the WSGI server closes the response, whether or not every chunk was read (a
    HEAD, a client gone away), and may run more than once. `then(keep)` calls keep(whole body) after
    the last chunk, never for a body cut short."""

    def __init__(self, chunks: Iterator[bytes], close: Callable[[], None]):
        self.chunks, self.close = chunks, close

    def then(self, keep: Callable[[bytes], None]) -> Streamed:
        def chunks() -> Iterator[bytes]:
            sent = []
            for chunk in self.chunks:
                sent.append(chunk)
                yield chunk
            keep(b"".join(sent))

        return Streamed(chunks(), self.close)


def make_etag(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]


def conditional_feed(
    *,
    cache: BodyCache,
    key: tuple,
    version,
    last_modified: datetime | None,
    build: Callable[[], bytes | Streamed],
    mimetype: str,
    max_age: int = 300,
    cors: bool = True,
) -> Response:
    """Answer 304 if the client is current, else the (cached) body with validators.

    `version` must change whenever the feed's content would (e.g. the latest change time,
    the row count and the date, for feeds whose window moves with the day). A feed asked for with
    `?lang=` is its own entry: its fixed phrases and its links (the self link too) are in that
    language, and English subscribers must never get those bytes, nor Urdu readers English ones.
    English keys are unchanged, so existing subscribers keep their ETags."""
    language = current_language()
    if language != SOURCE:
        key = (*key, language)
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
    if isinstance(body, Streamed):  # no Content-Length: chunked under gunicorn, nginx passes it on
        response = Response(stream_with_context(body.chunks), content_type=mimetype, headers=headers)
        response.call_on_close(body.close)
        # Nothing may flatten it before it is sent (calculate_content_length in ops' access log would).
        response.implicit_sequence_conversion = False
    else:
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


# --- the fast path for feed URLs ---------------------------------------------------------------

FAST_METHODS = frozenset({"GET", "HEAD"})
READ_POOL_SIZE = 2  # connections a process keeps for feed reads, beside the main pool


class _NoSession(SecureCookieSession):
    """Empty and never saved; reading it is not "accessing" it, so responses get no Vary: Cookie."""

    @property
    def accessed(self) -> bool:
        return False

    @accessed.setter
    def accessed(self, value: bool) -> None:
        pass


class _FastPathSessions(SecureCookieSessionInterface):
    """Fast-path URLs get an empty session: the cookie is neither verified nor written back."""

    def __init__(self, paths: re.Pattern):
        self.paths = paths

    def open_session(self, app: Flask, request):
        if request.method in FAST_METHODS and self.paths.fullmatch(request.path):
            return _NoSession()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        if not isinstance(session, _NoSession):
            super().save_session(app, session, response)


def serve_fast(app: Flask, endpoints: set[str], paths: list[str]) -> None:
    """Put these endpoints (matched before routing by the `paths` regexes) on the fast path."""
    previous = getattr(app.session_interface, "paths", None)
    pattern = "|".join([*(f"(?:{p})" for p in paths), *([previous.pattern] if previous is not None else [])])
    app.session_interface = _FastPathSessions(re.compile(pattern))
    fast = app.extensions.setdefault("fast_endpoints", set())
    fast.update(endpoints)
    if "fast_endpoints_hook" in app.extensions:
        return

    def anonymous():
        """Before any other hook: a feed request is anonymous, whatever cookies it carries."""
        if request.endpoint in fast and request.method in FAST_METHODS:
            g._login_user = app.login_manager.anonymous_user()

    app.before_request_funcs.setdefault(None, []).insert(0, anonymous)
    app.extensions["fast_endpoints_hook"] = anonymous


def read_engine():
    """The engine for fast-path reads: autocommit, no pre-ping, a small pool of its own.

    Without a ping a connection the server has dropped fails on first use; read_connection then
    retries once on a fresh one. Only reads go through here: a write would commit at once. The one
    transaction these connections ever open is a streamed feed's snapshot (events.feed_stream); on
    PostgreSQL the server ends it after FEEDS_STREAM_IDLE_SECONDS idle (a client that stopped reading).
    """
    from engagement.extensions import db

    engine = current_app.extensions.get("feed_read_engine")
    if engine is None:
        main = db.engine
        if main.url.get_backend_name() == "sqlite" and main.url.database in (None, "", ":memory:"):
            engine = main.execution_options(isolation_level="AUTOCOMMIT")  # one in-memory database: share it
        else:
            options = {
                k: v for k, v in current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}).items() if k != "pool_pre_ping"
            }
            if main.url.get_backend_name() != "sqlite":
                options.setdefault("pool_size", READ_POOL_SIZE)
            if main.url.get_backend_name() == "postgresql":  # a streamed feed's snapshot ends if its client stalls
                idle = int(current_app.config.get("FEEDS_STREAM_IDLE_SECONDS", 60) * 1000)
                arguments = dict(options.get("connect_args", {}))
                arguments["options"] = f"{arguments.get('options', '')} -c idle_in_transaction_session_timeout={idle}"
                options["connect_args"] = arguments
            engine = create_engine(main.url, **options, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
        current_app.extensions["feed_read_engine"] = engine
    return engine


@contextmanager
def read_connection() -> Iterator:
    """A connection from read_engine for the length of a block (see read_engine for staleness)."""
    engine = read_engine()
    with engine.connect() as connection:
        try:
            yield connection
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            raise StaleConnection from exc


class StaleConnection(Exception):
    """The server dropped the connection: the caller may run its block once more."""


def retry_stale(call: Callable[[], Response]) -> Response:
    """Run call(), once more if its connection turned out to be stale."""
    try:
        return call()
    except StaleConnection:
        return call()
