"""The accounts URL table: sign-in for everyone who has an account, user management for admins."""

from flask import Blueprint

from engagement.accounts import views

bp = Blueprint("accounts", __name__)

# Sign-in, sign-out and password reset
bp.add_url_rule("/login", "login", views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", views.logout, methods=["POST"])
bp.add_url_rule("/forgot-password", "forgot_password", views.forgot_password, methods=["GET", "POST"])
bp.add_url_rule("/reset-password/<token>", "reset_password", views.reset_password, methods=["GET", "POST"])

# Staff user management (admins)
bp.add_url_rule("/staff/users", "users", views.users)
bp.add_url_rule("/staff/users/new", "user_new", views.user_new, methods=["GET", "POST"])
bp.add_url_rule("/staff/users/<int:user_id>", "user_edit", views.user_edit, methods=["GET", "POST"])
