"""Public pages that cost what they show: a CSRF token only where a form is, and revalidation by version.

Why: residents' pages are read far more often than anything on them changes, by people who never
sign in. Rendering the home page used to mint a CSRF token (and so a session cookie) for a page
with no form, and every event page was built from scratch for every visitor.

* `page_has_form()` (a Jinja global): base.html renders the page's content first and writes the
  `csrf-token` meta tag only when that content made a token (a POST form) or someone is signed in
  (the header's sign-out form). A page with no form sets no session cookie.
* `page_response(key, render)`: for an anonymous GET with no flashed messages, the body is kept in
  a per-process cache under (endpoint, path and query, language, key) and answered with a strong
  ETag (a hash of the bytes, so every process agrees), `Last-Modified` and `Cache-Control: no-cache`
  (anyone may keep it but must revalidate; a 304 costs what computing `key` costs). `key` is the
  page's data version: whatever decides the bytes (core.versioning counters, the figures shown).
  A page whose render minted a CSRF token, wrote the session or called `uncached()` is sent but
  never stored; signed-in and flashed responses are never stored (security.set_cache_policy makes
  signed-in ones no-store). Responses vary by Cookie and Accept-Language (core.i18n adds both).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user

from engagement.core.http_cache import BodyCache

CSRF_FIELD = "csrf_token"  # Flask-WTF keeps the request's signed token on g under this name
CACHE_SIZE = 512
CACHE_CONTROL = "no-cache"


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    etag: str
    last_modified: datetime | None


class PageCache(BodyCache):
    """A thread-safe LRU of rendered pages. A BodyCache, so the test fixtures empty it with the feeds'."""

    def __init__(self, size: int = CACHE_SIZE):
        super().__init__(size)
        self._items: OrderedDict[tuple, CachedPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> CachedPage | None:
        with self._lock:
            page = self._items.get(key)
            if page is not None:
                self._items.move_to_end(key)
            return page

    def put(self, key: tuple, page: CachedPage) -> None:
        with self._lock:
            self.builds += 1
            self._items[key] = page
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def page_has_form() -> bool:
    """Whether the page needs its CSRF token in the head: it made one, or the visitor is signed in."""
    return CSRF_FIELD in g or bool(getattr(current_user, "is_authenticated", False))


def uncached() -> None:
    """Called while rendering: this response shows something its key does not cover; do not store it."""
    g._page_uncached = True


def cacheable_request() -> bool:
    """An anonymous GET/HEAD with no flashed messages waiting: the page is the same for everyone."""
    if request.method not in ("GET", "HEAD"):
        return False
    if getattr(current_user, "is_authenticated", False):
        return False
    return "_flashes" not in session


def _cache() -> PageCache:
    return current_app.extensions["page_cache"]


def page_response(key: tuple | None, render: Callable[[], str], last_modified: datetime | None = None):
    """The page from `render()`, from the cache when `key` (its data version) is unchanged; 304 when current.

    `key` None means "not cacheable now" (the view knows it shows something live): render as usual."""
    if key is None or not cacheable_request():
        return render()
    from engagement.core.i18n import current_language

    full_key = (request.endpoint, request.full_path, current_language(), *key)
    cache = _cache()
    page = cache.get(full_key)
    if page is None:
        html = render()
        if not isinstance(html, str) or CSRF_FIELD in g or g.get("_page_uncached") or session.modified:
            return html
        body = html.encode()
        if last_modified is not None:
            last_modified = last_modified.astimezone(UTC).replace(microsecond=0)
        page = CachedPage(body, hashlib.sha256(body).hexdigest()[:32], last_modified)
        cache.put(full_key, page)
    response = Response(page.body, mimetype="text/html")
    response.set_etag(page.etag)
    if page.last_modified is not None:
        response.last_modified = page.last_modified
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    app.extensions["page_cache"] = PageCache()
    app.jinja_env.globals["page_has_form"] = page_has_form
