"""Team news posts, and the RSS/Atom feeds built from them."""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.news import models, views  # noqa: F401 - models

    views.init_app(app)
    app.register_blueprint(views.bp)
