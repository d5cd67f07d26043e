"""Incoming RSS/Atom sources that teams follow, read with feedparser by the worker."""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.core.worker import register_task
    from engagement.feeds import models, views  # noqa: F401 - models
    from engagement.feeds.fetch import fetch_due

    app.register_blueprint(views.bp)
    register_task("feeds", fetch_due)
