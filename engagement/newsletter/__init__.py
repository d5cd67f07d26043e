"""Newsletters: double opt-in subscriptions, issues, and per-recipient deliveries.

Public interface: `newsletter.models` (Subscriber, Subscription, Issue, IssueItem, Delivery and
the status names); `newsletter.text_models` (text alerts: numbers, subscriptions, alerts, replies);
`newsletter.issues` (create_issue, schedule); `newsletter.delivery` (the
worker's start_due and send_due). The top feature: nothing imports it but the demo loader; the
rest of the package is private.
"""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.core.hooks import register_dashboard_section, register_team_section
    from engagement.core.urls import public_url
    from engagement.core.worker import register_task
    from engagement.newsletter import delivery, models  # noqa: F401 - subscribers, issues, deliveries
    from engagement.newsletter.blueprint import bp
    from engagement.newsletter.cli import newsletter_cli
    from engagement.newsletter.subscriptions import expire
    from engagement.newsletter.views import sections

    app.register_blueprint(bp)
    app.jinja_env.globals["public_url"] = public_url  # emails rendered by the worker link to BASE_URL
    app.jinja_env.globals["subscribe_endpoint"] = "newsletter.choose_teams"
    register_team_section("newsletter", sections.team_section, order=30)
    register_dashboard_section("newsletter", sections.dashboard_section, order=30)
    register_task("newsletter-start", delivery.start_due)
    register_task("newsletter-send", delivery.send_due)
    register_task("newsletter-expire", expire)
    app.cli.add_command(newsletter_cli)
    from engagement.newsletter import privacy  # data-subject requests and retention

    privacy.register()
    # Text alerts (issue 16): their tables, STOP before anything else, then every other reply kept.
    from engagement.core.hooks import register_sms_reply_handler
    from engagement.newsletter import text_models, text_privacy, text_subscribe  # noqa: F401 - models

    register_sms_reply_handler(text_subscribe.handle_stop, name="newsletter.stop", order=10)
    register_sms_reply_handler(text_subscribe.store_reply, name="newsletter.replies", order=1000)
    text_privacy.register()
