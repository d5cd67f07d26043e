"""Shared mechanisms with no feature logic: types, time, permissions, audit, mail, tokens.

Public interface (any feature may import): db helpers (`core.db`), `core.actions` (the one
commit/error helper for views), `core.permissions` (roles, `access`, predicates), `core.errors`,
`core.audit`, `core.mail` (the outbox), `core.tokens`, `core.urls.public_url`, `core.hooks`,
`core.timeutil`, `core.markup`, `core.exports`, `core.http_cache`, `core.ical_tz`, `core.worker`.
"""

from __future__ import annotations


def init_app(app) -> None:
    """Models, the audit/outbox pages, error handlers, the mail task, the worker command and template helpers."""
    from flask import g
    from flask_wtf.csrf import generate_csrf

    from engagement.core import audit, inputs, mail, personal_data, privacy, versioning  # noqa: F401 - models
    from engagement.core.blueprint import bp
    from engagement.core.permissions import register_template_helpers
    from engagement.core.security import register_error_handlers
    from engagement.core.timeutil import register_filters
    from engagement.core.worker import register_task, worker_command

    register_error_handlers(app)
    inputs.init_app(app)
    register_task("mail", mail.send_due)
    privacy.register()  # the outbox's and audit log's part of data-subject requests and retention
    app.cli.add_command(worker_command)
    register_filters(app)
    register_template_helpers(app)
    app.register_blueprint(bp)

    @app.context_processor
    def site_context():
        return {
            "site_name": app.config["SITE_NAME"],
            "force_name": app.config["FORCE_NAME"],
            "csrf_token": generate_csrf,
            "page_lang": g.get("page_lang", "en-GB"),
        }
