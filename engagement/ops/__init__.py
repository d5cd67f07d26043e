"""Operations: health and readiness probes, Prometheus metrics, JSON logs and request ids.

Public interface: `init_app(app)`; `engagement.ops.logs.JsonFormatter` (gunicorn's logging
config uses it); the probe URLs `/healthz`, `/readyz` and `/metrics` (see the README's
"Production" section). No other feature depends on this one: it observes them from
outside (URL rules, core.http_cache observers, the outbox and worker tables).
"""

from __future__ import annotations

import time

PROBES = frozenset({"ops.healthz", "ops.readyz", "ops.metrics"})  # not logged, not rate limited, not counted


def init_app(app) -> None:
    from flask import g, request

    from engagement.core import http_cache
    from engagement.extensions import limiter
    from engagement.ops import logs, metrics
    from engagement.ops.blueprint import bp

    logs.configure(app)
    app.register_blueprint(bp)
    for endpoint in PROBES:
        limiter.exempt(app.view_functions[endpoint])
    if metrics.observe_feed not in http_cache.observers:
        http_cache.observers.append(metrics.observe_feed)

    def start_request():
        g.request_started = time.perf_counter()
        g.request_id = logs.request_id()

    # First of all before-request hooks, so a request refused by CSRF or a rate limit is timed and logged too.
    app.before_request_funcs.setdefault(None, []).insert(0, start_request)

    @app.after_request
    def finish_request(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-ID"] = request_id
        if request.endpoint in PROBES or "request_started" not in g:
            return response
        duration = time.perf_counter() - g.request_started
        endpoint = request.endpoint or "<unmatched>"
        metrics.observe_request(request.method, endpoint, response.status_code, duration)
        logs.access(response.status_code, duration, response.calculate_content_length())
        return response
