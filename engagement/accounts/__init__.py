"""Staff accounts: users, roles, sign-in and password reset."""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.accounts import models, views  # noqa: F401 - models
    from engagement.accounts.cli import users_cli

    views.init_app(app)
    app.register_blueprint(views.bp)
    app.cli.add_command(users_cli)
