"""Events: event types, venues, events and their dates (one-off and repeating), calendars and the API."""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.core.worker import register_task
    from engagement.events import models, views  # noqa: F401 - models
    from engagement.events.cli import events_cli
    from engagement.events.series import extend_horizons

    views.init_app(app)
    app.register_blueprint(views.bp)
    register_task("events-horizon", extend_horizons)
    app.cli.add_command(events_cli)
