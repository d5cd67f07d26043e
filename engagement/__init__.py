"""The engagement app: `create_app()` wires config, extensions, blueprints and CLI commands."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g
from flask_wtf.csrf import generate_csrf
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from engagement.config import load_config
from engagement.extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` stops at the database's integer range, so a huge id is a 404, not an overflow 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2_147_483_647)
        super().__init__(map, *args, **kwargs)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(load_config(app.instance_path, config))
    app.url_map.converters["int"] = BoundedIntConverter
    if app.config["TRUSTED_PROXIES"]:
        # Rate limits and audit IPs need the client's address, not the proxy's.
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    _register_models()
    _register_blueprints(app)
    _register_cli(app)
    _register_templating(app)

    from engagement.core.mail import send_due
    from engagement.core.security import register_error_handlers
    from engagement.core.worker import register_task
    from engagement.events.series import extend_horizons
    from engagement.feeds.fetch import fetch_due
    from engagement.newsletter import delivery as newsletter_delivery
    from engagement.newsletter.subscriptions import expire as expire_subscriptions
    from engagement.surveys.answering import purge_expired as purge_survey_responses
    from engagement.surveys.feedback import send_due_feedback

    register_error_handlers(app)
    register_task("mail", send_due)
    register_task("events-horizon", extend_horizons)
    register_task("feeds", fetch_due)
    register_task("newsletter-start", newsletter_delivery.start_due)
    register_task("newsletter-send", newsletter_delivery.send_due)
    register_task("newsletter-expire", expire_subscriptions)
    register_task("surveys-feedback", send_due_feedback)
    register_task("surveys-purge", purge_survey_responses)
    return app


def _register_models() -> None:
    """Import every feature's models so SQLAlchemy and Alembic see the whole schema."""
    from engagement.accounts import models as _accounts  # noqa: F401
    from engagement.core import audit as _audit  # noqa: F401
    from engagement.core import mail as _mail  # noqa: F401
    from engagement.core import versioning as _versioning  # noqa: F401
    from engagement.events import models as _events  # noqa: F401
    from engagement.feeds import models as _feeds  # noqa: F401
    from engagement.news import models as _news  # noqa: F401
    from engagement.newsletter import models as _newsletter  # noqa: F401
    from engagement.signups import models as _signups  # noqa: F401
    from engagement.speedwatch import models as _speedwatch  # noqa: F401
    from engagement.speedwatch import return_models as _speedwatch_returns  # noqa: F401
    from engagement.speedwatch import shift_models as _speedwatch_shifts  # noqa: F401
    from engagement.surveys import models as _surveys  # noqa: F401
    from engagement.teams import models as _teams  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from engagement.accounts import views as accounts
    from engagement.core import views as core
    from engagement.events import views as events
    from engagement.feeds import views as feeds
    from engagement.news import views as news
    from engagement.newsletter import views as newsletter
    from engagement.signups import views as signups
    from engagement.speedwatch import views as speedwatch
    from engagement.surveys import views as surveys
    from engagement.teams import views as teams

    accounts.init_app(app)
    events.init_app(app)
    news.init_app(app)
    newsletter.init_app(app)
    surveys.init_app(app)
    signups.init_app(app)
    speedwatch.init_app(app)
    for module in (teams, accounts, core, events, news, feeds, newsletter, surveys, signups, speedwatch):
        app.register_blueprint(module.bp)


def _register_cli(app: Flask) -> None:
    from engagement.accounts.cli import users_cli
    from engagement.core.worker import worker_command
    from engagement.demo.cli import demo_cli
    from engagement.events.cli import events_cli
    from engagement.newsletter.cli import newsletter_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(events_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(newsletter_cli)


def _register_templating(app: Flask) -> None:
    from engagement.core.timeutil import register_filters

    register_filters(app)

    @app.context_processor
    def site_context():
        return {
            "site_name": app.config["SITE_NAME"],
            "force_name": app.config["FORCE_NAME"],
            "csrf_token": generate_csrf,
            "page_lang": g.get("page_lang", "en-GB"),
        }
