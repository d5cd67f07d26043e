"""A real HTTP server on loopback that serves feeds (good, broken, slow) and honours ETags.

Fetching from loopback (and from its port) is allowed for these tests only; the refusals are in
tests/hardening/test_ssrf.py.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    headers: dict = field(default_factory=dict)


class FeedServer:
    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404, "Not Found")
                    return
                if route.delay:
                    time.sleep(route.delay)
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self.send_response(304)
                    self.send_header("ETag", route.etag)
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path: str, body: bytes | str = b"", **kwargs) -> str:
        self.routes[path] = Route(body=body.encode() if isinstance(body, str) else body, **kwargs)
        return self.url(path)


@pytest.fixture(autouse=True)
def allow_loopback(app):
    """The feed server runs on loopback, which the fetcher refuses outside tests (tests/hardening/test_ssrf.py)."""
    app.config["FEEDS_ALLOW_LOOPBACK"] = True


def allow_port(app, port: int) -> None:
    app.config["FEEDS_ALLOWED_PORTS"] = f"{app.config['FEEDS_ALLOWED_PORTS']},{port}"


@pytest.fixture
def feed_server(app):
    server = FeedServer()
    allow_port(app, server.httpd.server_address[1])
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def rss(*items: str, title: str = "WMP press office") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.org/</link><description>Press releases</description>"
        + "".join(items)
        + "</channel></rss>"
    )


def item(guid: str | None, title: str, *, link: str | None = None, description: str = "",
         date: str = "Tue, 03 Nov 2026 09:00:00 GMT") -> str:  # fmt: skip
    parts = [f"<title>{title}</title>"]
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    if link is not None:
        parts.append(f"<link>{link}</link>")
    if description:
        parts.append(f"<description><![CDATA[{description}]]></description>")
    parts.append(f"<pubDate>{date}</pubDate>")
    return "<item>" + "".join(parts) + "</item>"


@pytest.fixture
def team(make_team):
    return make_team(name="Ladywood", coverage=["B1"])


@pytest.fixture
def officer(make_user, team):
    return make_user(role="officer", teams=[team], display_name="Aisha Khan", rank="PCSO")


@pytest.fixture
def outsider(make_user, make_team):
    return make_user(role="officer", teams=[make_team(name="Foleshill", area="Coventry", coverage=["CV6"])])
