"""Residents' sign-ups for event dates, waiting lists and attendance; most personal data lives here."""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.signups import models, views  # noqa: F401 - models

    views.init_app(app)
    app.register_blueprint(views.bp)
