"""A small HTTPS client for the stack test: cookies, forms, a chosen source address, every call with a timeout.

The standard library only, so the checks depend on nothing the app does not. Connecting from
another loopback address (127.0.0.2, 127.0.0.3 ...) makes nginx see a different client, which
is how the test shows that the rate limits count real client addresses behind the proxy.
"""

from __future__ import annotations

import http.client
import re
import ssl
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    request_id: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


class _Forms(HTMLParser):
    """Collects each <form>'s action and its fields' default values, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}})
        elif not self.forms:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            fields.setdefault(a["name"], a.get("value") or "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            fields.setdefault(a["name"], "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and (self._select not in fields or "selected" in a):
            fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


@dataclass
class Client:
    base: str
    cafile: str | None = None
    source: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30

    def request(self, method: str, path: str, *, data: dict | None = None, headers: dict | None = None,
                follow: bool = True, cookies: bool = True) -> Reply:  # fmt: skip
        url = urljoin(self.base, path)
        for _ in range(5):  # bounded redirects
            reply = self._once(method, url, data, headers or {}, cookies)
            location = reply.header("Location")
            if not (follow and reply.status in (301, 302, 303) and location):
                return reply
            url, method, data = urljoin(url, location), "GET", None
        return reply

    def _once(self, method, url, data, headers, use_cookies) -> Reply:
        parts = urlsplit(url)
        if parts.scheme == "https":
            context = ssl.create_default_context(cafile=self.cafile)
            conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=self.timeout, context=context,
                                               source_address=(self.source, 0))  # fmt: skip
        else:  # straight to gunicorn (the load test's direct runs)
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout,
                                              source_address=(self.source, 0))  # fmt: skip
        request_id = headers.get("X-Request-ID") or uuid.uuid4().hex
        sent = {"X-Request-ID": request_id, "User-Agent": "engagement-stack-test", **headers}
        if use_cookies and self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent.setdefault("Referer", url)  # Flask-WTF checks the referrer on HTTPS
        try:
            conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body, headers=sent)
            response = conn.getresponse()
            payload = response.read()
        finally:
            conn.close()
        if use_cookies:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                value = rest.split(";", 1)[0]
                if value and "expires=thu, 01 jan 1970" not in header.lower():
                    self.cookies[name.strip()] = value
                else:
                    self.cookies.pop(name.strip(), None)
        return Reply(response.status, response.headers, payload, request_id)

    def get(self, path: str, **kwargs) -> Reply:
        return self.request("GET", path, **kwargs)

    def submit(self, path: str, values: dict, *, headers: dict | None = None) -> Reply:
        """GET the page, take the form that has every field in `values` (not the sign-out button's), POST it."""
        return self.submit_page(self.get(path), path, values, headers=headers)

    def submit_page(self, page: Reply, path: str, values: dict, *, headers: dict | None = None) -> Reply:
        """POST a form of a page already fetched (a "check your answers" step, say)."""
        found = [f for f in forms(page.text) if "csrf_token" in f["fields"] and set(values) <= set(f["fields"])]
        if not found:
            raise AssertionError(f"no form with fields {sorted(values)} at {path} (status {page.status})")
        form = found[0]
        action = urljoin(urljoin(self.base, path), form["action"] or path)
        return self.request("POST", action, data={**form["fields"], **values}, headers=headers)

    def staff_login(self, email: str, password: str) -> Reply:
        """Sign in as staff; when the site asks a new account to set up two-factor sign-in, do it as
        an authenticator app would (TOTP from the key the page shows), so later pages are reachable."""
        reply = self.submit("/login", {"email": email, "password": password})
        key = re.search(r'<code class="setup-key">([A-Z2-7 ]+)</code>', reply.text)
        if key:
            import pyotp  # the app's own TOTP library (requirements.txt)

            code = pyotp.TOTP(key.group(1).replace(" ", "")).now()
            reply = self.submit_page(reply, "/staff/account/two-factor", {"code": code})
        return reply
