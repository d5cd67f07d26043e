"""Community Speed Watch: approved volunteers, approved sites, a shift rota with a minimum team, returns."""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.speedwatch import models, return_models, shift_models, views  # noqa: F401 - models

    views.init_app(app)
    app.register_blueprint(views.bp)
