"""Staff and volunteer accounts: users, roles, sign-in and password reset.

Public interface: `accounts.models.User`; `accounts.services` (normalise_email, find_user_by_email,
create_volunteer_account, set_password, request_password_reset, deactivate/rotate helpers) for the
features that make or disable accounts (Speed Watch approves volunteers); `accounts.two_factor`
(has_factor, required) for pages that show someone's sign-in settings. Sits above `teams`.
"""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.accounts import models  # noqa: F401 - the users table
    from engagement.accounts.blueprint import bp
    from engagement.accounts.cli import users_cli
    from engagement.accounts.services import demo_accounts_refusal, user_for_session
    from engagement.accounts.two_factor_views import require_second_factor
    from engagement.core.production import register_serving_check
    from engagement.extensions import login_manager

    login_manager.user_loader(user_for_session)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    register_serving_check("demo-accounts", demo_accounts_refusal)
    app.register_blueprint(bp)
    app.before_request(require_second_factor)  # a session that owes its code reaches nothing else
    app.cli.add_command(users_cli)
    from engagement.accounts import privacy  # data-subject requests and retention

    privacy.register()
