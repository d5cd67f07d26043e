"""Newsletters: double opt-in subscriptions, issues, and per-recipient deliveries."""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.core.worker import register_task
    from engagement.newsletter import delivery, models, views  # noqa: F401 - models
    from engagement.newsletter.cli import newsletter_cli
    from engagement.newsletter.subscriptions import expire

    views.init_app(app)
    app.register_blueprint(views.bp)
    register_task("newsletter-start", delivery.start_due)
    register_task("newsletter-send", delivery.send_due)
    register_task("newsletter-expire", expire)
    app.cli.add_command(newsletter_cli)
