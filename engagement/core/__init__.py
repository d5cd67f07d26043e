"""Shared mechanisms with no feature logic: types, time, permissions, audit, mail, tokens.

Public interface (any feature may import): db helpers (`core.db`), `core.actions` (the one
commit/error helper for views), `core.permissions` (roles, `access`, predicates), `core.errors`,
`core.audit`, `core.mail` (the outbox), `core.tokens`, `core.urls.public_url`, `core.hooks`,
`core.timeutil`, `core.markup`, `core.exports`, `core.http_cache`, `core.ical_tz`, `core.worker`.
"""

from __future__ import annotations


def init_app(app) -> None:
    """Models, the audit/outbox pages, error handlers, the mail task, the worker command and template helpers."""
    from datetime import timedelta

    from flask_wtf.csrf import generate_csrf

    from engagement.core import (  # noqa: F401 - models  # noqa: F401 - models
        audit,
        i18n,
        inputs,
        mail,
        personal_data,
        phones,
        privacy,
        sms,
        sms_privacy,
        sms_tasks,
        translations_cli,
        versioning,
    )
    from engagement.core.blueprint import bp, notify_bp, public
    from engagement.core.permissions import register_template_helpers
    from engagement.core.security import register_error_handlers
    from engagement.core.timeutil import register_filters
    from engagement.core.worker import register_task, worker_command

    i18n.init_app(app)  # before anything renders: the language, `_`/`ngettext` in Jinja, the `lang` cookie
    register_error_handlers(app)
    inputs.init_app(app)
    from engagement.core import lean

    lean.init_app(app)  # public pages: a CSRF token only where a form is, and the page cache
    register_task("mail", mail.send_due)  # both channels: email and text messages (engagement.core.sms)
    register_task("sms-receipts", sms_tasks.poll_receipts, every=timedelta(minutes=1))
    register_task("sms-replies", sms_tasks.read_replies, every=timedelta(minutes=1))
    privacy.register()  # the outbox's and audit log's part of data-subject requests and retention
    sms_privacy.register()  # texts sent to a number and blocked numbers, for phone-number requests
    app.cli.add_command(worker_command)
    app.cli.add_command(translations_cli.translate)  # flask translate extract|update|compile
    register_filters(app)
    phones.register_filters(app)  # tel_href / tel_link: phone numbers staff and residents can tap
    register_template_helpers(app)
    app.register_blueprint(bp)
    app.register_blueprint(notify_bp)
    app.register_blueprint(public)

    @app.context_processor
    def site_context():
        return {
            "site_name": app.config["SITE_NAME"],
            "force_name": app.config["FORCE_NAME"],
            "csrf_token": generate_csrf,
        }
