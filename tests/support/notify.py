"""A loopback GOV.UK Notify: the parts of Notify's v2 API the app uses, checked as Notify checks them.

Notify cannot be reached from the test machines, so this threaded HTTP server on 127.0.0.1 (a
random port) answers the official client (`notifications-python-client`) the way Notify does:
* every request must carry the JWT the client signs: HS256 with the API key's secret, `iss` the
  service id, `iat` within 30 seconds; otherwise 403 AuthError, in Notify's error shape
  {"status_code": 403, "errors": [{"error": "AuthError", "message": ...}]};
* POST /v2/notifications/sms and /v2/notifications/email (201 with Notify's response body;
  400 BadRequestError for an unknown template or missing personalisation);
* GET /v2/notifications/<id> (404 NoResultFound), GET /v2/notifications?reference=...;
* GET /v2/received-text-messages?older_than=... (pages, newest first, with links.next).
Tests script failures (`fail_next(2, 429)`, `refuse(number, message)`), hold the Nth send until
released (to kill a worker mid-send), set statuses, add received texts, and read `requests`.
API keys look like Notify's: "{key_name}-{service_id}-{secret}", both UUIDs.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt

ERRORS = {400: "BadRequestError", 403: "AuthError", 404: "NoResultFound", 429: "RateLimitError", 500: "Exception"}
MESSAGES = {
    429: "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
    500: "Internal server error",
}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class NotifyState:
    """What the fake Notify holds and how it has been told to misbehave (shared by the handler threads)."""

    def __init__(self):
        self.service_id, self.secret = str(uuid.uuid4()), str(uuid.uuid4())
        self.sms_template, self.email_template = str(uuid.uuid4()), str(uuid.uuid4())
        self.lock = threading.Lock()
        self.requests: list[dict] = []  # every request that passed authentication: method, path, query, json
        self.rejected: list[str] = []  # AuthError messages given
        self.notifications: dict[str, dict] = {}  # id -> Notify's notification object
        self.received: list[dict] = []  # received texts, oldest first
        self.page_size = 250
        self.failures: list[int] = []  # statuses to answer the next sends with
        self.refused: dict[str, tuple[str, str]] = {}  # recipient -> (error, message) for a 400
        self.hold_at: int | None = None  # hold the answer to this send (1-based) until `release` is set
        self.held, self.release = threading.Event(), threading.Event()
        self.sends = 0

    # --- scripting ---
    def api_key(self, name: str = "engagement_test") -> str:
        return f"{name}-{self.service_id}-{self.secret}"

    def fail_next(self, count: int, status: int = 429) -> None:
        with self.lock:
            self.failures.extend([status] * count)

    def refuse(self, recipient: str, message: str, error: str = "ValidationError") -> None:
        self.refused[recipient] = (error, message)

    def set_status(self, notify_id: str, status: str) -> None:
        self.notifications[notify_id]["status"] = status

    def add_received(self, user_number: str, content: str, created_at: str | None = None) -> str:
        text_id = str(uuid.uuid4())
        self.received.append({"id": text_id, "user_number": user_number, "notify_number": "07537417417",
                              "created_at": created_at or _now(), "service_id": self.service_id, "content": content})  # fmt: skip
        return text_id

    # --- reading ---
    def sent(self, kind: str = "sms") -> list[dict]:
        return [n for n in self.notifications.values() if n["type"] == kind]

    def references(self, kind: str = "sms") -> Counter:
        return Counter(n["reference"] for n in self.sent(kind))

    def receipt(self, notify_id: str, status: str = "delivered") -> dict:
        """The JSON Notify POSTs to a delivery-receipt callback for this message."""
        n = self.notifications[notify_id]
        return {"id": notify_id, "reference": n["reference"], "to": n.get("phone_number") or n.get("email_address"),
                "status": status, "created_at": n["created_at"], "completed_at": _now(), "sent_at": _now(),
                "notification_type": n["type"], "template_id": n["template"]["id"], "template_version": 1}  # fmt: skip


class Handler(BaseHTTPRequestHandler):
    server_version = "loopback-notify/1"
    state: NotifyState  # set on the subclass each server makes

    def log_message(self, *args):  # quiet
        pass

    # --- plumbing ---
    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, error: str | None = None) -> None:
        self._answer(
            status, {"status_code": status, "errors": [{"error": error or ERRORS[status], "message": message}]}
        )

    def _authenticated(self) -> bool:
        """Notify's JWT rules: Bearer token, HS256 with the secret, iss = service id, iat within 30 s."""
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return self._refuse("Unauthorized: authentication token must be provided")
        token = header[len("Bearer ") :]
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
            if jwt.get_unverified_header(token).get("alg") != "HS256":
                return self._refuse("Invalid token: algorithm used is not HS256")
            if unverified.get("iss") != self.state.service_id:
                return self._refuse("Invalid token: service not found")
            claims = jwt.decode(token, self.state.secret, algorithms=["HS256"], options={"verify_iat": False})
        except jwt.InvalidTokenError:
            return self._refuse("Invalid token: signature, api token not found")
        iat = claims.get("iat")
        if not isinstance(iat, int | float) or abs(time.time() - iat) > 30:
            return self._refuse("Error: Your system clock must be accurate to within 30 seconds")
        return True

    def _refuse(self, message: str) -> bool:
        self.state.rejected.append(message)
        self._error(403, message)
        return False

    def _record(self, body) -> tuple[str, dict]:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self.state.lock:
            self.state.requests.append({"method": self.command, "path": parts.path, "query": query, "json": body})
        return parts.path, query

    # --- verbs ---
    def do_GET(self):  # noqa: N802 - http.server's naming
        if not self._authenticated():
            return
        path, query = self._record(None)
        if path == "/v2/received-text-messages":
            return self._received(query.get("older_than"))
        if path == "/v2/notifications":
            found = [n for n in reversed(self.state.notifications.values())
                     if ("reference" not in query or n["reference"] == query["reference"])
                     and ("template_type" not in query or n["type"] == query["template_type"])]  # fmt: skip
            return self._answer(200, {"notifications": found, "links": {"current": self.path}})
        if path.startswith("/v2/notifications/"):
            notify_id = path.rsplit("/", 1)[1]
            try:
                uuid.UUID(notify_id)
            except ValueError:
                return self._error(400, "notification_id is not a valid UUID", "ValidationError")
            if notify_id not in self.state.notifications:
                return self._error(404, "No result found")
            return self._answer(200, self.state.notifications[notify_id])
        return self._error(404, "Not found")

    def do_POST(self):  # noqa: N802
        if not self._authenticated():
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self._error(400, "Invalid JSON supplied in POST data", "BadRequestError")
        path, _ = self._record(body)
        kind = {"/v2/notifications/sms": "sms", "/v2/notifications/email": "email"}.get(path)
        if kind is None:
            return self._error(404, "Not found")
        with self.state.lock:
            failure = self.state.failures.pop(0) if self.state.failures else None
        if failure:
            return self._error(failure, MESSAGES.get(failure, "Scripted failure"))
        self._send(kind, body)

    def _send(self, kind: str, body: dict) -> None:
        state = self.state
        recipient_field = "phone_number" if kind == "sms" else "email_address"
        recipient = body.get(recipient_field)
        if not recipient:
            return self._error(400, f"{recipient_field} is a required property", "ValidationError")
        if recipient in state.refused:
            error, message = state.refused[recipient]
            return self._error(400, message, error)
        template = state.sms_template if kind == "sms" else state.email_template
        if body.get("template_id") != template:
            return self._error(400, "Template not found")
        personalisation = body.get("personalisation") or {}
        needed = ["body"] if kind == "sms" else ["subject", "body"]
        missing = [name for name in needed if name not in personalisation]
        if missing:
            return self._error(400, f"Missing personalisation: {', '.join(missing)}")
        notify_id = str(uuid.uuid4())
        uri = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}/v2/notifications/{notify_id}"
        template_ref = {"id": template, "version": 1, "uri": f"/v2/template/{template}"}
        stored = {"id": notify_id, "reference": body.get("reference"), "type": kind, recipient_field: recipient,
                  "status": "created", "template": template_ref, "body": personalisation["body"],
                  "subject": personalisation.get("subject"), "created_at": _now(), "sent_at": None,
                  "completed_at": None, "created_by_name": None}  # fmt: skip
        with state.lock:
            state.notifications[notify_id] = stored
            state.sends += 1
            hold = state.hold_at is not None and state.sends == state.hold_at
        if hold:  # accepted, but the answer waits: the caller can be killed before it hears
            state.held.set()
            state.release.wait(30)
        content = {"body": personalisation["body"]}
        content.update({"from_number": "GOVUK"} if kind == "sms" else
                       {"subject": personalisation["subject"], "from_email": "service@notifications.service.gov.uk"})  # fmt: skip
        self._answer(201, {"id": notify_id, "reference": body.get("reference"), "content": content, "uri": uri,
                           "template": template_ref})  # fmt: skip

    def _received(self, older_than: str | None) -> None:
        newest_first = list(reversed(self.state.received))
        if older_than:
            ids = [t["id"] for t in newest_first]
            newest_first = newest_first[ids.index(older_than) + 1 :] if older_than in ids else []
        page = newest_first[: self.state.page_size]
        links = {"current": "/v2/received-text-messages"}
        if len(newest_first) > len(page):
            links["next"] = f"/v2/received-text-messages?older_than={page[-1]['id']}"
        self._answer(200, {"received_text_messages": page, "links": links})


class NotifyServer:
    """`with NotifyServer() as state:` serves on 127.0.0.1:<random>; `base_url` for NOTIFY_BASE_URL."""

    def __init__(self):
        self.state = NotifyState()
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.state.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> NotifyState:
        self.thread.start()
        return self.state

    def __exit__(self, *exc):
        self.state.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def notify_fixture(app):
    """Body of the `notify_api` fixture: point the app's NOTIFY_* settings at a fresh loopback Notify."""
    with NotifyServer() as state:
        app.config.update(NOTIFY_API_KEY=state.api_key(), NOTIFY_BASE_URL=state.base_url,
                          NOTIFY_SMS_TEMPLATE_ID=state.sms_template, NOTIFY_EMAIL_TEMPLATE_ID=state.email_template,
                          NOTIFY_TIMEOUT=5)  # fmt: skip
        yield state
