"""Absolute links for emails, feeds and QR codes, built on BASE_URL inside or outside a request.

The worker and the CLI have no request, and a request's Host header must never leak into
what we send, so links come from the URL map plus the configured BASE_URL.
"""

from __future__ import annotations

from contextlib import contextmanager

from flask import current_app, has_request_context


def public_url(endpoint: str, **values) -> str:
    """'https://example.org/events/12', the same in a request, in the worker and in the CLI.

    In another language than English the link carries `?lang=` (core.i18n), so an email or a QR
    poster opens in the language it was written in; English links are unchanged."""
    if "lang" not in values:
        from engagement.core.i18n import lang_param

        if code := lang_param():
            values["lang"] = code
    return current_app.config["BASE_URL"] + current_app.url_map.bind("localhost").build(endpoint, values)


@contextmanager
def url_context():
    """A request context on BASE_URL when there is none, so templates can use url_for in the worker."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        yield
