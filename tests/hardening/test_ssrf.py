"""Issue 13 §4: a feed address can never make the server connect inside the network.

Refused at the staff form (a field error) and again by the worker before every hop, for every
spelling of an internal address; redirects are checked hop by hop (at most 3); the connection goes
to the address that was checked (DNS rebinding); and the error recorded on the source is ours,
never the socket's. A real HTTP server on loopback plays the internal service: it must never see
a request unless a test allows loopback explicitly (FEEDS_ALLOW_LOOPBACK, honoured only in tests).
"""

from __future__ import annotations

import ipaddress
import socket

import pytest

from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.feeds import addresses
from engagement.feeds.client import BAD_TLS, NO_CONNECTION
from engagement.feeds.fetch import fetch_source
from engagement.feeds.models import FAILED, OK, FeedSource
from engagement.feeds.services import add_source
from tests.conftest import csrf_token
from tests.feeds.conftest import FeedServer, item, rss

GOOD = rss(item("wmp-1", "Appeal after Ladywood burglary", link="https://example.org/news/1"))

INTERNAL = [
    "http://127.0.0.1/news.rss",
    "http://127.0.0.1:80/",
    "http://localhost/",
    "http://localhost./",
    "http://LOCALHOST/",
    "http://app.localhost/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://2130706433/",  # 127.0.0.1 as one decimal number
    "http://0177.0.0.1/",  # octal
    "http://0x7f.1/",  # hex, short form
    "http://127.1/",
    "http://0/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://10.0.0.5/",
    "http://10.1/",
    "http://172.16.0.1/",
    "http://172.31.255.254/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://[fc00::1]/",
    "http://[fec0::1]/",
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 spelling of 169.254.169.254
    "http://[2002:7f00:1::]/",  # 6to4 spelling of 127.0.0.1
    "https://192.168.0.10/feed",
]


@pytest.fixture
def team(make_team):
    return make_team(name="Ladywood", coverage=["B1"])


@pytest.fixture
def internal_server(app):
    """A service inside the network: it counts every request it gets (there must be none)."""
    server = FeedServer()
    server.serve("/news.rss", GOOD)
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def _port(server) -> int:
    return server.httpd.server_address[1]


def _saved_source(db, team, url) -> FeedSource:
    """A source saved before these checks existed (or edited in the database): the worker must refuse it too."""
    source = FeedSource(team=team, title="Old source", url=url, next_fetch_at=utcnow())
    db.session.add(source)
    db.session.commit()
    return source


def _fetch(db, source) -> FeedSource:
    fetch_source(source.id)
    db.session.expire_all()
    return db.session.get(FeedSource, source.id)


# --- the rule on IP addresses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ip", "refused"),
    [
        ("8.8.8.8", False),
        ("93.184.215.14", False),
        ("2001:4860:4860::8888", False),
        ("127.0.0.1", True),
        ("127.255.255.254", True),
        ("10.0.0.1", True),
        ("172.16.0.1", True),
        ("192.168.0.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("0.0.0.0", True),
        ("224.0.0.251", True),
        ("239.255.255.250", True),
        ("240.0.0.1", True),
        ("::1", True),
        ("::", True),
        ("fe80::1", True),
        ("fd12:3456::1", True),
        ("fec0::1", True),
        ("ff05::2", True),
        ("::ffff:8.8.8.8", True),  # a mapped address is never what a feed publishes
        ("::ffff:10.0.0.1", True),
        ("64:ff9b::808:808", False),  # NAT64 of 8.8.8.8: judged by the IPv4 address inside
        ("64:ff9b::a00:1", True),  # NAT64 of 10.0.0.1
        ("2002:0808:0808::1", False),  # 6to4 of 8.8.8.8
        ("2002:c0a8:0001::1", True),  # 6to4 of 192.168.0.1
        ("2001:db8::1", True),  # documentation range
    ],
)
def test_which_ip_addresses_are_refused(ip, refused):
    assert addresses.refused_ip(ipaddress.ip_address(ip)) is refused


# --- the staff form ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused_when_a_source_is_added(db, team, url):
    with pytest.raises(DomainError) as caught:
        add_source(actor=None, team=team, title="Inside", url=url)
    assert caught.value.field == "url"
    assert caught.value.message == addresses.NOT_PUBLIC
    assert db.session.scalar(db.select(db.func.count(FeedSource.id))) == 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:5432/", "usual web ports"),
        ("https://example.org:8443/feed", "Remove “:8443” from the address"),
        ("http://example.org:0/", "usual web ports"),
        ("http://example.org:99999/", "valid port number"),
        ("http://user:secret@example.org/feed", "Remove the user name and password"),
        ("http://example.org@127.0.0.1/", "Remove the user name and password"),
        ("gopher://example.org/", "starting with https://"),
        ("file:///etc/passwd", "starting with https://"),
    ],
)
def test_ports_logins_and_schemes_are_refused(db, team, url, message):
    with pytest.raises(DomainError, match=message) as caught:
        add_source(actor=None, team=team, title="Inside", url=url)
    assert caught.value.field == "url"


def test_a_host_that_resolves_inside_is_refused_at_the_form(db, team, monkeypatch):
    _resolver(
        monkeypatch, {"intranet.example.org": ["10.20.30.40"], "mixed.example.org": ["93.184.215.14", "10.0.0.1"]}
    )
    for url in ("https://intranet.example.org/feed", "https://mixed.example.org/feed"):
        with pytest.raises(DomainError, match="not on the public internet"):
            add_source(actor=None, team=team, title="Intranet", url=url)


def test_the_staff_form_shows_the_refusal_on_the_field(client, db, team, make_user, login_as):
    officer = make_user(role="officer", teams=[team])
    login_as(officer)
    response = client.post("/staff/feeds/new", data={"csrf_token": csrf_token(client), "team": team.id,
                                                     "title": "Metadata", "url": "http://169.254.169.254/latest/"})  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and 'href="#url"' in page
    assert "This address is not on the public internet" in page
    assert db.session.scalar(db.select(db.func.count(FeedSource.id))) == 0


# --- the worker, before every fetch ---------------------------------------------------------------


def test_the_worker_refuses_a_saved_internal_source_without_connecting(app, db, team, internal_server):
    app.config["FEEDS_ALLOWED_PORTS"] = f"80,443,{_port(internal_server)}"
    open_port = _saved_source(db, team, internal_server.url("/news.rss"))
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        closed_port = closed.getsockname()[1]
    app.config["FEEDS_ALLOWED_PORTS"] += f",{closed_port}"
    closed_port_source = _saved_source(db, team, f"http://127.0.0.1:{closed_port}/")
    metadata = _saved_source(db, team, "http://169.254.169.254/latest/meta-data/iam/")
    for source in (open_port, closed_port_source, metadata):
        source = _fetch(db, source)
        assert source.last_status == FAILED
        # The same words for an open port, a closed one and the metadata service: nothing to scan with.
        assert source.last_error == addresses.NOT_PUBLIC
    assert internal_server.requests == []


def test_a_database_port_is_refused_by_the_port_rule_before_any_lookup(app, db, team):
    source = _fetch(db, _saved_source(db, team, "http://127.0.0.1:5432/"))
    assert source.last_status == FAILED
    assert "usual web ports (80 and 443)" in source.last_error and "5432" in source.last_error
    assert "Errno" not in source.last_error and "refused" not in source.last_error


def test_loopback_is_fetched_only_when_the_test_switch_is_on_in_test_mode(app, db, team, internal_server):
    app.config["FEEDS_ALLOWED_PORTS"] = f"80,443,{_port(internal_server)}"
    app.config["FEEDS_ALLOW_LOOPBACK"] = True
    app.config["TESTING"] = False  # as in production: the switch is ignored
    assert _fetch(db, _saved_source(db, team, internal_server.url("/news.rss"))).last_error == addresses.NOT_PUBLIC
    assert internal_server.requests == []
    app.config["TESTING"] = True
    source = _fetch(db, _saved_source(db, team, internal_server.serve("/again.rss", GOOD)))
    assert source.last_status == OK and len(internal_server.requests) == 1
    # The switch is loopback only: the rest of the private ranges stay refused.
    assert _fetch(db, _saved_source(db, team, "http://10.0.0.1/")).last_error == addresses.NOT_PUBLIC


# --- redirects, hop by hop ------------------------------------------------------------------------


@pytest.fixture
def loopback_first_hop(app, internal_server):
    """The first hop (our loopback test server) is allowed, so each test is about where it redirects."""
    app.config["FEEDS_ALLOW_LOOPBACK"] = True
    app.config["FEEDS_ALLOWED_PORTS"] = f"80,443,{_port(internal_server)}"
    return internal_server


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("http://169.254.169.254/latest/meta-data/", addresses.NOT_PUBLIC),
        ("http://10.0.0.1/feed.rss", addresses.NOT_PUBLIC),
        ("http://[fd00::1]/feed.rss", addresses.NOT_PUBLIC),
        ("http://2130706433:5432/", "usual web ports"),
        ("http://127.0.0.1:6379/", "usual web ports"),
        ("file:///etc/passwd", "redirected to an address that is not http or https"),
        ("gopher://127.0.0.1:70/", "redirected to an address that is not http or https"),
    ],
)
def test_every_redirect_hop_is_checked(db, team, loopback_first_hop, location, message):
    url = loopback_first_hop.serve("/moved", "", status=302, headers={"Location": location})
    source = _fetch(db, _saved_source(db, team, url))
    assert source.last_status == FAILED and message in source.last_error
    assert [path for path, _ in loopback_first_hop.requests] == ["/moved"]


def test_at_most_three_redirects(db, team, loopback_first_hop):
    server = loopback_first_hop
    for n in range(4):
        server.serve(f"/hop{n}", "", status=301, headers={"Location": f"/hop{n + 1}"})
    server.serve("/hop4", GOOD)
    server.serve("/hop3-ok", GOOD)
    source = _saved_source(db, team, server.url("/hop0"))
    too_many = _fetch(db, source)
    assert too_many.last_error == "The feed redirected more than 3 times, so it was not read."
    assert [p for p, _ in server.requests] == ["/hop0", "/hop1", "/hop2", "/hop3"]  # /hop4 never asked for
    server.requests.clear()
    server.serve("/hop1", "", status=307, headers={"Location": "/hop3-ok"})
    three = _fetch(db, source)
    assert three.last_status == OK, three.last_error
    assert [p for p, _ in server.requests] == ["/hop0", "/hop1", "/hop3-ok"]


# --- DNS rebinding: the connection goes to the address that was checked -----------------------------


def _resolver(monkeypatch, answers: dict[str, list[str]]) -> dict[str, int]:
    """socket.getaddrinfo with fixed answers for some names (each a list, or a list per call); counts lookups."""
    real = socket.getaddrinfo
    calls: dict[str, int] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        calls[host] = calls.get(host, 0) + 1
        answer = answers[host]
        if not answer:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        ips = answer[min(calls[host], len(answer)) - 1] if isinstance(answer[0], list) else answer
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [(family[ipaddress.ip_address(ip).version], socket.SOCK_STREAM, socket.IPPROTO_TCP, "",
                 (ip, port)) for ip in ips]  # fmt: skip

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return calls


def test_a_name_that_changes_its_answer_after_the_check_still_reaches_the_checked_address(
    db, team, loopback_first_hop, monkeypatch
):
    """First answer 127.0.0.1 (allowed here), every later one the metadata service: the fetch must use the first."""
    calls = _resolver(monkeypatch, {"feeds.rebind.test": [["127.0.0.1"], ["169.254.169.254"]]})
    port = _port(loopback_first_hop)
    source = _fetch(db, _saved_source(db, team, f"http://feeds.rebind.test:{port}/news.rss"))
    assert source.last_status == OK, source.last_error
    assert calls == {"feeds.rebind.test": 1}  # resolved once, for the check; the connection reused that answer
    [(path, headers)] = loopback_first_hop.requests
    assert path == "/news.rss" and headers["Host"] == f"feeds.rebind.test:{port}"  # the name, not the IP


def test_a_public_name_that_rebinds_inside_is_refused_by_the_worker(app, db, team, monkeypatch):
    """Public when the officer saved it, the metadata service when the worker fetches: refused, not fetched."""
    _resolver(monkeypatch, {"news.rebind.test": [["93.184.215.14"], ["169.254.169.254"]]})
    source = add_source(actor=None, team=team, title="Rebinding", url="http://news.rebind.test/feed.rss")
    db.session.commit()
    assert _fetch(db, source).last_error == addresses.NOT_PUBLIC


def test_an_unknown_name_is_a_plain_message(app, db, team, monkeypatch):
    _resolver(monkeypatch, {"nowhere.invalid": []})
    source = add_source(actor=None, team=team, title="Nowhere", url="https://nowhere.invalid/feed.rss")  # let through
    db.session.commit()
    assert "We could not find the server" in _fetch(db, source).last_error


# --- what is recorded ------------------------------------------------------------------------------


def test_connection_failures_record_our_words_not_the_sockets(app, db, team, loopback_first_hop):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    app.config["FEEDS_ALLOWED_PORTS"] += f",{port}"
    refused = _fetch(db, _saved_source(db, team, f"http://127.0.0.1:{port}/"))
    assert refused.last_error == NO_CONNECTION
    # https:// to a server that only speaks plain HTTP: the TLS failure is ours too, with no OpenSSL text.
    tls = _fetch(db, _saved_source(db, team, f"https://127.0.0.1:{_port(loopback_first_hop)}/news.rss"))
    assert tls.last_error == BAD_TLS
    for text in (refused.last_error, tls.last_error):
        assert "Errno" not in text and "SSL" not in text and "[" not in text
