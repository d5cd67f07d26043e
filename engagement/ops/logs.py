"""Structured logs: one JSON object per line, for journald, Loki, Elastic or a plain file.

Access lines name the URL *rule* (`/bookings/<token>`), never the path, so tokens from
emailed links never reach a log; they carry no client address or other personal data.
Every line written inside a request carries its request id, which nginx passes in
X-Request-ID and the response echoes, so one resident's complaint finds its lines.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import uuid
from datetime import UTC, datetime

from flask import g, has_request_context, request

ACCESS_LOGGER = "engagement.access"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_RULE_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")  # <int(min=1):event_id> -> <event_id>
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON line; `extra={"fields": {...}}` adds keys (gunicorn's logs use it too)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": os.getpid(),
        }
        if has_request_context() and "request_id" in g:
            line["request_id"] = g.request_id
        line.update(getattr(record, "fields", None) or {})
        extra = {k: v for k, v in vars(record).items() if k not in _STANDARD and k != "fields"}
        line.update({k: v for k, v in extra.items() if isinstance(v, str | int | float | bool)})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(app) -> None:
    """LOG_FORMAT=json sends every logger (app, SQLAlchemy warnings, access) through one JSON handler on stderr.

    Done once per process: tests and scripts that build several apps keep one handler."""
    if app.config.get("LOG_FORMAT") != "json":
        return
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        root.handlers[:] = [handler]
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    app.logger.handlers.clear()  # Flask's default handler would print a second, plain copy
    app.logger.propagate = True
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the dev server's own access lines


def request_id() -> str:
    """The proxy's X-Request-ID when it looks like one, else a fresh id (never trust arbitrary bytes)."""
    given = request.headers.get("X-Request-ID", "")
    return given if REQUEST_ID.match(given) else uuid.uuid4().hex


def path_template() -> str:
    """The matched rule with its variables named but not filled in; '<unmatched>' for a 404 with no rule."""
    rule = request.url_rule
    return _RULE_VARIABLE.sub(r"<\1>", rule.rule) if rule is not None else "<unmatched>"


def access(status: int, duration: float, size: int | None) -> None:
    logging.getLogger(ACCESS_LOGGER).info(
        "request",
        extra={
            "fields": {
                "method": request.method,
                "path": path_template(),
                "endpoint": request.endpoint or "<unmatched>",
                "status": status,
                "duration_ms": round(duration * 1000, 2),
                "bytes": size,
            }
        },
    )
