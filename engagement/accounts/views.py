"""Sign-in, sign-out, password reset and (for admins) user management: plain view functions.

The URL table is accounts/blueprint.py; commits go through core.actions.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from engagement.accounts import queries, services, two_factor
from engagement.accounts.forms import ForgotPasswordForm, LoginForm, ResetPasswordForm, UserEditForm, UserForm
from engagement.accounts.models import User
from engagement.core.actions import commit, render_form, submit
from engagement.core.db import utcnow
from engagement.core.permissions import VOLUNTEER, access, get_or_404, has_access
from engagement.core.tokens import InvalidToken
from engagement.extensions import limiter
from engagement.teams.services import all_teams, teams_by_ids


def safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site; otherwise each kind of account's home page."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    if current_user.is_authenticated and current_user.is_volunteer:
        return url_for("speedwatch.rota")
    if current_user.is_authenticated and not has_access(current_user, "staff") and has_access(current_user, "privacy"):
        return url_for("privacy.requests")  # data protection officers work only there
    return url_for("teams.staff_home")


def _login_email_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()


@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=_login_email_key)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.LoginFailed as exc:
            commit()  # keep the audit entry of the failed attempt
            form.password.errors.append(exc.message)
            return render_template("accounts/login.html", form=form), 400
        session.clear()  # a fresh session on every sign-in
        login_user(user, remember=form.remember.data)
        session[two_factor.PASSWORD_AT] = utcnow().timestamp()
        owed = two_factor.gate(user, session, request.cookies.get(two_factor.DEVICE_COOKIE))
        name = user.display_name
        commit()
        if owed == "verify":
            return redirect(url_for("accounts.two_factor_verify", next=request.args.get("next")))
        if owed == "enrol":
            flash("Your role needs two-factor sign-in. Set it up now to continue.", "info")
            return redirect(url_for("accounts.two_factor_setup", next=request.args.get("next")))
        flash(f"Signed in as {name}.", "success")
        return redirect(safe_next(request.args.get("next")))
    return render_form("accounts/login.html", form)


@login_required
def logout():
    services.sign_out_everywhere(current_user)
    commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("teams.home"))


@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    sent = lambda _: make_response(render_template("accounts/reset_sent.html", email=form.email.data))  # noqa: E731
    done = submit(form, lambda: services.request_password_reset(form.email.data), success=sent)
    return done or render_form("accounts/forgot_password.html", form)


@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except InvalidToken as exc:
        return render_template("accounts/reset_invalid.html", message=exc.message), 400
    form = ResetPasswordForm()
    done = submit(
        form,
        lambda: services.reset_password(token, form.password.data),
        success=lambda _: url_for("accounts.login"),
        message="Your password has been changed. Sign in with your new password.",
    )
    return done or render_form("accounts/reset_password.html", form)


# --- staff: user management (admins) -------------------------------------------------


def _user_form(user: User | None = None) -> UserForm:
    form_class = UserEditForm if user else UserForm
    form = form_class(obj=user) if request.method == "GET" and user else form_class()
    form.teams.choices = [(t.id, f"{t.name} ({t.area})") for t in all_teams()]
    if request.method == "GET" and user:
        form.teams.data = [t.id for t in user.teams]
    return form


@access("admin")
def users():
    """Every sign-in: staff, and Speed Watch volunteers with their team (managed on the Speed Watch pages)."""
    teams = all_teams()
    kind = request.args.get("kind", "")
    kind = kind if kind in queries.KINDS else ""
    chosen = next((t for t in teams if t.slug == request.args.get("team")), None)
    words = " ".join(request.args.get("q", "").split())[:100]
    filters = queries.AccountFilter(kind=kind, team_id=chosen.id if chosen else None, words=words)
    page = queries.account_page(filters, page=request.args.get("page", 1, type=int))
    args = {
        key: value for key, value in (("kind", kind), ("team", chosen.slug if chosen else ""), ("q", words)) if value
    }
    return render_template(
        "accounts/users.html",
        page=page,
        users=page.items,
        memberships=queries.volunteer_memberships(page.items),
        kinds=queries.KINDS,
        kind=kind,
        teams=teams,
        chosen=chosen,
        words=words,
        args=args,
    )


@access("admin")
def user_new():
    form = _user_form()
    done = submit(
        form,
        lambda: services.invite_user(
            email=form.email.data,
            display_name=form.display_name.data,
            rank=form.rank.data,
            role=form.role.data,
            teams=teams_by_ids(form.teams.data),
            actor=current_user,
        ),
        success=url_for("accounts.users"),
        message=lambda user: f"Account created. We have emailed {user.email} a link to set a password.",
    )
    return done or render_form("accounts/user_form.html", form, user=None)


@access("admin")
def user_edit(user_id: int):
    user = get_or_404(User, user_id)
    if user.role == VOLUNTEER:
        abort(404)
    form = _user_form(user)
    done = submit(
        form,
        lambda: services.update_user(
            user,
            actor=current_user,
            display_name=form.display_name.data,
            rank=form.rank.data,
            role=form.role.data,
            teams=teams_by_ids(form.teams.data),
            active=form.active.data,
        ),
        success=url_for("accounts.users"),
        message=lambda saved: f"Saved changes to {saved.display_name}.",
    )
    return done or render_form("accounts/user_form.html", form, user=user, two_factor_on=two_factor.has_factor(user))
