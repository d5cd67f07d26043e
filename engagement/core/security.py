"""Security headers on every response and readable error pages for every failure."""

from __future__ import annotations

from flask import current_app, g, jsonify, make_response, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from engagement.core.errors import DomainError
from engagement.core.i18n import _, _l
from engagement.extensions import db

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'"
)

ERROR_TEXT = {
    400: (_l("There is a problem with the request"), _l("Check the page address or go back and try again.")),
    403: (_l("You do not have permission to see this page"), _l("If you think you should, ask your administrator.")),
    404: (_l("Page not found"), _l("If you typed the web address, check it is correct.")),
    405: (_l("That action is not allowed here"), _l("Go back and try again.")),
    409: (_l("That clashes with something that already exists"), _l("Go back and check your details.")),
    413: (_l("That file is too large"), _l("Go back and choose a smaller file (or fewer photos).")),
    422: (_l("We could not do that"), _l("Go back and check your details.")),
    429: (_l("Too many attempts"), _l("This limit stops automated misuse of the site.")),
    500: (_l("Sorry, there is a problem with the service"), _l("Try again later. If you need the police, call 101.")),
}


def allow_framing() -> None:
    """Let this response be shown in an iframe (used by /embed/ pages only)."""
    g.allow_framing = True


# Browser features no page of ours uses: turned off, so an injected script could not ask for them either.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)
HSTS = "max-age=31536000; includeSubDomains"


def is_personal_request() -> bool:
    """A page for one person: someone is signed in, or the address holds a secret token (/bookings/<token>)."""
    if any("token" in name for name in (request.view_args or {})):
        return True
    return bool(getattr(current_user, "is_authenticated", False))


def set_cache_policy(response) -> None:
    """One rule for every response: personal pages are never stored by a browser or proxy cache.

    Signed-in HTML is always `no-store` (it carries the person's name and links); a personal token URL
    without its own policy gets `no-store` too. Feeds that set their own Cache-Control keep it.
    """
    if request.endpoint == "static" or not is_personal_request():
        return
    if response.mimetype == "text/html" or "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)


def set_security_headers(response):
    frame = "*" if g.get("allow_framing") else "'none'"
    response.headers.setdefault("Content-Security-Policy", f"{CSP}; frame-ancestors {frame}")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if current_app.config["BASE_URL"].startswith("https://"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if not g.get("allow_framing"):
        response.headers.setdefault("X-Frame-Options", "DENY")
    set_cache_policy(response)
    return response


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def render_error(status: int, message: str | None = None):
    title, hint = (str(text) for text in ERROR_TEXT.get(status, ERROR_TEXT[500] if status >= 500 else ERROR_TEXT[400]))
    if _wants_json():
        return jsonify(error=message or title, status=status), status
    return render_template("errors/error.html", status=status, title=title, message=message, hint=hint), status


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(
            400, _("The form had expired or was sent from somewhere else. Go back, reload the page and try again.")
        )

    @app.errorhandler(DomainError)
    def domain_error(exc):
        db.session.rollback()
        return render_error(exc.status, exc.message)

    @app.errorhandler(429)
    def too_many(exc):
        """A form page shows itself again with the answers kept; anything else gets the page that says how long."""
        from engagement.core.ratelimits import form_again, wait_message

        return form_again() or render_error(429, wait_message())

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if exc.code and exc.code < 400:
            return exc
        message = exc.description if exc.code in (400, 404, 409, 413, 422) and exc.description else None
        if message and message.startswith("The requested URL was not found"):
            message = None
        body, status = render_error(exc.code or 500, message)
        response = make_response(body, status)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:  # RFC 9110: every 405 says what is allowed
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
        return response

    if not app.testing:  # tests should see the real traceback

        @app.errorhandler(Exception)
        def server_error(exc):
            db.session.rollback()
            app.logger.exception("unhandled error")
            return render_error(500)

    app.after_request(set_security_headers)
