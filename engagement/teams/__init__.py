"""Neighbourhood policing teams: the scope of most records, and how residents find theirs."""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.teams import models, views  # noqa: F401 - models

    app.register_blueprint(views.bp)
