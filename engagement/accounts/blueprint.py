"""The accounts URL table: sign-in for everyone who has an account, user management for admins."""

from flask import Blueprint

from engagement.accounts import two_factor_views, views

bp = Blueprint("accounts", __name__)

# Sign-in, sign-out and password reset
bp.add_url_rule("/login", "login", views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", views.logout, methods=["POST"])
bp.add_url_rule("/forgot-password", "forgot_password", views.forgot_password, methods=["GET", "POST"])
bp.add_url_rule("/reset-password/<token>", "reset_password", views.reset_password, methods=["GET", "POST"])
bp.add_url_rule("/login/two-factor", "two_factor_verify", two_factor_views.two_factor_verify, methods=["GET", "POST"])

# One's own two-factor sign-in (every account), and an admin's reset of someone else's
bp.add_url_rule("/staff/account/two-factor", "two_factor_setup", two_factor_views.two_factor_setup,
                methods=["GET", "POST"])  # fmt: skip
bp.add_url_rule("/staff/account/two-factor/recovery-codes", "two_factor_new_codes",
                two_factor_views.two_factor_new_codes, methods=["POST"])  # fmt: skip
bp.add_url_rule("/staff/account/two-factor/turn-off", "two_factor_disable", two_factor_views.two_factor_disable,
                methods=["POST"])  # fmt: skip
bp.add_url_rule("/staff/users/<int:user_id>/two-factor/reset", "user_two_factor_reset",
                two_factor_views.user_two_factor_reset, methods=["POST"])  # fmt: skip

# Staff user management (admins)
bp.add_url_rule("/staff/users", "users", views.users)
bp.add_url_rule("/staff/users/new", "user_new", views.user_new, methods=["GET", "POST"])
bp.add_url_rule("/staff/users/<int:user_id>", "user_edit", views.user_edit, methods=["GET", "POST"])
