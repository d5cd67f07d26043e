"""Start-up refusals for production: settings and data that would make a live site unsafe.

Production (APP_ENV=production, the default) refuses to serve with rate limits switched off or
with demo accounts in its database (their password is published in the README), and warns
loudly when rate limits are counted per process (`memory://`), where N workers let N times the
limit through. MAIL_TRANSPORT=notify without a MAIL_SERVER is refused: newsletters need SMTP.
CLI commands other than `flask run` still start, so an operator can migrate and remove the demo
accounts (`flask users remove-demo`).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

from engagement.config import ConfigError

log = logging.getLogger("engagement.production")

MEMORY_WARNING = (
    "RATELIMIT_STORAGE_URI is memory://: each app process counts rate limits separately, so with several "
    "gunicorn workers the limits let several times more attempts through. Set "
    "RATELIMIT_STORAGE_URI=redis://HOST:6379/0 in production (see the README, Production)."
)

# Notify cannot carry the newsletter's own List-Unsubscribe / List-Unsubscribe-Post headers, so
# newsletters always go by SMTP (engagement.newsletter.delivery); one-off mail may go through Notify.
NEWSLETTERS_NEED_SMTP = (
    "MAIL_TRANSPORT=notify sends one-off emails through GOV.UK Notify, but newsletters need SMTP: their "
    "List-Unsubscribe headers cannot go through Notify. Set MAIL_SERVER (and MAIL_*) for newsletters as well, "
    "or use MAIL_TRANSPORT=smtp (see the README, Text messages)."
)


def _serving() -> bool:
    """True under gunicorn or any WSGI server, and for `flask run`; False for other CLI commands."""
    if os.environ.get("FLASK_RUN_FROM_CLI") != "true":
        return True
    return len(sys.argv) > 1 and "run" in sys.argv[1:3]


def check_settings(config) -> list[str]:
    """The refusals that need no database; returns warnings to log."""
    if not config["PRODUCTION"]:
        return []
    if not config["RATELIMIT_ENABLED"]:
        raise ConfigError(
            "RATELIMIT_ENABLED=false is refused in production: sign-in, sign-up and survey limits protect residents "
            "and staff. Remove the setting (limits are on by default)."
        )
    if config.get("MAIL_TRANSPORT") == "notify" and not config.get("MAIL_SERVER"):
        raise ConfigError(NEWSLETTERS_NEED_SMTP)
    if config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        return [MEMORY_WARNING]
    return []


_serving_checks: dict[str, Callable[[], str | None]] = {}


def register_serving_check(name: str, check: Callable[[], str | None]) -> None:
    """A feature's check of its data before production serves: returns the refusal message, or None."""
    _serving_checks[name] = check


def check_app(app) -> None:
    """Called by create_app: refuse unsafe production settings, and (when serving) unsafe data."""
    for warning in check_settings(app.config):
        log.warning(warning)
        app.logger.warning(warning)
    if not app.config["PRODUCTION"] or not _serving() or app.config.get("SKIP_SERVING_CHECKS"):
        return
    from engagement.extensions import db

    with app.app_context():
        try:
            refusals = [message for check in _serving_checks.values() if (message := check())]
        finally:
            db.session.remove()
    if refusals:
        raise ConfigError(" ".join(refusals))
