"""Sign-in, sign-out, password reset and (for admins) user management."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from engagement.accounts import services
from engagement.accounts.forms import ForgotPasswordForm, LoginForm, ResetPasswordForm, UserEditForm, UserForm
from engagement.accounts.models import User
from engagement.core.errors import DomainError
from engagement.core.forms import apply_domain_error
from engagement.core.permissions import VOLUNTEER, get_or_404, staff_route
from engagement.core.tokens import InvalidToken
from engagement.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(user_id: str):
    ident, _, token = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or user.session_token != token:
        return None
    return user


def _safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    if current_user.is_authenticated and current_user.is_volunteer:
        return url_for("speedwatch.rota")
    return url_for("teams.staff_home")


def _login_email_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=_login_email_key)
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.LoginFailed as exc:
            db.session.commit()  # keep the audit entry of the failed attempt
            form.password.errors.append(exc.message)
            return render_template("accounts/login.html", form=form), 400
        session.clear()  # a fresh session on every sign-in
        login_user(user, remember=form.remember.data)
        db.session.commit()
        flash(f"Signed in as {user.display_name}.", "success")
        return redirect(_safe_next(request.args.get("next")))
    status = 400 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("teams.home"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            services.request_password_reset(form.email.data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form), 400 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except InvalidToken as exc:
        return render_template("accounts/reset_invalid.html", message=exc.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash("Your password has been changed. Sign in with your new password.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 400 if form.errors else 200


# --- staff: user management (admins) -------------------------------------------------


def _user_form(user: User | None = None) -> UserForm:
    from engagement.teams.services import all_teams  # teams sits beside accounts; imported late

    form_class = UserEditForm if user else UserForm
    form = form_class(obj=user) if request.method == "GET" and user else form_class()
    form.teams.choices = [(t.id, f"{t.name} ({t.area})") for t in all_teams()]
    if request.method == "GET" and user:
        form.teams.data = [t.id for t in user.teams]
    return form


@staff_route(bp, "/staff/users", "admin")
def users():
    # Speed Watch volunteers are listed and managed on the Speed Watch pages, not here.
    query = db.select(User).where(User.role != VOLUNTEER).order_by(User.display_name)
    people = db.session.scalars(query.options(db.selectinload(User.teams))).all()
    return render_template("accounts/users.html", users=people)


@staff_route(bp, "/staff/users/new", "admin", methods=["GET", "POST"])
def user_new():
    from engagement.teams.services import teams_by_ids

    form = _user_form()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data,
                display_name=form.display_name.data,
                rank=form.rank.data,
                role=form.role.data,
                teams=teams_by_ids(form.teams.data),
                actor=current_user,
            )
            services.request_password_reset(user.email)
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"Account created. We have emailed {user.email} a link to set a password.", "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None), 400 if form.errors else 200


@staff_route(bp, "/staff/users/<int:user_id>", "admin", methods=["GET", "POST"])
def user_edit(user_id: int):
    from engagement.teams.services import teams_by_ids

    user = get_or_404(User, user_id)
    if user.role == VOLUNTEER:
        abort(404)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            services.update_user(
                user,
                actor=current_user,
                display_name=form.display_name.data,
                rank=form.rank.data,
                role=form.role.data,
                teams=teams_by_ids(form.teams.data),
                active=form.active.data,
            )
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"Saved changes to {user.display_name}.", "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=user), 400 if form.errors else 200


def init_app(app) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
