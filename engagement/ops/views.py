"""Operations endpoints: liveness, readiness and Prometheus metrics. They never import the blueprint."""

from __future__ import annotations

import hmac

from flask import Response, abort, current_app, jsonify, request

from engagement.ops import metrics, readiness


def healthz():
    """The process is up and answering: no database, so a database outage does not restart every process."""
    return jsonify(status="ok")


def readyz():
    """200 when this process can serve (database, migrations at head, Redis when configured), else 503 with why."""
    reasons = readiness.problems()
    if reasons:
        return jsonify(status="unavailable", reasons=reasons), 503
    return jsonify(status="ready")


def metrics_view():
    """Prometheus text format, for the scraper only: a bearer token, or loopback without any proxy in between."""
    if not _metrics_allowed():
        abort(404)  # nothing to see for anyone else, not even that it exists
    return Response(metrics.render(), mimetype="text/plain; version=0.0.4; charset=utf-8")


def _metrics_allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    # No token: only a scraper on this host talking straight to gunicorn (nginx adds X-Forwarded-For).
    direct = request.environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR", request.remote_addr)
    return "X-Forwarded-For" not in request.headers and direct in {"127.0.0.1", "::1"}
