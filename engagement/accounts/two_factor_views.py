"""Two-factor pages: the code after the password, set-up, recovery codes, turning off, an admin's reset.

`require_second_factor` runs before every request: a signed-in session that still owes a code
(or must set one up) reaches only these pages and sign-out until it is done. URLs in blueprint.py.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from engagement.accounts import two_factor
from engagement.accounts.forms import CodeForm
from engagement.accounts.models import User
from engagement.accounts.views import safe_next
from engagement.core.actions import commit, form_status, perform
from engagement.core.errors import DomainError
from engagement.core.forms import apply_domain_error
from engagement.core.permissions import access, get_or_404
from engagement.core.timeutil import format_date
from engagement.extensions import limiter

# What a session that still owes its second factor may reach.
OPEN_WHILE_PENDING = {
    "verify": {"accounts.two_factor_verify", "accounts.logout", "static"},
    "enrol": {"accounts.two_factor_setup", "accounts.logout", "static"},
}


def require_second_factor():
    """before_request: send a half-signed-in session to the code page or to set-up, whatever it asked for."""
    if not current_user.is_authenticated:
        return None
    state = two_factor.gate(current_user, session, request.cookies.get(two_factor.DEVICE_COOKIE))
    if state is None or request.endpoint in OPEN_WHILE_PENDING[state]:
        return None
    target = "accounts.two_factor_verify" if state == "verify" else "accounts.two_factor_setup"
    return redirect(url_for(target, next=request.full_path if request.method == "GET" else None))


def _next_url():
    return safe_next(request.args.get("next"))


@login_required
@limiter.limit("10 per minute", methods=["POST"])
def two_factor_verify():
    state = two_factor.gate(current_user, session, request.cookies.get(two_factor.DEVICE_COOKIE))
    if state is None:
        return redirect(_next_url())
    if state == "enrol":
        return redirect(url_for("accounts.two_factor_setup"))
    if two_factor.code_window_passed(session):
        logout_user()
        session.clear()
        flash("Your sign-in timed out before the code was entered. Enter your password again.", "warning")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    form.remember_device.label.text = f"Do not ask for a code on this device for {_remember_days()} days"
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            how = two_factor.verify(user, form.code.data)
        except two_factor.CodeRefused as exc:
            commit()  # keep the failure count and the audit entry
            apply_domain_error(form, exc)
            return _verify_page(form)
        session[two_factor.PASSED] = two_factor.fingerprint(two_factor.factor(user))
        left = two_factor.recovery_codes_left(user)
        target = redirect(_next_url())
        if form.remember_device.data and two_factor.remember_allowed():
            target.set_cookie(two_factor.DEVICE_COOKIE, two_factor.device_token(user),
                              max_age=_remember_days() * 86400, httponly=True, samesite="Lax",
                              secure=bool(request.is_secure))  # fmt: skip
        name = user.display_name
        commit()
        flash(f"Signed in as {name}.", "success")
        if how == "recovery":
            flash(f"You used a recovery code. You have {left} left: make new ones on your two-factor page.", "warning")
        return target
    return _verify_page(form)


def _remember_days() -> int:
    return current_app.config["STAFF_2FA_REMEMBER_DAYS"]


def _verify_page(form):
    return (
        render_template("accounts/two_factor_verify.html", form=form, remember=two_factor.remember_allowed()),
        form_status(form),
    )


@access("account")
@limiter.limit("10 per minute", methods=["POST"])
def two_factor_setup():
    user = current_user._get_current_object()
    row = two_factor.factor(user)
    if row is not None and row.active:
        return render_template(
            "accounts/two_factor_status.html",
            form=CodeForm(),
            left=two_factor.recovery_codes_left(user),
            required=two_factor.required(user),
            since=format_date(row.confirmed_at),
        )
    was_reset = row.reset_at if row is not None else None
    row = two_factor.start_enrolment(user)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_enrolment(user, form.code.data)
        except DomainError as exc:
            commit()  # keep the failure count
            apply_domain_error(form, exc)
        else:
            session[two_factor.PASSED] = two_factor.fingerprint(row)
            commit()
            return render_template("accounts/two_factor_codes.html", codes=codes, next_url=_next_url(), first=True)
    uri = two_factor.provisioning_uri(user, row)
    key = two_factor.grouped_key(row.secret)
    required = two_factor.required(user)
    commit()  # the new secret is kept, so the QR code scanned now still works on the next try
    return render_template(
        "accounts/two_factor_setup.html",
        form=form,
        qr=two_factor.qr_code(uri),
        key=key,
        required=required,
        was_reset=format_date(was_reset) if was_reset else None,
    ), form_status(form)


@access("account")
@limiter.limit("10 per minute")
def two_factor_new_codes():
    form = CodeForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            two_factor.verify(user, form.code.data)
        except two_factor.CodeRefused as exc:
            commit()  # a wrong code still counts
            flash(exc.message, "warning")
            return redirect(url_for("accounts.two_factor_setup"))
        codes = two_factor.new_recovery_codes(user)
        commit()
        return render_template(
            "accounts/two_factor_codes.html", codes=codes, next_url=url_for("accounts.two_factor_setup")
        )
    flash("Enter a code from your authenticator app to make new recovery codes.", "warning")
    return redirect(url_for("accounts.two_factor_setup"))


@access("account")
@limiter.limit("10 per minute")
def two_factor_disable():
    form = CodeForm()
    user = current_user._get_current_object()
    if not form.validate_on_submit():
        flash("Enter a code from your authenticator app to turn off two-factor sign-in.", "warning")
        return redirect(url_for("accounts.two_factor_setup"))
    try:
        two_factor.disable(user, form.code.data)
    except DomainError as exc:
        commit()  # a wrong code still counts
        flash(exc.message, "warning")
        return redirect(url_for("accounts.two_factor_setup"))
    session.pop(two_factor.PASSED, None)
    commit()
    flash("Two-factor sign-in is turned off.", "success")
    return redirect(url_for("accounts.two_factor_setup"))


@access("admin")
def user_two_factor_reset(user_id: int):
    user = get_or_404(User, user_id)
    name = user.display_name
    return perform(
        lambda: two_factor.reset(user, actor=current_user),
        success=url_for("accounts.user_edit", user_id=user_id),
        message=f"Two-factor sign-in of {name} has been reset. They have been signed out and will set it up again.",
    )
