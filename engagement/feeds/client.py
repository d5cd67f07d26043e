"""GET one feed over HTTP(S), connecting only to addresses that addresses.py has checked.

Every hop (the first request and each of at most three redirects) is checked before anything
connects, and the connection goes to the IP address that was checked, not to whatever the name
resolves to a moment later; the Host header, TLS SNI and the certificate check still use the
name. A fetch has a total deadline and a size cap and sends the stored validators, so an
unchanged feed costs a 304. Failures become FetchError with a message written here: the text of
a socket or TLS error never reaches the source's page (it would describe the network inside).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import quote, urljoin, urlsplit

from flask import current_app

from engagement.feeds.addresses import RefusedAddress, Target, check_target

MAX_REDIRECTS = 3
REDIRECTS = {301, 302, 303, 307, 308}
# Characters that may stay as they are in a request path (reserved ones and existing %-escapes).
PATH_SAFE = "/?&=%:@!$'()*+,;~-._"

NO_SERVER = "We could not find the server for this address. Check the address, or try again later."
NO_CONNECTION = "Could not connect to the server. It may be down: the feed will be tried again later."
NO_READ = "Could not read the feed from the server. It will be tried again later."
BAD_TLS = "The server's security certificate could not be checked, so the feed was not read."


class FetchError(Exception):
    """Why a source could not be read, in words staff can act on."""


@dataclass
class Fetched:
    status: int  # 200 or 304
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    url: str = ""


def _connect(addresses: tuple[str, ...], port: int, timeout: float) -> socket.socket:
    """A TCP connection to the first checked address that answers (numeric, so no second DNS lookup)."""
    last: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            last = exc
    raise last or OSError("no address")


class _CheckedHTTPConnection(http.client.HTTPConnection):
    """http.client, except that the socket goes to the checked address instead of a fresh lookup."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._create_connection = lambda address, timeout, source=None: _connect(target.addresses, address[1], timeout)


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    """The same for HTTPS; the TLS handshake (SNI, certificate) is made for the host name."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._create_connection = lambda address, timeout, source=None: _connect(target.addresses, address[1], timeout)


def _headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {
        "User-Agent": f"engagement-feed-reader/1.0 (+{current_app.config['BASE_URL']})",
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1",
        "Accept-Encoding": "identity",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _read(response, limit: int, deadline: float, timeout: float) -> bytes:
    chunks, size = [], 0
    while chunk := response.read(65536):
        size += len(chunk)
        if size > limit:
            raise FetchError(f"The feed is larger than {limit // 1_000_000} MB, so it was not read.")
        if time.monotonic() > deadline:
            raise FetchError(f"The server took longer than {timeout:g} seconds to send the feed.")
        chunks.append(chunk)
    return b"".join(chunks)


def _status_text(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


def _check(url: str, timeout: float) -> Target:
    try:
        return check_target(url, timeout)
    except RefusedAddress as exc:
        raise FetchError(str(exc)) from None
    except OSError:  # the name does not resolve (or not in time)
        raise FetchError(NO_SERVER) from None


def _open(target: Target, headers: dict, timeout: float, per_hop: float):
    """Connect to the checked address and send the request; the response's headers have arrived on return."""
    factory = _CheckedHTTPSConnection if target.scheme == "https" else _CheckedHTTPConnection
    connection = factory(target, timeout=per_hop)
    try:
        connection.connect()
    except TimeoutError:
        connection.close()
        raise FetchError(f"The server did not answer within {timeout:g} seconds.") from None
    except ssl.SSLError:
        connection.close()
        raise FetchError(BAD_TLS) from None
    except OSError:
        connection.close()
        raise FetchError(NO_CONNECTION) from None
    try:
        connection.request("GET", quote(target.path, safe=PATH_SAFE), headers=headers)
        return connection, connection.getresponse()
    except BaseException:
        connection.close()
        raise


def fetch_url(url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
    """GET the feed with validators, a total deadline and a size cap; raise FetchError on any failure."""
    timeout = float(current_app.config.get("FEEDS_TIMEOUT", 10))
    limit = int(current_app.config.get("FEEDS_MAX_BYTES", 2_000_000))
    deadline = time.monotonic() + timeout
    headers = _headers(etag, last_modified)
    for _hop in range(MAX_REDIRECTS + 1):
        target = _check(url, timeout)
        connection = None
        try:
            connection, response = _open(target, headers, timeout, max(0.1, min(timeout, deadline - time.monotonic())))
            if response.status in REDIRECTS:
                location = (response.getheader("Location") or "").strip()
                if not location:
                    raise FetchError(f"The server answered {_status_text(response.status)} without a new address.")
                url = urljoin(url, location)
                if urlsplit(url).scheme.lower() not in ("http", "https"):
                    raise FetchError("The feed redirected to an address that is not http or https.")
                continue
            if response.status == 304:
                return Fetched(status=304, etag=response.getheader("ETag") or etag,
                               last_modified=response.getheader("Last-Modified") or last_modified, url=url)  # fmt: skip
            if not 200 <= response.status < 300:
                raise FetchError(f"The server answered {_status_text(response.status)}.")
            body = _read(response, limit, deadline, timeout)
            return Fetched(status=200, body=body, content_type=response.getheader("Content-Type", ""),
                           etag=response.getheader("ETag"), last_modified=response.getheader("Last-Modified"),
                           url=url)  # fmt: skip
        except TimeoutError:
            raise FetchError(f"The server did not answer within {timeout:g} seconds.") from None
        except (OSError, ValueError, http.client.HTTPException):  # reset mid-body, bad chunking, bad header
            raise FetchError(NO_READ) from None
        finally:
            if connection is not None:
                connection.close()
    raise FetchError(f"The feed redirected more than {MAX_REDIRECTS} times, so it was not read.")
