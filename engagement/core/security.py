"""Security headers on every response and readable error pages for every failure."""

from __future__ import annotations

from flask import g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engagement.core.errors import DomainError
from engagement.extensions import db

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'"
)

ERROR_TEXT = {
    400: ("There is a problem with the request", "Check the page address or go back and try again."),
    403: ("You do not have permission to see this page", "If you think you should, ask your administrator."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("That action is not allowed here", "Go back and try again."),
    409: ("That clashes with something that already exists", "Go back and check your details."),
    422: ("We could not do that", "Go back and check your details."),
    429: ("Too many attempts", "Wait a minute, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. If you need the police, call 101."),
}


def allow_framing() -> None:
    """Let this response be shown in an iframe (used by /embed/ pages only)."""
    g.allow_framing = True


def set_security_headers(response):
    frame = "*" if g.get("allow_framing") else "'none'"
    response.headers.setdefault("Content-Security-Policy", f"{CSP}; frame-ancestors {frame}")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if not g.get("allow_framing"):
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def render_error(status: int, message: str | None = None):
    title, hint = ERROR_TEXT.get(status, ERROR_TEXT[500] if status >= 500 else ERROR_TEXT[400])
    if _wants_json():
        return jsonify(error=message or title, status=status), status
    return render_template("errors/error.html", status=status, title=title, message=message, hint=hint), status


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(
            400, "The form had expired or was sent from somewhere else. Go back, reload the page and try again."
        )

    @app.errorhandler(DomainError)
    def domain_error(exc):
        db.session.rollback()
        return render_error(exc.status, exc.message)

    @app.errorhandler(429)
    def too_many(exc):
        return render_error(429, "You have tried too many times. Wait a minute, then try again.")

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if exc.code and exc.code < 400:
            return exc
        message = exc.description if exc.code in (400, 404, 409, 422) and exc.description else None
        if message and message.startswith("The requested URL was not found"):
            message = None
        return render_error(exc.code or 500, message)

    if not app.testing:  # tests should see the real traceback

        @app.errorhandler(Exception)
        def server_error(exc):
            db.session.rollback()
            app.logger.exception("unhandled error")
            return render_error(500)

    app.after_request(set_security_headers)
