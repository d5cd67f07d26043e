"""Which feed addresses the server may fetch: public hosts only, on the usual web ports.

A feed address is typed by staff, so without this check it would be a way to make the server
connect to itself, the database or the cloud's metadata service and report what it found.
Every address is resolved first, and refused when any of its IP addresses is loopback, private
(RFC 1918, unique-local IPv6), link-local (169.254.0.0/16, cloud metadata), multicast,
unspecified or reserved; IPv6 forms that carry an IPv4 address inside (mapped, 6to4, NAT64)
are judged by that address. The fetcher connects to the very address checked here (fetch.py),
so a name that resolves differently a moment later (DNS rebinding) changes nothing.
"""

from __future__ import annotations

import ipaddress
import socket
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

DEFAULT_PORTS = {"http": 80, "https": 443}
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Names that always mean this machine (RFC 6761), whatever a resolver says.
LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")

NOT_PUBLIC = "This address is not on the public internet, so the feed cannot be fetched from it."
BAD_PORT = "Feeds can only be fetched from the usual web ports ({ports}). Remove “:{port}” from the address."
BAD_SCHEME = "Enter a full web address starting with https://, like https://example.org/news.rss"
WITH_LOGIN = "Remove the user name and password from the address: feeds are fetched without signing in."
NOT_FOUND = "We could not find the server for this address. Check it is spelled correctly."


class RefusedAddress(ValueError):
    """The address may not be fetched; str() says why in words staff can act on."""


@dataclass(frozen=True)
class Target:
    """One checked hop: connect to `addresses` (in order) on `port`, speaking to `host`."""

    scheme: str
    host: str  # for the Host header, SNI and the certificate check
    port: int
    path: str  # path and query, as sent in the request line
    addresses: tuple[str, ...]


def allowed_ports() -> set[int]:
    value = current_app.config.get("FEEDS_ALLOWED_PORTS", "80,443")
    if isinstance(value, str):
        return {int(part) for part in value.replace(" ", "").split(",") if part}
    return {int(port) for port in value}


def _loopback_allowed() -> bool:
    """Only the test suite (APP_ENV=test) may fetch from loopback, where its feed server runs."""
    return bool(current_app.testing and current_app.config.get("FEEDS_ALLOW_LOOPBACK"))


def refused_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for every address that is not a public unicast one."""
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return True if ip.ipv4_mapped else refused_ip(embedded)  # a mapped address is never needed
        if ip.is_site_local:
            return True
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_unspecified
        or ip.is_reserved
    )


def _ip_allowed(ip) -> bool:
    return not refused_ip(ip) or (_loopback_allowed() and ip.is_loopback)


def _literal_ip(host: str):
    """The IP a host spells directly, including the old forms C libraries accept (2130706433, 0177.0.0.1, 127.1).

    inet_aton only parses numbers (it never looks a name up), so anything it reads is an IPv4 address.
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def split_url(url: str) -> tuple[str, str, int, str]:
    """Scheme, ASCII host, port and request path of a URL, or RefusedAddress for a shape we never fetch."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        raise RefusedAddress("Enter a web address with a valid port number, or none.") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise RefusedAddress(BAD_SCHEME)
    if parts.username is not None or parts.password is not None:
        raise RefusedAddress(WITH_LOGIN)
    host = parts.hostname.rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise RefusedAddress("Enter a web address with a valid server name.") from None
    if not host or any(c.isspace() for c in host) or "%" in host:
        raise RefusedAddress("Enter a web address with a valid server name.")
    port = port if port is not None else DEFAULT_PORTS[scheme]
    ports = allowed_ports()
    if port not in ports:
        raise RefusedAddress(BAD_PORT.format(ports=" and ".join(str(p) for p in sorted(ports)), port=port))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port, path


def _getaddrinfo(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(info[4][0] for info in infos))


def resolve(host: str, port: int, timeout: float) -> list[str]:
    """The host's addresses, within `timeout` seconds (getaddrinfo itself has no deadline)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feeds-dns")
    try:
        return pool.submit(_getaddrinfo, host, port).result(timeout=timeout)
    finally:
        pool.shutdown(wait=False)


def check_host(host: str, port: int, timeout: float) -> tuple[str, ...]:
    """Every address the host resolves to, all of them public; RefusedAddress otherwise.

    Raises socket.gaierror / TimeoutError when the name does not resolve (the caller decides
    whether that is an error now or later).
    """
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        raise RefusedAddress(NOT_PUBLIC)
    literal = _literal_ip(host)
    if literal is not None:
        if not _ip_allowed(literal):
            raise RefusedAddress(NOT_PUBLIC)
        return (str(literal),)
    try:
        found = resolve(host, port, timeout)
    except FutureTimeout:
        raise TimeoutError(f"resolving {host} took longer than {timeout:g} seconds") from None
    if not found:
        raise socket.gaierror(socket.EAI_NONAME, "no addresses")
    for address in found:
        if not _ip_allowed(ipaddress.ip_address(address.split("%")[0])):
            raise RefusedAddress(NOT_PUBLIC)
    return tuple(found)


def check_target(url: str, timeout: float) -> Target:
    """The checked hop for a URL the fetcher is about to request (the first one or a redirect)."""
    scheme, host, port, path = split_url(url)
    literal = _literal_ip(host)
    return Target(scheme=scheme, host=str(literal) if literal else host, port=port, path=path,
                  addresses=check_host(host, port, timeout))  # fmt: skip


def check_for_form(url: str, timeout: float = 3.0) -> None:
    """The staff form's check: refuse what can never be fetched; a name that does not resolve yet is let
    through (DNS may be down for a moment), and the worker checks again before every fetch."""
    _scheme, host, port, _path = split_url(url)
    try:
        check_host(host, port, timeout)
    except (OSError, TimeoutError):
        return
